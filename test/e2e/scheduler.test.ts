// The scheduler end to end: a real `k8ts server` (which runs the scheduler), simulated nodes from real
// `k8ts simulate` processes, pods applied and inspected with the real kubectl.
//
// Nodes (one `k8ts simulate --nodes 1` each; the node is `<prefix>0`):
//   a-0  zone z1, disk=ssd              4 cpu,  8Gi
//   b-0  zone z1, disk=hdd              2 cpu,  4Gi
//   c-0  zone z2, disk=ssd              8 cpu, 16Gi
//   d-0  zone z2, gpu=true              16 cpu, 32Gi, taint gpu=true:NoSchedule
//   e-0  zone z3                        1 cpu,  2Gi, taint dedicated=infra:NoSchedule
// and later f-0 (zone z3, untainted) to unblock a pending pod.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { K8TS_BIN, kubectl, kubectlOk, startServer, waitFor, type ServerProcess } from './harness.js';

interface SimNode {
  prefix: string;
  cpu: string;
  memory: string;
  labels: string;
  taints?: string;
}

const NODES: SimNode[] = [
  { prefix: 'a-', cpu: '4', memory: '8Gi', labels: 'topology.kubernetes.io/zone=z1,disk=ssd' },
  { prefix: 'b-', cpu: '2', memory: '4Gi', labels: 'topology.kubernetes.io/zone=z1,disk=hdd' },
  { prefix: 'c-', cpu: '8', memory: '16Gi', labels: 'topology.kubernetes.io/zone=z2,disk=ssd' },
  { prefix: 'd-', cpu: '16', memory: '32Gi', labels: 'topology.kubernetes.io/zone=z2,gpu=true', taints: 'gpu=true:NoSchedule' },
  { prefix: 'e-', cpu: '1', memory: '2Gi', labels: 'topology.kubernetes.io/zone=z3', taints: 'dedicated=infra:NoSchedule' },
];

const sims: ChildProcess[] = [];

/** Starts `k8ts simulate` for one node; resolves when it prints `ready`. */
async function simulate(server: ServerProcess, n: SimNode, ipOffset: number): Promise<void> {
  const args = [K8TS_BIN, 'simulate', '--kubeconfig', server.kubeconfig, '--nodes', '1', '--name-prefix', n.prefix];
  args.push('--cpu', n.cpu, '--memory', n.memory, '--pods', '20', '--labels', n.labels, '--ip-offset', String(ipOffset));
  if (n.taints) args.push('--taints', n.taints);
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  sims.push(proc);
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`simulate ${n.prefix} not ready in 30 s:\n${err}`)), 30_000);
    createInterface({ input: proc.stdout! }).on('line', (l) => {
      if (l.startsWith('ready')) {
        clearTimeout(t);
        resolve();
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`simulate ${n.prefix} exited (${code}):\n${err}`));
    });
  });
}

interface PodOpts {
  labels?: Record<string, string>;
  cpu?: string;
  nodeSelector?: Record<string, string>;
  affinity?: unknown;
  tolerations?: unknown[];
  topologySpreadConstraints?: unknown[];
  priorityClassName?: string;
}

function pod(name: string, o: PodOpts = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'sched', labels: o.labels ?? { app: name } },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: o.cpu ?? '100m', memory: '64Mi' } } }],
      ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}),
      ...(o.affinity ? { affinity: o.affinity } : {}),
      ...(o.tolerations ? { tolerations: o.tolerations } : {}),
      ...(o.topologySpreadConstraints ? { topologySpreadConstraints: o.topologySpreadConstraints } : {}),
      ...(o.priorityClassName ? { priorityClassName: o.priorityClassName } : {}),
    },
  };
}

const ZONE = 'topology.kubernetes.io/zone';
const HOST = 'kubernetes.io/hostname';

