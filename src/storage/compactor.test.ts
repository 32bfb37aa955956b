import assert from 'node:assert/strict';
import { test } from 'node:test';

import { startCompactor } from './compactor.js';
import { MemoryStore } from './memory/memory-store.js';
import { CompactedError } from './store.js';

async function writes(store: MemoryStore, n: number): Promise<void> {
  const kv = (await store.get('/c/k')) ?? (await store.create('/c/k', '0'));
  let rev = kv.modRevision;
  for (let i = 1; i < n; i++) rev = (await store.update('/c/k', String(i), rev)).modRevision;
}

test('compactor keeps history for at least minAge and at least keepRevisions', async () => {
  const store = new MemoryStore();
  let clock = 1_000_000;
  const compactor = startCompactor(store, { intervalMs: 3_600_000, keepRevisions: 5, minAgeMs: 300_000, now: () => clock });
  try {
    await writes(store, 20);
    const sampled = await store.currentRevision();
    assert.equal(await compactor.runOnce(), null, 'nothing is old enough yet');

    clock += 200_000;
    await writes(store, 20);
    assert.equal(await compactor.runOnce(), null, 'still younger than minAge');

    clock += 100_000;
    await writes(store, 20);
    // The revision sampled 5 minutes ago is now compactable, and is well behind current - 5.
    assert.equal(await compactor.runOnce(), sampled);
    assert.equal(await store.compactedRevision(), sampled);
    await assert.rejects(store.list('/c/', { revision: sampled - 1 }), CompactedError);
    assert.equal(await compactor.runOnce(), null, 'nothing new to compact');
  } finally {
    await compactor.stop();
    await compactor.stop();
  }
});

test('compactor never compacts within the last keepRevisions', async () => {
  const store = new MemoryStore();
  let clock = 0;
  const compactor = startCompactor(store, { intervalMs: 3_600_000, keepRevisions: 50, minAgeMs: 1000, now: () => clock });
  try {
    await writes(store, 30);
    await compactor.runOnce();
    clock += 5000;
    await writes(store, 30);
    const current = await store.currentRevision();
    assert.equal(await compactor.runOnce(), current - 50);
  } finally {
    await compactor.stop();
  }
});

test('compactor runs on its own timer and reports failures without stopping', async () => {
  const store = new MemoryStore();
  await writes(store, 10);
  const errors: unknown[] = [];
  let compactions = 0;
  const failing = Object.assign(Object.create(store) as MemoryStore, {
    compact: async (rev: number) => {
      compactions++;
      if (compactions === 1) throw new Error('disk on fire');
      return store.compact(rev);
    },
  });
  const compactor = startCompactor(failing, { intervalMs: 10, keepRevisions: 1, minAgeMs: 0, onError: (e) => errors.push(e) });
  try {
    for (let i = 0; i < 100 && compactions < 2; i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(compactions >= 2, `compactions: ${compactions}`);
    assert.equal((errors[0] as Error).message, 'disk on fire');
    assert.ok((await store.compactedRevision()) > 1);
  } finally {
    await compactor.stop();
  }
});
