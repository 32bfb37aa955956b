// ControllerRevisions through the API: create with hash-collision handling, renumber, delete, and
// claim (adopt orphans that match the owner's selector, release owned ones that no longer match).

import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import type { KubeObject } from '../../api/registry.js';
import type { LabelSelector } from '../../api/selectors/index.js';
import { isAlreadyExists, isNotFound, type ResourceRef, type RestClient } from '../../client/index.js';
import {
  CONTROLLER_REVISION_HASH_LABEL,
  controllerOf,
  controllerRevisionName,
  equalRevision,
  hashControllerRevision,
  type OwnerKind,
} from './revision.js';

export const CONTROLLER_REVISIONS: ResourceRef = { group: 'apps', version: 'v1', plural: 'controllerrevisions', namespaced: true };

/** Gives up after this many consecutive hash collisions (never reached in practice). */
const MAX_COLLISIONS = 100;

export interface CreatedRevision {
  revision: ControllerRevision;
  /** The collision count after creation (higher than given when names collided). */
  collisionCount: number;
}

/**
 * Create `revision` under `<owner>-<hash>`. When the name is taken by an equal revision that one is
 * returned; when taken by a different one, the collision count goes up and the name is rehashed.
 */
export async function createControllerRevision(
  client: RestClient,
  owner: KubeObject,
  revision: ControllerRevision,
  collisionCount: number,
): Promise<CreatedRevision> {
  const api = client.resource<ControllerRevision & KubeObject>(CONTROLLER_REVISIONS);
  const ns = owner.metadata?.namespace ?? '';
  for (let i = 0; i < MAX_COLLISIONS; i++) {
    const clone = structuredClone(revision);
    const hash = hashControllerRevision(clone, collisionCount);
    clone.metadata ??= {};
    clone.metadata.name = controllerRevisionName(owner.metadata?.name ?? '', hash);
    clone.metadata.namespace = ns;
    clone.metadata.labels = { ...(clone.metadata.labels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: hash };
    try {
      const created = await api.create(ns, clone as ControllerRevision & KubeObject);
      return { revision: created, collisionCount };
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const existing = await api.get(ns, clone.metadata.name);
      if (equalRevision(existing, clone)) return { revision: existing, collisionCount };
      collisionCount++;
    }
  }
  throw new Error(`too many ControllerRevision name collisions for ${ns}/${owner.metadata?.name}`);
}

/** Set a revision's number (no write when it already has it). */
export async function updateControllerRevision(client: RestClient, rev: ControllerRevision, revision: number): Promise<ControllerRevision> {
  if (rev.revision === revision) return rev;
  const api = client.resource<ControllerRevision & KubeObject>(CONTROLLER_REVISIONS);
  const ns = rev.metadata?.namespace ?? '';
  const name = rev.metadata?.name ?? '';
  return api.patch(ns, name, { revision, metadata: { resourceVersion: rev.metadata?.resourceVersion } }, 'merge');
}

/** Delete a revision (already gone is fine). */
export async function deleteControllerRevision(client: RestClient, rev: ControllerRevision): Promise<void> {
  const api = client.resource(CONTROLLER_REVISIONS);
  try {
    await api.delete(rev.metadata?.namespace ?? '', rev.metadata?.name ?? '');
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

export interface RevisionClaim {
  /** Revisions the owner controls (including ones about to be adopted). */
  owned: ControllerRevision[];
  /** Orphans that match the selector: give them a controller reference. */
  adopt: ControllerRevision[];
  /** Owned revisions that no longer match: drop the owner's reference. */
  release: ControllerRevision[];
}

/** Pure: which revisions `owner` controls, adopts and releases (upstream's ClaimControllerRevisions). */
export function claimRevisions(owner: KubeObject, selector: LabelSelector, revisions: readonly ControllerRevision[]): RevisionClaim {
  const uid = owner.metadata?.uid;
  const deleting = !!owner.metadata?.deletionTimestamp;
  const out: RevisionClaim = { owned: [], adopt: [], release: [] };
  for (const r of revisions) {
    if (r.metadata?.namespace !== owner.metadata?.namespace) continue;
    const ref = controllerOf(r);
    const matches = selector.matches(r.metadata?.labels ?? {});
    if (ref) {
      if (ref.uid !== uid) continue;
      if (matches) out.owned.push(r);
      else if (!deleting) out.release.push(r);
      else out.owned.push(r);
      continue;
    }
    if (!matches || deleting || r.metadata?.deletionTimestamp) continue;
    out.adopt.push(r);
    out.owned.push(r);
  }
  return out;
}

/** Apply a claim: adopt orphans and release strays; returns the owned revisions as now stored. */
export async function applyRevisionClaim(client: RestClient, owner: KubeObject, kind: OwnerKind, claim: RevisionClaim): Promise<ControllerRevision[]> {
  const api = client.resource<ControllerRevision & KubeObject>(CONTROLLER_REVISIONS);
  const ns = owner.metadata?.namespace ?? '';
  const owned = new Map(claim.owned.map((r) => [r.metadata?.name ?? '', r]));
  for (const r of claim.adopt) {
    const refs = [
      ...(r.metadata?.ownerReferences ?? []),
      { apiVersion: kind.apiVersion, kind: kind.kind, name: owner.metadata?.name ?? '', uid: owner.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true },
    ];
    try {
      const updated = await api.patch(ns, r.metadata?.name ?? '', { metadata: { ownerReferences: refs, resourceVersion: r.metadata?.resourceVersion } }, 'merge');
      owned.set(updated.metadata?.name ?? '', updated);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      owned.delete(r.metadata?.name ?? '');
    }
  }
  for (const r of claim.release) {
    const refs = (r.metadata?.ownerReferences ?? []).filter((o) => o.uid !== owner.metadata?.uid);
    try {
      await api.patch(ns, r.metadata?.name ?? '', { metadata: { ownerReferences: refs, resourceVersion: r.metadata?.resourceVersion } }, 'merge');
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  return [...owned.values()];
}
