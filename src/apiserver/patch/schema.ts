// Small lookups over SchemaNode shared by strategic merge patch and server-side apply.
import type { SchemaNode } from '../../api/schema/types.js';

/** Schema of the value under `key` of an object node: a declared property, else the map value type. */
export function childSchema(node: SchemaNode | undefined, key: string): SchemaNode | undefined {
  if (!node) return undefined;
  return node.properties?.[key] ?? node.additionalProperties;
}

/** True when `key` is a declared (struct) field of `node`, as opposed to a map key. */
export function isNamedField(node: SchemaNode | undefined, key: string): boolean {
  return !!node?.properties && Object.prototype.hasOwnProperty.call(node.properties, key);
}

/** The strategic-merge-patch strategies of a field, e.g. ["merge", "retainKeys"]. */
export function patchStrategies(node: SchemaNode | undefined): string[] {
  if (!node?.patchStrategy) return [];
  return node.patchStrategy
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A node's default value, when the schema carries one (list-map keys such as ports' protocol). */
export function schemaDefault(node: SchemaNode | undefined): unknown {
  return (node as (SchemaNode & { default?: unknown }) | undefined)?.default;
}
