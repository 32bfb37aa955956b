// Controller-ref management (upstream's ControllerRefManager): which objects an owner claims,
// adopting orphans that match its selector and releasing owned ones that no longer do.

import type { KubeObject } from '../../api/registry.js';
import type { LabelSelector } from '../../api/selectors/index.js';
import { isNotFound, type ResourceClient } from '../../client/index.js';
import { controllerRef, getControllerOf, type OwnerKind } from './keys.js';

export interface ClaimPlan<T> {
  /** Already ours and still matching. */
  owned: T[];
  /** Orphans matching the selector, to adopt. */
  adopt: T[];
  /** Ours but no longer matching, to release. */
  release: T[];
}

/**
 * Decide the claim (pure). Objects controlled by someone else are ignored; nothing is adopted or
 * released while the owner is being deleted (its owned objects stay owned); objects being deleted
 * are never adopted.
 */
export function planClaim<T extends KubeObject>(owner: KubeObject, selector: LabelSelector, objs: T[]): ClaimPlan<T> {
  const plan: ClaimPlan<T> = { owned: [], adopt: [], release: [] };
  const uid = owner.metadata?.uid;
  const ownerDeleting = !!owner.metadata?.deletionTimestamp;
  for (const o of objs) {
    const ref = getControllerOf(o);
    const matches = selector.matches(o.metadata?.labels ?? {});
    if (ref) {
      if (ref.uid !== uid) continue;
      if (matches) plan.owned.push(o);
      else if (!ownerDeleting) plan.release.push(o);
      // being deleted and no longer matching: neither ours to manage nor released
      continue;
    }
    if (!matches || ownerDeleting || o.metadata?.deletionTimestamp) continue;
    plan.adopt.push(o);
  }
  return plan;
}

export interface ClaimOptions<T extends KubeObject> {
  owner: KubeObject;
  kind: OwnerKind;
  selector: LabelSelector;
  objects: T[];
  client: ResourceClient<T>;
  /**
   * Re-check, once and only before the first adoption, that the owner still exists with the same
   * UID and is not being deleted (upstream reads it fresh from the API server).
   */
  canAdopt?: () => Promise<void>;
}

/** Apply a claim: PATCH adoptions and releases; returns the objects the owner now controls. */
export async function claimObjects<T extends KubeObject>(o: ClaimOptions<T>): Promise<T[]> {
  const plan = planClaim(o.owner, o.selector, o.objects);
  const claimed = [...plan.owned];
  const errors: unknown[] = [];
  let checked: Promise<void> | undefined;
  for (const obj of plan.adopt) {
    try {
      if (o.canAdopt) await (checked ??= o.canAdopt());
      const ns = obj.metadata?.namespace;
      const patched = await o.client.patch(
        ns,
        obj.metadata!.name!,
        { metadata: { ownerReferences: [controllerRef(o.owner, o.kind)], uid: obj.metadata?.uid } },
        'strategic',
      );
      claimed.push(patched);
    } catch (err) {
      if (isNotFound(err)) continue;
      errors.push(err);
      if (checked) break; // the owner check failed or adoption is failing: stop adopting
    }
  }
  for (const obj of plan.release) {
    try {
      await o.client.patch(
        obj.metadata?.namespace,
        obj.metadata!.name!,
        { metadata: { ownerReferences: [{ $patch: 'delete', uid: o.owner.metadata?.uid }], uid: obj.metadata?.uid } },
        'strategic',
      );
    } catch (err) {
      if (isNotFound(err) || isInvalidUidPrecondition(err)) continue;
      errors.push(err);
    }
  }
  if (errors.length) throw errors[0];
  return claimed;
}

function isInvalidUidPrecondition(err: unknown): boolean {
  // The object was deleted and re-created under the same name: nothing of ours to release.
  return (err as { code?: number })?.code === 422 || (err as { code?: number })?.code === 409;
}

/** canAdopt for an owner read fresh through `get`: same UID and not being deleted. */
export function recheckOwner(get: () => Promise<KubeObject>, owner: KubeObject): () => Promise<void> {
  return async () => {
    const fresh = await get();
    if (fresh.metadata?.uid !== owner.metadata?.uid) {
      throw new Error(`original ${owner.kind ?? 'owner'} ${owner.metadata?.namespace}/${owner.metadata?.name} is gone: got uid ${fresh.metadata?.uid}, wanted ${owner.metadata?.uid}`);
    }
    if (fresh.metadata?.deletionTimestamp) {
      throw new Error(`${owner.kind ?? 'owner'} ${owner.metadata?.namespace}/${owner.metadata?.name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
    }
  };
}
