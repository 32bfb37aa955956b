import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { DependencyGraph, diffOwners, type ObjectIdentity } from './graph.js';
import { decideDeletingDependents, decideDependent, policyFor, type OwnerState } from './decide.js';
import { GarbageCollector } from './collector.js';
import type { GcApi, ObjectMetadata } from './client.js';
import type { DeletePolicy } from './decide.js';

const id = (kind: string, name: string, uid: string, namespace = 'ns'): ObjectIdentity => ({ apiVersion: kind === 'ReplicaSet' ? 'apps/v1' : 'v1', kind, name, uid, namespace });
const ref = (o: ObjectIdentity, block = false): OwnerReference => ({ apiVersion: o.apiVersion, kind: o.kind, name: o.name, uid: o.uid, ...(block ? { blockOwnerDeletion: true } : {}) });

const rs = id('ReplicaSet', 'rs', 'rs-uid');
const pod1 = id('Pod', 'p1', 'p1-uid');
const pod2 = id('Pod', 'p2', 'p2-uid');

describe('dependency graph', () => {
  it('creates a virtual owner for a dependent seen first, and asks to verify it', () => {
    const g = new DependencyGraph();
    const a = g.upsert(pod1, { ownerReferences: [ref(rs)] });
    assert.deepEqual(a.attemptToDelete, ['rs-uid']);
    assert.equal(g.get('rs-uid')?.virtual, true);
    assert.equal(g.get('rs-uid')?.identity.namespace, 'ns');
    g.upsert(rs, {});
    assert.equal(g.get('rs-uid')?.virtual, false);
    assert.deepEqual([...g.get('rs-uid')!.dependents].map((d) => d.identity.uid), ['p1-uid']);
  });

  it('cluster-scoped owner kinds get no namespace', () => {
    const g = new DependencyGraph((_av, kind) => kind !== 'Node');
    g.upsert(pod1, { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'n', uid: 'n-uid' }] });
    assert.equal(g.get('n-uid')?.identity.namespace, '');
  });

  it('removing an owner asks to look at its dependents', () => {
    const g = new DependencyGraph();
    g.upsert(rs, {});
    g.upsert(pod1, { ownerReferences: [ref(rs)] });
    g.upsert(pod2, { ownerReferences: [ref(rs)] });
    const a = g.remove('rs-uid');
    assert.deepEqual(a.attemptToDelete.sort(), ['p1-uid', 'p2-uid']);
    assert.equal(g.get('rs-uid'), undefined);
  });

  it('an owner starting foreground deletion asks to delete its dependents and to look at itself', () => {
    const g = new DependencyGraph();
    g.upsert(rs, {});
    g.upsert(pod1, { ownerReferences: [ref(rs, true)] });
    const a = g.upsert(rs, { deletionTimestamp: 't', finalizers: ['foregroundDeletion'] });
    assert.deepEqual(a.attemptToDelete, ['p1-uid', 'rs-uid']);
    assert.equal(g.get('rs-uid')?.deletingDependents, true);
    // The blocking dependent goes: the owner looks again.
    assert.deepEqual(g.remove('p1-uid').attemptToDelete, ['rs-uid']);
  });

  it('an owner with the orphan finalizer asks to be orphaned once', () => {
    const g = new DependencyGraph();
    g.upsert(rs, {});
    assert.deepEqual(g.upsert(rs, { deletionTimestamp: 't', finalizers: ['orphan'] }).attemptToOrphan, ['rs-uid']);
    assert.deepEqual(g.upsert(rs, { deletionTimestamp: 't', finalizers: ['orphan'] }).attemptToOrphan, []);
  });

  it('a dependent dropping its blocking reference unblocks a foreground owner; owner changes move edges', () => {
    const g = new DependencyGraph();
    g.upsert(rs, {});
    g.upsert(pod1, { ownerReferences: [ref(rs, true)] });
    g.upsert(rs, { deletionTimestamp: 't', finalizers: ['foregroundDeletion'] });
    const a = g.upsert(pod1, { ownerReferences: [ref(rs, false)] });
    assert.deepEqual(a.attemptToDelete, ['rs-uid']);
    assert.equal(g.get('rs-uid')!.blockingDependents().length, 0);
    g.upsert(pod1, {});
    assert.equal(g.get('rs-uid')!.dependents.size, 0);
  });

  it('forgets a virtual owner nobody references', () => {
    const g = new DependencyGraph();
    g.upsert(pod1, { ownerReferences: [ref(rs)] });
    g.upsert(pod1, {});
    assert.equal(g.get('rs-uid'), undefined);
  });

  it('diffOwners', () => {
    const a = ref(rs);
    const b = ref(pod2);
    const d = diffOwners([a, b], [{ ...a, blockOwnerDeletion: true }, ref(pod1)]);
    assert.deepEqual(d.added.map((r) => r.uid), ['p1-uid']);
    assert.deepEqual(d.removed.map((r) => r.uid), ['p2-uid']);
    assert.deepEqual(d.changed.map((r) => r.uid), ['rs-uid']);
  });
});

