// podstartup: pod startup latency on one real node — `k8ts up` (API server, scheduler, controllers,
// kubelet, containerd) in a child process, pods of localhost/busybox:1 running `sleep 3600`.
// Latency is create request sent → the first watch event with status.phase=Running (upstream's pod
// startup SLI, whose SLO is 5 s p99; our target is 1.5 s p99 for 50 pods on one node). It is split
// into create → bound (first event with spec.nodeName) and bound → Running (the kubelet's part).
//
// Workloads, each in a fresh namespace on the same cluster, after two warm-up pods:
//   - burst: 50 pods created at once (16 creates in flight);
//   - paced: 50 pods at 5 pods/s (each pod mostly on its own: the per-pod path).
//
// `k8ts up` gets a free `--kubelet-port`; with the default pod CIDR (10.42.0.0/24) its bridge is k8ts0,
// as for the e2e tests, so the suite takes the same lock file (/tmp/k8ts-up-e2e.lock). A second table
// gives CPU time per pod from /proc: the `k8ts up` process, containerd (with the CNI plugins it runs),
// the shims (with runc), and the whole machine.
// Needs root and containerd (as `k8ts up --runtime containerd`); otherwise it says why and returns.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadKubeconfig } from '../../src/apiserver/authn/kubeconfig.js';
import { BenchClient } from '../lib/client.js';
import { onExit } from '../lib/cleanup.js';
import { ms, summarize } from '../lib/stats.js';
import { note, printTable } from '../lib/table.js';
import { acquireUpLock, containerdProcesses, freePort, killAndUnmount, readFileSafe, releaseUpLock, sleep, startUp, stopUp, type Up } from '../../test/e2e/node-harness.js';
import { scaled, type SuiteOptions } from './options.js';

// dist/bench/suites → repo root.
const K8TS_BIN = resolve(import.meta.dirname, '../../../bin/k8ts.js');
const IMAGE = 'localhost/busybox:1';
const CREATE_CONCURRENCY = 16;

export interface PodStartupResult {
  name: string;
  pods: number;
  running: number;
  p50: number;
  p99: number;
  max: number;
  boundP50: number;
  boundP99: number;
  kubeletP50: number;
  kubeletP99: number;
  wallMs: number;
  /** CPU time per pod (ms) from the first create to the last pod Running, by process group. */
  cpu: CpuSample;
}

function skipReason(): string | undefined {
  if (process.platform !== 'linux') return 'needs Linux';
  if (process.getuid?.() !== 0) return 'needs root';
  try {
    execFileSync('containerd', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'containerd is not installed';
  }
  if (!existsSync('/bin/busybox')) return 'busybox-static is not installed';
  if (!existsSync(K8TS_BIN)) return `${K8TS_BIN} is missing`;
  return undefined;
}

export async function runPodStartup(opts: SuiteOptions): Promise<PodStartupResult[]> {
  const skip = skipReason();
  if (skip) {
    note(`\npodstartup: skipped (${skip})`);
    return [];
  }
  const n = scaled(50, opts, 5);
  await acquireUpLock(300_000);
  const releaseHook = onExit(releaseUpLock);
  let cluster: Cluster | undefined;
  const results: PodStartupResult[] = [];
  try {
    console.error('[podstartup] k8ts up (containerd, sqlite)');
    cluster = await startCluster();
    const client = new BenchClient(await loadKubeconfig(cluster.kubeconfig), { maxSockets: CREATE_CONCURRENCY + 2 });
    try {
      console.error('[podstartup] warm-up: 2 pods');
      const cpu = () => cpuSample(cluster!);
      await runWorkload(client, cpu, { name: 'warm-up', ns: 'ps-warm', pods: 2, ratePerSec: 0 });
      results.push(await runWorkload(client, cpu, { name: `burst (${n} at once, ${CREATE_CONCURRENCY} in flight)`, ns: 'ps-burst', pods: n, ratePerSec: 0 }));
      results.push(await runWorkload(client, cpu, { name: `paced (${n} at 5/s)`, ns: 'ps-paced', pods: n, ratePerSec: 5 }));
    } finally {
      client.close();
    }
  } finally {
    await cluster?.stop();
    releaseUpLock();
    releaseHook();
  }
  print(results);
  return results;
}

interface Workload {
  name: string;
  ns: string;
  pods: number;
  /** 0 = all at once (CREATE_CONCURRENCY in flight). */
  ratePerSec: number;
}

function podObject(i: number): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `p-${i}`, labels: { app: 'podstartup' } },
    spec: {
      // `sleep` as PID 1 ignores SIGTERM: a short grace period keeps the namespace delete quick.
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'c', image: IMAGE, imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }],
    },
  };
}

