// apiserver: create/get/list/watch through the real API server over HTTPS, per backend, plus the
// target scenario (p99 create latency at a paced 200 creates/s).

import { performance } from 'node:perf_hooks';
import { BenchClient } from '../lib/client.js';
import { closedLoop, openLoop, type LoadResult } from '../lib/load.js';
import { configMap, configMapsPath, createNamespace, fill } from '../lib/fixtures.js';
import { startBenchServer, type Backend, type BenchServer } from '../lib/server.js';
import { ms, perSec, rate, summarize } from '../lib/stats.js';
import { printTable, note } from '../lib/table.js';
import { openSeqWatch, waitFor } from '../lib/watch.js';
import { scaled, type SuiteOptions } from './options.js';

const CONCURRENCY = 16;
const HEADERS = ['backend', 'operation', 'count', 'ops/s', 'p50 ms', 'p99 ms', 'max ms', 'server CPU/op'];

export interface Row {
  backend: Backend;
  op: string;
  count: number;
  opsPerSec: number;
  p50: number;
  p99: number;
  max: number;
  cpuMicrosPerOp?: number;
}

export async function runApiserver(opts: SuiteOptions): Promise<Row[]> {
  const rows: Row[] = [];
  for (const backend of opts.backends) {
    console.error(`[apiserver] ${backend}: starting`);
    const server = await startBenchServer(backend);
    try {
      rows.push(...(await benchBackend(server, opts)));
    } finally {
      await server.stop();
    }
  }
  printTable(`apiserver: ConfigMaps over HTTPS, ${CONCURRENCY} connections`, HEADERS, rows.map(formatRow));
  const paced = rows.find((r) => r.backend === 'sqlite' && r.op.startsWith('paced create'));
  if (paced) note(`\nTarget (sqlite, paced 200 creates/s): p99 create ${ms(paced.p99)} ms (target <= 50 ms)`);
  return rows;
}

function formatRow(r: Row): string[] {
  const cpu = r.cpuMicrosPerOp === undefined ? '' : r.cpuMicrosPerOp >= 1000 ? `${(r.cpuMicrosPerOp / 1000).toFixed(1)} ms` : `${Math.round(r.cpuMicrosPerOp)} µs`;
  return [r.backend, r.op, r.count.toLocaleString('en-US'), rate(r.opsPerSec), ms(r.p50), ms(r.p99), ms(r.max), cpu];
}

