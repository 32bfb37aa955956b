// writeload: pod creates under node-heartbeat write load, as a cluster of N kubelets makes it.
//
// N Nodes (realistic size: labels, annotations, capacity, conditions, nodeInfo) and N Leases are
// registered first. Then, all at once, for the measured window:
//   - every Lease is renewed with a PUT (its last resourceVersion) at `leaseRate`/s (N/10 by default,
//     the kubelet's 10 s renew interval), open loop, through its own 64-connection agent;
//   - node status heartbeats: merge PATCHes of nodes/status conditions at `statusRate`/s (N/300:
//     upstream's 5 min report interval), through the same agent;
//   - pod creates at `podRate`/s (100), open loop, through a 16-connection agent;
//   - a few watchers: pods (all namespaces), nodes, leases, as scheduler/controllers hold them.
// Reports create and lease-PUT latency (from the scheduled start: no coordinated omission) and the
// server's CPU over the window. Set K8TS_BENCH_CPU_PROF=DIR to get a CPU profile of the server.

import { performance } from 'node:perf_hooks';
import { BenchClient } from '../lib/client.js';
import { openLoop, type LoadResult } from '../lib/load.js';
import { startBenchServer, type Backend } from '../lib/server.js';
import { ms, rate, summarize } from '../lib/stats.js';
import { printTable, note } from '../lib/table.js';
import type { SuiteOptions } from './options.js';

export interface WriteloadOptions extends SuiteOptions {
  nodes: number;
  /** Lease renewals per second (default nodes / 10). */
  leaseRate?: number;
  /** Node status PATCHes per second (default nodes / 300). */
  statusRate?: number;
  podRate: number;
  /** Measured window in seconds. */
  seconds: number;
}

const LEASE_NS = 'kube-node-lease';
const POD_NS = 'writeload';

function rfc3339Micro(t: number): string {
  return new Date(t).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
function rfc3339(t: number): string {
  return new Date(Math.floor(t / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function conditions(now: number): Record<string, string>[] {
  const hb = rfc3339(now);
  const c = (type: string, status: string, reason: string, message: string) => ({ type, status, lastHeartbeatTime: hb, lastTransitionTime: '2026-01-01T00:00:00Z', reason, message });
  return [
    c('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    c('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    c('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    c('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
  ];
}

function node(i: number): Record<string, unknown> {
  const name = `wl-node-${i}`;
  const cidr = `10.${64 + (i >> 8)}.${i & 255}.0/24`;
  const res = { cpu: '32', memory: '256Gi', pods: '110', 'ephemeral-storage': '100Gi', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'beta.kubernetes.io/arch': 'amd64',
        'topology.kubernetes.io/zone': `zone-${i % 3}`,
      },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    },
    spec: { podCIDR: cidr, podCIDRs: [cidr] },
    status: {
      capacity: res,
      allocatable: res,
      conditions: conditions(Date.now()),
      addresses: [
        { type: 'InternalIP', address: `172.16.${i >> 8}.${i & 255}` },
        { type: 'Hostname', address: name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: `${i}`.padStart(32, '0'),
        systemUUID: `00000000-0000-4000-a000-${`${i}`.padStart(12, '0')}`,
        bootID: `00000000-0000-4000-b000-${`${i}`.padStart(12, '0')}`,
        kernelVersion: '6.1.0-k8ts-sim',
        osImage: 'k8ts simulated node',
        containerRuntimeVersion: 'sim://1.0.0',
        kubeletVersion: 'v1.32.0-k8ts-sim',
        kubeProxyVersion: 'v1.32.0-k8ts-sim',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    },
  };
}

function lease(i: number, uid: string): Record<string, unknown> {
  const name = `wl-node-${i}`;
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace: LEASE_NS, ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid }] },
    spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: rfc3339Micro(Date.now()) },
  };
}

function pod(i: number): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `wl-pod-${i}`, labels: { app: 'writeload', shard: String(i % 10) } },
    spec: {
      containers: [
        {
          name: 'app',
          image: 'registry.k8s.io/pause:3.10',
          ports: [{ containerPort: 8080, protocol: 'TCP' }],
          env: [{ name: 'INDEX', value: String(i) }],
          resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } },
        },
      ],
    },
  };
}

async function pool(count: number, concurrency: number, op: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < count; i = next++) await op(i);
    }),
  );
}

