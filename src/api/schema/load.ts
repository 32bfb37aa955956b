// Loads the API schema: dist/schema/definitions.json when the build wrote it (and it matches the
// generator and the installed kubernetes-types), else generated in-process; then the merge
// metadata is applied and the $refs are linked into one node graph. Memoised.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GENERATOR_VERSION, generateDefinitions } from './generate.js';
import { applyPatchMetadata } from './patchmeta.js';
import { definitionsPath, kubernetesTypesDir } from './paths.js';
import type { RawDefinitions, RawSchema, SchemaNode, SchemaSet } from './types.js';

let raw: Record<string, RawSchema> | undefined;
let loaded: SchemaSet | undefined;

function installedTypesVersion(): string {
  return (JSON.parse(readFileSync(join(kubernetesTypesDir(), 'package.json'), 'utf8')) as { version: string }).version;
}

function readOrGenerate(): RawDefinitions {
  const path = definitionsPath();
  if (existsSync(path)) {
    try {
      const file = JSON.parse(readFileSync(path, 'utf8')) as RawDefinitions;
      if (file.generator === GENERATOR_VERSION && file.source === installedTypesVersion()) return file;
    } catch {
      // unreadable or half-written: generate instead
    }
  }
  return generateDefinitions();
}

/** The raw definitions ($ref form) with merge metadata applied. Memoised; do not mutate. */
export function loadRawDefinitions(): Readonly<Record<string, RawSchema>> {
  if (!raw) {
    const defs = readOrGenerate().definitions;
    applyPatchMetadata(defs);
    raw = defs;
  }
  return raw;
}

/** The schema set of the built-in types. Memoised. */
export function loadSchemas(): SchemaSet {
  loaded ??= linkSchemas(loadRawDefinitions());
  return loaded;
}

/** Attributes copied from a definition onto a field that refers to it. */
function copyOwn(node: SchemaNode, from: RawSchema): void {
  for (const key of Object.keys(from) as (keyof RawSchema)[]) {
    if (key === '$ref' || key === 'properties' || key === 'items' || key === 'additionalProperties') continue;
    (node as Record<string, unknown>)[key] = from[key];
  }
}

/**
 * Links raw definitions into SchemaNodes. A named type is one shared node (its `name` set); a field
 * of a named type is a shallow copy of it carrying the field's own description and merge metadata
 * (its `properties` object is the definition's, so cycles and sharing cost nothing); a bare
 * reference (array items, map values) is the definition node itself.
 */
export function linkSchemas(defs: Readonly<Record<string, RawSchema>>): SchemaSet {
  const nodes = new Map<string, SchemaNode>();
  // Pass 1: a node per definition with its own attributes and an (empty) properties record.
  for (const [name, def] of Object.entries(defs)) {
    const node: SchemaNode = { name };
    copyOwn(node, def);
    if (def.properties) node.properties = {};
    nodes.set(name, node);
  }
  const resolve = (s: RawSchema, where: string): SchemaNode => {
    if (s.$ref !== undefined) {
      const target = nodes.get(s.$ref);
      if (!target) throw new Error(`${where}: unknown definition ${s.$ref}`);
      if (Object.keys(s).length === 1) return target; // a bare reference (array items, map values)
      const { gvk: _gvk, ...rest } = target;
      const node: SchemaNode = rest;
      copyOwn(node, s);
      return node;
    }
    const node: SchemaNode = {};
    copyOwn(node, s);
    fill(node, s, where);
    return node;
  };
  const fill = (node: SchemaNode, s: RawSchema, where: string): void => {
    if (s.properties) {
      const props = (node.properties ??= {});
      for (const [k, v] of Object.entries(s.properties)) props[k] = resolve(v, `${where}.${k}`);
    }
    if (s.items) node.items = resolve(s.items, `${where}[]`);
    if (s.additionalProperties) node.additionalProperties = resolve(s.additionalProperties, `${where}{}`);
  };
  // Pass 2: fill in properties, items and map values.
  for (const [name, def] of Object.entries(defs)) fill(nodes.get(name)!, def, name);

  const byKind = new Map<string, SchemaNode>();
  for (const node of nodes.values()) {
    for (const g of node.gvk ?? []) byKind.set(`${g.group}/${g.version}/${g.kind}`, node);
  }
  return {
    forKind: (group, version, kind) => byKind.get(`${group}/${version}/${kind}`),
    definition: (name) => nodes.get(name),
    definitions: () => nodes,
  };
}
