import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod, Taint } from 'kubernetes-types/core/v1.js';
import { POD_REVISION_LABEL } from '../history/index.js';
import { FailedPodBackoff } from './backoff.js';
import {
  addDaemonTolerations,
  computeStatus,
  daemonPodTemplate,
  manage,
  matchesTemplate,
  newDaemonSetRevision,
  nodeNameAffinity,
  nodeShouldRunDaemonPod,
  planDaemonSet,
  revisionsToClean,
  rollingUpdate,
  targetNodeName,
  type DaemonSetState,
} from './index.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');

function ds(extra: Partial<NonNullable<DaemonSet['spec']>> = {}, image = 'agent:1'): DaemonSet {
  return {
    metadata: { name: 'agent', namespace: 'kube-system', uid: 'ds-uid', generation: 3 },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image }] } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      revisionHistoryLimit: 10,
      ...extra,
    },
  };
}

function node(name: string, labels: Record<string, string> = {}, taints: Taint[] = []): Node {
  return { metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } }, spec: { taints } };
}

let seq = 0;
function pod(nodeName: string, hash: string, opts: { ready?: boolean; phase?: string; bound?: boolean; created?: number; deleting?: boolean } = {}): Pod {
  const name = `agent-${++seq}`;
  const bound = opts.bound ?? true;
  return {
    metadata: {
      name,
      namespace: 'kube-system',
      labels: { app: 'agent', [POD_REVISION_LABEL]: hash },
      creationTimestamp: new Date(opts.created ?? NOW - 60_000 + seq).toISOString(),
      ...(opts.deleting ? { deletionTimestamp: new Date(NOW).toISOString() } : {}),
    },
    spec: { containers: [], ...(bound ? { nodeName } : { affinity: nodeNameAffinity(undefined, nodeName) }) },
    status: {
      phase: opts.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True', lastTransitionTime: new Date(NOW - 30_000).toISOString() }],
    },
  };
}

function state(d: DaemonSet, nodes: Node[], pods: Pod[], hash = 'h2'): DaemonSetState {
  return { ds: d, nodes, pods, hash, now: NOW };
}

test('default daemon tolerations, network-unavailable only for host network', () => {
  const spec = { containers: [], tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }] };
  addDaemonTolerations(spec);
  const keys = spec.tolerations.map((t) => `${t.key}:${t.effect}`);
  assert.deepEqual(keys, [
    'node.kubernetes.io/not-ready:NoExecute',
    'node.kubernetes.io/unreachable:NoExecute',
    'node.kubernetes.io/disk-pressure:NoSchedule',
    'node.kubernetes.io/memory-pressure:NoSchedule',
    'node.kubernetes.io/pid-pressure:NoSchedule',
    'node.kubernetes.io/unschedulable:NoSchedule',
  ]);
  // The NoExecute tolerations have no time limit (the existing one was replaced).
  assert.equal((spec.tolerations[0] as { tolerationSeconds?: number }).tolerationSeconds, undefined);
  const hn = { containers: [], hostNetwork: true } as { containers: never[]; hostNetwork: boolean; tolerations?: { key?: string }[] };
  addDaemonTolerations(hn);
  assert.ok(hn.tolerations!.some((t) => t.key === 'node.kubernetes.io/network-unavailable'));
  const t = daemonPodTemplate(ds(), 'abc');
  assert.equal(t.metadata!.labels![POD_REVISION_LABEL], 'abc');
  assert.equal(t.spec!.tolerations!.length, 6);
});

