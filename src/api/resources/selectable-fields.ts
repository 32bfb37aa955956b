// Field selectors per resource: which field labels a resource supports, and a getter over one object.

import type { ResourceDef } from '../registry.js';
import type { FieldGetter } from '../selectors/index.js';

/** Every field label a `fieldSelector` may use on this resource (metadata.namespace only when namespaced). */
export function supportedFieldLabels(def: ResourceDef): string[] {
  return ['metadata.name', ...(def.namespaced ? ['metadata.namespace'] : []), ...Object.keys(def.fieldSelectors ?? {})];
}

/** The field labels in `fields` this resource does not support (upstream answers 400 "field label not supported"). */
export function unsupportedFieldLabels(def: ResourceDef, fields: readonly string[]): string[] {
  const ok = new Set(supportedFieldLabels(def));
  return fields.filter((f) => !ok.has(f));
}

/** Reads field labels of `obj` as `def` declares them; unknown labels read as undefined. */
export function fieldGetter(def: ResourceDef, obj: any): FieldGetter {
  return (field) => {
    if (field === 'metadata.name') return obj?.metadata?.name ?? '';
    if (field === 'metadata.namespace' && def.namespaced) return obj?.metadata?.namespace ?? '';
    const get = def.fieldSelectors && Object.prototype.hasOwnProperty.call(def.fieldSelectors, field) ? def.fieldSelectors[field] : undefined;
    return get ? get(obj) : undefined;
  };
}