async function benchBackend(server: BenchServer, opts: SuiteOptions): Promise<Row[]> {
  const { backend } = server;
  const client = new BenchClient(server.creds, { maxSockets: 64 });
  const watchClient = new BenchClient(server.creds, { maxSockets: 8 });
  const rows: Row[] = [];
  const log = (s: string) => console.error(`[apiserver] ${backend}: ${s}`);
  const measured = async (op: string, count: number, run: () => Promise<LoadResult>) => {
    const before = (await server.stats()).cpuMicros;
    const r = await run();
    const after = (await server.stats()).cpuMicros;
    if (r.errors) throw new Error(`${op}: ${r.errors} errors, first: ${r.firstError}`);
    const s = summarize(r.latencies);
    const row: Row = { backend, op, count, opsPerSec: perSec(r.ok, r.elapsedMs), p50: s.p50, p99: s.p99, max: s.max, cpuMicrosPerOp: (after - before) / r.ok };
    rows.push(row);
    return r;
  };
  try {
    // Warm up TLS connections and code paths so the first measured requests do not pay for them.
    await createNamespace(client, 'bench-warm');
    await fill(client, 'bench-warm', 'warm-', 200, CONCURRENCY);

    // create
    const creates = scaled(2000, opts, 50);
    await createNamespace(client, 'bench');
    log(`${creates} creates`);
    await measured(`create (c=${CONCURRENCY})`, creates, () =>
      closedLoop(creates, CONCURRENCY, async (i) => {
        await client.call('POST', configMapsPath('bench'), configMap(`cm-${i}`, i));
      }),
    );

    // get
    const gets = scaled(5000, opts, 50);
    log(`${gets} gets`);
    await measured(`get (c=${CONCURRENCY})`, gets, () =>
      closedLoop(gets, CONCURRENCY, async (i) => {
        const r = await client.request('GET', `${configMapsPath('bench')}/cm-${(i * 7919) % creates}`);
        if (r.status !== 200) throw new Error(`get: HTTP ${r.status}`);
      }),
    );

    // list of 1,000
    const listSize = scaled(1000, opts, 50);
    const lists = scaled(100, opts, 10);
    await createNamespace(client, 'bench-list');
    await fill(client, 'bench-list', 'l-', listSize, CONCURRENCY);
    for (const [label, query] of [
      ['consistent', ''],
      ['rv=0', '?resourceVersion=0'],
      [`limit=${listSize}`, `?limit=${listSize}`],
    ] as const) {
      log(`${lists} lists (${label})`);
      await measured(`list ${listSize} (${label})`, lists, () =>
        closedLoop(lists, 1, async () => {
          const r = await client.request('GET', `${configMapsPath('bench-list')}${query}`);
          if (r.status !== 200) throw new Error(`list: HTTP ${r.status}`);
          const n = (JSON.parse(r.body) as { items: unknown[] }).items.length;
          if (n !== listSize) throw new Error(`list returned ${n} items, expected ${listSize}`);
        }),
      );
    }

    // watch delivery: write response -> watcher receives the event
    const watchWrites = scaled(1000, opts, 50);
    for (const writers of [1, CONCURRENCY]) {
      log(`watch delivery, ${watchWrites} creates by ${writers} writer(s)`);
      rows.push(await watchDelivery(backend, client, watchClient, `bench-watch-${writers}`, watchWrites, writers));
    }

    // target scenario: open-loop paced creates
    const pacedRate = 200;
    const pacedSeconds = Math.max(2, 10 * opts.scale);
    await createNamespace(client, 'bench-paced');
    log(`paced creates, ${pacedRate}/s for ${pacedSeconds}s`);
    await measured(`paced create ${pacedRate}/s`, Math.round(pacedRate * pacedSeconds), () =>
      openLoop(pacedRate, pacedSeconds, async (i) => {
        await client.call('POST', configMapsPath('bench-paced'), configMap(`p-${i}`, i));
      }),
    );

    const st = await server.stats();
    log(`server RSS ${(st.rssBytes / 2 ** 20).toFixed(0)} MiB, heap ${(st.heapUsedBytes / 2 ** 20).toFixed(0)} MiB`);
  } finally {
    client.close();
    watchClient.close();
  }
  return rows;
}

async function watchDelivery(
  backend: Backend,
  client: BenchClient,
  watchClient: BenchClient,
  ns: string,
  count: number,
  writers: number,
): Promise<Row> {
  const rv = await createNamespace(client, ns);
  const arrivals = new Float64Array(count).fill(NaN);
  const responses = new Float64Array(count).fill(NaN);
  const watcher = await openSeqWatch(watchClient, `${configMapsPath(ns)}?watch=true&resourceVersion=${rv}&timeoutSeconds=600`, arrivals, 0, count);
  try {
    const start = performance.now();
    const r = await closedLoop(count, writers, async (i) => {
      await client.call('POST', configMapsPath(ns), configMap(`w-${i}`, i));
      responses[i] = performance.now();
    });
    if (r.errors) throw new Error(`watch writes: ${r.errors} errors, first: ${r.firstError}`);
    await waitFor(() => watcher.received >= count || watcher.ended, 30_000);
    const elapsed = performance.now() - start;
    const samples: number[] = [];
    let early = 0;
    for (let i = 0; i < count; i++) {
      if (Number.isNaN(arrivals[i]!)) continue;
      const d = arrivals[i]! - responses[i]!;
      if (d < 0) early++;
      samples.push(Math.max(0, d));
    }
    const s = summarize(samples);
    const missing = count - samples.length;
    if (missing > 0) console.error(`[apiserver] ${backend}: watch missed ${missing} of ${count} events`);
    if (early > 0) console.error(`[apiserver] ${backend}: ${early} of ${count} events arrived before their write's response (counted as 0 ms)`);
    return {
      backend,
      op: `watch delivery (${writers} writer${writers > 1 ? 's' : ''})`,
      count: samples.length,
      opsPerSec: perSec(samples.length, elapsed),
      p50: s.p50,
      p99: s.p99,
      max: s.max,
    };
  } finally {
    watcher.close();
  }
}
