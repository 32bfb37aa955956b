import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { planDeployment, type DeploymentAction } from './plan.js';
import type { Deployment, ReplicaSet } from './types.js';
import { computeHash, fnv32a, getCondition, resolveFenceposts, safeEncodeString, scaledValue } from './util.js';

const NOW = Date.parse('2024-06-01T12:00:00Z');
const template = (image: string) => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } });

function deployment(replicas: number, image = 'v2', extra: Partial<Deployment['spec']> = {}, status: Deployment['status'] = {}): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'ns', uid: 'd1', generation: 2 },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: template(image),
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      ...extra,
    },
    status,
  };
}

function rs(name: string, image: string, replicas: number, available: number, rev: number, ann: Record<string, string> = {}, createdAgo = 60_000): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace: 'ns',
      uid: name,
      generation: 1,
      creationTimestamp: new Date(NOW - createdAgo).toISOString(),
      annotations: { 'deployment.kubernetes.io/revision': String(rev), ...ann },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd1', controller: true }],
    },
    spec: { replicas, template: { ...template(image), metadata: { labels: { app: 'web', 'pod-template-hash': name } } } },
    status: { replicas, readyReplicas: available, availableReplicas: available, observedGeneration: 1 },
  };
}

const scales = (acts: DeploymentAction[]) => acts.filter((a) => a.kind === 'updateRS').map((a) => `${(a as { rs: ReplicaSet }).rs.metadata?.name}=${(a as { rs: ReplicaSet }).rs.spec?.replicas}`);

describe('hash', () => {
  it('FNV-32a and safe encoding as upstream', () => {
    assert.equal(fnv32a(new TextEncoder().encode('')), 0x811c9dc5);
    assert.equal(fnv32a(new TextEncoder().encode('a')), 0xe40c292c);
    assert.equal(safeEncodeString('0123456789'), '456789bcdf');
    const h = computeHash(template('v1'));
    assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]{6,10}$/);
    assert.equal(computeHash(template('v1')), h);
    assert.notEqual(computeHash(template('v1'), 1), h);
  });
  it('percentages round as upstream (surge up, unavailable down)', () => {
    assert.equal(scaledValue('25%', 10, true), 3);
    assert.equal(scaledValue('25%', 10, false), 2);
    assert.deepEqual(resolveFenceposts(deployment(1, 'v', { strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: '10%' } } }), 1), { surge: 0, unavailable: 1 });
  });
});

