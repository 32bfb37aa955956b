import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { labelSelectorFromMap } from '../../api/selectors/index.js';
import type { KubeObject } from '../../api/registry.js';
import { Expectations, filterActivePods, isPodAvailable, isPodReady, planClaim, podFromTemplate, slowStartBatch } from './index.js';

const owner: KubeObject = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web', namespace: 'ns', uid: 'u1' } };
const RS = { apiVersion: 'apps/v1', kind: 'ReplicaSet' };

function pod(name: string, labels: Record<string, string>, extra: Partial<Pod> = {}): Pod & KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns', uid: name, labels, ...(extra.metadata ?? {}) }, spec: { containers: [] }, ...(extra.status ? { status: extra.status } : {}) } as Pod & KubeObject;
}

describe('podFromTemplate', () => {
  it('copies labels, annotations, finalizers and sets the controller reference', () => {
    const p = podFromTemplate({ metadata: { labels: { a: 'b' }, annotations: { x: 'y' }, finalizers: ['f'] }, spec: { containers: [{ name: 'c', image: 'i' }] } }, owner, RS);
    assert.equal(p.metadata?.generateName, 'web-');
    assert.equal(p.metadata?.namespace, 'ns');
    assert.deepEqual(p.metadata?.labels, { a: 'b' });
    assert.deepEqual(p.metadata?.annotations, { x: 'y' });
    assert.deepEqual(p.metadata?.finalizers, ['f']);
    assert.deepEqual(p.metadata?.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'u1', controller: true, blockOwnerDeletion: true }]);
    assert.equal(p.spec?.containers[0]?.image, 'i');
  });
});

describe('pods', () => {
  const ready = (t: string): Pod['status'] => ({ phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: t }] });
  it('readiness and availability', () => {
    const p = pod('a', {}, { status: ready('2024-01-01T00:00:00Z') });
    assert.equal(isPodReady(p), true);
    const t0 = Date.parse('2024-01-01T00:00:00Z');
    assert.equal(isPodAvailable(p, 0, t0), true);
    assert.equal(isPodAvailable(p, 10, t0 + 5000), false);
    assert.equal(isPodAvailable(p, 10, t0 + 10_000), true);
    assert.equal(isPodAvailable(pod('b', {}), 0), false);
  });
  it('filterActivePods drops terminal and deleting pods', () => {
    const pods = [pod('a', {}), pod('b', {}, { status: { phase: 'Succeeded' } }), pod('c', {}, { status: { phase: 'Failed' } }), pod('d', {}, { metadata: { deletionTimestamp: 'x' } })];
    assert.deepEqual(filterActivePods(pods).map((p) => p.metadata?.name), ['a']);
  });
});

describe('planClaim', () => {
  const sel = labelSelectorFromMap({ app: 'web' });
  const ref = (uid: string) => ({ metadata: { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'x', uid, controller: true }] } });
  it('adopts matching orphans, releases non-matching owned, ignores others', () => {
    const pods = [
      pod('orphan', { app: 'web' }),
      pod('orphan-other', { app: 'db' }),
      pod('mine', { app: 'web' }, ref('u1')),
      pod('mine-nomatch', { app: 'db' }, ref('u1')),
      pod('theirs', { app: 'web' }, ref('u2')),
      pod('orphan-deleting', { app: 'web' }, { metadata: { deletionTimestamp: 'x' } }),
    ];
    // ownerReferences got set on metadata via extra.metadata; fix names kept
    const plan = planClaim(owner, sel, pods);
    assert.deepEqual(plan.owned.map((p) => p.metadata?.name), ['mine']);
    assert.deepEqual(plan.adopt.map((p) => p.metadata?.name), ['orphan']);
    assert.deepEqual(plan.release.map((p) => p.metadata?.name), ['mine-nomatch']);
  });
  it('never adopts or releases while the owner is being deleted', () => {
    const deleting = { ...owner, metadata: { ...owner.metadata, deletionTimestamp: 'now' } };
    const plan = planClaim(deleting, sel, [pod('orphan', { app: 'web' }), pod('mine-nomatch', { app: 'db' }, ref('u1'))]);
    assert.equal(plan.adopt.length, 0);
    assert.equal(plan.release.length, 0);
  });
});

describe('expectations', () => {
  it('blocks until observed or expired', () => {
    let now = 0;
    const e = new Expectations(1000, () => now);
    assert.equal(e.satisfied('k'), true);
    e.expectCreations('k', 2);
    assert.equal(e.satisfied('k'), false);
    e.creationObserved('k');
    assert.equal(e.satisfied('k'), false);
    e.creationObserved('k');
    assert.equal(e.satisfied('k'), true);
    e.expectDeletions('k', ['ns/a']);
    e.deletionObserved('k', 'ns/b');
    assert.equal(e.satisfied('k'), false);
    now = 2000;
    assert.equal(e.satisfied('k'), true);
    now = 0;
    e.deletionObserved('k', 'ns/a');
    assert.equal(e.satisfied('k'), true);
  });
});

describe('slowStartBatch', () => {
  it('runs 1, 2, 4 … and stops at the first failing batch', async () => {
    const sizes: number[] = [];
    let inBatch = 0;
    const r = await slowStartBatch(10, 1, async () => {
      inBatch++;
      await Promise.resolve();
      if (inBatch) sizes.push(inBatch);
      inBatch = 0;
    });
    assert.equal(r.successes, 10);
    let calls = 0;
    const r2 = await slowStartBatch(20, 1, async (i) => {
      calls++;
      if (i === 4) throw new Error('quota');
    });
    // batches 1, 2, 4: the third batch (indexes 3..6) fails; no more batches
    assert.equal(calls, 7);
    assert.equal(r2.successes, 6);
    assert.equal((r2.error as Error).message, 'quota');
  });
});
