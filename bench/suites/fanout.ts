// fanout: 1,000 concurrent watch connections on one ConfigMap's namespace, then 1,000 updates of
// that ConfigMap; every watcher should receive every update (1,000,000 events in all).

import { performance } from 'node:perf_hooks';
import { BenchClient } from '../lib/client.js';
import { configMap, configMapsPath, createNamespace } from '../lib/fixtures.js';
import { startBenchServer } from '../lib/server.js';
import { ms, perSec, rate, summarize } from '../lib/stats.js';
import { printTable, note } from '../lib/table.js';
import { openSeqWatch, waitFor, type SeqWatcher } from '../lib/watch.js';
import { scaled, type SuiteOptions } from './options.js';

export interface FanoutOptions extends SuiteOptions {
  /** Updates per second (one writer, each update after the previous response); 0 = unpaced. */
  updateRate: number;
}

export interface FanoutResult {
  backend: string;
  watchers: number;
  updates: number;
  updatesPerSec: number;
  delivered: number;
  expected: number;
  p50: number;
  p99: number;
  max: number;
  deliveryMs: number;
  serverRssMiB: { idle: number; watching: number; after: number };
}

const NS = 'bench-fanout';
const NAME = 'target';

export async function runFanout(opts: FanoutOptions): Promise<FanoutResult> {
  const backend = opts.backends.length === 3 ? 'sqlite' : opts.backends[0]!;
  const watchers = scaled(1000, opts, 10);
  const updates = scaled(1000, opts, 10);
  const log = (s: string) => console.error(`[fanout] ${backend}: ${s}`);
  const mib = (b: number) => Math.round(b / 2 ** 20);
  log('starting');
  const server = await startBenchServer(backend);
  const writer = new BenchClient(server.creds, { maxSockets: 2 });
  const watchClient = new BenchClient(server.creds, { maxSockets: watchers + 10 });
  const open: SeqWatcher[] = [];
  try {
    await createNamespace(writer, NS);
    let current = await writer.call('POST', configMapsPath(NS), configMap(NAME, updates + 1));
    const fromRv = String(current.metadata.resourceVersion);
    const idleRss = mib((await server.stats()).rssBytes);

    // Open the watchers, 50 handshakes at a time.
    log(`opening ${watchers} watches`);
    const arrivals = new Float64Array(watchers * updates).fill(NaN);
    let delivered = 0;
    const path = `${configMapsPath(NS)}?watch=true&resourceVersion=${fromRv}&timeoutSeconds=900`;
    const tOpen = performance.now();
    for (let w = 0; w < watchers; w += 50) {
      const batch = [];
      for (let k = w; k < Math.min(watchers, w + 50); k++) {
        batch.push(openSeqWatch(watchClient, path, arrivals, k * updates, updates, () => delivered++));
      }
      open.push(...(await Promise.all(batch)));
    }
    log(`${watchers} watches open in ${ms(performance.now() - tOpen)} ms`);
    const watchingRss = mib((await server.stats()).rssBytes);

    // Update the object `updates` times, paced, one writer.
    log(`${updates} updates${opts.updateRate ? ` at ${opts.updateRate}/s` : ' (unpaced)'}`);
    const responses = new Float64Array(updates);
    const start = performance.now();
    for (let i = 0; i < updates; i++) {
      if (opts.updateRate > 0) {
        const due = start + (i * 1000) / opts.updateRate;
        const wait = due - performance.now();
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      }
      const body = configMap(NAME, i);
      (body.metadata as Record<string, unknown>).resourceVersion = current.metadata.resourceVersion;
      current = await writer.call('PUT', `${configMapsPath(NS)}/${NAME}`, body);
      responses[i] = performance.now();
    }
    const writeElapsed = performance.now() - start;
    const expected = watchers * updates;
    await waitFor(() => delivered >= expected || open.every((w) => w.ended), 120_000);
    const deliveryMs = performance.now() - start;
    const afterRss = mib((await server.stats()).rssBytes);

    // Latency per (watcher, update): arrival - the update's response.
    const samples = new Float64Array(expected);
    let n = 0;
    let early = 0;
    for (let w = 0; w < watchers; w++) {
      const base = w * updates;
      for (let i = 0; i < updates; i++) {
        const a = arrivals[base + i]!;
        if (Number.isNaN(a)) continue;
        const d = a - responses[i]!;
        if (d < 0) early++;
        samples[n++] = Math.max(0, d);
      }
    }
    const s = summarize(samples.subarray(0, n));
    const ended = open.filter((w) => w.ended).length;
    const other = open.reduce((a, w) => a + w.other, 0);
    const result: FanoutResult = {
      backend,
      watchers,
      updates,
      updatesPerSec: perSec(updates, writeElapsed),
      delivered,
      expected,
      p50: s.p50,
      p99: s.p99,
      max: s.max,
      deliveryMs,
      serverRssMiB: { idle: idleRss, watching: watchingRss, after: afterRss },
    };
    printTable(
      `fanout: ${watchers} watchers x ${updates} updates (${backend})`,
      ['metric', 'value'],
      [
        ['updates/s (one writer)', rate(result.updatesPerSec)],
        ['events delivered', `${delivered.toLocaleString('en-US')} of ${expected.toLocaleString('en-US')} (${delivered === expected ? 'matched' : 'MISMATCH'})`],
        ['delivery p50 ms', ms(s.p50)],
        ['delivery p99 ms', ms(s.p99)],
        ['delivery max ms', ms(s.max)],
        ['first update -> last event, ms', ms(deliveryMs)],
        ['events/s delivered', rate(perSec(delivered, deliveryMs))],
        ['server RSS MiB: idle / watching / after', `${idleRss} / ${watchingRss} / ${afterRss}`],
        ['bench client RSS MiB', String(mib(process.memoryUsage().rss))],
      ],
    );
    if (early) note(`${early.toLocaleString('en-US')} events arrived before their update's response (counted as 0 ms).`);
    if (ended || other) note(`${ended} watch streams ended early; ${other} lines without a sequence number.`);
    note(`\nTarget: fan-out p99 delivery ${ms(s.p99)} ms (target <= 100 ms)`);
    return result;
  } finally {
    for (const w of open) w.close();
    writer.close();
    watchClient.close();
    await server.stop();
  }
}