describe('planDeployment', () => {
  it('creates the first ReplicaSet named <deploy>-<hash> with revision 1 and the hash label', () => {
    const d = deployment(3);
    const plan = planDeployment({ deployment: d, replicaSets: [], now: NOW });
    const create = plan.actions.find((a) => a.kind === 'createRS') as { rs: ReplicaSet };
    const hash = computeHash(d.spec!.template);
    assert.equal(create.rs.metadata?.name, `web-${hash}`);
    assert.equal(create.rs.spec?.replicas, 3);
    assert.equal(create.rs.spec?.template?.metadata?.labels?.['pod-template-hash'], hash);
    assert.equal(create.rs.spec?.selector?.matchLabels?.['pod-template-hash'], hash);
    assert.equal(create.rs.metadata?.annotations?.['deployment.kubernetes.io/revision'], '1');
    assert.equal(create.rs.metadata?.annotations?.['deployment.kubernetes.io/desired-replicas'], '3');
    assert.equal(create.rs.metadata?.annotations?.['deployment.kubernetes.io/max-replicas'], '4');
    assert.equal(create.rs.metadata?.ownerReferences?.[0]?.uid, 'd1');
    assert.equal(plan.revision, '1');
    assert.equal(getCondition(plan.status, 'Progressing')?.reason, 'NewReplicaSetCreated');
    assert.equal(getCondition(plan.status, 'Available')?.status, 'False');
  });

  it('rolling update: the new ReplicaSet surges, then old ones scale down as availability allows', () => {
    const ann = { 'deployment.kubernetes.io/desired-replicas': '4', 'deployment.kubernetes.io/max-replicas': '5' };
    const old = rs('old', 'v1', 4, 4, 1, ann);
    // 1st sync: create new RS with 1 replica (4 + surge 1 = 5 total)
    let plan = planDeployment({ deployment: deployment(4), replicaSets: [old], now: NOW });
    const created = plan.actions.find((a) => a.kind === 'createRS') as { rs: ReplicaSet };
    assert.equal(created.rs.spec?.replicas, 1);
    assert.equal(created.rs.metadata?.annotations?.['deployment.kubernetes.io/revision'], '2');
    // next sync with the new RS present but nothing available: old may drop 1 (maxUnavailable 1)
    const nu = rs(created.rs.metadata!.name!, 'v2', 1, 0, 2, ann, 1000);
    plan = planDeployment({ deployment: deployment(4, 'v2', {}, { replicas: 5, updatedReplicas: 1, availableReplicas: 4 }), replicaSets: [old, nu], now: NOW });
    assert.deepEqual(scales(plan.actions), ['old=3']);
    // old at 3, new at 1 (unavailable): new may grow to 2
    const old3 = rs('old', 'v1', 3, 3, 1, ann);
    plan = planDeployment({ deployment: deployment(4), replicaSets: [old3, nu], now: NOW });
    assert.deepEqual(scales(plan.actions), [`${nu.metadata!.name}=2`]);
  });

  it('complete rollout cleans up beyond revisionHistoryLimit and reports NewReplicaSetAvailable', () => {
    const ann = { 'deployment.kubernetes.io/desired-replicas': '2', 'deployment.kubernetes.io/max-replicas': '3' };
    const olds = [rs('r1', 'v0', 0, 0, 1, ann, 300_000), rs('r2', 'v1', 0, 0, 2, ann, 200_000)];
    const nu = rs('r3', 'v2', 2, 2, 3, ann, 100_000);
    const d = deployment(2, 'v2', { revisionHistoryLimit: 1 }, { observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 2, readyReplicas: 2 });
    const plan = planDeployment({ deployment: d, replicaSets: [...olds, nu], now: NOW });
    assert.deepEqual(plan.actions.filter((a) => a.kind === 'deleteRS').map((a) => (a as { rs: ReplicaSet }).rs.metadata?.name), ['r1']);
    assert.equal(getCondition(plan.status, 'Progressing')?.reason, 'NewReplicaSetAvailable');
    assert.equal(getCondition(plan.status, 'Available')?.reason, 'MinimumReplicasAvailable');
  });

  it('proportional scaling spreads a resize across ReplicaSets mid-rollout', () => {
    const ann = { 'deployment.kubernetes.io/desired-replicas': '10', 'deployment.kubernetes.io/max-replicas': '13' };
    const old = rs('old', 'v1', 8, 8, 1, ann);
    const nu = rs('new', 'v2', 5, 0, 2, ann, 1000);
    // scale 10 → 20: allowed = 20 + 5 = 25, current 13, add 12 spread by 8:5 of 13 → old +8, new +4 (leftover to largest)
    const plan = planDeployment({ deployment: deployment(20), replicaSets: [old, nu], now: NOW });
    assert.deepEqual(scales(plan.actions).sort(), ['new=10', 'old=15'].sort());
  });

  it('rollback: an older ReplicaSet matching the template becomes new with the next revision', () => {
    const ann = { 'deployment.kubernetes.io/desired-replicas': '2', 'deployment.kubernetes.io/max-replicas': '3' };
    const r1 = rs('r1', 'v1', 0, 0, 1, ann, 200_000);
    const r2 = rs('r2', 'v2', 2, 2, 2, ann, 100_000);
    const plan = planDeployment({ deployment: deployment(2, 'v1'), replicaSets: [r1, r2], now: NOW });
    const upd = plan.actions.filter((a) => a.kind === 'updateRS').map((a) => (a as { rs: ReplicaSet }).rs);
    assert.equal(upd[0]?.metadata?.name, 'r1');
    assert.equal(upd[0]?.metadata?.annotations?.['deployment.kubernetes.io/revision'], '3');
    assert.equal(upd[0]?.metadata?.annotations?.['deployment.kubernetes.io/revision-history'], '1');
    assert.equal(plan.revision, '3');
    assert.ok(scales(plan.actions).includes('r1=1'));
    assert.equal(plan.actions.some((a) => a.kind === 'createRS'), false);
  });

  it('paused: scales but does not roll out; Progressing Unknown DeploymentPaused', () => {
    const ann = { 'deployment.kubernetes.io/desired-replicas': '2', 'deployment.kubernetes.io/max-replicas': '3' };
    const r1 = rs('r1', 'v1', 2, 2, 1, ann);
    const plan = planDeployment({ deployment: deployment(5, 'v2', { paused: true }), replicaSets: [r1], now: NOW });
    assert.equal(plan.actions.some((a) => a.kind === 'createRS'), false);
    assert.deepEqual(scales(plan.actions), ['r1=5']);
    const p = getCondition(plan.status, 'Progressing');
    assert.equal(p?.status, 'Unknown');
    assert.equal(p?.reason, 'DeploymentPaused');
  });

  it('recreate: scale old to zero, wait for old pods, then create the new ReplicaSet at full size', () => {
    const ann = { 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '3' };
    const recreate = { strategy: { type: 'Recreate' } };
    const r1 = rs('r1', 'v1', 3, 3, 1, ann);
    let plan = planDeployment({ deployment: deployment(3, 'v2', recreate), replicaSets: [r1], now: NOW });
    assert.deepEqual(scales(plan.actions), ['r1=0']);
    assert.equal(plan.actions.some((a) => a.kind === 'createRS'), false);
    const r1zero = { ...rs('r1', 'v1', 0, 0, 1, ann), status: { replicas: 0 } };
    const pods = new Map([['r1', [{ metadata: { name: 'p' }, status: { phase: 'Running' } }]]]);
    plan = planDeployment({ deployment: deployment(3, 'v2', recreate), replicaSets: [r1zero], podsByReplicaSet: pods, now: NOW });
    assert.equal(plan.actions.some((a) => a.kind === 'createRS'), false);
    plan = planDeployment({ deployment: deployment(3, 'v2', recreate), replicaSets: [r1zero], podsByReplicaSet: new Map(), now: NOW });
    const c = plan.actions.find((a) => a.kind === 'createRS') as { rs: ReplicaSet };
    assert.equal(c.rs.spec?.replicas, 3);
  });

  it('progress deadline: no progress past progressDeadlineSeconds → ProgressDeadlineExceeded', () => {
    const ann = { 'deployment.kubernetes.io/desired-replicas': '2', 'deployment.kubernetes.io/max-replicas': '3' };
    const r1 = rs('r1', 'v1', 1, 1, 1, ann);
    const r2 = rs('r2', 'v2', 2, 0, 2, ann);
    r1.spec!.replicas = 1;
    const old = new Date(NOW - 700_000).toISOString();
    const status = {
      observedGeneration: 2,
      replicas: 3,
      updatedReplicas: 2,
      readyReplicas: 1,
      availableReplicas: 1,
      unavailableReplicas: 2,
      conditions: [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: 'x', lastUpdateTime: old, lastTransitionTime: old }],
    };
    const plan = planDeployment({ deployment: deployment(2, 'v2', { progressDeadlineSeconds: 600 }, status), replicaSets: [r1, r2], now: NOW });
    const p = getCondition(plan.status, 'Progressing');
    assert.equal(p?.status, 'False');
    assert.equal(p?.reason, 'ProgressDeadlineExceeded');
    assert.equal(p?.message, 'ReplicaSet "r2" has timed out progressing.');
  });
});
