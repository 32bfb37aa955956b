// writes: sqlite write throughput against a real etcd 3.4, in the same run, as a ratio. Measured
// at two layers: the Store contract directly (the backend alone) and creates through the API server.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/storage/open.js';
import { BenchClient } from '../lib/client.js';
import { startEtcd, type RunningEtcd } from '../lib/etcd.js';
import { configMap, configMapsPath, createNamespace, fill } from '../lib/fixtures.js';
import { closedLoop, type LoadResult } from '../lib/load.js';
import { startBenchServer } from '../lib/server.js';
import { ms, perSec, rate, ratio, summarize } from '../lib/stats.js';
import { printTable, note } from '../lib/table.js';
import { scaled, type SuiteOptions } from './options.js';

type WriteBackend = 'sqlite' | 'etcd';
const CONCURRENCY = 16;

export interface WriteRow {
  backend: WriteBackend;
  what: string;
  count: number;
  writesPerSec: number;
  p50: number;
  p99: number;
}

export interface WritesResult {
  rows: WriteRow[];
  ratios: { what: string; ratio: number }[];
}

const VALUE = JSON.stringify(configMap('x', 0)).padEnd(400, ' ');

export async function runWrites(opts: SuiteOptions): Promise<WritesResult> {
  const rows: WriteRow[] = [];
  const row = (backend: WriteBackend, what: string, r: LoadResult) => {
    if (r.errors) throw new Error(`${backend} ${what}: ${r.errors} errors, first: ${r.firstError}`);
    const s = summarize(r.latencies);
    rows.push({ backend, what, count: r.ok, writesPerSec: perSec(r.ok, r.elapsedMs), p50: s.p50, p99: s.p99 });
  };
  for (const backend of ['sqlite', 'etcd'] as const) {
    console.error(`[writes] ${backend}: store`);
    for (const r of await storeWrites(backend, opts)) row(backend, r.what, r.result);
    console.error(`[writes] ${backend}: API server`);
    row(backend, `API create (c=${CONCURRENCY})`, await apiCreates(backend, opts));
  }
  const whats = [...new Set(rows.map((r) => r.what))];
  const ratios = whats.map((what) => {
    const s = rows.find((r) => r.backend === 'sqlite' && r.what === what)!;
    const e = rows.find((r) => r.backend === 'etcd' && r.what === what)!;
    return { what, ratio: s.writesPerSec / e.writesPerSec, s, e };
  });
  printTable(
    'writes: sqlite vs etcd 3.4 (same run)',
    ['operation', 'sqlite writes/s', 'sqlite p50/p99 ms', 'etcd writes/s', 'etcd p50/p99 ms', 'sqlite/etcd'],
    ratios.map(({ what, s, e }) => [
      what,
      rate(s.writesPerSec),
      `${ms(s.p50)} / ${ms(s.p99)}`,
      rate(e.writesPerSec),
      `${ms(e.p50)} / ${ms(e.p99)}`,
      ratio(s.writesPerSec, e.writesPerSec),
    ]),
  );
  note('');
  for (const r of ratios) note(`sqlite/etcd write throughput (${r.what}): ${r.ratio.toFixed(2)}x (target >= 0.5x)`);
  return { rows, ratios: ratios.map(({ what, ratio }) => ({ what, ratio })) };
}

async function storeWrites(backend: WriteBackend, opts: SuiteOptions): Promise<{ what: string; result: LoadResult }[]> {
  const dir = await mkdtemp(join(tmpdir(), `k8ts-bench-store-${backend}-`));
  let etcd: RunningEtcd | undefined;
  try {
    if (backend === 'etcd') etcd = await startEtcd();
    const store = await openStore(etcd ? etcd.datastore : 'sqlite', dir);
    try {
      const n = scaled(5000, opts, 100);
      const seq = scaled(500, opts, 20);
      const out: { what: string; result: LoadResult }[] = [];
      const modRevs = new Array<number>(n);
      out.push({
        what: 'store create (c=1)',
        result: await closedLoop(seq, 1, async (i) => {
          await store.create(`/registry/bench/seq/k${i}`, VALUE);
        }),
      });
      out.push({
        what: `store create (c=${CONCURRENCY})`,
        result: await closedLoop(n, CONCURRENCY, async (i) => {
          modRevs[i] = (await store.create(`/registry/bench/par/k${i}`, VALUE)).modRevision;
        }),
      });
      out.push({
        what: `store update (c=${CONCURRENCY})`,
        result: await closedLoop(n, CONCURRENCY, async (i) => {
          modRevs[i] = (await store.update(`/registry/bench/par/k${i}`, VALUE, modRevs[i]!)).modRevision;
        }),
      });
      return out;
    } finally {
      await store.close();
    }
  } finally {
    await etcd?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function apiCreates(backend: WriteBackend, opts: SuiteOptions): Promise<LoadResult> {
  const server = await startBenchServer(backend);
  const client = new BenchClient(server.creds, { maxSockets: CONCURRENCY });
  try {
    await createNamespace(client, 'bench-warm');
    await fill(client, 'bench-warm', 'warm-', 200, CONCURRENCY);
    await createNamespace(client, 'bench-writes');
    const n = scaled(2000, opts, 50);
    return await closedLoop(n, CONCURRENCY, async (i) => {
      await client.call('POST', configMapsPath('bench-writes'), configMap(`cm-${i}`, i));
    });
  } finally {
    client.close();
    await server.stop();
  }
}
