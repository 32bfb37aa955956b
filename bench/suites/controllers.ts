// controllers: a 1,000-replica Deployment on 100 simulated nodes — time to Available, a full rolling
// update, and the controller manager's CPU per 1,000 pods.
//
// Processes, all real commands: `k8ts server --disable-controller-manager` (API server + scheduler),
// `k8ts controller-manager` (its own process, so its CPU is its own; leader election off), and
// `k8ts simulate` (100 nodes). This process creates the Deployment, watches Deployments and Pods in
// its namespace, and reads every child's CPU time from /proc/<pid>/stat.
//
// Phases:
//   - Available: POST the Deployment → a watch event with observedGeneration current and
//     replicas = updatedReplicas = availableReplicas = 1,000.
//   - rolling update: PUT with a new image → the same condition for the new generation (updated =
//     available = replicas = 1,000, so the old ReplicaSet has no pods left); then its spec.replicas=0 is
//     checked with a GET.
// K8TS_BENCH_CPU_PROF=<dir> starts the three children with `node --cpu-prof --cpu-prof-dir <dir>`.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { loadKubeconfig } from '../../src/apiserver/authn/kubeconfig.js';
import { componentKubeconfig, CONTROLLER_MANAGER } from '../../src/cmd/credentials.js';
import { BenchClient } from '../lib/client.js';
import { onExit } from '../lib/cleanup.js';
import { createNamespace } from '../lib/fixtures.js';
import { LineSplitter } from '../lib/lines.js';
import type { Backend } from '../lib/server.js';
import { note, printTable } from '../lib/table.js';
import { scaled, type SuiteOptions } from './options.js';

const NS = 'bench-controllers';
const NAME = 'web';

interface Child {
  proc: ChildProcess;
  readyLine: string;
  /** user + system CPU seconds so far (from /proc/<pid>/stat). */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

export interface ControllersResult {
  backend: Backend;
  nodes: number;
  replicas: number;
  availableMs: number;
  rolloutMs: number;
  /** create phase: pod creations seen by the watch, first → last; scheduled; Running. */
  createdMs: number;
  boundMs: number;
  runningMs: number;
  cmCpu: { available: number; rollout: number };
  serverCpu: { available: number; rollout: number };
  simCpu: { available: number; rollout: number };
  oldReplicaSetReplicas: number | undefined;
  /** 1-minute load average when the create phase started and when the update ended. */
  load: [number, number];
  podEvents: number;
  deploymentEvents: number;
  watchReopened: number;
  watchErrors: number;
}

export async function runControllers(opts: SuiteOptions): Promise<ControllersResult[]> {
  const backends = opts.backends.filter((b) => b !== 'etcd');
  if (opts.backends.includes('etcd')) console.error('[controllers] etcd is not run by this suite (memory and sqlite only)');
  const nodes = scaled(100, opts, 5);
  const replicas = scaled(1000, opts, 20);
  const results: ControllersResult[] = [];
  for (const backend of backends) {
    console.error(`[controllers] ${backend}: ${nodes} simulated nodes, a ${replicas}-replica Deployment`);
    results.push(await runOne(backend, nodes, replicas));
  }
  print(results);
  return results;
}

// ---- processes ----

function k8tsBin(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const p = join(dir, 'bin/k8ts.js');
    if (existsSync(p)) return p;
    dir = dirname(dir);
  }
  throw new Error('bin/k8ts.js not found above the bench');
}

const CLK_TCK = 100; // Linux USER_HZ

function procCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at state (field 3).
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK; // utime (14), stime (15)
  } catch {
    return NaN;
  }
}

