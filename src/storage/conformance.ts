// One behavioural suite for every Store backend. Each backend's test file calls
// runStoreConformance with a factory; every test opens its own store and works under its own key
// prefix, so backends that share state between opens (etcd) stay isolated between tests.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';

import {
  CompactedError,
  ConflictError,
  KeyExistsError,
  KeyNotFoundError,
  StoreError,
  type Store,
  type WatchEvent,
} from './store.js';

export type MakeStore = () => Promise<Store>;

let prefixCounter = 0;
function uniquePrefix(): string {
  return `/registry/conf${++prefixCounter}-${randomBytes(3).toString('hex')}/`;
}

async function withStore(makeStore: MakeStore, fn: (store: Store, prefix: string) => Promise<void>): Promise<void> {
  const store = await makeStore();
  try {
    await fn(store, uniquePrefix());
  } finally {
    await store.close();
  }
}

/** Watch until `done(events)` holds; fails after `timeoutMs`. */
export function collectEvents(
  store: Store,
  prefix: string,
  afterRevision: number,
  done: (events: WatchEvent[]) => boolean,
  timeoutMs = 5000,
): Promise<WatchEvent[]> {
  return new Promise((resolve, reject) => {
    const events: WatchEvent[] = [];
    const timer = setTimeout(() => {
      watch.cancel();
      reject(new Error(`watch timed out after ${events.length} events: ${JSON.stringify(events.map((e) => e.modRevision))}`));
    }, timeoutMs);
    const watch = store.watch(prefix, afterRevision, {
      onEvents(batch) {
        events.push(...batch);
        if (done(events)) {
          clearTimeout(timer);
          watch.cancel();
          resolve(events);
        }
      },
      onError(err) {
        clearTimeout(timer);
        reject(err);
      },
    });
  });
}

/** Resolves with the error the watch reports (rejects if it delivers events instead). */
function watchError(store: Store, prefix: string, afterRevision: number): Promise<Error> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('expected a watch error')), 5000);
    const watch = store.watch(prefix, afterRevision, {
      onEvents(batch) {
        clearTimeout(timer);
        watch.cancel();
        reject(new Error(`expected an error, got events at ${batch.map((e) => e.modRevision).join(',')}`));
      },
      onError(err) {
        clearTimeout(timer);
        resolve(err);
      },
    });
  });
}

