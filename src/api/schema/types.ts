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

/**
 * The serialised form of a definition (dist/schema/definitions.json): a SchemaNode whose nested
 * named types are `{ $ref: "<definition name>" }` instead of linked nodes.
 */
export interface RawSchema extends Omit<SchemaNode, 'properties' | 'items' | 'additionalProperties'> {
  $ref?: string;
  properties?: Record<string, RawSchema>;
  items?: RawSchema;
  additionalProperties?: RawSchema;
}

/** The contents of dist/schema/definitions.json. */
export interface RawDefinitions {
  /** Bumped when the generator's output changes shape; a stale file is regenerated in-process. */
  generator: number;
  /** The kubernetes-types version the definitions were read from. */
  source: string;
  definitions: Record<string, RawSchema>;
}
