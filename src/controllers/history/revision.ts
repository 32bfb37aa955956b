// ControllerRevisions for an owner (StatefulSet, DaemonSet): naming, hashing, equality, ordering
// and which old revisions to drop. Pure functions over objects; the API calls live in client.ts.

import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../api/registry.js';
import { hashRevisionData } from './hash.js';
import { canonicalJSON } from './json.js';

/** The label carrying a revision's hash (upstream's history.ControllerRevisionHashLabel). */
export const CONTROLLER_REVISION_HASH_LABEL = 'controller.kubernetes.io/hash';
/** The label workload pods (and DaemonSet revisions) carry: which revision they were made from. */
export const POD_REVISION_LABEL = 'controller-revision-hash';

/** Longest owner-name prefix kept in a revision name, so `<prefix>-<hash>` stays a valid name. */
const MAX_PREFIX_LENGTH = 223;

export interface OwnerKind {
  apiVersion: string;
  kind: string;
}

/** `<prefix>-<hash>`, the prefix cut to 223 characters. */
export function controllerRevisionName(prefix: string, hash: string): string {
  if (prefix.length > MAX_PREFIX_LENGTH) prefix = prefix.slice(0, MAX_PREFIX_LENGTH);
  return `${prefix}-${hash}`;
}

/** The revision's data as canonical JSON (what is hashed and compared). */
export function revisionData(rev: Pick<ControllerRevision, 'data'>): string {
  return canonicalJSON(rev.data ?? null);
}

/** The hash of a revision's data, salted with the collision count when given. */
export function hashControllerRevision(rev: Pick<ControllerRevision, 'data'>, collisionCount?: number): string {
  return hashRevisionData(revisionData(rev), collisionCount);
}

function controllerRefTo(owner: KubeObject, kind: OwnerKind): OwnerReference {
  return {
    apiVersion: kind.apiVersion,
    kind: kind.kind,
    name: owner.metadata?.name ?? '',
    uid: owner.metadata?.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/**
 * A new (not yet created) revision of `owner`: the template's labels plus the hash label, a
 * controller reference to the owner, the data and revision number, named `<owner>-<hash>`.
 */
export function newControllerRevision(
  owner: KubeObject,
  kind: OwnerKind,
  templateLabels: Record<string, string> | undefined,
  data: unknown,
  revision: number,
  collisionCount?: number,
): ControllerRevision {
  const cr: ControllerRevision = {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      namespace: owner.metadata?.namespace ?? '',
      labels: { ...(templateLabels ?? {}) },
      ownerReferences: [controllerRefTo(owner, kind)],
    },
    data: data as ControllerRevision['data'],
    revision,
  };
  const hash = hashControllerRevision(cr, collisionCount);
  cr.metadata!.name = controllerRevisionName(owner.metadata?.name ?? '', hash);
  cr.metadata!.labels![CONTROLLER_REVISION_HASH_LABEL] = hash;
  return cr;
}

/** Same hash label (when both have one) and the same data. */
export function equalRevision(a: ControllerRevision | undefined, b: ControllerRevision | undefined): boolean {
  if (!a || !b) return a === b;
  const ha = a.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL];
  const hb = b.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL];
  if (ha !== undefined && hb !== undefined && ha !== hb) return false;
  return revisionData(a) === revisionData(b);
}

/** The revisions equal to `needle` (keeping the input order). */
export function findEqualRevisions(revisions: readonly ControllerRevision[], needle: ControllerRevision): ControllerRevision[] {
  return revisions.filter((r) => equalRevision(r, needle));
}

function created(r: ControllerRevision): number {
  const t = r.metadata?.creationTimestamp ? Date.parse(r.metadata.creationTimestamp) : NaN;
  return Number.isNaN(t) ? 0 : t;
}

/** Ascending by revision number, then creation time, then name. Returns a new array. */
export function sortControllerRevisions(revisions: readonly ControllerRevision[]): ControllerRevision[] {
  return [...revisions].sort((a, b) => {
    if ((a.revision ?? 0) !== (b.revision ?? 0)) return (a.revision ?? 0) - (b.revision ?? 0);
    const ca = created(a);
    const cb = created(b);
    if (ca !== cb) return ca - cb;
    const na = a.metadata?.name ?? '';
    const nb = b.metadata?.name ?? '';
    return na < nb ? -1 : na > nb ? 1 : 0;
  });
}

/** One more than the highest revision number (1 for none). */
export function nextRevision(revisions: readonly ControllerRevision[]): number {
  let max = 0;
  for (const r of revisions) max = Math.max(max, r.revision ?? 0);
  return max + 1;
}

/** The highest revision number (0 for none). */
export function maxRevision(revisions: readonly ControllerRevision[]): number {
  return nextRevision(revisions) - 1;
}

/**
 * The revisions to delete so at most `limit` of the removable ones remain: oldest first, never one
 * of `keep` (by name: the current and update revisions, and those live pods still use).
 */
export function revisionsToTruncate(revisions: readonly ControllerRevision[], keep: ReadonlySet<string>, limit: number): ControllerRevision[] {
  const history = sortControllerRevisions(revisions).filter((r) => !keep.has(r.metadata?.name ?? ''));
  const excess = history.length - Math.max(0, limit);
  return excess > 0 ? history.slice(0, excess) : [];
}

/** The controller reference of an object, if any. */
export function controllerOf(obj: { metadata?: { ownerReferences?: OwnerReference[] } }): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}
