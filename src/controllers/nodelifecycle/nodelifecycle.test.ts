import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Node, Pod, Toleration } from 'kubernetes-types/core/v1.js';
import { FakeClock, rfc3339 } from './clock.js';
import { decideEviction, minTolerationMs, toleratesTaint } from './eviction.js';
import { observeHealth, staleConditions } from './health.js';
import { disruptionTargetConditions, podNotReadyConditions } from './pods.js';
import { reconcileTaints, TAINT_NOT_READY, TAINT_UNREACHABLE } from './taints.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const GRACE = 40_000;

function node(ready?: string, heartbeat = rfc3339(T0), extra: Partial<Node> = {}): Node {
  return {
    metadata: { name: 'n1', creationTimestamp: rfc3339(T0 - 60_000) },
    spec: {},
    status: {
      conditions: ready
        ? [
            { type: 'Ready', status: ready, lastHeartbeatTime: heartbeat, lastTransitionTime: rfc3339(T0 - 60_000), reason: 'KubeletReady' },
            { type: 'MemoryPressure', status: 'False', lastHeartbeatTime: heartbeat },
          ]
        : [],
    },
    ...extra,
  };
}

const lease = (renew: string) => ({ metadata: { name: 'n1', namespace: 'kube-node-lease' }, spec: { renewTime: renew } });

test('health: a renewed lease keeps the node alive; silence past the grace period turns conditions Unknown', () => {
  let h = observeHealth(undefined, node('True'), lease(rfc3339(T0)), T0);
  assert.equal(staleConditions(node('True'), h, T0 + GRACE, GRACE), undefined);
  // lease renewed at +30 s: probe moves
  h = observeHealth(h, node('True'), lease(rfc3339(T0 + 30_000) + ''), T0 + 30_000);
  assert.equal(h.probeTimestamp, T0 + 30_000);
  assert.equal(staleConditions(node('True'), h, T0 + 60_000, GRACE), undefined);
  // nothing new until +71 s
  h = observeHealth(h, node('True'), lease(rfc3339(T0 + 30_000)), T0 + 71_000);
  const conds = staleConditions(node('True'), h, T0 + 71_000, GRACE);
  assert.ok(conds);
  const ready = conds.find((c) => c.type === 'Ready')!;
  assert.equal(ready.status, 'Unknown');
  assert.equal(ready.reason, 'NodeStatusUnknown');
  assert.equal(ready.message, 'Kubelet stopped posting node status.');
  assert.equal(ready.lastTransitionTime, rfc3339(T0 + 71_000));
  assert.equal(ready.lastHeartbeatTime, rfc3339(T0), 'heartbeat is kept');
  assert.equal(conds.find((c) => c.type === 'MemoryPressure')!.status, 'Unknown');
  // missing conditions are added as never updated
  const disk = conds.find((c) => c.type === 'DiskPressure')!;
  assert.equal(disk.status, 'Unknown');
  assert.equal(disk.reason, 'NodeStatusNeverUpdated');
  assert.ok(conds.find((c) => c.type === 'PIDPressure'));
});

