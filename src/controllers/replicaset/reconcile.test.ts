import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { calculateStatus, manageReplicas, requeueForAvailability, statusChanged, type ReplicaSetLike } from './reconcile.js';
import { podsToDelete } from './ranking.js';

const NOW = Date.parse('2024-06-01T12:00:00Z');
const iso = (msAgo: number) => new Date(NOW - msAgo).toISOString();

function rs(replicas: number, extra: Partial<ReplicaSetLike['spec']> = {}): ReplicaSetLike {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web', namespace: 'ns', uid: 'u', generation: 3 },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web', tier: 'fe' } } }, ...extra },
  };
}

interface P {
  node?: string;
  phase?: string;
  readyAgo?: number;
  createdAgo?: number;
  restarts?: number;
  cost?: number;
  labels?: Record<string, string>;
}
function pod(name: string, o: P = {}): Pod {
  return {
    metadata: {
      name,
      namespace: 'ns',
      labels: o.labels ?? { app: 'web', tier: 'fe' },
      creationTimestamp: iso(o.createdAgo ?? 3600_000),
      ...(o.cost !== undefined ? { annotations: { 'controller.kubernetes.io/pod-deletion-cost': String(o.cost) } } : {}),
    },
    spec: { containers: [], ...(o.node ? { nodeName: o.node } : {}) },
    status: {
      phase: o.phase ?? 'Running',
      conditions: o.readyAgo !== undefined ? [{ type: 'Ready', status: 'True', lastTransitionTime: iso(o.readyAgo) }] : [{ type: 'Ready', status: 'False' }],
      containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: o.readyAgo !== undefined, restartCount: o.restarts ?? 0 }],
    },
  };
}
const names = (ps: Pod[]) => ps.map((p) => p.metadata?.name);

describe('manageReplicas', () => {
  it('creates the missing pods, capped at the burst', () => {
    assert.deepEqual(manageReplicas(rs(3), [pod('a')]), { action: 'create', count: 2 });
    assert.deepEqual(manageReplicas(rs(1000), []), { action: 'create', count: 500 });
    assert.deepEqual(manageReplicas(rs(1), [pod('a')]), { action: 'none' });
  });
  it('deletes the surplus in upstream order', () => {
    const pods = [
      pod('running-ready-old', { node: 'n1', readyAgo: 3600_000 }),
      pod('unassigned', { phase: 'Pending' }),
      pod('pending', { node: 'n1', phase: 'Pending' }),
      pod('running-notready', { node: 'n1' }),
      pod('running-ready-new', { node: 'n2', readyAgo: 5_000 }),
    ];
    const d = manageReplicas(rs(1), pods, [], NOW);
    assert.equal(d.action, 'delete');
    assert.deepEqual(names((d as { pods: Pod[] }).pods), ['unassigned', 'pending', 'running-notready', 'running-ready-new']);
  });
});

describe('podsToDelete ranking', () => {
  it('unknown before running, lower deletion cost first, more restarts first, newer first', () => {
    const a = pod('unknown', { node: 'n', phase: 'Unknown' });
    const b = pod('cheap', { node: 'n', readyAgo: 3600_000, cost: -5 });
    const c = pod('plain', { node: 'n', readyAgo: 3600_000 });
    assert.deepEqual(names(podsToDelete([c, b, a], [], 2, NOW)), ['unknown', 'cheap']);
    const r1 = pod('restarty', { node: 'n', readyAgo: 3600_000, restarts: 4 });
    assert.deepEqual(names(podsToDelete([c, r1], [], 1, NOW)), ['restarty']);
    const young = pod('young', { node: 'n', createdAgo: 10_000 });
    const old = pod('old', { node: 'n', createdAgo: 86_400_000 });
    assert.deepEqual(names(podsToDelete([old, young], [], 1, NOW)), ['young']);
  });
  it('prefers nodes with more related pods', () => {
    const x = pod('alone', { node: 'n1', readyAgo: 3600_000 });
    const y = pod('crowded', { node: 'n2', readyAgo: 3600_000 });
    const related = [y, pod('s1', { node: 'n2' }), pod('s2', { node: 'n2' }), x];
    assert.deepEqual(names(podsToDelete([x, y], related, 1, NOW)), ['crowded']);
  });
});

describe('calculateStatus', () => {
  it('counts replicas, fully labeled, ready and available (minReadySeconds)', () => {
    const pods = [pod('a', { readyAgo: 60_000 }), pod('b', { readyAgo: 2_000 }), pod('c'), pod('d', { labels: { app: 'web' }, readyAgo: 60_000 })];
    const s = calculateStatus(rs(4, { minReadySeconds: 10 }), pods, undefined, NOW);
    assert.deepEqual(s, { replicas: 4, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 2, observedGeneration: 3 });
  });
  it('sets and clears ReplicaFailure', () => {
    const r = rs(2);
    const s = calculateStatus(r, [], { reason: 'FailedCreate', message: 'quota exceeded' }, NOW);
    assert.equal(s.conditions?.[0]?.type, 'ReplicaFailure');
    assert.equal(s.conditions?.[0]?.reason, 'FailedCreate');
    r.status = s;
    const s2 = calculateStatus(r, [], undefined, NOW);
    assert.equal(s2.conditions, undefined);
    assert.equal(statusChanged(r, s2), true);
  });
  it('requeues when ready but not yet available', () => {
    const r = rs(1, { minReadySeconds: 30 });
    const s = calculateStatus(r, [pod('a', { readyAgo: 1000 })], undefined, NOW);
    assert.equal(requeueForAvailability(r, s), 30_000);
  });
});
