import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CompactedError } from '../../storage/store.js';
import { StatusError } from '../../api/status.js';
import { WatchCache } from './cache.js';
import { FakeStore } from './fake-store.js';
import { brief, key, PODS, pod, record, settle, sleep, startCache } from './test-helpers.js';

const seedThree = async (s: FakeStore) => {
  await s.create(key('b', 'p2'), pod('b', 'p2'));
  await s.create(key('a', 'p1'), pod('a', 'p1', { app: 'web' }));
  await s.create(key('a', 'p0'), pod('a', 'p0'));
};

test('start lists the prefix: objects sorted by key, resourceVersion from modRevision', async () => {
  const { cache } = await startCache({}, {}, seedThree);
  const res = cache.list();
  assert.equal(res.revision, 3);
  assert.deepEqual(
    res.items.map((o) => `${o.metadata!.namespace}/${o.metadata!.name}@${o.metadata!.resourceVersion}`),
    ['a/p0@3', 'a/p1@2', 'b/p2@1'],
  );
  assert.equal(cache.get(key('a', 'p1'))!.metadata!.name, 'p1');
  cache.stop();
});

test('list by namespace prefix, filter, limit and continue key', async () => {
  const { cache } = await startCache({}, {}, seedThree);
  assert.deepEqual(cache.list(`${PODS}a/`).items.map((o) => o.metadata!.name), ['p0', 'p1']);
  assert.deepEqual(cache.list({ namespacePrefix: `${PODS}b/` }).items.map((o) => o.metadata!.name), ['p2']);
  assert.deepEqual(
    cache.list({ filter: (o) => o.metadata?.labels?.app === 'web' }).items.map((o) => o.metadata!.name),
    ['p1'],
  );
  const page1 = cache.list({ limit: 2 });
  assert.deepEqual(page1.items.map((o) => o.metadata!.name), ['p0', 'p1']);
  assert.equal(page1.continueKey, key('b', 'p2'));
  const page2 = cache.list({ limit: 2, startKey: page1.continueKey });
  assert.deepEqual(page2.items.map((o) => o.metadata!.name), ['p2']);
  assert.equal(page2.continueKey, undefined);
  cache.stop();
});

test('writes update the cache; objects are frozen and shared', async () => {
  const { store, cache } = await startCache();
  const a = await store.create(key('a', 'x'), pod('a', 'x'));
  await store.update(key('a', 'x'), pod('a', 'x', { v: '2' }), a.modRevision);
  await store.create(key('a', 'y'), pod('a', 'y'));
  await store.delete(key('a', 'y'));
  assert.equal(cache.revision, 4);
  const items = cache.list().items;
  assert.deepEqual(items.map((o) => [o.metadata!.name, o.metadata!.resourceVersion, o.metadata!.labels]), [['x', '2', { v: '2' }]]);
  assert.equal(cache.list().items[0], items[0], 'same object instance on every list');
  assert.throws(() => {
    (items[0]!.metadata as { name: string }).name = 'mutated';
  }, TypeError);
  cache.stop();
});

test('afterRevision 0: ADDED for every current object (key order), then changes', async () => {
  const { store, cache } = await startCache({}, {}, seedThree);
  const r = record(cache, { afterRevision: 0 });
  assert.equal(r.events.length, 0, 'nothing before watch() returns');
  await settle();
  assert.deepEqual(brief(r), ['ADDED p0@3', 'ADDED p1@2', 'ADDED p2@1']);
  const cur = (await store.get(key('a', 'p0')))!;
  await store.update(key('a', 'p0'), pod('a', 'p0', { v: '2' }), cur.modRevision);
  await store.delete(key('b', 'p2'));
  assert.deepEqual(brief(r).slice(3), ['MODIFIED p0@4', 'DELETED p2@5']);
  assert.deepEqual(r.initialEnd, [], 'legacy initial events end without the marker');
  cache.stop();
});

test('DELETED carries the last content stamped with the delete revision', async () => {
  const { store, cache } = await startCache({}, {}, seedThree);
  const r = record(cache, { afterRevision: 3 });
  await settle();
  await store.delete(key('a', 'p1'));
  assert.equal(r.raw.length, 1);
  const ev = r.raw[0]!;
  assert.equal(ev.type, 'DELETED');
  assert.equal(ev.revision, 4);
  assert.equal(ev.object.metadata!.resourceVersion, '4');
  assert.deepEqual(ev.object.metadata!.labels, { app: 'web' });
  cache.stop();
});

