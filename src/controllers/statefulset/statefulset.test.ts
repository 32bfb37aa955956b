import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import {
  POD_INDEX_LABEL,
  POD_NAME_LABEL,
  STATEFUL_SET_REVISION_LABEL,
  claimOwnerMatchesSetAndPod,
  claimOwnerRefs,
  completeRollingUpdate,
  decideUpdateRevision,
  identityMatches,
  newRevision,
  newStatefulSetPod,
  newVersionedPod,
  planStatefulSet,
  revisionsToDelete,
  storageMatches,
  type StatefulSetAction,
  type StatefulSetState,
} from './index.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');

function sts(spec: Partial<NonNullable<StatefulSet['spec']>> = {}, image = 'db:1'): StatefulSet {
  return {
    metadata: { name: 'web', namespace: 'default', uid: 'set-uid', generation: 2 },
    spec: {
      replicas: 3,
      serviceName: 'web-svc',
      selector: { matchLabels: { app: 'web' } },
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'db', image }], volumes: [{ name: 'scratch', emptyDir: {} }] } },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      ...spec,
    },
  };
}

/** A pod as the server would hold it: created, with a uid and a phase. */
function live(set: StatefulSet, ordinal: number, rev: string, state: 'ready' | 'pending' | 'running' | 'failed' | 'terminating' = 'ready'): Pod {
  const p = newStatefulSetPod(set, ordinal);
  const phase = state === 'pending' ? 'Pending' : state === 'failed' ? 'Failed' : 'Running';
  const ready = state === 'ready' || state === 'terminating';
  return {
    ...p,
    metadata: {
      ...p.metadata,
      uid: `pod-${ordinal}-${rev}`,
      labels: { ...p.metadata!.labels, [STATEFUL_SET_REVISION_LABEL]: rev },
      ...(state === 'terminating' ? { deletionTimestamp: new Date(NOW).toISOString() } : {}),
    },
    status: { phase, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: new Date(NOW - 60_000).toISOString() }] },
  };
}

function state(set: StatefulSet, pods: Pod[], claims: PersistentVolumeClaim[] = [], rev: { current?: string; update?: string; currentSet?: StatefulSet } = {}): StatefulSetState {
  const byName = new Map(claims.map((c) => [c.metadata!.name!, c]));
  return {
    set,
    currentSet: rev.currentSet ?? set,
    updateSet: set,
    currentRevision: rev.current ?? 'web-r1',
    updateRevision: rev.update ?? 'web-r1',
    collisionCount: 0,
    pods,
    claims: (n) => byName.get(n),
    now: NOW,
  };
}

const actions = (s: StatefulSetState): StatefulSetAction[] => planStatefulSet(s).phases.flat();
const describe = (a: StatefulSetAction) => `${a.type}:${a.type === 'updateClaim' ? a.claim.metadata!.name : a.pod.metadata!.name}`;

test('pod identity: name, labels, hostname, subdomain, claim volumes', () => {
  const set = sts();
  const p = newStatefulSetPod(set, 2);
  assert.equal(p.metadata!.name, 'web-2');
  assert.equal(p.metadata!.generateName, undefined);
  assert.equal(p.metadata!.labels![POD_NAME_LABEL], 'web-2');
  assert.equal(p.metadata!.labels![POD_INDEX_LABEL], '2');
  assert.equal(p.metadata!.labels!['app'], 'web');
  assert.equal(p.spec!.hostname, 'web-2');
  assert.equal(p.spec!.subdomain, 'web-svc');
  assert.deepEqual(p.spec!.volumes, [{ name: 'data', persistentVolumeClaim: { claimName: 'data-web-2' } }, { name: 'scratch', emptyDir: {} }]);
  assert.equal(p.metadata!.ownerReferences![0]!.kind, 'StatefulSet');
  assert.ok(identityMatches(set, p));
  assert.ok(storageMatches(set, p));
  const bad = structuredClone(p);
  delete bad.metadata!.labels![POD_NAME_LABEL];
  assert.ok(!identityMatches(set, bad));
  assert.ok(!identityMatches(sts({}, 'x'), { ...p, metadata: { ...p.metadata, name: 'other-2' } }));
});

