import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

import { collectEvents, runStoreConformance } from '../conformance.js';
import { openSqliteStore } from './sqlite-store.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'k8ts-sqlite-'));
  dirs.push(d);
  return d;
}

runStoreConformance('sqlite', async () => openSqliteStore(tempDir()));

test('sqlite: reopening the file continues the revision and keeps history', async () => {
  const dir = tempDir();
  const first = openSqliteStore(dir);
  const a = await first.create('/registry/x/a', '1');
  const a2 = await first.update('/registry/x/a', '2', a.modRevision);
  const b = await first.create('/registry/x/b', '1');
  await first.delete('/registry/x/b');
  await first.compact(a2.modRevision);
  const rev = await first.currentRevision();
  await first.close();

  const second = openSqliteStore(dir);
  assert.equal(await second.currentRevision(), rev);
  assert.equal(await second.compactedRevision(), a2.modRevision);
  assert.deepEqual(await second.get('/registry/x/a'), a2);
  assert.equal(await second.get('/registry/x/b'), null);
  const c = await second.create('/registry/x/c', '1');
  assert.equal(c.modRevision, rev + 1);
  const replay = await collectEvents(second, '/registry/x/', a2.modRevision, (evs) => evs.length >= 3);
  assert.deepEqual(replay.map((e) => [e.type, e.modRevision]), [['put', b.modRevision], ['delete', b.modRevision + 1], ['put', c.modRevision]]);
  assert.deepEqual((await second.list('/registry/x/', { revision: b.modRevision })).items.map((kv) => kv.key), [
    '/registry/x/a',
    '/registry/x/b',
  ]);
  await second.close();
});

test('sqlite: WAL journal with synchronous=FULL', async () => {
  const { openDatabase } = await import('./schema.js');
  const db = openDatabase(join(tempDir(), 'state.db'));
  try {
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('synchronous', { simple: true }), 2);
  } finally {
    db.close();
  }
});

test('sqlite: concurrent writes in one tick share a transaction and keep per-op outcomes', async () => {
  const store = openSqliteStore(tempDir());
  const results = await Promise.allSettled([
    store.create('/k/a', '1'),
    store.create('/k/a', '2'),
    store.create('/k/b', '1'),
    store.update('/k/zz', '1', 5),
  ]);
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled', 'rejected']);
  assert.equal(await store.currentRevision(), 3);
  await store.close();
});

test('sqlite: matches the memory store under random writes, reads at old revisions and compactions', async () => {
  const { MemoryStore } = await import('../memory/memory-store.js');
  const dir = tempDir();
  let sqlite = openSqliteStore(dir);
  const memory = new MemoryStore();
  let seed = 42;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const keys = Array.from({ length: 12 }, (_, i) => `/registry/r/${i % 3}/k${i}`);
  const settle = async <T>(p: Promise<T>) => p.then((v) => ({ v }), (e: Error) => ({ e: e.name }));

  for (let step = 0; step < 600; step++) {
    const key = keys[rand(keys.length)]!;
    const op = rand(10);
    const cur = await memory.get(key);
    const expected = cur && rand(5) > 0 ? cur.modRevision : 7;
    if (op < 4) {
      assert.deepEqual(await settle(sqlite.create(key, `v${step}`)), await settle(memory.create(key, `v${step}`)));
    } else if (op < 7) {
      assert.deepEqual(await settle(sqlite.update(key, `v${step}`, expected)), await settle(memory.update(key, `v${step}`, expected)));
    } else if (op < 9) {
      const exp = rand(2) ? expected : undefined;
      assert.deepEqual(await settle(sqlite.delete(key, exp)), await settle(memory.delete(key, exp)));
    } else {
      const current = await memory.currentRevision();
      const compacted = await memory.compactedRevision();
      const target = compacted + rand(current - compacted + 1);
      await Promise.all([sqlite.compact(target), memory.compact(target)]);
    }
    if (step % 50 === 49) {
      // Reopen now and then: nothing may depend on in-process state.
      await sqlite.close();
      sqlite = openSqliteStore(dir);
    }
    const current = await memory.currentRevision();
    const compacted = await memory.compactedRevision();
    assert.equal(await sqlite.currentRevision(), current);
    assert.equal(await sqlite.compactedRevision(), compacted);
    const rev = compacted + rand(current - compacted + 1);
    const prefix = ['/registry/r/', '/registry/r/1/', ''][rand(3)]!;
    const limit = rand(4);
    assert.deepEqual(await sqlite.list(prefix, { revision: rev, limit }), await memory.list(prefix, { revision: rev, limit }));
    assert.equal(await sqlite.count(prefix), await memory.count(prefix));
  }
  // Replays from the compacted revision agree too.
  const after = (await memory.compactedRevision()) - 1;
  const end = await memory.currentRevision();
  const done = (evs: { modRevision: number }[]) => evs.length > 0 && evs[evs.length - 1]!.modRevision === end;
  const [a, b] = await Promise.all([
    collectEvents(sqlite, '/registry/r/', after, done),
    collectEvents(memory, '/registry/r/', after, done),
  ]);
  // Memory keeps prevValue for an update at exactly the compacted revision; sqlite (like etcd) may not.
  const strip = (evs: typeof a) => evs.map((e) => (e.modRevision === after + 1 ? { ...e, prevValue: undefined } : e));
  assert.deepEqual(strip(a), strip(b));
  await sqlite.close();
});

test('sqlite: compaction leaves one log row per live key', async () => {
  const { default: Database } = await import('better-sqlite3');
  const dir = tempDir();
  const store = openSqliteStore(dir);
  for (let i = 0; i < 20; i++) {
    let kv = await store.create(`/registry/c/k${i}`, '0');
    for (let j = 1; j < 5; j++) kv = await store.update(kv.key, String(j), kv.modRevision);
    if (i % 2) await store.delete(kv.key);
  }
  const mid = (await store.currentRevision()) - 30;
  await store.compact(mid);
  await store.compact(await store.currentRevision());
  await store.close();
  const db = new Database(join(dir, 'state.db'), { readonly: true });
  try {
    const rows = db.prepare('SELECT COUNT(*) AS n FROM log').get() as { n: number };
    const live = db.prepare('SELECT COUNT(*) AS n FROM current').get() as { n: number };
    assert.equal(live.n, 10);
    // The row at the compacted revision itself is a delete and is kept, so one extra row.
    assert.equal(rows.n, 11);
  } finally {
    db.close();
  }
});
