// In-process scheduling throughput (no API server): N nodes, M pods, default plugins, instant binds.
// node --import tsx src/scheduler/throughput.bench.ts [nodes] [pods] [anti]
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { Scheduler, type SchedulerApi } from './scheduler.js';
import { defaultProfile } from './profile.js';
import { PluginMetrics } from './framework/runtime.js';

const nodes = Number(process.argv[2] ?? 5000);
const pods = Number(process.argv[3] ?? 10000);
const anti = process.argv[4] === 'anti';
let s!: Scheduler;
const api: SchedulerApi = {
  async bind(pod, nodeName) {
    s.onPodUpdate(pod, { ...pod, spec: { ...pod.spec!, nodeName } });
  },
  async deletePod() {},
  async patchPodStatus() {},
  event() {},
};
const metrics = new PluginMetrics(10);
s = new Scheduler({ api, plugins: defaultProfile(), queueTimers: false, metrics });
for (let i = 0; i < nodes; i++) {
  s.onNodeAdd({
    metadata: { name: `sim-${i}`, labels: { 'kubernetes.io/hostname': `sim-${i}`, 'topology.kubernetes.io/zone': `z${i % 3}` } },
    status: { allocatable: { cpu: '32', memory: '256Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] },
  } as Node);
}
const ac = new AbortController();
const run = s.run(ac.signal);
const t0 = performance.now();
for (let i = 0; i < pods; i++) {
  const p: Pod = {
    metadata: { name: `p-${i}`, namespace: 'default', uid: `u-${i}`, labels: { app: anti ? `a${i % 1000}` : 'x' }, creationTimestamp: '2024-01-01T00:00:00Z' },
    spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9', resources: { requests: { cpu: '100m', memory: '500Mi' } } }] },
  };
  if (anti) {
    p.spec!.affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: `a${i % 1000}` } } }] } };
  }
  s.onPodAdd(p);
}
while (s.stats.bound + s.stats.unschedulable < pods) await new Promise((r) => setTimeout(r, 20));
const ms = performance.now() - t0;
console.log(`${nodes} nodes, ${pods} pods${anti ? ' (anti-affinity)' : ''}: ${(pods / (ms / 1000)).toFixed(0)} pods/s (${ms.toFixed(0)} ms), stats ${JSON.stringify(s.stats)}`);
for (const r of metrics.rows().slice(0, 14)) console.log(`  ${r.point.padEnd(10)} ${r.plugin.padEnd(32)} ${(r.ms * 10).toFixed(0).padStart(7)} ms (est.)`);
ac.abort();
await run;
await s.stop();
