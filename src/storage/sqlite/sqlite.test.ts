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