test('eligibility: nodeSelector, required affinity, taints vs tolerations', () => {
  const plain = ds();
  assert.deepEqual(nodeShouldRunDaemonPod(node('n1'), plain), { shouldRun: true, shouldContinueRunning: true });
  const sel = ds({ template: { ...plain.spec!.template, spec: { ...plain.spec!.template.spec!, nodeSelector: { disk: 'ssd' } } } });
  assert.equal(nodeShouldRunDaemonPod(node('n1'), sel).shouldRun, false);
  assert.equal(nodeShouldRunDaemonPod(node('n1', { disk: 'ssd' }), sel).shouldRun, true);
  const aff = ds({
    template: {
      ...plain.spec!.template,
      spec: {
        ...plain.spec!.template.spec!,
        affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] } } },
      },
    },
  });
  assert.equal(nodeShouldRunDaemonPod(node('n1', { zone: 'b' }), aff).shouldRun, false);
  assert.equal(nodeShouldRunDaemonPod(node('n1', { zone: 'a' }), aff).shouldRun, true);
  // Default tolerations cover not-ready NoExecute and unschedulable NoSchedule.
  assert.equal(nodeShouldRunDaemonPod(node('n1', {}, [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }]), plain).shouldRun, true);
  assert.equal(nodeShouldRunDaemonPod(node('n1', {}, [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }]), plain).shouldRun, true);
  assert.equal(nodeShouldRunDaemonPod(node('n1', {}, [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }]), plain).shouldRun, false);
  // An untolerated NoSchedule taint: no new pod, but an existing one may stay; NoExecute: it must go.
  assert.deepEqual(nodeShouldRunDaemonPod(node('n1', {}, [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]), plain), { shouldRun: false, shouldContinueRunning: true });
  assert.deepEqual(nodeShouldRunDaemonPod(node('n1', {}, [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }]), plain), { shouldRun: false, shouldContinueRunning: false });
  const tolerating = ds({ template: { ...plain.spec!.template, spec: { ...plain.spec!.template.spec!, tolerations: [{ key: 'dedicated', operator: 'Exists' }] } } });
  assert.equal(nodeShouldRunDaemonPod(node('n1', {}, [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }]), tolerating).shouldRun, true);
  const pinned = ds({ template: { ...plain.spec!.template, spec: { ...plain.spec!.template.spec!, nodeName: 'n2' } } });
  assert.equal(nodeShouldRunDaemonPod(node('n1'), pinned).shouldRun, false);
});

test('node-name affinity replaces only the required node affinity; target node from it', () => {
  const a = nodeNameAffinity({ podAntiAffinity: {}, nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'x', operator: 'Exists' }] }] }, preferredDuringSchedulingIgnoredDuringExecution: [] } }, 'n7');
  assert.deepEqual(a.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution, { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n7'] }] }] });
  assert.deepEqual(a.podAntiAffinity, {});
  assert.deepEqual(a.nodeAffinity!.preferredDuringSchedulingIgnoredDuringExecution, []);
  assert.equal(targetNodeName({ spec: { containers: [], affinity: a } }), 'n7');
  assert.equal(targetNodeName({ spec: { containers: [], nodeName: 'n3', affinity: a } }), 'n3');
  assert.equal(targetNodeName({ spec: { containers: [] } }), undefined);
});

test('manage: create on nodes without a pod, delete where it must not run, prune extras, replace failed', () => {
  const nodes = [node('n1'), node('n2'), node('n3', {}, [{ key: 'k', effect: 'NoExecute' }]), node('n4')];
  const keep = pod('n1', 'h2');
  const extra = pod('n1', 'h2');
  const onTainted = pod('n3', 'h2');
  const failed = pod('n4', 'h2', { phase: 'Failed' });
  const onGoneNodeUnbound = pod('gone', 'h2', { bound: false });
  const onGoneNodeBound = pod('gone2', 'h2');
  const plan = manage(state(ds(), nodes, [keep, extra, onTainted, failed, onGoneNodeUnbound, onGoneNodeBound]));
  assert.deepEqual(plan.createOn, ['n2']);
  assert.deepEqual(new Set(plan.delete), new Set([extra.metadata!.name, onTainted.metadata!.name, failed.metadata!.name, onGoneNodeUnbound.metadata!.name]));
  assert.deepEqual(plan.failedOn, ['n4']);
  // In backoff, the failed pod stays for now.
  const s = state(ds(), nodes, [failed]);
  s.inFailedBackoff = (n) => n === 'n4';
  const p2 = manage(s);
  assert.deepEqual(p2.delete, []);
  assert.deepEqual(p2.backedOff, ['n4']);
  // A pod being deleted is not replaced until it is gone.
  assert.deepEqual(manage(state(ds(), [node('n1')], [pod('n1', 'h2', { deleting: true })])).createOn, []);
});

