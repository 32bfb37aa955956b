// The garbage collector's dependency graph: one node per object (by uid), edges from owners to
// dependents through metadata.ownerReferences. Owners referenced before they are seen are virtual
// nodes, to be verified by the collector. Applying an observed change returns what the collector
// must look at again: objects to delete (or check) and owners whose dependents to orphan.
// Pure: no I/O, no timers.

import type { OwnerReference } from 'kubernetes-types/meta/v1.js';

export const FINALIZER_ORPHAN = 'orphan';
export const FINALIZER_FOREGROUND = 'foregroundDeletion';

/** Where an object is: enough to GET it again. */
export interface ObjectIdentity {
  apiVersion: string;
  kind: string;
  namespace: string; // '' for cluster-scoped
  name: string;
  uid: string;
}

/** The parts of an object's metadata the graph needs. */
export interface ObservedMeta {
  ownerReferences?: OwnerReference[];
  deletionTimestamp?: string;
  finalizers?: string[];
}

export class GraphNode {
  readonly dependents = new Set<GraphNode>();
  owners: OwnerReference[] = [];
  /** Referenced by a dependent but never observed. */
  virtual: boolean;
  beingDeleted = false;
  /** Being deleted with the foregroundDeletion finalizer: its dependents go first. */
  deletingDependents = false;
  /** Carries the orphan finalizer while being deleted. */
  orphaning = false;

  constructor(
    public identity: ObjectIdentity,
    virtual: boolean,
  ) {
    this.virtual = virtual;
  }

  /** Dependents whose reference to this node has blockOwnerDeletion. */
  blockingDependents(): GraphNode[] {
    const out: GraphNode[] = [];
    for (const d of this.dependents) {
      if (d.owners.some((r) => r.uid === this.identity.uid && r.blockOwnerDeletion === true)) out.push(d);
    }
    return out;
  }
}

/** What a graph change asks the collector to do. Uids, de-duplicated by the caller's queues. */
export interface GraphActions {
  attemptToDelete: string[];
  attemptToOrphan: string[];
}

export type IsNamespaced = (apiVersion: string, kind: string) => boolean | undefined;

export function hasFinalizer(meta: ObservedMeta | undefined, f: string): boolean {
  return !!meta?.finalizers?.includes(f);
}

export class DependencyGraph {
  private readonly nodes = new Map<string, GraphNode>();

  /** Whether an owner kind is namespaced (from discovery); unknown kinds are taken as in the dependent's namespace. */
  constructor(private readonly isNamespaced: IsNamespaced = () => undefined) {}

  get size(): number {
    return this.nodes.size;
  }

  get(uid: string): GraphNode | undefined {
    return this.nodes.get(uid);
  }

  nodesList(): GraphNode[] {
    return [...this.nodes.values()];
  }

  /** An object was added or updated (observed by a list or watch). */
  upsert(identity: ObjectIdentity, meta: ObservedMeta): GraphActions {
    const actions: GraphActions = { attemptToDelete: [], attemptToOrphan: [] };
    let node = this.nodes.get(identity.uid);
    const owners = (meta.ownerReferences ?? []).filter((r) => !!r.uid);
    if (!node) {
      node = new GraphNode(identity, false);
      node.owners = owners;
      this.nodes.set(identity.uid, node);
      this.addToOwners(node, owners, actions);
    } else {
      if (node.virtual) {
        node.virtual = false;
        // A dependent guessed the wrong coordinates: let the dependents check their references again.
        const before = node.identity;
        if (before.apiVersion !== identity.apiVersion || before.kind !== identity.kind || before.namespace !== identity.namespace) {
          for (const d of node.dependents) actions.attemptToDelete.push(d.identity.uid);
        }
      }
      node.identity = identity;
      const { added, removed, changed } = diffOwners(node.owners, owners);
      // Owners waiting for this dependent (foreground) look again when it stops blocking them.
      for (const r of [...removed, ...changed]) {
        const owner = this.nodes.get(r.uid);
        if (owner?.deletingDependents) actions.attemptToDelete.push(owner.identity.uid);
      }
      node.owners = owners;
      this.removeFromOwners(node, removed);
      this.addToOwners(node, added, actions);
    }
    this.transitions(node, meta, actions);
    return actions;
  }

  /** An object was deleted (or verified absent). */
  remove(uid: string): GraphActions {
    const actions: GraphActions = { attemptToDelete: [], attemptToOrphan: [] };
    const node = this.nodes.get(uid);
    if (!node) return actions;
    this.nodes.delete(uid);
    this.removeFromOwners(node, node.owners);
    // Its dependents may now be garbage; owners waiting for it in the foreground look again.
    for (const d of node.dependents) actions.attemptToDelete.push(d.identity.uid);
    for (const r of node.owners) {
      const owner = this.nodes.get(r.uid);
      if (owner?.deletingDependents) actions.attemptToDelete.push(owner.identity.uid);
    }
    return actions;
  }

  private transitions(node: GraphNode, meta: ObservedMeta, actions: GraphActions): void {
    const beingDeleted = !!meta.deletionTimestamp;
    const wasOrphaning = node.orphaning;
    const wasDeletingDependents = node.deletingDependents;
    node.beingDeleted = beingDeleted;
    node.orphaning = beingDeleted && hasFinalizer(meta, FINALIZER_ORPHAN);
    node.deletingDependents = beingDeleted && hasFinalizer(meta, FINALIZER_FOREGROUND);
    if (node.orphaning && !wasOrphaning) actions.attemptToOrphan.push(node.identity.uid);
    if (node.deletingDependents && !wasDeletingDependents) {
      for (const d of node.dependents) actions.attemptToDelete.push(d.identity.uid);
      actions.attemptToDelete.push(node.identity.uid);
    }
  }

  private addToOwners(node: GraphNode, refs: OwnerReference[], actions: GraphActions): void {
    for (const r of refs) {
      let owner = this.nodes.get(r.uid);
      if (!owner) {
        const namespaced = this.isNamespaced(r.apiVersion, r.kind);
        owner = new GraphNode(
          { apiVersion: r.apiVersion, kind: r.kind, name: r.name, uid: r.uid, namespace: namespaced === false ? '' : node.identity.namespace },
          true,
        );
        this.nodes.set(r.uid, owner);
        // Never seen: the collector verifies whether it exists.
        actions.attemptToDelete.push(r.uid);
      }
      owner.dependents.add(node);
    }
  }

  private removeFromOwners(node: GraphNode, refs: OwnerReference[]): void {
    for (const r of refs) {
      const owner = this.nodes.get(r.uid);
      if (!owner) continue;
      owner.dependents.delete(node);
      // A virtual owner nobody references any more is forgotten.
      if (owner.virtual && owner.dependents.size === 0) this.nodes.delete(r.uid);
    }
  }
}

/** Owner references added, removed, or changed (same uid, different blockOwnerDeletion/controller). */
export function diffOwners(old: OwnerReference[], next: OwnerReference[]): { added: OwnerReference[]; removed: OwnerReference[]; changed: OwnerReference[] } {
  const oldByUid = new Map(old.map((r) => [r.uid, r]));
  const newByUid = new Map(next.map((r) => [r.uid, r]));
  const added = next.filter((r) => !oldByUid.has(r.uid));
  const removed = old.filter((r) => !newByUid.has(r.uid));
  const changed: OwnerReference[] = [];
  for (const r of next) {
    const o = oldByUid.get(r.uid);
    if (o && (!!o.blockOwnerDeletion !== !!r.blockOwnerDeletion || !!o.controller !== !!r.controller)) changed.push(o);
  }
  return { added, removed, changed };
}