describe('decisions', () => {
  const states = (m: Record<string, OwnerState>) => (r: OwnerReference) => m[r.uid] ?? 'solid';
  const a = ref(rs);
  const b = ref(pod2);
  it('no owners: keep', () => assert.deepEqual(decideDependent({}, states({}), false), { action: 'none' }));
  it('all owners absent: delete (background by default, own finalizers choose otherwise)', () => {
    assert.deepEqual(decideDependent({ ownerReferences: [a] }, states({ 'rs-uid': 'absent' }), false), { action: 'delete', policy: 'Background' });
    assert.deepEqual(decideDependent({ ownerReferences: [a], finalizers: ['orphan'] }, states({ 'rs-uid': 'absent' }), false), { action: 'delete', policy: 'Orphan' });
    assert.equal(policyFor({ finalizers: ['foregroundDeletion'] }), 'Foreground');
  });
  it('a solid owner left: drop references to absent and waiting owners', () => {
    assert.deepEqual(decideDependent({ ownerReferences: [a, b] }, states({ 'rs-uid': 'absent' }), false), { action: 'removeReferences', uids: ['rs-uid'] });
    assert.deepEqual(decideDependent({ ownerReferences: [a, b] }, states({}), false), { action: 'none' });
  });
  it('owner waiting in the foreground: delete; foreground too when it has dependents of its own', () => {
    assert.deepEqual(decideDependent({ ownerReferences: [a] }, states({ 'rs-uid': 'waiting' }), false), { action: 'delete', policy: 'Background' });
    assert.deepEqual(decideDependent({ ownerReferences: [a] }, states({ 'rs-uid': 'waiting' }), true), { action: 'delete', policy: 'Foreground' });
  });
  it('foreground owner: waits for blocking dependents, deleting those not yet deleting', () => {
    const g = new DependencyGraph();
    g.upsert(rs, { deletionTimestamp: 't', finalizers: ['foregroundDeletion'] });
    g.upsert(pod1, { ownerReferences: [ref(rs, true)] });
    g.upsert(pod2, { ownerReferences: [ref(rs, true)], deletionTimestamp: 't' });
    assert.deepEqual(decideDeletingDependents(g.get('rs-uid')!), { action: 'wait', deleteDependents: ['p1-uid'] });
    g.remove('p1-uid');
    g.remove('p2-uid');
    assert.deepEqual(decideDeletingDependents(g.get('rs-uid')!), { action: 'removeFinalizer' });
  });
});