test('sendInitialEvents=false with afterRevision 0 starts from now', async () => {
  const { store, cache } = await startCache({}, {}, seedThree);
  const r = record(cache, { afterRevision: 0, sendInitialEvents: false });
  await settle();
  await store.create(key('c', 'new'), pod('c', 'new'));
  assert.deepEqual(brief(r), ['ADDED new@4']);
  cache.stop();
});

test('sendInitialEvents=true: initial state, the end marker at the snapshot revision, then changes', async () => {
  const { store, cache } = await startCache({}, {}, seedThree);
  const r = record(cache, { afterRevision: 0, sendInitialEvents: true, prefix: `${PODS}a/` });
  await settle();
  assert.deepEqual(brief(r), ['ADDED p0@3', 'ADDED p1@2']);
  assert.deepEqual(r.initialEnd, [3]);
  await store.create(key('a', 'p9'), pod('a', 'p9'));
  await store.create(key('b', 'p9'), pod('b', 'p9'));
  assert.deepEqual(brief(r).slice(2), ['ADDED p9@4']);
  cache.stop();
});

test('sendInitialEvents=true with a future revision waits for the cache, or fails with 504', async () => {
  const { store, cache } = await startCache({ waitTimeoutMs: 100 }, {}, seedThree);
  const r = record(cache, { afterRevision: 4, sendInitialEvents: true });
  await settle();
  assert.equal(r.events.length, 0);
  await store.create(key('c', 'c1'), pod('c', 'c1'));
  await settle();
  assert.equal(r.events.length, 4);
  assert.deepEqual(r.initialEnd, [4]);

  const late = record(cache, { afterRevision: 99, sendInitialEvents: true });
  await sleep(150);
  assert.equal(late.errors.length, 1);
  assert.equal(late.errors[0]!.code, 504);
  assert.equal(late.errors[0]!.message, 'Timeout: Too large resource version: 99, current: 4');
  assert.equal(late.errors[0]!.details?.causes?.[0]?.reason, 'ResourceVersionTooLarge');
  cache.stop();
});

test('resuming from a revision replays the ring after it, then follows', async () => {
  const { store, cache } = await startCache();
  for (let i = 1; i <= 5; i++) await store.create(key('a', `p${i}`), pod('a', `p${i}`));
  const r = record(cache, { afterRevision: 2 });
  await settle();
  assert.deepEqual(brief(r), ['ADDED p3@3', 'ADDED p4@4', 'ADDED p5@5']);
  await store.create(key('a', 'p6'), pod('a', 'p6'));
  assert.deepEqual(brief(r).at(-1), 'ADDED p6@6');
  // From the list revision itself (nothing dropped yet): fine, and nothing to replay but the ring.
  const fromList = record(cache, { afterRevision: cache.revision });
  await settle();
  assert.equal(fromList.events.length, 0);
  assert.equal(fromList.errors.length, 0);
  cache.stop();
});

test('a revision older than the ring gets 410 Expired, worded as upstream', async () => {
  const { store, cache } = await startCache({ capacity: 3 }, {}, async (s) => {
    await s.create(key('a', 'seed'), pod('a', 'seed'));
  });
  // Right after the list: the list revision itself is still resumable.
  const ok = record(cache, { afterRevision: 1 });
  await settle();
  assert.equal(ok.errors.length, 0);
  ok.handle.cancel();
  for (let i = 2; i <= 6; i++) await store.create(key('a', `p${i}`), pod('a', `p${i}`)); // revs 2..6; ring keeps 4..6
  const old = record(cache, { afterRevision: 2 });
  await settle();
  assert.equal(old.errors.length, 1);
  assert.equal(old.errors[0]!.code, 410);
  assert.equal(old.errors[0]!.reason, 'Expired');
  assert.equal(old.errors[0]!.message, 'too old resource version: 2 (3)');
  const edge = record(cache, { afterRevision: 3 });
  await settle();
  assert.deepEqual(brief(edge), ['ADDED p4@4', 'ADDED p5@5', 'ADDED p6@6']);
  cache.stop();
});

test('events of one transaction share a revision and are resumed around as a unit', async () => {
  const { store, cache } = await startCache({}, {}, async (s) => {
    await s.create(key('a', 'seed'), pod('a', 'seed'));
  });
  store.putMany([
    [key('a', 't1'), pod('a', 't1')],
    [key('a', 't2'), pod('a', 't2')],
  ]);
  await store.create(key('a', 'after'), pod('a', 'after'));
  const before = record(cache, { afterRevision: 1 });
  const between = record(cache, { afterRevision: 2 });
  await settle();
  assert.deepEqual(brief(before), ['ADDED t1@2', 'ADDED t2@2', 'ADDED after@3']);
  assert.deepEqual(brief(between), ['ADDED after@3']);
  cache.stop();
});
