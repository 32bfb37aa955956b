import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brief, key, PODS, pod, record, settle, sleep, startCache } from './test-helpers.js';

const web = (o: { metadata?: { labels?: Record<string, string> } }) => o.metadata?.labels?.app === 'web';

test('filters give upstream transitions: starts matching ADDED, keeps MODIFIED, stops DELETED', async () => {
  const { store, cache } = await startCache();
  const r = record(cache, { afterRevision: 0, filter: web });
  await settle();
  let kv = await store.create(key('a', 'x'), pod('a', 'x', { app: 'db' })); // 1: not matching
  kv = await store.update(kv.key, pod('a', 'x', { app: 'web' }), kv.modRevision); // 2: starts
  kv = await store.update(kv.key, pod('a', 'x', { app: 'web', v: '2' }), kv.modRevision); // 3: keeps
  kv = await store.update(kv.key, pod('a', 'x', { app: 'db' }), kv.modRevision); // 4: stops
  kv = await store.update(kv.key, pod('a', 'x', { app: 'db', v: '3' }), kv.modRevision); // 5: still out
  await store.delete(kv.key); // 6: deleted while not matching
  assert.deepEqual(brief(r), ['ADDED x@2', 'MODIFIED x@3', 'DELETED x@4']);
  // The DELETED for "stopped matching" carries the content the client knew, at the new revision.
  assert.deepEqual(r.events[2]!.labels, { app: 'web', v: '2' });
  assert.equal(r.events[2]!.revision, 4);
  cache.stop();
});

test('a prefix restricts a watch to one namespace', async () => {
  const { store, cache } = await startCache();
  const r = record(cache, { afterRevision: 0, prefix: `${PODS}a/` });
  await settle();
  await store.create(key('a', 'in'), pod('a', 'in'));
  await store.create(key('ab', 'out'), pod('ab', 'out'));
  await store.create(key('b', 'out'), pod('b', 'out'));
  assert.deepEqual(brief(r), ['ADDED in@1']);
  cache.stop();
});

test('events are shared between watchers and encoded once per format', async () => {
  const { store, cache } = await startCache({}, {}, async (s) => {
    await s.create(key('a', 'old'), pod('a', 'old'));
  });
  const watchers = Array.from({ length: 5 }, () => record(cache, { afterRevision: 0 }));
  await settle();
  await store.create(key('a', 'new'), pod('a', 'new'));
  let encodes = 0;
  const lines = new Set<string>();
  for (const w of watchers) {
    assert.equal(w.raw.length, 2);
    assert.equal(w.raw[0], watchers[0]!.raw[0], 'initial ADDED event object shared');
    assert.equal(w.raw[1], watchers[0]!.raw[1], 'live event object shared');
    for (const e of w.raw) lines.add(e.encoded('json', () => (encodes++, JSON.stringify({ type: e.type, object: e.object }))));
  }
  assert.equal(encodes, 2);
  assert.equal(lines.size, 2);
  assert.ok(Object.isFrozen(watchers[0]!.raw[1]!.object));
  cache.stop();
});

test('a watcher that returns false is paused; resume() continues in order', async () => {
  const { store, cache } = await startCache();
  const got: string[] = [];
  let full = true;
  const h = cache.watch({
    afterRevision: 0,
    onEvent: (e) => {
      got.push(e.object.metadata!.name!);
      return !full;
    },
    onError: (err) => assert.fail(err.message),
  });
  await settle();
  for (let i = 1; i <= 4; i++) await store.create(key('a', `p${i}`), pod('a', `p${i}`));
  assert.deepEqual(got, ['p1']);
  assert.equal(h.backlog, 3);
  full = false;
  h.resume();
  assert.deepEqual(got, ['p1', 'p2', 'p3', 'p4']);
  assert.equal(h.backlog, 0);
  cache.stop();
});

test('a paused watcher too far behind is closed (onClose backlog) while others carry on', async () => {
  const { store, cache } = await startCache({ capacity: 10, maxBacklog: 3 });
  const slow = record(cache, { afterRevision: 0, onEvent: () => false });
  const fast = record(cache, { afterRevision: 0 });
  const noOnClose = cache.watch({ afterRevision: 0, onEvent: () => false, onError: (e) => errs.push(e.code) });
  const errs: number[] = [];
  await settle();
  for (let i = 1; i <= 6; i++) await store.create(key('a', `p${i}`), pod('a', `p${i}`));
  assert.deepEqual(slow.closes, ['backlog']);
  assert.equal(slow.errors.length, 0);
  assert.equal(fast.events.length, 6);
  assert.deepEqual(errs, [410], 'without onClose the client is told to relist');
  assert.ok(noOnClose.done);
  assert.equal(cache.watcherCount, 1);
  cache.stop();
});

test('a paused watcher overtaken by the ring gets 410 when it resumes', async () => {
  const { store, cache } = await startCache({ capacity: 3, maxBacklog: 100 });
  let pause = true;
  const r = record(cache, { afterRevision: 0, onEvent: () => !pause });
  await settle();
  for (let i = 1; i <= 6; i++) await store.create(key('a', `p${i}`), pod('a', `p${i}`));
  pause = false;
  r.handle.resume();
  assert.equal(r.errors.length, 1);
  assert.equal(r.errors[0]!.code, 410);
  cache.stop();
});

test('cancel inside onEvent stops delivery and detaches the watcher', async () => {
  const { store, cache } = await startCache();
  const got: string[] = [];
  const h = cache.watch({
    afterRevision: 0,
    onEvent: (e) => {
      got.push(e.object.metadata!.name!);
      h.cancel();
    },
    onError: () => assert.fail('no error expected'),
  });
  await settle();
  store.putMany([
    [key('a', 'x'), pod('a', 'x')],
    [key('a', 'y'), pod('a', 'y')],
  ]);
  assert.deepEqual(got, ['x']);
  assert.equal(cache.watcherCount, 0);
  cache.stop();
});

