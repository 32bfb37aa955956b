// How objects are kept in the store: JSON without metadata.resourceVersion, which is the
// store's modRevision and is filled in on the way out.

import type { KubeObject } from '../../api/registry.js';
import type { KeyValue } from '../../storage/store.js';

export function encodeForStore(obj: KubeObject): string {
  const meta = obj.metadata;
  if (!meta || meta.resourceVersion === undefined) return JSON.stringify(obj);
  const { resourceVersion: _rv, ...rest } = meta;
  return JSON.stringify({ ...obj, metadata: rest });
}

export function decodeFromStore(value: string, modRevision: number): KubeObject {
  const obj = JSON.parse(value) as KubeObject;
  obj.metadata = obj.metadata ?? {};
  obj.metadata.resourceVersion = String(modRevision);
  return obj;
}

export function decodeKeyValue(kv: KeyValue): KubeObject {
  return decodeFromStore(kv.value, kv.modRevision);
}