describe('scheduler end to end (server + k8ts simulate + kubectl)', { timeout: 120_000 }, () => {
  let server: ServerProcess;
  const apply = (...objs: Record<string, unknown>[]) =>
    kubectlOk(server, ['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objs }) });
  const nodeOf = (name: string) => kubectlOk(server, ['get', 'pod', '-n', 'sched', name, '-o', 'jsonpath={.spec.nodeName}']).trim();
  const waitBound = async (...names: string[]) => {
    for (const n of names) await waitFor(`pod ${n} bound`, () => nodeOf(n) !== '', 20_000);
  };

  before(async () => {
    server = await startServer({ datastore: 'memory' });
    await Promise.all(NODES.map((n, i) => simulate(server, n, i * 10)));
    kubectlOk(server, ['create', 'namespace', 'sched']);
  });

  after(async () => {
    for (const p of sims) p.kill('SIGINT');
    await Promise.all(sims.map((p) => (p.exitCode === null && p.signalCode === null ? new Promise((r) => p.once('exit', r)) : undefined)));
    await server?.cleanup();
  });

  it('places pods by nodeSelector, node affinity, tolerations and resource requests', async () => {
    apply(
      pod('by-selector', { nodeSelector: { disk: 'hdd' } }),
      pod('gpu', {
        affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'gpu', operator: 'In', values: ['true'] }] }] } } },
        tolerations: [{ key: 'gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' }],
      }),
      // Preferred affinity for the smallest node outweighs the resource scores favouring big nodes.
      pod('prefers-hdd', { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['hdd'] }] } }] } } }),
      pod('infra', { nodeSelector: { [ZONE]: 'z3' }, tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }] }),
      // 6 cpu fits only c-0 (8 cpu) among untainted nodes; d-0 has 16 but a taint.
      pod('big', { cpu: '6' }),
    );
    await waitBound('by-selector', 'gpu', 'prefers-hdd', 'infra', 'big');
    assert.equal(nodeOf('by-selector'), 'b-0');
    assert.equal(nodeOf('gpu'), 'd-0');
    assert.equal(nodeOf('prefers-hdd'), 'b-0');
    assert.equal(nodeOf('infra'), 'e-0');
    assert.equal(nodeOf('big'), 'c-0');
  });

  it('honours pod affinity and anti-affinity', async () => {
    apply(pod('web', { labels: { app: 'web' }, nodeSelector: { disk: 'hdd' } }));
    await waitBound('web');
    apply(
      pod('cache', { labels: { app: 'cache' }, affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: HOST, labelSelector: { matchLabels: { app: 'web' } } }] } } }),
      // Not in web's zone (z1): z2 or z3, and of those only c-0 is untainted.
      pod('away-zone', { labels: { app: 'away' }, affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: ZONE, labelSelector: { matchLabels: { app: 'web' } } }] } } }),
      // Not on the node of `big` (c-0), though c-0 is the emptiest node.
      pod('not-with-big', { labels: { app: 'nwb' }, affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: HOST, labelSelector: { matchLabels: { app: 'big' } } }] } } }),
    );
    await waitBound('cache', 'away-zone', 'not-with-big');
    assert.equal(nodeOf('cache'), 'b-0');
    assert.equal(nodeOf('away-zone'), 'c-0');
    assert.ok(['a-0', 'b-0'].includes(nodeOf('not-with-big')), nodeOf('not-with-big'));
  });

  it('spreads pods across zones (DoNotSchedule)', async () => {
    const spread = (i: number) =>
      pod(`spread-${i}`, {
        labels: { app: 'spread' },
        affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: ZONE, operator: 'In', values: ['z1', 'z2'] }] }] } } },
        topologySpreadConstraints: [{ maxSkew: 1, topologyKey: ZONE, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'spread' } } }],
      });
    apply(spread(0), spread(1), spread(2), spread(3));
    await waitBound('spread-0', 'spread-1', 'spread-2', 'spread-3');
    const zoneOf: Record<string, string> = { 'a-0': 'z1', 'b-0': 'z1', 'c-0': 'z2', 'd-0': 'z2' };
    const counts: Record<string, number> = {};
    for (let i = 0; i < 4; i++) {
      const z = zoneOf[nodeOf(`spread-${i}`)]!;
      counts[z] = (counts[z] ?? 0) + 1;
    }
    // Without the constraint all four would go to the emptiest node (c-0, z2).
    assert.deepEqual(counts, { z1: 2, z2: 2 });
  });

  it('reports FailedScheduling and schedules the pod once a fitting node appears', async () => {
    apply(pod('waiting', { nodeSelector: { [ZONE]: 'z3' } }));
    await waitFor(
      'FailedScheduling',
      () => kubectlOk(server, ['describe', 'pod', '-n', 'sched', 'waiting']).includes('FailedScheduling'),
      20_000,
    );
    const described = kubectlOk(server, ['describe', 'pod', '-n', 'sched', 'waiting']);
    assert.ok(
      described.includes(
        "0/5 nodes are available: 1 node(s) had untolerated taint {dedicated: infra}, 1 node(s) had untolerated taint {gpu: true}, 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/5 nodes are available: 5 Preemption is not helpful for scheduling.",
      ),
      described,
    );
    assert.equal(kubectlOk(server, ['get', 'pod', '-n', 'sched', 'waiting', '-o', 'jsonpath={.status.conditions[?(@.type=="PodScheduled")].reason}']).trim(), 'Unschedulable');
    await simulate(server, { prefix: 'f-', cpu: '2', memory: '4Gi', labels: `${ZONE}=z3` }, 100);
    await waitBound('waiting');
    assert.equal(nodeOf('waiting'), 'f-0');
  });

  it('a high-priority pod preempts a low-priority one', async () => {
    apply(
      { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'low' }, value: 100 },
      { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'high' }, value: 1000 },
    );
    // f-0 (2 cpu) holds `waiting` (100m, priority 0). `low` takes 1.5 cpu; `high` needs 1 cpu more than
    // is left. Victims are chosen least important last: `waiting` fits back beside `high`, `low` does not.
    apply(pod('low', { cpu: '1500m', nodeSelector: { [ZONE]: 'z3' }, priorityClassName: 'low' }));
    await waitBound('low');
    assert.equal(nodeOf('low'), 'f-0');
    apply(pod('high', { cpu: '1', nodeSelector: { [ZONE]: 'z3' }, priorityClassName: 'high' }));
    await waitFor('high bound', () => nodeOf('high') === 'f-0', 30_000);
    assert.equal(nodeOf('waiting'), 'f-0');
    const low = kubectl(server, ['get', 'pod', '-n', 'sched', 'low', '-o', 'jsonpath={.metadata.deletionTimestamp}']);
    const debug = () =>
      kubectl(server, ['get', 'pods', '-n', 'sched', '-o', 'wide']).stdout +
      kubectl(server, ['get', 'events', '-n', 'sched', '-o', 'wide']).stdout.split('\n').filter((l) => /low|high/.test(l)).join('\n') +
      kubectl(server, ['describe', 'node', 'b-0']).stdout;
    assert.ok(low.code !== 0 || low.stdout.trim() !== '', `the low-priority pod is gone or terminating\n${debug()}`);
    const events = kubectlOk(server, ['get', 'events', '-n', 'sched', '--field-selector', 'involvedObject.name=low', '-o', 'jsonpath={.items[*].reason}']);
    assert.match(events, /Preempted/);
    assert.equal(kubectlOk(server, ['get', 'pod', '-n', 'sched', 'high', '-o', 'jsonpath={.spec.priority}']).trim(), '1000');
  });
});
