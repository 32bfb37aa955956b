import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { controllerScale, podsForBudget } from './controller.js';
import { pdbStatus, scaledValue, statusChanged } from './status.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');

function pod(name: string, ready: boolean, owner?: { kind: string; name: string }, extra: Partial<NonNullable<Pod['metadata']>> = {}): Pod {
  return {
    metadata: { name, namespace: 'ns', labels: { app: 'db' }, ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: owner.kind, name: owner.name, uid: owner.name, controller: true }] } : {}), ...extra },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

const pdb = (spec: PodDisruptionBudget['spec'], status?: PodDisruptionBudget['status']): PodDisruptionBudget => ({
  metadata: { name: 'b', namespace: 'ns', generation: 2 },
  spec: { selector: { matchLabels: { app: 'db' } }, ...spec },
  ...(status ? { status } : {}),
});

test('pdb: minAvailable integer counts pods; disruptions allowed and condition', () => {
  const pods = [pod('a', true), pod('b', true), pod('c', false), pod('d', true, undefined, { deletionTimestamp: '2026-01-01T00:00:00Z' })];
  const s = pdbStatus(pdb({ minAvailable: 1 }), pods, () => assert.fail('no scale needed'), NOW);
  assert.deepEqual(
    { ...s, conditions: undefined },
    { observedGeneration: 2, disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 4, conditions: undefined },
  );
  assert.deepEqual(s.conditions?.map((c) => [c.type, c.status, c.reason]), [['DisruptionAllowed', 'True', 'SufficientPods']]);
  const none = pdbStatus(pdb({ minAvailable: 2 }), pods, () => 0, NOW);
  assert.equal(none.disruptionsAllowed, 0);
  assert.deepEqual(none.conditions?.map((c) => [c.status, c.reason]), [['False', 'InsufficientPods']]);
});

test('pdb: maxUnavailable and percentages use the controllers’ scale (Deployment through its ReplicaSet)', () => {
  const pods = [pod('a', true, { kind: 'ReplicaSet', name: 'rs1' }), pod('b', true, { kind: 'ReplicaSet', name: 'rs1' }), pod('c', true, { kind: 'StatefulSet', name: 'ss' })];
  const objs: Record<string, { metadata?: object; spec?: { replicas?: number } }> = {
    'ReplicaSet/rs1': { metadata: { ownerReferences: [{ kind: 'Deployment', name: 'dep', controller: true }] }, spec: { replicas: 3 } },
    'Deployment/dep': { spec: { replicas: 4 } },
    'StatefulSet/ss': { spec: { replicas: 1 } },
  };
  const scale = () => controllerScale(pods, (k, _ns, n) => objs[`${k}/${n}`] as never);
  assert.equal(scale(), 5);
  const s1 = pdbStatus(pdb({ maxUnavailable: 1 }), pods, scale, NOW);
  assert.deepEqual([s1.expectedPods, s1.desiredHealthy, s1.currentHealthy, s1.disruptionsAllowed], [5, 4, 3, 0]);
  const s2 = pdbStatus(pdb({ minAvailable: '50%' }), pods, scale, NOW);
  assert.deepEqual([s2.expectedPods, s2.desiredHealthy, s2.disruptionsAllowed], [5, 3, 0]);
  const s3 = pdbStatus(pdb({ maxUnavailable: '50%' }), pods, scale, NOW);
  assert.deepEqual([s3.desiredHealthy, s3.disruptionsAllowed], [2, 1]);
  // a missing controller fails the sync safely
  const bad = pdbStatus(pdb({ maxUnavailable: 1 }), [pod('x', true, { kind: 'ReplicaSet', name: 'gone' })], () => controllerScale([pod('x', true, { kind: 'ReplicaSet', name: 'gone' })], () => undefined), NOW);
  assert.equal(bad.disruptionsAllowed, 0);
  assert.deepEqual(bad.conditions?.map((c) => [c.status, c.reason, c.message]), [['False', 'SyncFailed', 'found no controllers for pod "x"']]);
});

test('pdb: recently evicted pods are not healthy; selectors; scaled values; change detection', () => {
  const pods = [pod('a', true), pod('b', true)];
  const s = pdbStatus(pdb({ minAvailable: 1 }, { disruptedPods: { a: '2025-12-31T23:59:30Z', gone: '2025-12-31T23:59:30Z' }, disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 }), pods, () => 0, NOW);
  assert.deepEqual(s.disruptedPods, { a: '2025-12-31T23:59:30Z' });
  assert.equal(s.currentHealthy, 1);
  assert.equal(s.disruptionsAllowed, 0);
  assert.ok(statusChanged(undefined, s));
  assert.ok(!statusChanged(JSON.parse(JSON.stringify(s)), s));
  assert.equal(podsForBudget(pdb({ selector: {} }), [pod('a', true), { metadata: { name: 'z' } }]).length, 2);
  assert.equal(podsForBudget({ spec: {} }, [pod('a', true)]).length, 0);
  assert.equal(scaledValue('30%', 5, true), 2);
  assert.equal(scaledValue('30%', 5, false), 1);
  assert.equal(scaledValue(3, 5, true), 3);
});
