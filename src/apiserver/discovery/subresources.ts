// What discovery says about each subresource: the kind it answers with and the verbs it serves.

import type { ResourceDef } from '../../api/registry.js';

export const DEFAULT_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface SubresourceInfo {
  name: string;
  responseKind: GroupVersionKind;
  verbs: string[];
}

const GET_PATCH_UPDATE = ['get', 'patch', 'update'];
const CONNECT = ['create', 'get'];

/** Subresources whose kind is fixed, whatever the parent. */
const FIXED: Record<string, { kind?: GroupVersionKind; verbs: string[] }> = {
  status: { verbs: GET_PATCH_UPDATE },
  scale: { kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: GET_PATCH_UPDATE },
  binding: { kind: { group: '', version: 'v1', kind: 'Binding' }, verbs: ['create'] },
  eviction: { kind: { group: 'policy', version: 'v1', kind: 'Eviction' }, verbs: ['create'] },
  log: { verbs: ['get'] },
  exec: { kind: { group: '', version: 'v1', kind: 'PodExecOptions' }, verbs: CONNECT },
  attach: { kind: { group: '', version: 'v1', kind: 'PodAttachOptions' }, verbs: CONNECT },
  portforward: { kind: { group: '', version: 'v1', kind: 'PodPortForwardOptions' }, verbs: CONNECT },
  proxy: { verbs: ['create', 'delete', 'get', 'patch', 'update'] },
  token: { kind: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' }, verbs: ['create'] },
  ephemeralcontainers: { verbs: GET_PATCH_UPDATE },
  resize: { verbs: GET_PATCH_UPDATE },
  finalize: { verbs: ['update'] },
  approval: { verbs: GET_PATCH_UPDATE },
};

/** Discovery facts for one subresource of `def`. Unknown subresources: parent kind, get/patch/update. */
export function subresourceInfo(def: ResourceDef, sub: string): SubresourceInfo {
  const parent: GroupVersionKind = { group: def.group, version: def.version, kind: def.kind };
  const fixed = FIXED[sub];
  let kind = fixed?.kind ?? parent;
  if (sub === 'proxy') kind = { group: '', version: 'v1', kind: `${def.kind}ProxyOptions` };
  return { name: sub, responseKind: kind, verbs: [...(fixed?.verbs ?? GET_PATCH_UPDATE)] };
}

export function verbsOf(def: ResourceDef): string[] {
  return [...(def.verbs ?? DEFAULT_VERBS)];
}
