// The API schema: one node per field, with the merge metadata that strategic merge patch,
// server-side apply and OpenAPI all need. Built from kubernetes-types (see generate.ts/load.ts).

export interface SchemaNode {
  /** Definition name when this node is a named type, e.g. "io.k8s.api.core.v1.Container". */
  name?: string;
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  /** "int-or-string", "date-time", "byte", "int32", "int64", "quantity" … */
  format?: string;
  description?: string;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  /** Element schema of an array. */
  items?: SchemaNode;
  /** Value schema of a map (object with arbitrary keys). */
  additionalProperties?: SchemaNode;
  /** "merge", "replace", "retainKeys", "merge,retainKeys" (strategic merge patch). */
  patchStrategy?: string;
  patchMergeKey?: string;
  /** Server-side apply list semantics. */
  listType?: 'atomic' | 'set' | 'map';
  listMapKeys?: string[];
  mapType?: 'atomic' | 'granular';
  /** Arbitrary JSON allowed below (RawExtension, JSON). */
  preserveUnknownFields?: boolean;
  /** The group/version/kind when this definition is a top-level kind. */
  gvk?: { group: string; version: string; kind: string }[];
}

export interface SchemaSet {
  /** The schema of a top-level kind, or undefined for unknown kinds. */
  forKind(group: string, version: string, kind: string): SchemaNode | undefined;
  /** A named definition. */
  definition(name: string): SchemaNode | undefined;
  /** All definitions by name (for OpenAPI components.schemas). */
  definitions(): ReadonlyMap<string, SchemaNode>;
}
