// SchemaNodes rendered as OpenAPI schema objects, in the v2 (Swagger "definitions") or v3
// ("components.schemas") dialect, with upstream's Kubernetes extensions. A definition renders
// once per dialect and remembers the definitions it refers to, so a document's components are the
// closure of what its operations name.

import type { SchemaNode, SchemaSet } from '../../api/schema/types.js';

export type Dialect = 'v2' | 'v3';

export type Json = Record<string, unknown>;

interface Rendered {
  schema: Json;
  refs: Set<string>;
}

export class SchemaRenderer {
  private readonly cache = new Map<string, Rendered>();
  readonly refPrefix: string;

  constructor(
    private readonly schemas: SchemaSet,
    readonly dialect: Dialect,
  ) {
    this.refPrefix = dialect === 'v2' ? '#/definitions/' : '#/components/schemas/';
  }

  /** `{$ref}` to a named definition (recorded in `refs`). */
  ref(name: string, refs: Set<string>): Json {
    refs.add(name);
    return { $ref: this.refPrefix + name };
  }

  has(name: string): boolean {
    return this.schemas.definition(name) !== undefined;
  }

  /** The rendered definition and the names it refers to directly. */
  definition(name: string): Rendered | undefined {
    let r = this.cache.get(name);
    if (!r) {
      const node = this.schemas.definition(name);
      if (!node) return undefined;
      const refs = new Set<string>();
      r = { schema: this.node(node, refs, true), refs };
      this.cache.set(name, r);
    }
    return r;
  }

  /** The named definitions and everything they refer to, by name (sorted). */
  closure(roots: Iterable<string>): Record<string, Json> {
    const seen = new Set<string>();
    const queue = [...roots];
    while (queue.length) {
      const name = queue.pop()!;
      if (seen.has(name)) continue;
      const r = this.definition(name);
      if (!r) continue;
      seen.add(name);
      for (const n of r.refs) if (!seen.has(n)) queue.push(n);
    }
    const out: Record<string, Json> = {};
    for (const name of [...seen].sort()) out[name] = this.definition(name)!.schema;
    return out;
  }

  /** Renders a node; a named node below the top is a reference to its definition. */
  node(node: SchemaNode, refs: Set<string>, isDefinition = false): Json {
    if (!isDefinition && node.name && this.has(node.name)) {
      const ref = this.ref(node.name, refs);
      const extra: Json = {};
      const def = this.schemas.definition(node.name)!;
      if (node.description !== undefined && node.description !== def.description) extra.description = node.description;
      this.extensions(node, extra, def);
      if (Object.keys(extra).length === 0) return ref;
      return this.dialect === 'v3' ? { allOf: [ref], ...extra } : { ...ref, ...extra };
    }
    const out: Json = {};
    if (node.description !== undefined) out.description = node.description;
    this.typeOf(node, out);
    if (node.properties) {
      const props: Json = {};
      for (const [k, v] of Object.entries(node.properties)) props[k] = this.node(v, refs);
      out.properties = props;
    }
    if (node.required?.length) out.required = [...node.required];
    if (node.items) out.items = this.node(node.items, refs);
    if (node.additionalProperties) out.additionalProperties = this.node(node.additionalProperties, refs);
    this.extensions(node, out);
    if (isDefinition && node.gvk?.length) {
      out['x-kubernetes-group-version-kind'] = node.gvk.map((g) => ({ group: g.group, kind: g.kind, version: g.version }));
    }
    return out;
  }

  private typeOf(node: SchemaNode, out: Json): void {
    if (node.format === 'int-or-string') {
      if (this.dialect === 'v3') {
        out.format = 'int-or-string';
        out.oneOf = [{ type: 'integer' }, { type: 'string' }];
      } else {
        out.type = 'string';
        out.format = 'int-or-string';
      }
      return;
    }
    if (node.format === 'quantity') {
      if (this.dialect === 'v3') out.oneOf = [{ type: 'string' }, { type: 'number' }];
      else out.type = 'string';
      return;
    }
    if (node.type) out.type = node.type;
    if (node.format) out.format = node.format;
  }

  /** Merge metadata extensions (those a field adds over its definition's when `def` is given). */
  private extensions(node: SchemaNode, out: Json, def?: SchemaNode): void {
    const put = (key: string, value: unknown, base: unknown) => {
      if (value !== undefined && (def === undefined || JSON.stringify(value) !== JSON.stringify(base))) out[key] = value;
    };
    put('x-kubernetes-patch-strategy', node.patchStrategy, def?.patchStrategy);
    put('x-kubernetes-patch-merge-key', node.patchMergeKey, def?.patchMergeKey);
    put('x-kubernetes-list-type', node.listType, def?.listType);
    put('x-kubernetes-list-map-keys', node.listMapKeys, def?.listMapKeys);
    put('x-kubernetes-map-type', node.mapType, def?.mapType);
    put('x-kubernetes-preserve-unknown-fields', node.preserveUnknownFields || undefined, def?.preserveUnknownFields || undefined);
  }
}
