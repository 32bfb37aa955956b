import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { MemoryStore } from './memory/memory-store.js';
import { openStore, parseDatastore } from './open.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import { StoreError } from './store.js';

test('parseDatastore accepts sqlite, memory and etcd endpoint lists', () => {
  assert.deepEqual(parseDatastore('sqlite'), { kind: 'sqlite' });
  assert.deepEqual(parseDatastore(''), { kind: 'sqlite' });
  assert.deepEqual(parseDatastore('memory'), { kind: 'memory' });
  assert.deepEqual(parseDatastore('etcd://127.0.0.1:2379'), { kind: 'etcd', endpoints: ['127.0.0.1:2379'] });
  assert.deepEqual(parseDatastore('etcd://a.example:2379,b:2379, [::1]:2379'), {
    kind: 'etcd',
    endpoints: ['a.example:2379', 'b:2379', '[::1]:2379'],
  });
});

test('parseDatastore rejects anything else with a clear error', () => {
  for (const bad of ['mysql', 'postgres://x', 'etcd://', 'etcd://host', 'etcd://h:1,', 'etcd://h:port', 'SQLITE']) {
    assert.throws(() => parseDatastore(bad), (err: unknown) => {
      assert.ok(err instanceof StoreError);
      assert.match(err.message, /sqlite, memory or etcd:\/\/host:port|etcd:\/\/host:port/);
      return true;
    }, bad);
  }
});

test('openStore opens memory and sqlite (in <dataDir>/state.db, creating the dir)', async () => {
  const memory = await openStore('memory', '/nonexistent');
  assert.ok(memory instanceof MemoryStore);
  await memory.close();

  const dir = mkdtempSync(join(tmpdir(), 'k8ts-open-'));
  try {
    const dataDir = join(dir, 'nested', 'data');
    const sqlite = await openStore('sqlite', dataDir);
    assert.ok(sqlite instanceof SqliteStore);
    await sqlite.create('/registry/x', '1');
    await sqlite.close();
    assert.ok(existsSync(join(dataDir, 'state.db')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('openStore fails fast when etcd is unreachable', async () => {
  const started = Date.now();
  await assert.rejects(openStore('etcd://127.0.0.1:1', '/tmp'), /cannot reach etcd at 127.0.0.1:1/);
  assert.ok(Date.now() - started < 15_000);
});