test('OrderedReady: one pod at a time, each Running and Ready before the next', () => {
  const set = sts();
  let a = actions(state(set, []));
  assert.deepEqual(a.map(describe), ['create:web-0']);
  const create = a[0] as Extract<StatefulSetAction, { type: 'create' }>;
  assert.deepEqual(create.claims.map((c) => c.metadata!.name), ['data-web-0']);
  assert.deepEqual(create.claims[0]!.metadata!.labels, { app: 'web' });
  assert.equal(create.pod.metadata!.labels![STATEFUL_SET_REVISION_LABEL], 'web-r1');
  // web-0 pending: wait.
  assert.deepEqual(actions(state(set, [live(set, 0, 'web-r1', 'pending')], [{ metadata: { name: 'data-web-0' } }])).map(describe), []);
  // web-0 running but not ready: wait.
  assert.deepEqual(actions(state(set, [live(set, 0, 'web-r1', 'running')])).map(describe), []);
  // web-0 ready: web-1 next.
  a = actions(state(set, [live(set, 0, 'web-r1')], [{ metadata: { name: 'data-web-0' } }]));
  assert.deepEqual(a.map(describe), ['create:web-1']);
  const plan = planStatefulSet(state(set, [live(set, 0, 'web-r1'), live(set, 1, 'web-r1', 'pending')]));
  assert.equal(plan.status.replicas, 2);
  assert.equal(plan.status.readyReplicas, 1);
  assert.equal(plan.status.currentReplicas, 2);
  assert.equal(plan.status.updatedReplicas, 2);
  assert.equal(plan.status.observedGeneration, 2);
  assert.equal(plan.status.currentRevision, 'web-r1');
});

test('Parallel: all at once; a pending pod gets its missing claims', () => {
  const set = sts({ podManagementPolicy: 'Parallel' });
  assert.deepEqual(actions(state(set, [])).map(describe), ['create:web-0', 'create:web-1', 'create:web-2']);
  const a = actions(state(set, [live(set, 0, 'web-r1', 'pending')]));
  assert.deepEqual(a.map(describe), ['createClaims:web-0', 'create:web-1', 'create:web-2']);
});

test('failed pods are deleted (and recreated on a later sync)', () => {
  const set = sts();
  assert.deepEqual(actions(state(set, [live(set, 0, 'web-r1', 'failed')])).map(describe), ['delete:web-0']);
});

test('scale down: highest ordinal first, one at a time, waiting for termination', () => {
  const set = sts({ replicas: 1 });
  const pods = [live(set, 0, 'web-r1'), live(set, 1, 'web-r1'), live(set, 2, 'web-r1')];
  assert.deepEqual(actions(state(set, pods)).map(describe), ['delete:web-2']);
  const terminating = [pods[0]!, pods[1]!, live(set, 2, 'web-r1', 'terminating')];
  assert.deepEqual(actions(state(set, terminating)).map(describe), []);
  // Parallel deletes every condemned pod at once.
  const par = sts({ replicas: 1, podManagementPolicy: 'Parallel' });
  assert.deepEqual(actions(state(par, pods)).map(describe), ['delete:web-2', 'delete:web-1']);
});

test('rolling update: highest ordinal first, waiting for each to be ready, stopping at the partition', () => {
  const set = sts();
  const old = [live(set, 0, 'web-r1'), live(set, 1, 'web-r1'), live(set, 2, 'web-r1')];
  const revs = { current: 'web-r1', update: 'web-r2' };
  let p = planStatefulSet(state(set, old, [], revs));
  assert.deepEqual(p.phases.flat().map(describe), ['delete:web-2']);
  assert.equal(p.status.currentReplicas, 2);
  // web-2 recreated at the update revision, not ready yet: OrderedReady waits.
  const step = [old[0]!, old[1]!, live(set, 2, 'web-r2', 'running')];
  assert.deepEqual(actions(state(set, step, [], revs)).map(describe), []);
  // Parallel pod management still waits for the updated pod's readiness before the next delete.
  const par = sts({ podManagementPolicy: 'Parallel' });
  assert.deepEqual(actions(state(par, step, [], revs)).map(describe), []);
  const step2 = [old[0]!, old[1]!, live(set, 2, 'web-r2')];
  assert.deepEqual(actions(state(set, step2, [], revs)).map(describe), ['delete:web-1']);
  // Partition 2: only ordinals ≥ 2 move; a recreated web-0 stays at the current revision.
  const part = sts({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } });
  assert.deepEqual(actions(state(part, step2, [], revs)).map(describe), []);
  assert.equal(newVersionedPod(part, part, 'web-r1', 'web-r2', 0).metadata!.labels![STATEFUL_SET_REVISION_LABEL], 'web-r1');
  assert.equal(newVersionedPod(part, part, 'web-r1', 'web-r2', 2).metadata!.labels![STATEFUL_SET_REVISION_LABEL], 'web-r2');
  // OnDelete: nothing deleted for updates.
  const od = sts({ updateStrategy: { type: 'OnDelete' } });
  assert.deepEqual(actions(state(od, old, [], revs)).map(describe), []);
  // Done: every replica updated and ready → the update revision becomes current.
  p = planStatefulSet(state(set, [live(set, 0, 'web-r2'), live(set, 1, 'web-r2'), live(set, 2, 'web-r2')], [], revs));
  const done = completeRollingUpdate(set, p.status);
  assert.equal(done.currentRevision, 'web-r2');
  assert.equal(done.currentReplicas, 3);
});

