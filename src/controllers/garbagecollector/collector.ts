// The garbage collector: the dependency graph fed by metadata monitors of every deletable resource,
// and two queues of uids. attemptToDelete decides about one object (delete it, drop references to
// gone owners, or finish a foreground deletion); attemptToOrphan strips an orphaning owner's
// references from its dependents and then its `orphan` finalizer.

import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { ExponentialFailureRateLimiter, MaxOfRateLimiter, BucketRateLimiter, WorkQueue, runWorkers } from '../../client/index.js';
import type { GcApi, ObjectMetadata } from './client.js';
import { decideDeletingDependents, decideDependent, type OwnerState } from './decide.js';
import { DependencyGraph, FINALIZER_FOREGROUND, FINALIZER_ORPHAN, hasFinalizer, type GraphActions, type GraphNode, type ObjectIdentity, type ObservedMeta } from './graph.js';

/** Uids known to be gone (deleted, or verified absent): spares repeated GETs of a deleted owner. */
export class AbsentOwnerCache {
  private readonly uids = new Map<string, true>();
  constructor(private readonly max = 10_000) {}
  add(uid: string): void {
    this.uids.delete(uid);
    this.uids.set(uid, true);
    if (this.uids.size > this.max) this.uids.delete(this.uids.keys().next().value!);
  }
  has(uid: string): boolean {
    return this.uids.has(uid);
  }
}

export interface CollectorOptions {
  /** Called on worker errors (default: console.error). */
  onError?: (what: string, err: unknown) => void;
  /**
   * Resolves once every monitor has seen the store up to `resourceVersion` (or gave up waiting).
   * Before an owner's finalizer is removed, dependents created before the owner's deletion must
   * be in the graph, or an orphaned dependent could be collected as garbage later.
   */
  waitForGraph?: (resourceVersion: string) => Promise<void>;
}

export class GarbageCollector {
  readonly graph: DependencyGraph;
  readonly absent = new AbsentOwnerCache();
  readonly attemptToDelete: WorkQueue<string>;
  readonly attemptToOrphan: WorkQueue<string>;

  constructor(
    private readonly api: GcApi,
    private readonly options: CollectorOptions = {},
  ) {
    this.graph = new DependencyGraph((av, k) => api.isNamespaced(av, k));
    const limiter = () => new MaxOfRateLimiter<string>(new ExponentialFailureRateLimiter<string>(5, 60_000), new BucketRateLimiter<string>(100, 1000));
    this.attemptToDelete = new WorkQueue<string>({ name: 'garbage_collector_attempt_to_delete', rateLimiter: limiter() });
    this.attemptToOrphan = new WorkQueue<string>({ name: 'garbage_collector_attempt_to_orphan', rateLimiter: limiter() });
  }

  // ---- graph changes (from monitors) ----

  upsert(id: ObjectIdentity, meta: ObservedMeta): void {
    this.apply(this.graph.upsert(id, meta));
  }

  remove(uid: string): void {
    this.absent.add(uid);
    this.apply(this.graph.remove(uid));
  }

  private apply(actions: GraphActions): void {
    for (const uid of actions.attemptToDelete) this.attemptToDelete.add(uid);
    for (const uid of actions.attemptToOrphan) this.attemptToOrphan.add(uid);
  }

  /** Run the workers until the queues shut down. */
  run(workers: number): Promise<void> {
    const onError = (what: string) => (key: string, err: unknown) => {
      if (this.options.onError) this.options.onError(`${what} ${key}`, err);
      else console.error(`garbage collector: ${what} ${key}: ${err instanceof Error ? err.message : String(err)}`);
    };
    return Promise.all([
      runWorkers(this.attemptToDelete, workers, (uid) => this.processDelete(uid), { onError: onError('attempt to delete') }),
      runWorkers(this.attemptToOrphan, workers, (uid) => this.processOrphan(uid), { onError: onError('attempt to orphan') }),
    ]).then(() => undefined);
  }

