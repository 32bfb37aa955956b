// A write that resolved survives SIGKILL: the child prints keys after their create resolved, we kill
// it mid-stream, reopen the file and expect every printed key to be there.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

import { openSqliteStore } from './sqlite-store.js';

const childScript = fileURLToPath(new URL('./durability-child.ts', import.meta.url));

test('sqlite: every acknowledged create survives kill -9', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-durable-'));
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', childScript, dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const printed: string[] = [];
    let partial = '';
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      printed.push(...lines);
      if (printed.length >= 300 && child.exitCode === null && !child.killed) child.kill('SIGKILL');
    });
    const timeout = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const signal = await exited;
    clearTimeout(timeout);
    assert.equal(signal, 'SIGKILL');
    assert.ok(printed.length >= 300, `child printed only ${printed.length} keys`);

    const store = openSqliteStore(dir);
    try {
      const stored = new Set((await store.list('/registry/durable/')).items.map((kv) => kv.key));
      const missing = printed.filter((k) => !stored.has(k));
      assert.deepEqual(missing, [], `${missing.length} acknowledged keys lost of ${printed.length}`);
      // The reopened store keeps writing after the last surviving revision.
      const before = await store.currentRevision();
      assert.equal((await store.create('/registry/durable/after', 'x')).modRevision, before + 1);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
