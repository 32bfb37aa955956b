// Helper process for durability.test.ts: creates keys forever, a few in flight at a time, and prints
// each key only after its create resolved. The parent kills it with SIGKILL mid-stream.

import { openSqliteStore } from './sqlite-store.js';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: durability-child <dataDir>');
const store = openSqliteStore(dataDir);
let next = 0;

async function writer(): Promise<void> {
  for (;;) {
    const key = `/registry/durable/k${String(next++).padStart(8, '0')}`;
    await store.create(key, JSON.stringify({ key }));
    process.stdout.write(`${key}\n`);
  }
}

for (let i = 0; i < 8; i++) void writer();