async function runWorkload(client: BenchClient, cpu: () => CpuSample, w: Workload): Promise<PodStartupResult> {
  await client.call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: w.ns } });
  const sentAt = new Float64Array(w.pods).fill(NaN);
  const boundAt = new Float64Array(w.pods).fill(NaN);
  const runningAt = new Float64Array(w.pods).fill(NaN);
  let running = 0;
  // The watch is open before the first create.
  const list = await client.call<{ metadata: { resourceVersion: string } }>('GET', `/api/v1/namespaces/${w.ns}/pods`);
  const { res, abort } = await client.stream(`/api/v1/namespaces/${w.ns}/pods?watch=true&resourceVersion=${list.metadata.resourceVersion}`);
  let buf = '';
  res.on('data', (d: Buffer) => {
    const now = performance.now();
    buf += d.toString('utf8');
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (!line.trim()) continue;
      const ev = JSON.parse(line) as { type: string; object: { metadata?: { name?: string }; spec?: { nodeName?: string }; status?: { phase?: string } } };
      const i = Number(/^p-(\d+)$/.exec(ev.object.metadata?.name ?? '')?.[1] ?? -1);
      if (i < 0 || i >= w.pods) continue;
      if (ev.object.spec?.nodeName && Number.isNaN(boundAt[i]!)) boundAt[i] = now;
      if (ev.object.status?.phase === 'Running' && Number.isNaN(runningAt[i]!)) {
        runningAt[i] = now;
        running++;
      }
    }
  });
  res.on('error', () => {});
  console.error(`[podstartup] ${w.name}: start`);
  const cpu0 = cpu();
  const t0 = performance.now();
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= w.pods) return;
      if (w.ratePerSec > 0) {
        const due = t0 + (i * 1000) / w.ratePerSec;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
      }
      sentAt[i] = performance.now();
      await client.call('POST', `/api/v1/namespaces/${w.ns}/pods`, podObject(i));
    }
  };
  await Promise.all(Array.from({ length: w.ratePerSec > 0 ? Math.min(w.pods, 4) : CREATE_CONCURRENCY }, worker));
  const deadline = performance.now() + 60_000 + (w.ratePerSec > 0 ? 0 : w.pods * 500);
  while (running < w.pods && performance.now() < deadline) await sleep(50);
  const wallMs = performance.now() - t0;
  const cpu1 = cpu();
  abort();
  if (running < w.pods) console.error(`[podstartup] ${w.name}: only ${running}/${w.pods} pods Running before the deadline`);
  const lat: number[] = [];
  const bound: number[] = [];
  const kubelet: number[] = [];
  for (let i = 0; i < w.pods; i++) {
    if (!Number.isNaN(runningAt[i]!)) lat.push(runningAt[i]! - sentAt[i]!);
    if (!Number.isNaN(boundAt[i]!)) bound.push(boundAt[i]! - sentAt[i]!);
    if (!Number.isNaN(boundAt[i]!) && !Number.isNaN(runningAt[i]!)) kubelet.push(runningAt[i]! - boundAt[i]!);
  }
  const s = summarize(lat);
  const b = summarize(bound);
  const k = summarize(kubelet);
  console.error(`[podstartup] ${w.name}: ${running}/${w.pods} Running, p50 ${ms(s.p50)} ms, p99 ${ms(s.p99)} ms`);
  // Delete the namespace and wait for it to be gone, so the next workload starts on an idle node.
  await client.request('DELETE', `/api/v1/namespaces/${w.ns}`);
  const gone = performance.now() + 120_000;
  while (performance.now() < gone) {
    const r = await client.request('GET', `/api/v1/namespaces/${w.ns}`);
    if (r.status === 404) break;
    await sleep(250);
  }
  return {
    name: w.name,
    pods: w.pods,
    running,
    p50: s.p50,
    p99: s.p99,
    max: s.max,
    boundP50: b.p50,
    boundP99: b.p99,
    kubeletP50: k.p50,
    kubeletP99: k.p99,
    wallMs,
    cpu: perPod(cpu0, cpu1, w.pods),
  };
}

