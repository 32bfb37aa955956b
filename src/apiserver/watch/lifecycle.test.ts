import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CompactedError } from '../../storage/store.js';
import { StatusError } from '../../api/status.js';
import { WatchCache } from './cache.js';
import { WatchCacheSet } from './cache-set.js';
import { FakeStore } from './fake-store.js';
import { brief, key, PODS, pod, record, settle, sleep, startCache } from './test-helpers.js';

test('waitUntil resolves when the revision arrives and times out with 504 otherwise', async () => {
  const { store, cache } = await startCache();
  await cache.waitUntil(0);
  const waiting = cache.waitUntil(2, 1000);
  await store.create(key('a', 'x'), pod('a', 'x'));
  await store.create(key('a', 'y'), pod('a', 'y'));
  await waiting;
  await assert.rejects(cache.waitUntil(10, 30), (err: StatusError) => err.code === 504 && err.reason === 'Timeout');
  cache.stop();
});

test('without progress, writes elsewhere do not move the cache; inProcessStore learns them', async () => {
  const store = new FakeStore();
  const plain = new WatchCache(store, PODS, { log: () => {} });
  const inProc = new WatchCache(store, PODS, { log: () => {}, inProcessStore: true });
  await plain.start();
  await inProc.start();
  assert.equal(plain.tracksStoreProgress, false);
  assert.equal(inProc.tracksStoreProgress, true);
  await store.create('/registry/configmaps/a/c', '{}');
  await assert.rejects(plain.waitUntil(1, 50), (err: StatusError) => err.code === 504);
  await inProc.waitUntil(1, 1000);
  assert.equal(inProc.revision, 1);
  plain.stop();
  inProc.stop();
});

test('stores with progress notifications move the cache on request', async () => {
  const store = new FakeStore({ progress: true });
  const cache = new WatchCache(store, PODS, { log: () => {} });
  await cache.start();
  assert.equal(cache.tracksStoreProgress, true);
  await store.create('/registry/configmaps/a/c', '{}');
  await store.create('/registry/configmaps/a/d', '{}');
  await cache.waitUntil(2, 1000);
  assert.equal(cache.revision, 2);
  cache.stop();
});

test('idle watchers get bookmarks at the store revision when progress is known', async () => {
  const store = new FakeStore();
  const cache = new WatchCache(store, PODS, { log: () => {}, inProcessStore: true, bookmarkIntervalMs: 10 });
  await cache.start();
  const r = record(cache, { afterRevision: 0 });
  await settle();
  await store.create('/registry/configmaps/a/c', '{}');
  await sleep(60);
  assert.ok(r.bookmarks.includes(1), `bookmarks ${r.bookmarks}`);
  cache.stop();
});

test('a broken store watch is re-opened from the cache revision; watchers see no gap', async () => {
  const { store, cache } = await startCache();
  const r = record(cache, { afterRevision: 0 });
  await settle();
  await store.create(key('a', 'p1'), pod('a', 'p1'));
  store.failWatches(new Error('connection reset'));
  await store.create(key('a', 'p2'), pod('a', 'p2')); // while no store watch is open
  await sleep(20);
  await store.create(key('a', 'p3'), pod('a', 'p3'));
  assert.deepEqual(brief(r), ['ADDED p1@1', 'ADDED p2@2', 'ADDED p3@3']);
  assert.equal(r.errors.length, 0);
  assert.equal(store.activeWatches, 1);
  cache.stop();
});

test('compaction: the cache re-lists, open watches get 410, new watches work', async () => {
  const { store, cache } = await startCache({}, {}, async (s) => {
    await s.create(key('a', 'keep'), pod('a', 'keep'));
    await s.create(key('a', 'gone'), pod('a', 'gone'));
  });
  const r = record(cache, { afterRevision: 2 });
  await settle();
  store.failWatches(new Error('connection reset'));
  // While the cache is not watching: changes, then history compacted away.
  await store.delete(key('a', 'gone'));
  await store.create(key('a', 'new'), pod('a', 'new'));
  await store.compact(4);
  await sleep(30);
  assert.equal(r.errors.length, 1);
  assert.equal(r.errors[0]!.code, 410);
  assert.equal(r.errors[0]!.message, 'too old resource version: 2 (4)');
  assert.equal(cache.revision, 4);
  assert.deepEqual(cache.list().items.map((o) => o.metadata!.name), ['keep', 'new']);
  const again = record(cache, { afterRevision: 4 });
  await settle();
  await store.create(key('a', 'later'), pod('a', 'later'));
  assert.deepEqual(brief(again), ['ADDED later@5']);
  const tooOld = record(cache, { afterRevision: 3 });
  await settle();
  assert.equal(tooOld.errors[0]?.code, 410);
  cache.stop();
});

test('a compacted error straight from the store watch re-lists too', async () => {
  const { store, cache } = await startCache();
  const r = record(cache, { afterRevision: 0 });
  await settle();
  await store.create(key('a', 'x'), pod('a', 'x'));
  store.failWatches(new CompactedError(1, 1));
  await sleep(20);
  assert.equal(r.errors[0]?.code, 410);
  assert.deepEqual(cache.list().items.map((o) => o.metadata!.name), ['x']);
  cache.stop();
});

test('stop ends watches quietly, rejects waits, and cancels the store watch', async () => {
  const { store, cache } = await startCache();
  const r = record(cache, { afterRevision: 0 });
  await settle();
  const waiting = cache.waitUntil(5, 10_000);
  cache.stop();
  assert.deepEqual(r.closes, ['stopped']);
  await assert.rejects(waiting, (err: StatusError) => err.code === 503);
  assert.equal(store.activeWatches, 0);
  assert.throws(() => cache.list(), (err: StatusError) => err.code === 503);
  const late = record(cache, { afterRevision: 0 });
  await settle();
  assert.deepEqual(late.closes, ['stopped']);
});

test('watches opened before start begin once the cache is ready', async () => {
  const store = new FakeStore();
  await store.create(key('a', 'x'), pod('a', 'x'));
  const cache = new WatchCache(store, PODS, { log: () => {} });
  const r = record(cache, { afterRevision: 0 });
  await settle();
  assert.equal(r.events.length, 0);
  await cache.start();
  await settle();
  assert.deepEqual(brief(r), ['ADDED x@1']);
  cache.stop();
});

test('WatchCacheSet: one cache and one store watch per prefix, stopped together', async () => {
  const store = new FakeStore();
  const set = new WatchCacheSet(store, { log: () => {} });
  const [a, b] = await Promise.all([set.get(PODS), set.get(PODS)]);
  assert.equal(a, b);
  const cm = await set.get('/registry/configmaps/');
  assert.notEqual(cm, a);
  assert.equal(store.activeWatches, 2);
  assert.equal(set.peek(PODS), a);
  assert.deepEqual(set.prefixes().sort(), ['/registry/configmaps/', PODS]);
  const r = record(a, { afterRevision: 0 });
  await settle();
  set.stop();
  assert.deepEqual(r.closes, ['stopped']);
  assert.equal(store.activeWatches, 0);
  await assert.rejects(set.get(PODS), (err: StatusError) => err.code === 503);
});

test('WatchCacheSet retries a prefix whose start failed', async () => {
  const store = new FakeStore();
  let fail = true;
  const list = store.list.bind(store);
  store.list = async (prefix, opts) => {
    if (fail) throw new Error('store down');
    return list(prefix, opts);
  };
  const set = new WatchCacheSet(store, { log: () => {} });
  await assert.rejects(set.get(PODS), /store down/);
  fail = false;
  const c = await set.get(PODS);
  assert.ok(c.ready);
  set.stop();
});
