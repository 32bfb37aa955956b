import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { collectEvents, runStoreConformance } from '../conformance.js';
import { startLocalEtcd, type LocalEtcd } from './etcd-process.js';
import { openEtcdStore } from './etcd-store.js';

let etcd: LocalEtcd;
before(async () => {
  etcd = await startLocalEtcd();
});
after(async () => {
  await etcd?.stop();
});

runStoreConformance('etcd', async () => openEtcdStore([etcd.endpoint]));

test('etcd: two clients share one revision sequence and see each other through watch', async () => {
  const a = openEtcdStore([etcd.endpoint]);
  const b = openEtcdStore([etcd.endpoint]);
  try {
    const from = await a.currentRevision();
    const watched = collectEvents(b, '/registry/shared/', from, (evs) => evs.length >= 2);
    const x = await a.create('/registry/shared/x', '1');
    const y = await b.create('/registry/shared/y', '1');
    assert.ok(y.modRevision > x.modRevision);
    assert.deepEqual((await watched).map((e) => e.modRevision), [x.modRevision, y.modRevision]);
  } finally {
    await a.close();
    await b.close();
  }
});

test('etcd: a watch resumes without a gap when etcd restarts', async () => {
  const store = openEtcdStore([etcd.endpoint], { watch: { reconnectDelayMs: 50, maxReconnects: 50 } });
  try {
    const p = '/registry/restart/';
    const from = await store.currentRevision();
    const watched = collectEvents(store, p, from, (evs) => evs.length >= 6, 20_000);
    const revs: number[] = [];
    for (let i = 0; i < 3; i++) revs.push((await store.create(`${p}before${i}`, 'x')).modRevision);
    await etcd.restart();
    // Retry writes while the client reconnects.
    for (let i = 0; i < 3; i++) {
      for (let attempt = 0; ; attempt++) {
        try {
          revs.push((await store.create(`${p}after${i}`, 'x')).modRevision);
          break;
        } catch (err) {
          if (attempt > 50) throw err;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    }
    assert.deepEqual((await watched).map((e) => e.modRevision), revs);
  } finally {
    await store.close();
  }
});
