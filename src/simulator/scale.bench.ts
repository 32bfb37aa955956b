// Scale check: N simulated nodes in one process against a memory-store server.
//   node --expose-gc --import tsx src/simulator/scale.bench.ts [nodes=5000] [steadySeconds=30] [pods=1000] [podsPerSecond=0 (as fast as 32 creators go)]
// Prints registration time, this process's memory, sustained lease renewals, and pod startup
// latency (create → Running seen by a watch) for pods spread over the nodes.

import type { KubeObject } from '../api/registry.js';
import { NAMESPACES, PODS, RestClient, SharedInformer } from '../client/index.js';
import { startTestServer } from '../client/testing/server.js';
import { startSimulator } from './index.js';

const nodes = Number(process.argv[2] ?? 5000);
const steadySeconds = Number(process.argv[3] ?? 30);
const podCount = Number(process.argv[4] ?? 1000);
const gc = (globalThis as { gc?: () => void }).gc;

function mem(): { heapMB: number; rssMB: number } {
  gc?.();
  const m = process.memoryUsage();
  return { heapMB: Math.round(m.heapUsed / 1e6), rssMB: Math.round(m.rss / 1e6) };
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

const server = await startTestServer();
const serverCpu0 = await cpuOf(server.proc.pid!);
const before = mem();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const sim = await startSimulator({ kubeconfig: server.kubeconfig, nodes, events: false, log: (m) => console.error(m) });
const regMs = performance.now() - t0;
const cpuReg = process.cpuUsage(cpu0);
const after = mem();
console.log(`register ${nodes} nodes + leases: ${(regMs / 1000).toFixed(1)} s (${Math.round(nodes / (regMs / 1000))} nodes/s), simulator CPU ${((cpuReg.user + cpuReg.system) / 1e6).toFixed(1)} s`);
console.log(`simulator memory: heap ${before.heapMB} → ${after.heapMB} MB, rss ${before.rssMB} → ${after.rssMB} MB (${(((after.heapMB - before.heapMB) * 1e6) / Math.max(1, nodes) / 1024).toFixed(1)} KiB heap/node)`);

// Steady state: leases renewed every 10 s, spread.
const renew0 = sim.fleet.stats.leaseRenewals;
const cpu1 = process.cpuUsage();
const srv1 = await cpuOf(server.proc.pid!);
await new Promise((r) => setTimeout(r, steadySeconds * 1000));
const cpuSteady = process.cpuUsage(cpu1);
const srv2 = await cpuOf(server.proc.pid!);
const renewals = sim.fleet.stats.leaseRenewals - renew0;
console.log(
  `steady ${steadySeconds} s: ${renewals} lease renewals (${(renewals / steadySeconds).toFixed(0)}/s, want ${(nodes / 10).toFixed(0)}/s), ` +
    `errors ${sim.fleet.stats.leaseErrors}, simulator CPU ${(((cpuSteady.user + cpuSteady.system) / 1e6 / steadySeconds) * 100).toFixed(0)}%, ` +
    `server CPU ${(((srv2 - srv1) / steadySeconds) * 100).toFixed(0)}%`,
);
console.log(`memory after steady: ${JSON.stringify(mem())}`);

// Pod startup latency.
if (podCount > 0) {
  const client = await RestClient.fromKubeconfig(server.kubeconfig, { qps: 0 });
  await client.resource(NAMESPACES).create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } });
  const pods = client.resource<KubeObject>(PODS);
  const createdAt = new Map<string, number>();
  const latency: number[] = [];
  const createLatency: number[] = [];
  const rate = Number(process.argv[5] ?? 0);
  let resolveAll!: () => void;
  const all = new Promise<void>((r) => (resolveAll = r));
  // An informer (not a bare watch) so a dropped watch resumes without losing updates.
  const inf = new SharedInformer<KubeObject>(client, PODS, { namespace: 'bench' });
  const seen = (o: KubeObject & { status?: { phase?: string } }) => {
    const name = o.metadata?.name ?? '';
    const c = createdAt.get(name);
    if (c !== undefined && o.status?.phase === 'Running') {
      latency.push(performance.now() - c);
      createdAt.delete(name);
      if (latency.length === podCount) resolveAll();
    }
  };
  inf.addEventHandler({ onAdd: seen, onUpdate: (_o, n) => seen(n) });
  inf.start();
  await inf.waitForSync();
  const tp = performance.now();
  let next = 0;
  // 100 pods/s … as fast as 32 creators go: report both shapes of load by creating with concurrency.
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < podCount) {
        const i = next++;
        if (rate > 0) {
          const due = tp + (i * 1000) / rate;
          const wait = due - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        }
        const name = `p${i}`;
        const c0 = performance.now();
        createdAt.set(name, c0);
        await pods.create('bench', {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name },
          spec: { nodeName: sim.nodes[i % sim.nodes.length], containers: [{ name: 'c', image: 'pause' }] },
        });
        createLatency.push(performance.now() - c0);
      }
    }),
  );
  await Promise.race([all, new Promise((r) => setTimeout(r, 120_000))]);
  const total = performance.now() - tp;
  await inf.stop();
  console.log(
    `pods: ${latency.length}/${podCount} Running in ${(total / 1000).toFixed(1)} s (${Math.round(latency.length / (total / 1000))}/s); ` +
      `startup p50 ${pct(latency, 50).toFixed(0)} ms, p99 ${pct(latency, 99).toFixed(0)} ms, max ${Math.max(...latency).toFixed(0)} ms; ` +
      `create request p50 ${pct(createLatency, 50).toFixed(0)} ms p99 ${pct(createLatency, 99).toFixed(0)} ms; ` +
      `status writes ${sim.pods.stats.statusWrites}, conflicts ${sim.pods.stats.conflicts}`,
  );
  client.close();
}

await sim.stop();
await server.stop();

/** CPU seconds used so far by a process (Linux /proc). */
async function cpuOf(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  try {
    const f = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}