interface Row {
  backend: Backend;
  createP50: number;
  createP99: number;
  createMax: number;
  createErrors: number;
  leaseRate: number;
  leaseP50: number;
  leaseP99: number;
  leaseErrors: number;
  statusCount: number;
  serverCpu: number;
  /** Fraction of the window the server's event loop was runnable but waiting for a CPU. */
  runQueueWait: number;
  loopP99: number;
  loopMax: number;
  watchBytes: number;
  watchEnded: number;
}

export async function runWriteload(opts: WriteloadOptions): Promise<Row[]> {
  const rows: Row[] = [];
  const leaseRate = opts.leaseRate ?? opts.nodes / 10;
  const statusRate = opts.statusRate ?? opts.nodes / 300;
  for (const backend of opts.backends) {
    const log = (s: string) => console.error(`[writeload] ${backend}: ${s}`);
    log('starting');
    const server = await startBenchServer(backend);
    const setup = new BenchClient(server.creds, { maxSockets: 32 });
    const kubelets = new BenchClient(server.creds, { maxSockets: 64 });
    const creator = new BenchClient(server.creds, { maxSockets: 16 });
    const watchClient = new BenchClient(server.creds, { maxSockets: 8 });
    const streams: { abort(): void }[] = [];
    try {
      const t0 = performance.now();
      const leases: Record<string, any>[] = new Array(opts.nodes);
      await pool(opts.nodes, 32, async (i) => {
        const n = await setup.call('POST', '/api/v1/nodes', node(i));
        leases[i] = await setup.call('POST', `/apis/coordination.k8s.io/v1/namespaces/${LEASE_NS}/leases`, lease(i, n.metadata.uid));
      });
      await setup.call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: POD_NS } });
      log(`registered ${opts.nodes} nodes + leases in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

      let watchBytes = 0;
      let stopping = false;
      const watchEnded: string[] = [];
      for (const path of [
        '/api/v1/pods?watch=true&allowWatchBookmarks=true',
        '/api/v1/pods?watch=true&fieldSelector=spec.nodeName%3D&allowWatchBookmarks=true',
        '/api/v1/nodes?watch=true&allowWatchBookmarks=true&resourceVersion=0',
        `/apis/coordination.k8s.io/v1/namespaces/${LEASE_NS}/leases?watch=true&allowWatchBookmarks=true&resourceVersion=0`,
      ]) {
        const s = await watchClient.stream(path);
        s.res.on('data', (d: Buffer) => (watchBytes += d.length));
        // The server ends a watch whose client falls too far behind (or on errors): count those.
        s.res.on('end', () => {
          if (!stopping) watchEnded.push(path.split('?')[0]!);
        });
        streams.push(s);
      }

      // Background heartbeats: run until stopped.
      const leaseLat: number[] = [];
      let leaseErrors = 0;
      let leaseFirstError = '';
      let statusCount = 0;
      let stopBackground = false;
      const renew = async (i: number) => {
        const cur = leases[i]!;
        const body = { ...cur, spec: { ...cur.spec, renewTime: rfc3339Micro(Date.now()) } };
        const r = await kubelets.request('PUT', `/apis/coordination.k8s.io/v1/namespaces/${LEASE_NS}/leases/${cur.metadata.name}`, body);
        if (r.status === 200) leases[i] = JSON.parse(r.body);
        else {
          leaseErrors++;
          leaseFirstError ||= `${r.status} ${r.body.slice(0, 200)}`;
          if (r.status === 409) leases[i] = await kubelets.call('GET', `/apis/coordination.k8s.io/v1/namespaces/${LEASE_NS}/leases/${cur.metadata.name}`);
        }
      };
      const background = (ratePerSec: number, op: (i: number) => Promise<void>, lat?: number[]) =>
        new Promise<void>((resolve) => {
          if (ratePerSec <= 0) return resolve();
          const start = performance.now();
          const interval = 1000 / ratePerSec;
          let i = 0;
          const inflight = new Set<Promise<void>>();
          const tick = () => {
            const now = performance.now();
            while (!stopBackground && start + i * interval <= now) {
              const scheduled = start + i * interval;
              const p: Promise<void> = op(i++).then(
                () => void lat?.push(performance.now() - scheduled),
                () => void leaseErrors++,
              );
              inflight.add(p);
              void p.finally(() => inflight.delete(p));
            }
            if (stopBackground) void Promise.all(inflight).then(() => resolve());
            else setTimeout(tick, Math.max(0, start + i * interval - performance.now()));
          };
          tick();
        });
      let leaseRecording = false;
      const leaseDone = background(leaseRate, async (i) => {
        const t = performance.now();
        await renew(i % opts.nodes);
        if (leaseRecording) leaseLat.push(performance.now() - t);
      });
      const statusDone = background(statusRate, async (i) => {
        const name = `wl-node-${i % opts.nodes}`;
        const r = await kubelets.request('PATCH', `/api/v1/nodes/${name}/status`, undefined, {
          body: JSON.stringify({ status: { conditions: conditions(Date.now()) } }),
          contentType: 'application/strategic-merge-patch+json',
        });
        if (r.status !== 200) throw new Error(`status patch ${r.status}`);
        statusCount++;
      });

      log(`heartbeats at ${rate(leaseRate)} leases/s + ${rate(statusRate)} node status/s; warming up 5 s`);
      await new Promise((r) => setTimeout(r, 5000));
      // 200 warm-up creates (JIT, TLS handshakes) outside the window.
      await pool(200, 16, async (i) => void (await creator.call('POST', `/api/v1/namespaces/${POD_NS}/pods`, pod(1_000_000 + i))));
      leaseRecording = true;
      statusCount = 0;
      const st0 = await server.stats();
      const cpu0 = st0.cpuMicros;
      const w0 = performance.now();
      log(`measuring ${opts.seconds} s of pod creates at ${opts.podRate}/s`);
      const res: LoadResult = await openLoop(opts.podRate, opts.seconds, async (i) => {
        await creator.call('POST', `/api/v1/namespaces/${POD_NS}/pods`, pod(i));
      });
      const st1 = await server.stats();
      const cpu1 = st1.cpuMicros;
      const wallMs = performance.now() - w0;
      leaseRecording = false;
      const statusInWindow = statusCount;
      stopBackground = true;
      await Promise.all([leaseDone, statusDone]);
      stopping = true;
      if (watchEnded.length) log(`watches ended by the server during the run: ${watchEnded.join(', ')}`);
      if (leaseFirstError) log(`lease errors: ${leaseErrors}, first: ${leaseFirstError}`);
      if (res.errors) log(`create errors: ${res.errors}, first: ${res.firstError}`);
      const c = summarize(res.latencies);
      const l = summarize(leaseLat);
      rows.push({
        backend,
        createP50: c.p50,
        createP99: c.p99,
        createMax: c.max,
        createErrors: res.errors,
        leaseRate: (leaseLat.length * 1000) / wallMs,
        leaseP50: l.p50,
        leaseP99: l.p99,
        leaseErrors,
        statusCount: statusInWindow,
        serverCpu: (cpu1 - cpu0) / 1000 / wallMs,
        runQueueWait: ((st1.runQueueWaitMicros ?? NaN) - (st0.runQueueWaitMicros ?? NaN)) / 1000 / wallMs,
        loopP99: st1.loopDelay?.p99 ?? NaN,
        loopMax: st1.loopDelay?.max ?? NaN,
        watchBytes,
        watchEnded: watchEnded.length,
      });
    } finally {
      for (const s of streams) s.abort();
      for (const c of [setup, kubelets, creator, watchClient]) c.close();
      await server.stop();
    }
  }
  printTable(
    `writeload: ${opts.nodes} nodes, leases ${rate(leaseRate)}/s + status ${rate(statusRate)}/s, pod creates ${opts.podRate}/s for ${opts.seconds} s`,
    ['backend', 'create p50 ms', 'create p99 ms', 'create max ms', 'create errors', 'lease PUT/s', 'lease p50 ms', 'lease p99 ms', 'lease errors', 'status patches', 'server CPU', 'run-queue wait', 'loop delay p99/max ms'],
    rows.map((r) => [
      r.backend,
      ms(r.createP50),
      ms(r.createP99),
      ms(r.createMax),
      String(r.createErrors),
      rate(r.leaseRate),
      ms(r.leaseP50),
      ms(r.leaseP99),
      String(r.leaseErrors),
      String(r.statusCount),
      `${Math.round(r.serverCpu * 100)}%`,
      Number.isFinite(r.runQueueWait) ? `${Math.round(r.runQueueWait * 100)}%` : '-',
      `${ms(r.loopP99)} / ${ms(r.loopMax)}`,
    ]),
  );
  note(`\nwatch bytes received (4 watchers): ${rows.map((r) => `${r.backend} ${(r.watchBytes / 2 ** 20).toFixed(1)} MiB, ${r.watchEnded} ended early`).join('; ')}`);
  return rows;
}