  shutDown(): void {
    this.attemptToDelete.shutDown();
    this.attemptToOrphan.shutDown();
  }

  // ---- attempt to delete ----

  /** Look at one object again (its uid from the queue). */
  async processDelete(uid: string): Promise<void> {
    const node = this.graph.get(uid);
    if (!node) return;
    const id = node.identity;
    const latest = await this.api.get(id);
    if (!latest || latest.uid !== id.uid) {
      // Gone (or replaced by another object of the same name): as if its deletion was observed.
      this.remove(id.uid);
      return;
    }
    if (node.virtual) {
      // It exists; its monitor will observe it. Dependents keep it as their owner.
      return;
    }
    const deleting = !!latest.deletionTimestamp;
    if (deleting && !hasFinalizer(latest, FINALIZER_FOREGROUND)) return;
    if (deleting) return this.processDeletingDependents(node, latest);

    const states = await this.ownerStates(id, latest.ownerReferences ?? []);
    const decision = decideDependent(latest, (r) => states.get(r.uid) ?? 'solid', node.dependents.size > 0);
    switch (decision.action) {
      case 'none':
        return;
      case 'removeReferences':
        await this.api.removeOwnerReferences(id, decision.uids);
        return;
      case 'delete':
        await this.api.delete(id, decision.policy);
        return;
    }
  }

  private async processDeletingDependents(node: GraphNode, latest: ObjectMetadata): Promise<void> {
    if (decideDeletingDependents(node).action === 'removeFinalizer' && latest.resourceVersion) await this.options.waitForGraph?.(latest.resourceVersion);
    const d = decideDeletingDependents(node);
    if (d.action === 'removeFinalizer') {
      await this.api.removeFinalizer(node.identity, FINALIZER_FOREGROUND);
      return;
    }
    for (const uid of d.deleteDependents) this.attemptToDelete.add(uid);
  }

  /** Each owner's state, from live reads (a cached absence spares the read). */
  private async ownerStates(dependent: ObjectIdentity, refs: OwnerReference[]): Promise<Map<string, OwnerState>> {
    const out = new Map<string, OwnerState>();
    for (const r of refs) out.set(r.uid, await this.ownerState(dependent, r));
    return out;
  }

  private async ownerState(dependent: ObjectIdentity, r: OwnerReference): Promise<OwnerState> {
    if (this.absent.has(r.uid)) return 'absent';
    const namespaced = this.api.isNamespaced(r.apiVersion, r.kind);
    // A cluster-scoped object cannot be owned by a namespaced one: that reference can never resolve.
    if (namespaced === true && !dependent.namespace) return 'absent';
    const ownerId: ObjectIdentity = { apiVersion: r.apiVersion, kind: r.kind, name: r.name, uid: r.uid, namespace: namespaced === false ? '' : dependent.namespace };
    const owner: ObjectMetadata | null = await this.api.get(ownerId);
    if (!owner || owner.uid !== r.uid) {
      this.absent.add(r.uid);
      return 'absent';
    }
    if (owner.deletionTimestamp && hasFinalizer(owner, FINALIZER_FOREGROUND)) return 'waiting';
    return 'solid';
  }

  // ---- attempt to orphan ----

  async processOrphan(uid: string): Promise<void> {
    const node = this.graph.get(uid);
    if (!node || !node.orphaning) return;
    const latest = await this.api.get(node.identity);
    if (!latest || latest.uid !== uid) return;
    if (latest.resourceVersion) await this.options.waitForGraph?.(latest.resourceVersion);
    const failures: unknown[] = [];
    await Promise.all(
      [...node.dependents].map(async (d) => {
        try {
          await this.api.removeOwnerReferences(d.identity, [uid]);
        } catch (e) {
          failures.push(e);
        }
      }),
    );
    if (failures.length > 0) throw new AggregateError(failures, `orphaning dependents of ${node.identity.kind} ${node.identity.name}: ${failures.length} failed`);
    await this.api.removeFinalizer(node.identity, FINALIZER_ORPHAN);
  }
}
