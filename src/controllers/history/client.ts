// ControllerRevisions through the API: create with hash-collision handling, renumber, delete.
// (Claiming revisions by selector and controller reference is common/'s claimObjects.)

import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import type { KubeObject } from '../../api/registry.js';
import { isAlreadyExists, isNotFound, type ResourceRef, type RestClient } from '../../client/index.js';
import {
  CONTROLLER_REVISION_HASH_LABEL,
  controllerRevisionName,
  equalRevision,
  hashControllerRevision,
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