test('health: a new status heartbeat counts as a probe; an already Unknown node is not rewritten', () => {
  let h = observeHealth(undefined, node('True'), undefined, T0);
  h = observeHealth(h, node('True', rfc3339(T0 + 20_000)), undefined, T0 + 20_000);
  assert.equal(h.probeTimestamp, T0 + 20_000);
  // our own Unknown write does not look like a heartbeat
  const unknown = node('Unknown', rfc3339(T0 + 20_000));
  h = observeHealth(h, unknown, undefined, T0 + 70_000);
  assert.equal(h.probeTimestamp, T0 + 20_000);
  const n: Node = { ...unknown, status: { conditions: ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'].map((type) => ({ type, status: 'Unknown' })) } };
  assert.equal(staleConditions(n, h, T0 + 70_000, GRACE), undefined);
});

test('taints: Unknown → unreachable NoExecute+NoSchedule, False swaps to not-ready, True removes them', () => {
  const now = T0 + 1000;
  const t1 = reconcileTaints(node('Unknown', undefined, { spec: { taints: [{ key: 'user', effect: 'NoSchedule' }] } }), now)!;
  assert.deepEqual(t1, [
    { key: 'user', effect: 'NoSchedule' },
    { key: TAINT_UNREACHABLE, effect: 'NoExecute', timeAdded: rfc3339(now) },
    { key: TAINT_UNREACHABLE, effect: 'NoSchedule' },
  ]);
  // stable: nothing to do
  assert.equal(reconcileTaints(node('Unknown', undefined, { spec: { taints: t1 } }), now + 5000), undefined);
  const t2 = reconcileTaints(node('False', undefined, { spec: { taints: t1 } }), now + 5000)!;
  assert.deepEqual(t2, [
    { key: 'user', effect: 'NoSchedule' },
    { key: TAINT_NOT_READY, effect: 'NoExecute', timeAdded: rfc3339(now + 5000) },
    { key: TAINT_NOT_READY, effect: 'NoSchedule' },
  ]);
  assert.deepEqual(reconcileTaints(node('True', undefined, { spec: { taints: t2 } }), now), [{ key: 'user', effect: 'NoSchedule' }]);
  // pressure conditions and unschedulable
  const n = node('True', undefined, { spec: { unschedulable: true } });
  n.status!.conditions!.push({ type: 'DiskPressure', status: 'True' });
  assert.deepEqual(
    reconcileTaints(n, now)!.map((t) => `${t.key}:${t.effect}`),
    ['node.kubernetes.io/disk-pressure:NoSchedule', 'node.kubernetes.io/unschedulable:NoSchedule'],
  );
  assert.equal(reconcileTaints(node('True'), now), undefined);
});

test('eviction: tolerations decide delete now, wait, or nothing', () => {
  const taint = { key: TAINT_UNREACHABLE, effect: 'NoExecute', timeAdded: rfc3339(T0) };
  const pod = (tolerations: Toleration[]): Pod => ({ spec: { containers: [], tolerations } });
  assert.deepEqual(decideEviction(pod([]), [taint], T0), { kind: 'delete' });
  assert.deepEqual(decideEviction(pod([]), [{ key: 'x', effect: 'NoSchedule' }], T0), { kind: 'none' });
  assert.deepEqual(decideEviction(pod([{ key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute' }]), [taint], T0), { kind: 'none' });
  const p300 = pod([{ key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }]);
  assert.deepEqual(decideEviction(p300, [taint], T0), { kind: 'wait', startedAt: T0, fireAt: T0 + 300_000 });
  assert.deepEqual(decideEviction(p300, [taint], T0 + 299_000, T0), { kind: 'wait', startedAt: T0, fireAt: T0 + 300_000 });
  assert.deepEqual(decideEviction(p300, [taint], T0 + 300_000, T0), { kind: 'delete' });
  // a second taint not tolerated → delete now
  assert.deepEqual(decideEviction(p300, [taint, { key: TAINT_NOT_READY, effect: 'NoExecute' }], T0), { kind: 'delete' });
  // the shortest toleration wins; ≤ 0 means at once
  assert.equal(minTolerationMs([{ tolerationSeconds: 5 }, { tolerationSeconds: 2 }, {}]), 2000);
  assert.equal(minTolerationMs([{ tolerationSeconds: 0 }]), 0);
  assert.equal(minTolerationMs([{}]), -1);
  assert.ok(toleratesTaint({ operator: 'Exists' }, taint));
  assert.ok(!toleratesTaint({ key: TAINT_UNREACHABLE, effect: 'NoSchedule', operator: 'Exists' }, taint));
  assert.ok(toleratesTaint({ key: 'k', value: 'v' }, { key: 'k', value: 'v', effect: 'NoExecute' }));
  assert.ok(!toleratesTaint({ key: 'k', value: 'w' }, { key: 'k', value: 'v', effect: 'NoExecute' }));
});

test('pods: MarkPodsNotReady and the DisruptionTarget condition', () => {
  const p: Pod = { status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'PodScheduled', status: 'True' }] } };
  assert.deepEqual(podNotReadyConditions(p, T0), [{ type: 'Ready', status: 'False', lastTransitionTime: rfc3339(T0) }, { type: 'PodScheduled', status: 'True' }]);
  assert.equal(podNotReadyConditions({ status: { conditions: [{ type: 'Ready', status: 'False' }] } }, T0), undefined);
  const d = disruptionTargetConditions(p, T0)!;
  assert.equal(d.at(-1)!.type, 'DisruptionTarget');
  assert.equal(d.at(-1)!.reason, 'DeletionByTaintManager');
});

test('FakeClock fires timers in order as time advances', () => {
  const c = new FakeClock(0);
  const seen: number[] = [];
  c.after(200, () => seen.push(c.now()));
  const cancel = c.after(100, () => seen.push(-1));
  c.after(50, () => seen.push(c.now()));
  cancel();
  c.advance(150);
  assert.deepEqual(seen, [50]);
  c.advance(100);
  assert.deepEqual(seen, [50, 200]);
  assert.equal(c.now(), 250);
});
