// The collector's decisions, as pure functions of what it read: what to do with an object whose
// owners were looked up, with an owner deleting its dependents in the foreground, and which policy
// to delete with.

import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { FINALIZER_FOREGROUND, FINALIZER_ORPHAN, hasFinalizer, type GraphNode, type ObservedMeta } from './graph.js';

/** An owner as found by a live read: gone (404 or another uid), present, or present and deleting its dependents first. */
export type OwnerState = 'absent' | 'solid' | 'waiting';

export type DeletePolicy = 'Background' | 'Foreground' | 'Orphan';

export type DependentDecision =
  /** Keep it: no owners, or some owner still holds it and nothing needs cleaning. */
  | { action: 'none' }
  /** Some owner holds it: drop the references to the absent and foreground-deleting owners. */
  | { action: 'removeReferences'; uids: string[] }
  /** No owner holds it any more: delete it. */
  | { action: 'delete'; policy: DeletePolicy };

/** The owner references of an object, sorted by the state of each owner. */
export function classifyReferences(refs: OwnerReference[], states: (ref: OwnerReference) => OwnerState): { solid: OwnerReference[]; dangling: OwnerReference[]; waiting: OwnerReference[] } {
  const solid: OwnerReference[] = [];
  const dangling: OwnerReference[] = [];
  const waiting: OwnerReference[] = [];
  for (const r of refs) {
    const s = states(r);
    if (s === 'absent') dangling.push(r);
    else if (s === 'waiting') waiting.push(r);
    else solid.push(r);
  }
  return { solid, dangling, waiting };
}

/** The propagation policy an object is deleted with: its own finalizers ask for one, else Background. */
export function policyFor(meta: ObservedMeta): DeletePolicy {
  if (hasFinalizer(meta, FINALIZER_ORPHAN)) return 'Orphan';
  if (hasFinalizer(meta, FINALIZER_FOREGROUND)) return 'Foreground';
  return 'Background';
}

/**
 * What to do with an object not being deleted, given its owners' states and whether it has
 * dependents of its own (then an owner waiting for it gets it deleted in the foreground too, so
 * that blocking propagates down the chain).
 */
export function decideDependent(meta: ObservedMeta, states: (ref: OwnerReference) => OwnerState, hasDependents: boolean): DependentDecision {
  const refs = meta.ownerReferences ?? [];
  if (refs.length === 0) return { action: 'none' };
  const { solid, dangling, waiting } = classifyReferences(refs, states);
  if (solid.length > 0) {
    if (dangling.length === 0 && waiting.length === 0) return { action: 'none' };
    return { action: 'removeReferences', uids: [...dangling, ...waiting].map((r) => r.uid) };
  }
  if (waiting.length > 0 && hasDependents) return { action: 'delete', policy: 'Foreground' };
  return { action: 'delete', policy: policyFor(meta) };
}

export type ForegroundDecision =
  /** Nothing blocks the owner any more: remove its foregroundDeletion finalizer. */
  | { action: 'removeFinalizer' }
  /** Wait for these blocking dependents; the listed uids are not yet being deleted and should be. */
  | { action: 'wait'; deleteDependents: string[] };

/** An owner deleting its dependents in the foreground: what still blocks it. */
export function decideDeletingDependents(node: GraphNode): ForegroundDecision {
  const blocking = node.blockingDependents();
  if (blocking.length === 0) return { action: 'removeFinalizer' };
  return { action: 'wait', deleteDependents: blocking.filter((d) => !d.beingDeleted).map((d) => d.identity.uid) };
}