function print(results: PodStartupResult[]): void {
  printTable(
    'podstartup: create → Running seen by a watch (k8ts up, containerd, one node; target p99 ≤ 1.5 s)',
    ['workload', 'Running', 'p50', 'p99', 'max', 'create→bound p50 / p99', 'bound→Running p50 / p99', 'wall'],
    results.map((r) => [
      r.name,
      `${r.running}/${r.pods}`,
      `${ms(r.p50)} ms`,
      `${ms(r.p99)} ms`,
      `${ms(r.max)} ms`,
      `${ms(r.boundP50)} / ${ms(r.boundP99)} ms`,
      `${ms(r.kubeletP50)} / ${ms(r.kubeletP99)} ms`,
      `${(r.wallMs / 1000).toFixed(1)} s`,
    ]),
  );
  printTable(
    'podstartup: CPU time per pod, first create → last Running (ms; children count with their parent: CNI plugins with containerd, runc with the shims)',
    ['workload', 'k8ts up process', 'containerd + CNI', 'shims + runc', 'whole machine'],
    results.map((r) => [r.name, ms(r.cpu.k8ts), ms(r.cpu.containerd), ms(r.cpu.shims), ms(r.cpu.machine)]),
  );
}

// ---- CPU accounting from /proc -------------------------------------------------------------------

export interface CpuSample {
  k8ts: number;
  containerd: number;
  shims: number;
  machine: number;
}

const TICK_MS = 10; // USER_HZ = 100 on Linux

/** utime+stime (+ reaped children's) of a process, in ms. */
function procCpu(pid: string, children: boolean): number {
  const st = readFileSafe(`/proc/${pid}/stat`);
  const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
  if (f.length < 15) return 0;
  return (Number(f[11]) + Number(f[12]) + (children ? Number(f[13]) + Number(f[14]) : 0)) * TICK_MS;
}

function cpuSample(c: Cluster): CpuSample {
  const out: CpuSample = { k8ts: procCpu(String(c.pid), false), containerd: 0, shims: 0, machine: 0 };
  for (const p of containerdProcesses(c.dataDir)) out[p.kind === 'daemon' ? 'containerd' : 'shims'] += procCpu(String(p.pid), true);
  const t = readFileSafe('/proc/stat').split('\n')[0]!.split(/\s+/).slice(1).map(Number);
  out.machine = (t[0]! + t[1]! + t[2]! + t[5]! + t[6]! + t[7]!) * TICK_MS;
  return out;
}

function perPod(a: CpuSample, b: CpuSample, pods: number): CpuSample {
  const d = (k: keyof CpuSample) => (b[k] - a[k]) / pods;
  return { k8ts: d('k8ts'), containerd: d('containerd'), shims: d('shims'), machine: d('machine') };
}

// ---- `k8ts up` in a child process --------------------------------------------------------------

interface Cluster {
  kubeconfig: string;
  pid: number;
  dataDir: string;
  stop(): Promise<void>;
}

async function startCluster(): Promise<Cluster> {
  // Short path: containerd's socket lives under it.
  const dataDir = mkdtempSync('/tmp/k8ts-ps-');
  let up: Up | undefined;
  // After SIGINT the pods are deleted, but containerd and the shims of running pods outlive `k8ts up`.
  const cleanupNow = () => {
    if (up && up.proc.exitCode === null && up.proc.signalCode === null) up.proc.kill('SIGKILL');
    killAndUnmount(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  };
  const unhook = onExit(cleanupNow);
  const stop = async () => {
    await stopUp(up, 'SIGINT');
    cleanupNow();
    unhook();
  };
  try {
    const kubeletPort = await freePort();
    up = await startUp(K8TS_BIN, ['--data-dir', dataDir, '--listen', '127.0.0.1:0', '--datastore', 'sqlite', '--runtime', 'containerd', '--kubelet-port', String(kubeletPort)]);
    return { kubeconfig: up.kubeconfig, pid: up.proc.pid!, dataDir, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