test('PVC retention: owner references follow whenDeleted / whenScaled', () => {
  const del = sts({ persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' } });
  const pod0 = live(del, 0, 'web-r1');
  const claim: PersistentVolumeClaim = { metadata: { name: 'data-web-0', namespace: 'default' } };
  assert.ok(!claimOwnerMatchesSetAndPod(claim, del, pod0));
  const refs = claimOwnerRefs(claim, del, pod0);
  assert.deepEqual(refs.map((r) => [r.kind, r.name, r.controller]), [['StatefulSet', 'web', true]]);
  assert.ok(claimOwnerMatchesSetAndPod({ metadata: { ...claim.metadata, ownerReferences: refs } }, del, pod0));
  // New claims are created with the set as owner.
  const create = actions(state(del, [])).find((a) => a.type === 'create') as Extract<StatefulSetAction, { type: 'create' }>;
  assert.equal(create.claims[0]!.metadata!.ownerReferences![0]!.uid, 'set-uid');
  // An existing claim without the ref is fixed for a ready pod.
  assert.deepEqual(actions(state(del, [pod0], [claim])).map(describe).slice(0, 1), ['updateClaim:data-web-0']);
  // whenScaled Delete: a condemned pod's claim gets the pod as owner before the pod goes.
  const scaled = sts({ replicas: 1, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Delete' } });
  const pods = [live(scaled, 0, 'web-r1'), live(scaled, 1, 'web-r1')];
  const claims = [{ metadata: { name: 'data-web-0' } }, { metadata: { name: 'data-web-1' } }];
  const a = actions(state(scaled, pods, claims));
  assert.deepEqual(a.map(describe), ['updateClaim:data-web-1', 'delete:web-1']);
  const fixed = (a[0] as Extract<StatefulSetAction, { type: 'updateClaim' }>).claim;
  assert.deepEqual(fixed.metadata!.ownerReferences!.map((r) => [r.kind, r.name, r.uid]), [['Pod', 'web-1', 'pod-1-web-r1']]);
  // Retain/Retain: no refs wanted.
  assert.ok(claimOwnerMatchesSetAndPod(claim, sts(), pod0));
  // A claim still owned by an earlier web-1 blocks its re-creation while claims are deleted on scale-down.
  const again = sts({ replicas: 2, podManagementPolicy: 'Parallel', persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Delete' } });
  const stale = [{ metadata: { name: 'data-web-0' } }, { metadata: { name: 'data-web-1', ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'web-1', uid: 'old-uid', controller: true }] } }];
  assert.deepEqual(actions(state(again, [live(again, 0, 'web-r1')], stale)).map(describe), []);
});

test('revisions: reuse the latest equal, renumber an older equal, else create; truncate history', () => {
  const set = sts();
  const r1 = { ...newRevision(set, 1, 0), metadata: { ...newRevision(set, 1, 0).metadata, creationTimestamp: '2024-01-01T00:00:00Z' } };
  assert.ok(decideUpdateRevision(set, []).create);
  assert.equal(decideUpdateRevision(set, [])!.create!.revision, 1);
  assert.equal(decideUpdateRevision(set, [r1]).reuse, r1);
  const v2 = sts({}, 'db:2');
  const r2 = newRevision(v2, 2, 0);
  const back = decideUpdateRevision(set, [r1, r2]);
  assert.equal(back.renumber?.rev, r1);
  assert.equal(back.renumber?.revision, 3);
  assert.equal(decideUpdateRevision(sts({}, 'db:3'), [r1, r2]).create?.revision, 3);
  assert.notEqual(newRevision(set, 1, 1).metadata!.name, r1.metadata!.name);
  const revs = [1, 2, 3, 4].map((n) => newRevision(sts({}, `db:${n}`), n, 0));
  const names = revs.map((r) => r.metadata!.name!);
  const limited = sts({ revisionHistoryLimit: 1 });
  const pods = [live(set, 0, names[0]!)];
  assert.deepEqual(revisionsToDelete(limited, pods, revs, names[3]!, names[3]!).map((r) => r.revision), [2]);
});