test('rolling update without surge: delete old pods within maxUnavailable', () => {
  const nodes = [node('n1'), node('n2'), node('n3')];
  const olds = nodes.map((n) => pod(n.metadata!.name!, 'h1'));
  let plan = planDaemonSet(state(ds(), nodes, olds));
  assert.deepEqual(plan.createOn, []);
  assert.equal(plan.delete.length, 1);
  // One new pod not yet available: nothing more to delete.
  const mixed = [pod('n1', 'h2', { ready: false }), olds[1]!, olds[2]!];
  plan = planDaemonSet(state(ds(), nodes, mixed));
  assert.deepEqual(plan.delete, []);
  // maxUnavailable 2 → two deletions; an old unavailable pod is always replaced.
  const two = ds({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '50%', maxSurge: 0 } } });
  plan = rollingUpdate(state(two, nodes, olds));
  assert.equal(plan.delete.length, 2);
  const sick = [pod('n1', 'h1', { ready: false }), olds[1]!, olds[2]!];
  plan = rollingUpdate(state(ds(), nodes, sick));
  assert.deepEqual(plan.delete, [sick[0]!.metadata!.name]);
  // OnDelete: the manage pass only.
  assert.deepEqual(planDaemonSet(state(ds({ updateStrategy: { type: 'OnDelete' } }), nodes, olds)).delete, []);
});

test('rolling update with surge: new pod beside the old, old one goes once the new is available', () => {
  const surge = ds({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } });
  const nodes = [node('n1'), node('n2')];
  const olds = [pod('n1', 'h1'), pod('n2', 'h1')];
  let plan = planDaemonSet(state(surge, nodes, olds));
  assert.deepEqual(plan.createOn, ['n1']);
  assert.deepEqual(plan.delete, []);
  const newNotReady = pod('n1', 'h2', { ready: false });
  plan = planDaemonSet(state(surge, nodes, [...olds, newNotReady]));
  assert.deepEqual(plan, { createOn: [], delete: [], failedOn: [], backedOff: [] });
  const newReady = pod('n1', 'h2');
  plan = planDaemonSet(state(surge, nodes, [...olds, newReady]));
  assert.deepEqual(plan.delete, [olds[0]!.metadata!.name]);
});

test('status counts', () => {
  const nodes = [node('n1'), node('n2'), node('n3'), node('n4', {}, [{ key: 'k', effect: 'NoSchedule' }])];
  const pods = [pod('n1', 'h2'), pod('n2', 'h1', { ready: false }), pod('n4', 'h2')];
  const { status } = computeStatus(state(ds(), nodes, pods));
  assert.equal(status.desiredNumberScheduled, 3);
  assert.equal(status.currentNumberScheduled, 2);
  assert.equal(status.numberMisscheduled, 1);
  assert.equal(status.numberReady, 1);
  assert.equal(status.numberAvailable, 1);
  assert.equal(status.numberUnavailable, 2);
  assert.equal(status.updatedNumberScheduled, 1);
  assert.equal(status.observedGeneration, 3);
  const slow = computeStatus(state(ds({ minReadySeconds: 60 }), nodes, pods));
  assert.equal(slow.status.numberAvailable, undefined);
  assert.equal(slow.requeueAfterMs, 60_000);
});

test('revisions: data is the template patch, name <ds>-<hash>, collision count changes the name, cleanup keeps live ones', () => {
  const d = ds();
  const r = newDaemonSetRevision(d, 1);
  const hash = r.metadata!.labels![POD_REVISION_LABEL]!;
  assert.equal(r.metadata!.name, `agent-${hash}`);
  assert.ok(matchesTemplate(d, r));
  assert.ok(!matchesTemplate(ds({}, 'agent:2'), r));
  assert.notEqual(newDaemonSetRevision({ ...d, status: { collisionCount: 1 } as never }, 1).metadata!.name, r.metadata!.name);
  const old = [1, 2, 3].map((n) => ({ ...newDaemonSetRevision(ds({}, `agent:${n}`), n) }));
  const limited = ds({ revisionHistoryLimit: 1 });
  const live = [pod('n1', old[0]!.metadata!.labels![POD_REVISION_LABEL]!)];
  assert.deepEqual(revisionsToClean(limited, old, live).map((x) => x.revision), [2, 3]);
  assert.deepEqual(revisionsToClean(ds({ revisionHistoryLimit: 2 }), old, live).map((x) => x.revision), [2]);
});

test('failed-pod backoff doubles', () => {
  let now = 0;
  const b = new FailedPodBackoff(1000, 8000, () => now);
  b.next('k');
  assert.ok(b.inBackoff('k'));
  now = 1001;
  assert.ok(!b.inBackoff('k'));
  b.next('k');
  assert.equal(b.remaining('k'), 2000);
});