test('a throwing handler ends only its own watch with a 500', async () => {
  const { store, cache } = await startCache();
  const bad = record(cache, {
    afterRevision: 0,
    onEvent: () => {
      throw new Error('boom');
    },
  });
  const good = record(cache, { afterRevision: 0 });
  await settle();
  await store.create(key('a', 'x'), pod('a', 'x'));
  await store.create(key('a', 'y'), pod('a', 'y'));
  assert.equal(bad.errors[0]?.code, 500);
  assert.equal(good.events.length, 2);
  cache.stop();
});

test('bookmarks: idle watchers learn the revision moved on, also past filtered-out events', async () => {
  const { store, cache } = await startCache({ bookmarkIntervalMs: 20, keepaliveBookmarkMs: 1_000_000 });
  const r = record(cache, { afterRevision: 0, filter: web });
  await settle();
  await store.create(key('a', 'db'), pod('a', 'db', { app: 'db' }));
  await sleep(70);
  assert.ok(r.bookmarks.includes(1), `bookmarks ${r.bookmarks}`);
  const n = r.bookmarks.length;
  await sleep(70);
  assert.equal(r.bookmarks.length, n, 'no repeat while nothing changed and keepalive is far off');
  cache.stop();
});

test('bookmarks: keepalive while nothing happens, and on demand', async () => {
  const { cache } = await startCache({ bookmarkIntervalMs: 10, keepaliveBookmarkMs: 30 }, {}, async (s) => {
    await s.create(key('a', 'x'), pod('a', 'x'));
  });
  const r = record(cache, { afterRevision: 1 });
  await settle();
  r.handle.requestBookmark();
  assert.deepEqual(r.bookmarks, [1]);
  await sleep(120);
  assert.ok(r.bookmarks.length >= 3, `keepalive bookmarks: ${r.bookmarks}`);
  assert.ok(r.bookmarks.every((b) => b === 1));
  cache.stop();
});

test('bookmarks never go behind a watch that starts in the future', async () => {
  const { store, cache } = await startCache({ bookmarkIntervalMs: 10, keepaliveBookmarkMs: 10 });
  const r = record(cache, { afterRevision: 5 });
  await settle();
  r.handle.requestBookmark();
  await sleep(40);
  assert.deepEqual(r.bookmarks, []);
  for (let i = 1; i <= 6; i++) await store.create(key('a', `p${i}`), pod('a', `p${i}`));
  assert.deepEqual(brief(r), ['ADDED p6@6'], 'events up to the requested revision are skipped');
  assert.deepEqual(r.bookmarks, [5], 'the pending bookmark went out once the cache reached the requested revision');
  await sleep(40);
  assert.ok(r.bookmarks.length > 1 && r.bookmarks.slice(1).every((b) => b === 6), `bookmarks ${r.bookmarks}`);
  cache.stop();
});

test('the ring grows during a burst (events younger than freshMs) and shrinks when they go stale', async () => {
  let now = 0;
  const { store, cache } = await startCache({ capacity: 4, maxCapacity: 16, freshMs: 1000, now: () => now });
  for (let i = 1; i <= 12; i++) await store.create(key('a', `p${i}`), pod('a', `p${i}`));
  assert.equal(cache.ringCapacity, 16, 'a burst keeps every event resumable, up to maxCapacity');
  // A watcher resuming from the first event still gets all the others.
  const r = record(cache, { afterRevision: 1 });
  await settle();
  assert.equal(r.events.length, 11);
  assert.equal(r.errors.length, 0);
  r.handle.cancel();
  for (let i = 13; i <= 20; i++) await store.create(key('a', `p${i}`), pod('a', `p${i}`));
  assert.equal(cache.ringCapacity, 16, 'never beyond maxCapacity');
  now = 5000; // the burst is long over
  await store.create(key('a', 'late'), pod('a', 'late'));
  assert.equal(cache.ringCapacity, 8);
  const old = record(cache, { afterRevision: 1 });
  await settle();
  assert.equal(old.errors[0]?.code, 410, 'what the shrink dropped is gone');
  cache.stop();
});

test('a fixed ring (maxCapacity = capacity) never grows', async () => {
  const { store, cache } = await startCache({ capacity: 3 });
  for (let i = 1; i <= 6; i++) await store.create(key('a', `p${i}`), pod('a', `p${i}`));
  assert.equal(cache.ringCapacity, 3);
  cache.stop();
});

test('batched notification: the writes of one event-loop turn reach a watcher in one delivery run, in order', async () => {
  const { store, cache } = await startCache({ batchNotify: true });
  const runs: number[] = [];
  let inRun = false;
  const names: string[] = [];
  cache.watch({
    afterRevision: 0,
    onEvent: (e) => {
      names.push(e.object.metadata!.name!);
      if (!inRun) {
        inRun = true;
        runs.push(0);
        queueMicrotask(() => (inRun = false));
      }
      runs[runs.length - 1]!++;
    },
    onError: (err) => assert.fail(err.message),
  });
  await settle();
  await Promise.all([1, 2, 3].map((i) => store.create(key('a', `p${i}`), pod('a', `p${i}`))));
  assert.deepEqual(names, [], 'nothing is delivered before the turn ends');
  assert.equal(cache.list().items.length, 3, 'the cache itself is current at once');
  await settle();
  assert.deepEqual(names, ['p1', 'p2', 'p3']);
  assert.deepEqual(runs, [3], 'one delivery run for the three writes');
  cache.stop();
});