export function runStoreConformance(label: string, makeStore: MakeStore): void {
  describe(`Store conformance: ${label}`, () => {
    test('create then get; get of a missing key is null', () =>
      withStore(makeStore, async (store, p) => {
        const created = await store.create(`${p}a`, 'v1');
        assert.equal(created.key, `${p}a`);
        assert.equal(created.value, 'v1');
        assert.equal(created.createRevision, created.modRevision);
        assert.deepEqual(await store.get(`${p}a`), created);
        assert.equal(await store.get(`${p}missing`), null);
        assert.equal(await store.currentRevision(), created.modRevision);
      }));

    test('create of a present key rejects with KeyExistsError', () =>
      withStore(makeStore, async (store, p) => {
        await store.create(`${p}a`, 'v1');
        const before = await store.currentRevision();
        await assert.rejects(store.create(`${p}a`, 'v2'), (err: unknown) => {
          assert.ok(err instanceof KeyExistsError);
          assert.equal(err.key, `${p}a`);
          return true;
        });
        assert.equal(await store.currentRevision(), before, 'a failed write does not use a revision');
        assert.equal((await store.get(`${p}a`))?.value, 'v1');
      }));

    test('update is compare-and-swap; ConflictError carries the current value', async () =>
      withStore(makeStore, async (store, p) => {
        const v1 = await store.create(`${p}a`, 'v1');
        const v2 = await store.update(`${p}a`, 'v2', v1.modRevision);
        assert.equal(v2.value, 'v2');
        assert.equal(v2.createRevision, v1.createRevision);
        assert.ok(v2.modRevision > v1.modRevision);
        await assert.rejects(store.update(`${p}a`, 'v3', v1.modRevision), (err: unknown) => {
          assert.ok(err instanceof ConflictError);
          assert.equal(err.key, `${p}a`);
          assert.deepEqual(err.current, v2);
          return true;
        });
        await assert.rejects(store.update(`${p}missing`, 'x', v1.modRevision), KeyNotFoundError);
        await assert.rejects(store.update(`${p}missing`, 'x', 0), KeyNotFoundError);
        assert.deepEqual(await store.get(`${p}a`), v2);
      }));

    test('delete with and without an expected revision', () =>
      withStore(makeStore, async (store, p) => {
        const a = await store.create(`${p}a`, 'va');
        const deleted = await store.delete(`${p}a`);
        assert.equal(deleted.value, 'va');
        assert.equal(deleted.createRevision, a.createRevision);
        assert.ok(deleted.modRevision > a.modRevision);
        assert.equal(await store.currentRevision(), deleted.modRevision);
        assert.equal(await store.get(`${p}a`), null);
        await assert.rejects(store.delete(`${p}a`), KeyNotFoundError);

        const b = await store.create(`${p}b`, 'vb');
        const b2 = await store.update(`${p}b`, 'vb2', b.modRevision);
        await assert.rejects(store.delete(`${p}b`, b.modRevision), (err: unknown) => {
          assert.ok(err instanceof ConflictError);
          assert.deepEqual(err.current, b2);
          return true;
        });
        const bDeleted = await store.delete(`${p}b`, b2.modRevision);
        assert.equal(bDeleted.value, 'vb2');
        await assert.rejects(store.delete(`${p}b`, b2.modRevision), KeyNotFoundError);

        // A deleted key can be created again, with a fresh createRevision.
        const again = await store.create(`${p}a`, 'again');
        assert.equal(again.createRevision, again.modRevision);
        assert.ok(again.createRevision > deleted.modRevision);
      }));

    test('one revision counter, shared across keys and strictly increasing', () =>
      withStore(makeStore, async (store, p) => {
        const start = await store.currentRevision();
        const a = await store.create(`${p}a`, '1');
        const b = await store.create(`${p}b`, '1');
        const a2 = await store.update(`${p}a`, '2', a.modRevision);
        const bDel = await store.delete(`${p}b`);
        const revs = [start, a.modRevision, b.modRevision, a2.modRevision, bDel.modRevision];
        for (let i = 1; i < revs.length; i++) assert.ok(revs[i]! > revs[i - 1]!, `revisions ${revs.join(',')}`);
        assert.equal(await store.currentRevision(), bDel.modRevision);
      }));

    test('list returns the keys under a prefix in key order, and count agrees', () =>
      withStore(makeStore, async (store, p) => {
        for (const name of ['c', 'a', 'b/x', 'b', 'B', 'a-1']) await store.create(`${p}${name}`, name);
        await store.create(`${p.slice(0, -1)}-outside`, 'no');
        const res = await store.list(p);
        assert.deepEqual(
          res.items.map((kv) => kv.key.slice(p.length)),
          ['B', 'a', 'a-1', 'b', 'b/x', 'c'],
        );
        assert.equal(res.revision, await store.currentRevision());
        assert.equal(res.more, false);
        assert.equal(res.remaining, 0);
        assert.equal(await store.count(p), 6);
        assert.equal(await store.count(`${p}b`), 2);
        assert.equal(await store.count(`${p}zzz`), 0);
        assert.deepEqual((await store.list(`${p}zzz`)).items, []);
      }));

    test('a prefix that is a prefix of another prefix does not leak', () =>
      withStore(makeStore, async (store, p) => {
        await store.create(`${p}pods/a/one`, '1');
        await store.create(`${p}pods/ab/two`, '2');
        await store.create(`${p}pods/a`, 'bare');
        const res = await store.list(`${p}pods/a/`);
        assert.deepEqual(res.items.map((kv) => kv.key), [`${p}pods/a/one`]);
        assert.equal(await store.count(`${p}pods/a/`), 1);
        assert.equal(await store.count(`${p}pods/ab/`), 1);

        const from = await store.currentRevision();
        const watched = collectEvents(store, `${p}pods/a/`, from, (evs) => evs.length >= 1);
        await store.create(`${p}pods/ab/three`, '3');
        const last = await store.create(`${p}pods/a/four`, '4');
        const events = await watched;
        assert.deepEqual(events.map((e) => [e.key, e.modRevision]), [[`${p}pods/a/four`, last.modRevision]]);
      }));

    test('list at an older revision sees the state of that revision', () =>
      withStore(makeStore, async (store, p) => {
        const a1 = await store.create(`${p}a`, 'a1');
        const a2 = await store.update(`${p}a`, 'a2', a1.modRevision);
        const b = await store.create(`${p}b`, 'b1');
        const aDel = await store.delete(`${p}a`);
        await store.create(`${p}c`, 'c1');

        const values = async (rev: number) => {
          const res = await store.list(p, { revision: rev });
          assert.equal(res.revision, rev);
          return res.items.map((kv) => `${kv.key.slice(p.length)}=${kv.value}@${kv.modRevision}`);
        };
        assert.deepEqual(await values(a1.modRevision), [`a=a1@${a1.modRevision}`]);
        assert.deepEqual(await values(b.modRevision), [`a=a2@${a2.modRevision}`, `b=b1@${b.modRevision}`]);
        assert.deepEqual(await values(aDel.modRevision), [`b=b1@${b.modRevision}`]);
        assert.deepEqual(
          (await store.list(p)).items.map((kv) => kv.key.slice(p.length)),
          ['b', 'c'],
        );
        await assert.rejects(store.list(p, { revision: (await store.currentRevision()) + 1000 }), StoreError);
      }));

    test('limit and startKey page through a list with a count of the remainder', () =>
      withStore(makeStore, async (store, p) => {
        for (const name of ['k1', 'k2', 'k3', 'k4', 'k5']) await store.create(`${p}${name}`, name);
        const page1 = await store.list(p, { limit: 2 });
        assert.deepEqual(page1.items.map((kv) => kv.value), ['k1', 'k2']);
        assert.equal(page1.more, true);
        assert.equal(page1.remaining, 3);

        // Writes after the first page must not show in later pages read at the first page's revision.
        await store.create(`${p}k25`, 'k25');
        await store.delete(`${p}k4`);

        const next = (items: { key: string }[]) => `${items[items.length - 1]!.key}\u0000`;
        const page2 = await store.list(p, { limit: 2, startKey: next(page1.items), revision: page1.revision });
        assert.deepEqual(page2.items.map((kv) => kv.value), ['k3', 'k4']);
        assert.equal(page2.revision, page1.revision);
        assert.equal(page2.more, true);
        assert.equal(page2.remaining, 1);
        const page3 = await store.list(p, { limit: 2, startKey: next(page2.items), revision: page1.revision });
        assert.deepEqual(page3.items.map((kv) => kv.value), ['k5']);
        assert.equal(page3.more, false);
        assert.equal(page3.remaining, 0);

        // The same walk at the current revision sees the new state.
        const now = await store.list(p, { limit: 3, startKey: `${p}k2` });
        assert.deepEqual(now.items.map((kv) => kv.value), ['k2', 'k25', 'k3']);
        assert.equal(now.remaining, 1);
        // A start key before the prefix starts at the prefix.
        const before = await store.list(p, { limit: 1, startKey: '/' });
        assert.deepEqual(before.items.map((kv) => kv.value), ['k1']);
      }));

    test('watch is ordered and gap-free across concurrent writers', () =>
      withStore(makeStore, async (store, p) => {
        const writers = 6;
        const writesPerWriter = 15;
        const from = await store.currentRevision();
        const total = writers * (writesPerWriter + 1);
        const watched = collectEvents(store, p, from, (evs) => evs.length >= total, 15000);
        const results = await Promise.all(
          Array.from({ length: writers }, async (_, w) => {
            const revs: number[] = [];
            let kv = await store.create(`${p}w${w}`, '0');
            revs.push(kv.modRevision);
            for (let i = 1; i <= writesPerWriter; i++) {
              if (i === writesPerWriter) {
                kv = await store.delete(`${p}w${w}`, kv.modRevision);
              } else {
                kv = await store.update(`${p}w${w}`, String(i), kv.modRevision);
              }
              revs.push(kv.modRevision);
            }
            return revs;
          }),
        );
        const events = await watched;
        assert.equal(events.length, total);
        for (let i = 1; i < events.length; i++) {
          assert.ok(events[i]!.modRevision > events[i - 1]!.modRevision, 'events in revision order');
        }
        assert.deepEqual(
          events.map((e) => e.modRevision),
          results.flat().sort((a, b) => a - b),
          'every acknowledged write is delivered exactly once',
        );
      }));

    test('watch from an older revision replays, then continues live', () =>
      withStore(makeStore, async (store, p) => {
        const from = await store.currentRevision();
        const a = await store.create(`${p}a`, '1');
        const a2 = await store.update(`${p}a`, '2', a.modRevision);
        const b = await store.create(`${p}b`, '1');
        const watched = collectEvents(store, p, a.modRevision, (evs) => evs.length >= 3);
        const c = await store.create(`${p}c`, '1');
        const events = await watched;
        assert.deepEqual(events.map((e) => e.modRevision), [a2.modRevision, b.modRevision, c.modRevision]);

        const all = await collectEvents(store, p, from, (evs) => evs.length >= 4);
        assert.deepEqual(all.map((e) => `${e.type} ${e.key.slice(p.length)}`), ['put a', 'put a', 'put b', 'put c']);
      }));

    test('watch events carry prevValue on update and the old value on delete', () =>
      withStore(makeStore, async (store, p) => {
        const from = await store.currentRevision();
        const watched = collectEvents(store, p, from, (evs) => evs.length >= 3);
        const v1 = await store.create(`${p}a`, 'v1');
        const v2 = await store.update(`${p}a`, 'v2', v1.modRevision);
        const del = await store.delete(`${p}a`);
        const [put1, put2, gone] = await watched;
        assert.deepEqual(put1, { type: 'put', key: `${p}a`, value: 'v1', modRevision: v1.modRevision, createRevision: v1.createRevision });
        assert.deepEqual(put2, {
          type: 'put', key: `${p}a`, value: 'v2', prevValue: 'v1', modRevision: v2.modRevision, createRevision: v1.createRevision,
        });
        assert.equal(gone?.type, 'delete');
        assert.equal(gone?.value, 'v2');
        assert.equal(gone?.modRevision, del.modRevision);
        assert.equal(gone?.createRevision, v1.createRevision);

        // The same events replayed from history look the same.
        const replayed = await collectEvents(store, p, from, (evs) => evs.length >= 3);
        assert.deepEqual(replayed, [put1, put2, gone]);
      }));

    test('a watch from a future revision delivers only writes after it', () =>
      withStore(makeStore, async (store, p) => {
        const now = await store.currentRevision();
        const watched = collectEvents(store, p, now + 2, (evs) => evs.length >= 1);
        await store.create(`${p}a`, '1');
        await store.create(`${p}b`, '1');
        const c = await store.create(`${p}c`, '1');
        const events = await watched;
        assert.deepEqual(events.map((e) => e.modRevision), [c.modRevision]);
      }));

    test('a start key past the prefix lists nothing', () =>
      withStore(makeStore, async (store, p) => {
        await store.create(`${p}a`, '1');
        await store.create(`${p.slice(0, -1)}0`, 'after the prefix');
        const res = await store.list(p, { startKey: `${p.slice(0, -1)}0`, limit: 10 });
        assert.deepEqual(res.items, []);
        assert.equal(res.more, false);
        assert.equal(res.remaining, 0);
      }));

    test('a cancelled watch delivers nothing more', () =>
      withStore(makeStore, async (store, p) => {
        const seen: WatchEvent[] = [];
        const watch = store.watch(p, await store.currentRevision(), {
          onEvents: (evs) => seen.push(...evs),
          onError: () => {},
        });
        watch.cancel();
        watch.cancel();
        await store.create(`${p}a`, '1');
        await new Promise((r) => setTimeout(r, 100));
        assert.deepEqual(seen, []);
      }));

    // Compaction is global, so this runs last and asserts only about its own keys and revisions.
    test('compaction: reads and watches before the compacted revision fail with CompactedError', () =>
      withStore(makeStore, async (store, p) => {
        const a1 = await store.create(`${p}a`, 'a1');
        const a2 = await store.update(`${p}a`, 'a2', a1.modRevision);
        const gone = await store.create(`${p}gone`, 'x');
        await store.delete(`${p}gone`);
        const b = await store.create(`${p}b`, 'b1');
        const target = b.modRevision;
        const a3 = await store.update(`${p}a`, 'a3', a2.modRevision);

        await store.compact(target);
        assert.ok((await store.compactedRevision()) >= target);
        await store.compact(target - 1); // compacting again to an older revision is harmless

        await assert.rejects(store.list(p, { revision: gone.modRevision }), (err: unknown) => {
          assert.ok(err instanceof CompactedError);
          return true;
        });
        const atTarget = await store.list(p, { revision: target });
        assert.deepEqual(atTarget.items.map((kv) => `${kv.key.slice(p.length)}=${kv.value}`), ['a=a2', 'b=b1']);
        const now = await store.list(p);
        assert.deepEqual(now.items.map((kv) => `${kv.key.slice(p.length)}=${kv.value}`), ['a=a3', 'b=b1']);
        assert.equal(await store.count(p), 2);

        const err = await watchError(store, p, a1.modRevision);
        assert.ok(err instanceof CompactedError, `got ${err}`);

        // Watching from the compacted revision itself still works (it replays the kept writes).
        const replay = await collectEvents(store, p, target - 1, (evs) => evs.length >= 2);
        assert.deepEqual(replay.map((e) => e.modRevision), [b.modRevision, a3.modRevision]);
        assert.equal(replay[1]!.prevValue, 'a2');

        await assert.rejects(store.compact((await store.currentRevision()) + 100), StoreError);
      }));
  });
}