async function startChild(name: string, args: string[], readyPrefix: string, timeoutMs = 120_000): Promise<Child> {
  const prof = process.env.K8TS_BENCH_CPU_PROF;
  const nodeArgs = prof ? ['--cpu-prof', '--cpu-prof-dir', prof, '--cpu-prof-name', `${name}.${Date.now()}.cpuprofile`] : [];
  const proc = spawn(process.execPath, [...nodeArgs, k8tsBin(), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const unregister = onExit(() => proc.kill('SIGKILL'));
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    if (err.length > 100_000) err = err.slice(-50_000);
  });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const readyLine = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${name} not ready in ${timeoutMs} ms:\n${err.slice(-3000)}`)), timeoutMs);
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      if (line.startsWith(readyPrefix)) {
        clearTimeout(t);
        resolve(line);
      }
    });
    void exited.then(() => {
      clearTimeout(t);
      reject(new Error(`${name} exited (${proc.exitCode ?? proc.signalCode}) before ready:\n${err.slice(-3000)}`));
    });
  });
  return {
    proc,
    readyLine,
    cpuSeconds: () => procCpuSeconds(proc.pid!),
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGINT');
        const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(t);
      }
      unregister();
    },
  };
}

// ---- one run ----

function deployment(replicas: number, image: string): Record<string, any> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: NAME, namespace: NS },
    spec: {
      replicas,
      selector: { matchLabels: { app: NAME } },
      template: {
        metadata: { labels: { app: NAME } },
        spec: {
          containers: [{ name: 'web', image, resources: { requests: { cpu: '10m', memory: '16Mi' } } }],
        },
      },
    },
  };
}

async function runOne(backend: Backend, nodes: number, replicas: number): Promise<ControllersResult> {
  const dataDir = await mkdtemp(join(tmpdir(), `k8ts-bench-controllers-${backend}-`));
  const children: Child[] = [];
  let client: BenchClient | undefined;
  const aborts: Array<() => void> = [];
  try {
    const server = await startChild(
      'server',
      ['server', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--datastore', backend, '--disable-controller-manager'],
      'ready ',
    );
    children.push(server);
    const [, url, adminKubeconfig] = server.readyLine.split(' ');
    const cmKubeconfig = await componentKubeconfig(dataDir, url!, CONTROLLER_MANAGER);
    const t0 = performance.now();
    const sim = await startChild(
      'simulate',
      // Leases renew at the upstream 10 s; no Events from the fake kubelets (the controllers' own are kept).
      ['simulate', '--kubeconfig', adminKubeconfig!, '--nodes', String(nodes), '--no-events'],
      'ready',
    );
    children.push(sim);
    console.error(`[controllers] ${nodes} nodes registered in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const cm = await startChild('controller-manager', ['controller-manager', '--kubeconfig', cmKubeconfig, '--leader-elect', 'false'], 'ready');
    children.push(cm);
    console.error(`[controllers] ${cm.readyLine}`);

    client = new BenchClient(await loadKubeconfig(adminKubeconfig!), { maxSockets: 4 });
    await createNamespace(client, NS);
    // Let the controllers and the scheduler settle (ServiceAccount, node lifecycle's first pass).
    await new Promise((r) => setTimeout(r, 2000));

    // Deployment watch: the time each generation's condition is first met.
    const deploys = await watchLines(client, `/apis/apps/v1/namespaces/${NS}/deployments`, aborts);
    // Pod watch: creations, bindings and Running, per pod uid.
    const pods = await watchLines(client, `/api/v1/namespaces/${NS}/pods`, aborts);
    const created = new Map<string, number>();
    const bound = new Map<string, number>();
    const runningAt = new Map<string, number>();
    pods.onEvent = (ev, at) => {
      const p = ev.object;
      const uid = p?.metadata?.uid as string | undefined;
      if (!uid || ev.type === 'DELETED') return;
      if (!created.has(uid)) created.set(uid, at);
      if (p.spec?.nodeName && !bound.has(uid)) bound.set(uid, at);
      if (p.status?.phase === 'Running' && !runningAt.has(uid)) runningAt.set(uid, at);
    };
    const doneAt = new Map<number, number>();
    deploys.onEvent = (ev, at) => {
      const d = ev.object;
      if (d?.metadata?.name !== NAME) return;
      const s = d.status ?? {};
      const gen = Number(d.metadata.generation);
      if (s.observedGeneration === gen && s.replicas === replicas && s.updatedReplicas === replicas && s.availableReplicas === replicas && !doneAt.has(gen)) {
        doneAt.set(gen, at);
      }
    };
    const cpuNow = () => ({ cm: cm.cpuSeconds(), server: server.cpuSeconds(), sim: sim.cpuSeconds() });
    const waitGen = async (gen: number, what: string) => {
      const deadline = performance.now() + 600_000;
      let last = performance.now();
      while (!doneAt.has(gen)) {
        if (performance.now() > deadline) throw new Error(`${what}: not done in 600 s`);
        await new Promise((r) => setTimeout(r, 50));
        if (performance.now() - last > 10_000) {
          last = performance.now();
          console.error(`[controllers] ${what}: ${created.size} pods created, ${bound.size} bound, ${runningAt.size} running`);
        }
      }
      return doneAt.get(gen)!;
    };

    // Phase 1: Available.
    const load0 = loadavg()[0]!;
    const c0 = cpuNow();
    const start = performance.now();
    const obj = await client.call('POST', `/apis/apps/v1/namespaces/${NS}/deployments`, deployment(replicas, 'nginx:1.25'));
    const gen1 = Number(obj.metadata.generation);
    const availableAt = await waitGen(gen1, 'Available');
    const c1 = cpuNow();
    const firstCreated = Math.min(...created.values());
    const createdMs = Math.max(...created.values()) - start;
    const boundMs = Math.max(...bound.values()) - start;
    const runningMs = Math.max(...runningAt.values()) - start;
    console.error(
      `[controllers] Available in ${((availableAt - start) / 1000).toFixed(2)} s (first pod seen at ${((firstCreated - start) / 1000).toFixed(2)} s, all created ${(createdMs / 1000).toFixed(2)} s, bound ${(boundMs / 1000).toFixed(2)} s, running ${(runningMs / 1000).toFixed(2)} s)`,
    );
    await new Promise((r) => setTimeout(r, 1000));

    // Phase 2: rolling update.
    const c2 = cpuNow();
    const rollStart = performance.now();
    const current = await client.call('GET', `/apis/apps/v1/namespaces/${NS}/deployments/${NAME}`);
    current.spec.template.spec.containers[0].image = 'nginx:1.26';
    const updated = await client.call('PUT', `/apis/apps/v1/namespaces/${NS}/deployments/${NAME}`, current);
    const rolledAt = await waitGen(Number(updated.metadata.generation), 'rolling update');
    const c3 = cpuNow();
    console.error(`[controllers] rolling update in ${((rolledAt - rollStart) / 1000).toFixed(2)} s`);
    const rsList = await client.call('GET', `/apis/apps/v1/namespaces/${NS}/replicasets`);
    const old = (rsList.items as any[]).find((rs) => rs.spec.template.spec.containers[0].image === 'nginx:1.25');

    return {
      backend,
      nodes,
      replicas,
      availableMs: availableAt - start,
      rolloutMs: rolledAt - rollStart,
      createdMs,
      boundMs,
      runningMs,
      cmCpu: { available: c1.cm - c0.cm, rollout: c3.cm - c2.cm },
      serverCpu: { available: c1.server - c0.server, rollout: c3.server - c2.server },
      simCpu: { available: c1.sim - c0.sim, rollout: c3.sim - c2.sim },
      oldReplicaSetReplicas: old?.spec?.replicas,
      load: [load0, loadavg()[0]!],
      podEvents: pods.events,
      deploymentEvents: deploys.events,
      watchReopened: pods.reopened + deploys.reopened,
      watchErrors: pods.errors + deploys.errors,
    };
  } finally {
    for (const a of aborts) a();
    client?.close();
    // Controllers first, then the nodes, then the control plane.
    for (const c of children.reverse()) await c.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

interface LineWatch {
  events: number;
  /** Times the stream ended or failed and was opened again; ERROR events (410 Expired) among them. */
  reopened: number;
  errors: number;
  onEvent: (ev: { type: string; object: any }, at: number) => void;
}

/**
 * A watch of `listPath` that survives the server dropping it (a slow reader under load gets 410 or
 * a closed stream): it resumes from the last resourceVersion seen, or lists again (feeding the items
 * as ADDED) when that is too old. Resolves once the first stream is open.
 */
async function watchLines(client: BenchClient, listPath: string, aborts: Array<() => void>): Promise<LineWatch> {
  const w: LineWatch = { events: 0, reopened: 0, errors: 0, onEvent: () => {} };
  let rv = '';
  let stopped = false;
  let abortCurrent = () => {};
  aborts.push(() => {
    stopped = true;
    abortCurrent();
  });
  const reopen = (delayMs: number) =>
    setTimeout(() => {
      if (!stopped) open().catch(() => reopen(1000));
    }, delayMs);
  const open = async (): Promise<void> => {
    let expired = false;
    if (!rv) {
      const list = await client.call('GET', listPath);
      rv = String(list.metadata.resourceVersion);
      const at = performance.now();
      for (const object of list.items as any[]) w.onEvent({ type: 'ADDED', object }, at);
    }
    const { res, abort } = await client.stream(`${listPath}?watch=true&allowWatchBookmarks=true&resourceVersion=${rv}`);
    abortCurrent = abort;
    const splitter = new LineSplitter((buf, s, e) => {
      const at = performance.now();
      const ev = JSON.parse(buf.toString('utf8', s, e));
      if (ev.type === 'ERROR') {
        expired = true;
        if (!w.errors++) console.error(`[controllers] watch ${listPath}: ${ev.object?.code} ${ev.object?.reason}: ${ev.object?.message}`);
        return;
      }
      const v = ev.object?.metadata?.resourceVersion;
      if (v) rv = String(v);
      if (ev.type === 'BOOKMARK') return;
      w.events++;
      w.onEvent(ev, at);
    });
    res.on('data', (c: Buffer) => splitter.push(c));
    let reopening = false;
    const again = () => {
      if (stopped || reopening) return;
      reopening = true;
      w.reopened++;
      if (expired) rv = '';
      reopen(100);
    };
    res.once('end', again);
    res.once('error', () => {});
    res.once('close', () => {
      if (!res.readableEnded) again();
    });
  };
  await open();
  return w;
}

// ---- output ----

function print(results: ControllersResult[]): void {
  const s = (ms: number) => (ms / 1000).toFixed(2);
  const per1k = (cpu: number, pods: number) => ((cpu * 1000) / pods).toFixed(2);
  printTable(
    'controllers: a Deployment on simulated nodes (API server + scheduler | controller manager | simulator: separate processes)',
    ['backend', 'nodes', 'replicas', 'phase', 'seconds', 'CM CPU s', 'CM CPU s / 1k pods', 'server CPU s', 'simulator CPU s'],
    results.flatMap((r) => [
      [r.backend, String(r.nodes), r.replicas.toLocaleString('en-US'), 'create → Available', s(r.availableMs), r.cmCpu.available.toFixed(2), per1k(r.cmCpu.available, r.replicas), r.serverCpu.available.toFixed(2), r.simCpu.available.toFixed(2)],
      [r.backend, String(r.nodes), r.replicas.toLocaleString('en-US'), 'rolling update', s(r.rolloutMs), r.cmCpu.rollout.toFixed(2), per1k(r.cmCpu.rollout, r.replicas), r.serverCpu.rollout.toFixed(2), r.simCpu.rollout.toFixed(2)],
    ]),
  );
  for (const r of results) {
    note(
      `${r.backend}: create phase: last pod created at ${s(r.createdMs)} s, last bound ${s(r.boundMs)} s, last Running ${s(r.runningMs)} s; ` +
        `old ReplicaSet spec.replicas after the update: ${r.oldReplicaSetReplicas}; watch events: ${r.podEvents} pod, ${r.deploymentEvents} deployment (streams reopened: ${r.watchReopened}, after an ERROR: ${r.watchErrors}); ` +
        `load average ${r.load[0].toFixed(1)} → ${r.load[1].toFixed(1)} on ${cpus().length} cores`,
    );
  }
  for (const r of results) {
    note(`Target (${r.backend}): Available ${s(r.availableMs)} s (target <= 20 s); rolling update ${s(r.rolloutMs)} s (target <= 40 s)`);
  }
  note('CM CPU s / 1k pods: rolling update counts the 1,000 new pods (and the 1,000 old ones it deletes).');
}
