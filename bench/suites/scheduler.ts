// scheduler: pods/s through the real API server with the real scheduler, on 5,000 simulated nodes.
//
// Processes: the API server (child, memory datastore), the scheduler (a second child: this file run
// with SCHED_CHILD; `startScheduler` with a PluginMetrics sampling one cycle in 10), and this process
// (the simulator's node fleet, the pod creates and one pod watch). Workloads, on one cluster, each
// with a fresh scheduler and namespace:
//   - anti-affinity: pods that all carry `color=green` and require no other `color=green` pod on
//     their hostname (upstream's SchedulingPodAntiAffinity shape); runs first, on empty nodes.
//   - basic: upstream's SchedulingBasic pod (pause, 100m cpu, 500Mi) created with 16 in flight
//     while the scheduler runs; first create → last binding seen by the watch.
//   - basic, pre-created: the same pods created before the scheduler starts; scheduler ready → last
//     binding (what the scheduler and the bind path sustain without competing with the creates).
// Times per plugin come from the scheduler's PluginMetrics (sampled cycles × 10).

import { fork, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { RestClient } from '../../src/client/index.js';
import type { LoadedKubeconfig } from '../../src/apiserver/authn/kubeconfig.js';
import { BenchClient } from '../lib/client.js';
import { createNamespace } from '../lib/fixtures.js';
import { LineSplitter, markerFor, scanIntField } from '../lib/lines.js';
import { closedLoop } from '../lib/load.js';
import { onExit } from '../lib/cleanup.js';
import { startBenchServer } from '../lib/server.js';
import { perSec, rate } from '../lib/stats.js';
import { note, printTable } from '../lib/table.js';
import { waitFor } from '../lib/watch.js';
import { scaled, type SuiteOptions } from './options.js';

const SCHED_CHILD = '--k8ts-bench-scheduler-child';
const SEQ_LABEL = 'benchSeq';
const CREATE_CONCURRENCY = 16;
// Timing every Filter call of a sampled cycle is not free (two clock reads per plugin per node), so few cycles are sampled.
const SAMPLE_EVERY = 50;

interface MetricRow {
  point: string;
  plugin: string;
  ms: number;
  calls: number;
}
type SchedStats = Record<string, number>;
type FromChild =
  | { type: 'ready'; nodes: number }
  | { type: 'stats'; stats: SchedStats; rows: MetricRow[]; cpuMicros: number; rssBytes: number };
type ToChild = { type: 'stats' } | { type: 'close' };

export interface SchedulerWorkloadResult {
  name: string;
  nodes: number;
  pods: number;
  bound: number;
  elapsedMs: number;
  podsPerSec: number;
  createPerSec?: number;
  schedulerCpuPerPodUs: number;
  serverCpuPerPodUs: number;
  /** This process: the pod creates, the watch and the simulated nodes. */
  benchCpuPerPodUs: number;
  stats: SchedStats;
  rows: MetricRow[];
}

export async function runScheduler(opts: SuiteOptions): Promise<SchedulerWorkloadResult[]> {
  const numNodes = scaled(5000, opts, 10);
  const basicPods = scaled(10_000, opts, 10);
  const antiPods = scaled(2_000, opts, 10);
  console.error(`[scheduler] memory API server, ${numNodes} simulated nodes`);
  const server = await startBenchServer('memory');
  const results: SchedulerWorkloadResult[] = [];
  const client = new BenchClient(server.creds, { maxSockets: CREATE_CONCURRENCY });
  let sim: { stop(): Promise<void> } | undefined;
  try {
    const t0 = performance.now();
    sim = await startNodes(server.creds, numNodes);
    note(`${numNodes} simulated nodes registered in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const workloads: { name: string; ns: string; pods: number; anti: boolean; preCreate: boolean }[] = [
      { name: 'anti-affinity (hostname)', ns: 'sched-anti', pods: antiPods, anti: true, preCreate: false },
      { name: 'basic', ns: 'sched-basic', pods: basicPods, anti: false, preCreate: false },
      { name: 'basic, pre-created', ns: 'sched-pre', pods: basicPods, anti: false, preCreate: true },
    ];
    for (const w of workloads) {
      console.error(`[scheduler] ${w.name}: ${w.pods} pods`);
      results.push(await runWorkload(server, client, numNodes, w));
    }
  } finally {
    client.close();
    await sim?.stop();
    await server.stop();
  }
  print(results);
  return results;
}

/** 5,000 simulated nodes: the simulator's fleet, without its pod driver (pods need only be bound). */
async function startNodes(creds: LoadedKubeconfig, n: number): Promise<{ stop(): Promise<void> }> {
  const { startSimulator } = await import('../../src/simulator/index.js');
  const client = restClient(creds, 'k8ts-bench-simulate', 0);
  let last = 0;
  const sim = await startSimulator({
    client,
    nodes: n,
    // Upstream's scheduler_perf node: 4 cpu, 32Gi, 110 pods.
    cpu: '4',
    memory: '32Gi',
    pods: '110',
    events: false,
    concurrency: 32,
    // Keep lease and status renewals out of the measured minutes (the nodes stay Ready throughout).
    timings: { leaseRenewMs: 600_000, leaseDurationSeconds: 3600, nodeStatusReportMs: 3_600_000 },
    log: (m) => console.error(`[scheduler] simulate: ${m}`),
    onProgress: (done, total) => {
      if (done === total || done - last >= 1000) {
        last = done;
        console.error(`[scheduler] nodes ${done}/${total}`);
      }
    },
  });
  // Upstream's scheduler_perf runs no kubelets: bound pods stay Pending, and the bench's watch and the
  // scheduler see only creates and bindings.
  await sim.pods.stop();
  return {
    async stop() {
      await sim.stop();
      client.close();
    },
  };
}

function restClient(creds: LoadedKubeconfig, userAgent: string, qps: number): RestClient {
  return new RestClient({
    server: creds.server,
    ...(creds.caPem ? { caPem: creds.caPem } : {}),
    ...(creds.clientCertPem ? { certPem: creds.clientCertPem } : {}),
    ...(creds.clientKeyPem ? { keyPem: creds.clientKeyPem } : {}),
    ...(creds.token ? { token: creds.token } : {}),
    qps,
    burst: qps * 2,
    userAgent,
    maxSockets: 128,
  });
}

function podObject(i: number, anti: boolean): Record<string, unknown> {
  const labels: Record<string, string> = { [SEQ_LABEL]: String(i), app: 'bench' };
  const spec: Record<string, unknown> = {
    containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '100m', memory: '500Mi' } } }],
  };
  if (anti) {
    labels.color = 'green';
    spec.affinity = {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { color: 'green' } } }],
      },
    };
  }
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: `p-${i}`, labels }, spec };
}

async function runWorkload(
  server: Awaited<ReturnType<typeof startBenchServer>>,
  client: BenchClient,
  numNodes: number,
  w: { name: string; ns: string; pods: number; anti: boolean; preCreate: boolean },
): Promise<SchedulerWorkloadResult> {
  await createNamespace(client, w.ns);
  // Bindings seen by a watch: the first event of each pod that carries a nodeName. The server closes
  // a watcher that falls behind; then it is reopened from the last resourceVersion seen.
  const boundAt = new Float64Array(w.pods).fill(Number.NaN);
  let bound = 0;
  let reopened = 0;
  let lastRV = -1;
  let closed = false;
  let abortWatch = () => {};
  const nodeNameMarker = Buffer.from('"nodeName":"');
  const seqMarker = markerFor(SEQ_LABEL);
  const rvMarker = markerFor('resourceVersion');
  // After a watch that ended without delivering anything (e.g. its resourceVersion is too old: an
  // ERROR event), resynchronise with a LIST; pods found bound there are stamped with the list's time.
  const relist = async () => {
    const list = await client.call<{ metadata: { resourceVersion: string }; items: { metadata: { labels?: Record<string, string> }; spec: { nodeName?: string } }[] }>(
      'GET',
      `/api/v1/namespaces/${w.ns}/pods`,
    );
    const now = performance.now();
    for (const p of list.items) {
      const seq = Number(p.metadata.labels?.[SEQ_LABEL] ?? -1);
      if (p.spec.nodeName && seq >= 0 && seq < w.pods && Number.isNaN(boundAt[seq]!)) {
        boundAt[seq] = now;
        bound++;
      }
    }
    lastRV = Number(list.metadata.resourceVersion);
  };
  const openWatch = async (): Promise<void> => {
    const rv = lastRV >= 0 ? `&resourceVersion=${lastRV}` : '';
    const rvAtOpen = lastRV;
    const { res, abort } = await client.stream(`/api/v1/namespaces/${w.ns}/pods?watch=true${rv}`);
    abortWatch = abort;
    const splitter = new LineSplitter((buf, start, end) => {
      const r = scanIntField(buf, start, end, rvMarker);
      if (r > lastRV) lastRV = r;
      const seq = scanIntField(buf, start, end, seqMarker);
      if (seq < 0 || seq >= w.pods || !Number.isNaN(boundAt[seq]!)) return;
      const at = buf.indexOf(nodeNameMarker, start);
      if (at < 0 || at >= end) return;
      boundAt[seq] = performance.now();
      bound++;
    });
    res.on('data', (c: Buffer) => splitter.push(c));
    let once = false;
    const reopen = () => {
      if (once || closed) return;
      once = true;
      reopened++;
      const again = async () => {
        // Nothing new (e.g. an ERROR for a resourceVersion that is too old): resynchronise first.
        if (lastRV === rvAtOpen) await relist();
        if (!closed) await openWatch();
      };
      again().catch((e: unknown) => console.error(`[scheduler] watch: ${String(e)}`));
    };
    res.on('end', reopen);
    res.on('close', reopen);
    res.on('error', reopen);
  };
  await openWatch();
  const abort = () => {
    closed = true;
    abortWatch();
  };

  const create = async (n: number) =>
    closedLoop(n, CREATE_CONCURRENCY, async (i) => {
      await client.call('POST', `/api/v1/namespaces/${w.ns}/pods`, podObject(i, w.anti));
    });

  let sched: SchedulerChild | undefined;
  try {
    let start: number;
    let createPerSec: number | undefined;
    let serverCpu0: number;
    let benchCpu0: NodeJS.CpuUsage;
    if (w.preCreate) {
      const c = await create(w.pods);
      if (c.errors) throw new Error(`${w.name}: ${c.errors} create errors, first: ${c.firstError}`);
      serverCpu0 = (await server.stats()).cpuMicros;
      sched = await startSchedulerChild(server.creds, numNodes);
      benchCpu0 = process.cpuUsage();
      start = sched.readyAt;
    } else {
      sched = await startSchedulerChild(server.creds, numNodes);
      serverCpu0 = (await server.stats()).cpuMicros;
      benchCpu0 = process.cpuUsage();
      start = performance.now();
      const c = await create(w.pods);
      console.error(`[scheduler] ${w.name}: created ${c.ok} pods in ${(c.elapsedMs / 1000).toFixed(1)} s`);
      if (c.errors) throw new Error(`${w.name}: ${c.errors} create errors, first: ${c.firstError}`);
      createPerSec = perSec(c.ok, c.elapsedMs);
    }
    const before = sched.cpu0;
    const progress = setInterval(() => {
      void sched!.stats().then((s) => console.error(`[scheduler] ${w.name}: ${bound}/${w.pods} bound (watch reopened ${reopened}, rv ${lastRV}); scheduler ${JSON.stringify(s.stats)}`));
    }, 5000);
    const ok = await waitFor(() => bound >= w.pods, 600_000).finally(() => clearInterval(progress));
    let end = start;
    for (const t of boundAt) if (t > end) end = t;
    const benchCpu = process.cpuUsage(benchCpu0);
    const serverCpu1 = (await server.stats()).cpuMicros;
    const st = await sched.stats();
    if (!ok) console.error(`[scheduler] ${w.name}: only ${bound}/${w.pods} pods bound; stats ${JSON.stringify(st.stats)}`);
    if (reopened) console.error(`[scheduler] ${w.name}: the pod watch was reopened ${reopened} time(s) (server closed it)`);
    const elapsedMs = end - start;
    return {
      name: w.name,
      nodes: numNodes,
      pods: w.pods,
      bound,
      elapsedMs,
      podsPerSec: perSec(bound, elapsedMs),
      ...(createPerSec !== undefined ? { createPerSec } : {}),
      schedulerCpuPerPodUs: (st.cpuMicros - before) / Math.max(1, bound),
      serverCpuPerPodUs: (serverCpu1 - serverCpu0) / Math.max(1, bound),
      benchCpuPerPodUs: (benchCpu.user + benchCpu.system) / Math.max(1, bound),
      stats: st.stats,
      rows: st.rows,
    };
  } finally {
    abort();
    await sched?.stop();
  }
}

interface SchedulerChild {
  readyAt: number;
  cpu0: number;
  stats(): Promise<Extract<FromChild, { type: 'stats' }>>;
  stop(): Promise<void>;
}

/** Forks this file as the scheduler process; resolves once its informers hold all nodes. */
async function startSchedulerChild(creds: LoadedKubeconfig, numNodes: number): Promise<SchedulerChild> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [SCHED_CHILD, String(numNodes)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, K8TS_BENCH_CREDS: JSON.stringify(creds) },
    // K8TS_BENCH_SCHED_PROF=<dir>: a CPU profile of each scheduler child (node --cpu-prof).
    ...(process.env.K8TS_BENCH_SCHED_PROF ? { execArgv: [...process.execArgv, '--cpu-prof', `--cpu-prof-dir=${process.env.K8TS_BENCH_SCHED_PROF}`] } : {}),
  });
  const unregister = onExit(() => child.kill('SIGKILL'));
  const ask = () =>
    new Promise<Extract<FromChild, { type: 'stats' }>>((resolve) => {
      const on = (m: FromChild) => {
        if (m.type !== 'stats') return;
        child.off('message', on);
        resolve(m);
      };
      child.on('message', on);
      child.send({ type: 'stats' } satisfies ToChild);
    });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('scheduler child did not become ready in 120 s')), 120_000);
    child.on('message', (m: FromChild) => {
      if (m.type === 'ready') {
        clearTimeout(t);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`scheduler child exited (${code})`));
    });
  });
  const readyAt = performance.now();
  const cpu0 = (await ask()).cpuMicros;
  return {
    readyAt,
    cpu0,
    stats: ask,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        child.send({ type: 'close' } satisfies ToChild);
        // A profiling child needs time to write its profile on exit.
        const t = setTimeout(() => child.kill('SIGKILL'), process.env.K8TS_BENCH_SCHED_PROF ? 120_000 : 10_000);
        await exited;
        clearTimeout(t);
      }
      unregister();
    },
  };
}

function print(results: SchedulerWorkloadResult[]): void {
  printTable(
    'scheduler: pods/s through the API server (memory), simulated nodes',
    ['workload', 'nodes', 'pods', 'bound', 'seconds', 'pods/s', 'creates/s', 'scheduler CPU/pod', 'server CPU/pod', 'bench CPU/pod'],
    results.map((r) => [
      r.name,
      r.nodes.toLocaleString('en-US'),
      r.pods.toLocaleString('en-US'),
      r.bound.toLocaleString('en-US'),
      (r.elapsedMs / 1000).toFixed(2),
      rate(r.podsPerSec),
      r.createPerSec !== undefined ? rate(r.createPerSec) : '',
      `${Math.round(r.schedulerCpuPerPodUs)} µs`,
      `${Math.round(r.serverCpuPerPodUs)} µs`,
      `${Math.round(r.benchCpuPerPodUs)} µs`,
    ]),
  );
  for (const r of results) {
    // Bind (and PostFilter) await the API server: their time is latency, many in flight at once.
    const isAsync = (x: MetricRow) => x.point === 'Bind' || x.point === 'PostFilter';
    const rows = r.rows.filter((x) => !isAsync(x) && x.ms * SAMPLE_EVERY >= 1).slice(0, 16);
    const cpuTotal = r.rows.filter((x) => !isAsync(x)).reduce((a, x) => a + x.ms * SAMPLE_EVERY, 0);
    rows.push({ point: 'all', plugin: '(sum of the synchronous points)', ms: cpuTotal / SAMPLE_EVERY, calls: 0 });
    printTable(
      `scheduler: time per plugin, ${r.name} (one cycle in ${SAMPLE_EVERY} measured; totals ×${SAMPLE_EVERY})`,
      ['extension point', 'plugin', 'total ms (est.)', 'µs/pod'],
      rows.map((x) => [x.point, x.plugin, (x.ms * SAMPLE_EVERY).toFixed(0), ((x.ms * SAMPLE_EVERY * 1000) / Math.max(1, r.bound)).toFixed(1)]),
    );
    for (const x of r.rows.filter(isAsync)) note(`${x.point} ${x.plugin}: mean ${(x.ms / Math.max(1, x.calls)).toFixed(1)} ms per call (wall clock, ${x.calls} sampled calls)`);
    note(`scheduler stats: ${JSON.stringify(r.stats)}`);
  }
  const basic = results.find((r) => r.name === 'basic');
  const anti = results.find((r) => r.name.startsWith('anti'));
  if (basic) note(`Target: basic ${rate(basic.podsPerSec)} pods/s (target >= 1,000)`);
  if (anti) note(`Target: anti-affinity ${rate(anti.podsPerSec)} pods/s (target >= 100)`);
}

// ---- the scheduler child ----

async function schedulerChild(): Promise<void> {
  const numNodes = Number(process.argv[3]);
  const creds = JSON.parse(process.env.K8TS_BENCH_CREDS ?? '{}') as LoadedKubeconfig;
  const { startScheduler } = await import('../../src/cmd/scheduler.js');
  const { PluginMetrics } = await import('../../src/scheduler/framework/runtime.js');
  const metrics = new PluginMetrics(SAMPLE_EVERY);
  const client = restClient(creds, 'k8ts-bench-scheduler', 5000);
  let sched: import('../../src/scheduler/scheduler.js').Scheduler | undefined;
  const running = await startScheduler({
    client,
    leaderElect: false,
    metrics,
    onScheduler: (s) => (sched = s),
    onError: (e) => console.error(`[scheduler child] ${String(e)}`),
  });
  const send = (m: FromChild) => process.send!(m);
  while (!sched || sched.cache.nodeCount() < numNodes) await new Promise((r) => setTimeout(r, 20));
  process.on('message', (m: ToChild) => {
    if (m.type === 'stats') {
      const cpu = process.cpuUsage();
      send({ type: 'stats', stats: { ...sched!.stats }, rows: metrics.rows(), cpuMicros: cpu.user + cpu.system, rssBytes: process.memoryUsage().rss });
    } else if (m.type === 'close') {
      void running.stop().then(() => {
        client.close();
        process.exit(0);
      });
    }
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', nodes: sched.cache.nodeCount() });
}

if (process.argv[2] === SCHED_CHILD) await schedulerChild();