/** An in-memory API: objects by uid. */
class FakeApi implements GcApi {
  objects = new Map<string, { id: ObjectIdentity; meta: ObjectMetadata }>();
  log: string[] = [];
  put(o: ObjectIdentity, meta: ObjectMetadata = {}): void {
    this.objects.set(o.uid, { id: o, meta: { name: o.name, namespace: o.namespace, uid: o.uid, ...meta } });
  }
  private find(o: ObjectIdentity) {
    for (const v of this.objects.values()) if (v.id.kind === o.kind && v.id.name === o.name && v.id.namespace === o.namespace) return v;
    return undefined;
  }
  async get(o: ObjectIdentity) {
    return this.find(o)?.meta ?? null;
  }
  isNamespaced() {
    return true;
  }
  async delete(o: ObjectIdentity, policy: DeletePolicy) {
    this.log.push(`delete ${o.name} ${policy}`);
    this.objects.delete(o.uid);
  }
  async removeOwnerReferences(o: ObjectIdentity, uids: string[]) {
    this.log.push(`unref ${o.name} ${uids.join(',')}`);
    const v = this.objects.get(o.uid);
    if (v) v.meta.ownerReferences = (v.meta.ownerReferences ?? []).filter((r) => !uids.includes(r.uid));
  }
  async removeFinalizer(o: ObjectIdentity, f: string) {
    this.log.push(`unfinalize ${o.name} ${f}`);
  }
}

describe('collector (fake API)', () => {
  it('deletes a dependent whose owner is absent, verified by a GET; keeps one whose owner exists', async () => {
    const api = new FakeApi();
    const gc = new GarbageCollector(api);
    api.put(pod1, { ownerReferences: [ref(rs)] });
    gc.upsert(pod1, { ownerReferences: [ref(rs)] });
    // Virtual owner verified: absent → its dependents are looked at.
    await gc.processDelete('rs-uid');
    assert.equal(gc.graph.get('rs-uid'), undefined);
    await gc.processDelete('p1-uid');
    assert.deepEqual(api.log, ['delete p1 Background']);

    const api2 = new FakeApi();
    const gc2 = new GarbageCollector(api2);
    api2.put(rs);
    api2.put(pod2, { ownerReferences: [ref(rs)] });
    gc2.upsert(pod2, { ownerReferences: [ref(rs)] });
    await gc2.processDelete('rs-uid');
    await gc2.processDelete('p2-uid');
    assert.deepEqual(api2.log, []);
    assert.equal(gc2.graph.get('rs-uid')?.virtual, true);
  });

  it('an owner replaced by another with the same name counts as absent', async () => {
    const api = new FakeApi();
    const gc = new GarbageCollector(api);
    api.put({ ...rs, uid: 'other-uid' });
    api.put(pod1, { ownerReferences: [ref(rs)] });
    gc.upsert({ ...rs, uid: 'other-uid' }, {});
    gc.upsert(pod1, { ownerReferences: [ref(rs)] });
    await gc.processDelete('p1-uid');
    assert.deepEqual(api.log, ['delete p1 Background']);
  });

  it('orphan: strips the owner from every dependent, then the finalizer', async () => {
    const api = new FakeApi();
    const gc = new GarbageCollector(api);
    api.put(rs, { deletionTimestamp: 't', finalizers: ['orphan'] });
    for (const p of [pod1, pod2]) {
      api.put(p, { ownerReferences: [ref(rs)] });
      gc.upsert(p, { ownerReferences: [ref(rs)] });
    }
    gc.upsert(rs, { deletionTimestamp: 't', finalizers: ['orphan'] });
    await gc.processOrphan('rs-uid');
    assert.deepEqual(api.log.sort(), ['unfinalize rs orphan', 'unref p1 rs-uid', 'unref p2 rs-uid']);
  });

  it('foreground: dependents deleted first, finalizer removed once none block', async () => {
    const api = new FakeApi();
    const gc = new GarbageCollector(api);
    api.put(rs, { deletionTimestamp: 't', finalizers: ['foregroundDeletion'] });
    api.put(pod1, { ownerReferences: [ref(rs, true)] });
    gc.upsert(rs, {});
    gc.upsert(pod1, { ownerReferences: [ref(rs, true)] });
    gc.upsert(rs, { deletionTimestamp: 't', finalizers: ['foregroundDeletion'] });
    await gc.processDelete('rs-uid');
    assert.deepEqual(api.log, []);
    await gc.processDelete('p1-uid');
    assert.deepEqual(api.log, ['delete p1 Background']);
    gc.remove('p1-uid');
    await gc.processDelete('rs-uid');
    assert.deepEqual(api.log, ['delete p1 Background', 'unfinalize rs foregroundDeletion']);
  });
});
