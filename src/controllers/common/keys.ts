// Object keys and controller references.

import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { keyOf, splitKey } from '../../client/index.js';
import type { KubeObject } from '../../api/registry.js';

/** The workqueue key of a controller object: `namespace/name` (upstream's KeyFunc). */
export function controllerKey(obj: KubeObject): string {
  return keyOf(obj);
}

export { splitKey };

/** The ownerReference with controller: true, if any (upstream's GetControllerOf). */
export function getControllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

export interface OwnerKind {
  apiVersion: string;
  kind: string;
}

/** The controller ownerReference a controller puts on what it creates (controller + blockOwnerDeletion). */
export function controllerRef(owner: KubeObject, kind: OwnerKind): OwnerReference {
  return {
    apiVersion: kind.apiVersion,
    kind: kind.kind,
    name: owner.metadata?.name ?? '',
    uid: owner.metadata?.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}
