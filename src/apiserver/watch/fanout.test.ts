// Fan-out at scale: many watchers on one cache cost one store watch and one decode per write.
// Prints timings; asserts only correctness (no timed assertions).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WatchCache } from './cache.js';
import { FakeStore } from './fake-store.js';
import { key, PODS, pod, settle } from './test-helpers.js';

test('1,000 watchers each receive 1,000 updates in order', async () => {
  const WATCHERS = 1000;
  const UPDATES = 1000;
  const OBJECTS = 10;
  const store = new FakeStore();
  const revs: number[] = [];
  for (let i = 0; i < OBJECTS; i++) revs.push((await store.create(key('ns', `p${i}`), pod('ns', `p${i}`))).modRevision);
  const cache = new WatchCache(store, PODS, { log: () => {}, capacity: 2000 });
  await cache.start();
  const start = cache.revision;

  let encodes = 0;
  let bytes = 0;
  const counts = new Int32Array(WATCHERS);
  const last = new Float64Array(WATCHERS).fill(start);
  let disorder = 0;
  for (let w = 0; w < WATCHERS; w++) {
    cache.watch({
      afterRevision: start,
      onEvent: (e) => {
        if (e.revision <= last[w]!) disorder++;
        last[w] = e.revision;
        counts[w]!++;
        // What the HTTP layer does: serialise once, share the bytes.
        bytes += e.encoded('json', () => {
          encodes++;
          return `{"type":"${e.type}","object":${JSON.stringify(e.object)}}\n`;
        }).length;
      },
      onError: (err) => assert.fail(err.message),
    });
  }
  await settle();
  assert.equal(cache.watcherCount, WATCHERS);

  const t0 = performance.now();
  for (let u = 0; u < UPDATES; u++) {
    const i = u % OBJECTS;
    const kv = await store.update(key('ns', `p${i}`), pod('ns', `p${i}`, { gen: String(u) }), revs[i]!);
    revs[i] = kv.modRevision;
  }
  await settle(); // watchers hear of new events once per event-loop turn
  const ms = performance.now() - t0;

  assert.equal(disorder, 0);
  for (let w = 0; w < WATCHERS; w++) assert.equal(counts[w], UPDATES, `watcher ${w}`);
  assert.equal(encodes, UPDATES, 'each event serialised once for all watchers');
  assert.equal(store.watchesOpened, 1);
  const deliveries = WATCHERS * UPDATES;
  console.log(
    `fan-out: ${WATCHERS} watchers x ${UPDATES} updates = ${deliveries} deliveries in ${ms.toFixed(0)} ms ` +
      `(${((deliveries / ms) * 1000).toFixed(0)} deliveries/s, ${((ms * 1000) / UPDATES).toFixed(0)} µs per write); ` +
      `${encodes} serialisations, ${(bytes / 1e6).toFixed(1)} MB handed to watchers`,
  );
  cache.stop();
});

test('1,000 watchers with filters and namespaces: correct subsets', async () => {
  const WATCHERS = 1000;
  const UPDATES = 1000;
  const store = new FakeStore();
  const cache = new WatchCache(store, PODS, { log: () => {} });
  await cache.start();
  const counts = new Int32Array(WATCHERS);
  for (let w = 0; w < WATCHERS; w++) {
    const ns = `ns${w % 10}`;
    cache.watch({
      afterRevision: 0,
      prefix: `${PODS}${ns}/`,
      filter: w % 2 ? (o) => o.metadata?.labels?.parity === 'odd' : undefined,
      onEvent: () => void counts[w]!++,
      onError: (err) => assert.fail(err.message),
    });
  }
  await settle();
  const t0 = performance.now();
  for (let u = 0; u < UPDATES; u++) {
    await store.create(key(`ns${u % 10}`, `p${u}`), pod(`ns${u % 10}`, `p${u}`, { parity: u % 2 ? 'odd' : 'even' }));
  }
  await settle();
  const ms = performance.now() - t0;
  for (let w = 0; w < WATCHERS; w++) {
    // 100 creates per namespace; namespace parity matches object parity (u % 10 and u % 2 agree).
    const expected = w % 2 ? ((w % 10) % 2 ? 100 : 0) : 100;
    assert.equal(counts[w], expected, `watcher ${w}`);
  }
  console.log(`filtered fan-out: ${WATCHERS} watchers x ${UPDATES} creates in ${ms.toFixed(0)} ms`);
  cache.stop();
});
