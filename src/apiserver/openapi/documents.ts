// The OpenAPI documents: one v3 document per served group-version and one Swagger 2.0 document
// for everything, both derived from the registry and the schema set.

import type { Registry } from '../../api/registry.js';
import type { SchemaSet } from '../../api/schema/types.js';
import { type Gvk, type Operation, type Param, type PathItem, PATCH_DEF, resourcePaths } from './operations.js';
import { type Json, SchemaRenderer } from './schemas.js';

const RESPONSE_TEXT: Record<string, string> = { '200': 'OK', '201': 'Created', '202': 'Accepted' };
const MEDIA = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
const PATCH_MEDIA = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
];

export interface DocumentOptions {
  /** The server's version, shown as info.version ('v1.32.0'). */
  version?: string;
}

function definitionFinder(schemas: SchemaSet) {
  return (gvk: Gvk) => schemas.forKind(gvk.group, gvk.version, gvk.kind)?.name;
}

function gvkExtension(gvk: Gvk): Json {
  return { group: gvk.group, kind: gvk.kind, version: gvk.version };
}

/** `api/v1` or `apis/apps/v1`: the key of a group-version in the v3 index. */
export function groupVersionKey(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

// ---- v3 ----

function v3Param(p: Param): Json {
  const out: Json = { name: p.name, in: p.in, description: p.description, schema: { type: p.type, uniqueItems: true } };
  if (p.required) out.required = true;
  return out;
}

function v3Schema(r: SchemaRenderer, def: string | undefined, refs: Set<string>): Json {
  return def && r.has(def) ? r.ref(def, refs) : { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
}

function v3Operation(r: SchemaRenderer, op: Operation, tag: string, refs: Set<string>): Json {
  const out: Json = {
    tags: [tag],
    description: op.description,
    operationId: op.operationId,
  };
  if (op.params.length) out.parameters = op.params.map(v3Param);
  if (op.body !== undefined) {
    const schema = v3Schema(r, op.body, refs);
    const types = op.patch ? PATCH_MEDIA : ['*/*'];
    out.requestBody = { content: Object.fromEntries(types.map((t) => [t, { schema }])), required: op.method !== 'delete' };
  }
  const responses: Json = {};
  for (const [code, def] of Object.entries(op.responses)) {
    const schema = v3Schema(r, def, refs);
    responses[code] = { description: RESPONSE_TEXT[code] ?? 'OK', content: Object.fromEntries(MEDIA.map((t) => [t, { schema }])) };
  }
  responses['401'] = { description: 'Unauthorized' };
  out.responses = responses;
  out['x-kubernetes-action'] = op.action;
  out['x-kubernetes-group-version-kind'] = gvkExtension(op.gvk);
  return out;
}

function tagOf(group: string, version: string): string {
  const g = group ? group.replace(/\.k8s\.io$/, '').replace(/\.(\w)/g, (_, c: string) => c.toUpperCase()) : 'core';
  return `${g}_${version}`;
}

/** The v3 document of one group-version. */
export function buildV3Document(
  registry: Registry,
  schemas: SchemaSet,
  group: string,
  version: string,
  opts: DocumentOptions = {},
  renderer = new SchemaRenderer(schemas, 'v3'),
): Json {
  const refs = new Set<string>();
  const paths: Json = {};
  const tag = tagOf(group, version);
  for (const def of registry.all()) {
    if (def.group !== group || def.version !== version) continue;
    const kindDef = schemas.forKind(group, version, def.kind)?.name;
    if (kindDef) refs.add(kindDef);
    const listDef = schemas.forKind(group, version, `${def.kind}List`)?.name;
    if (listDef) refs.add(listDef);
    for (const item of resourcePaths(def, definitionFinder(schemas))) {
      const pi: Json = {};
      for (const op of item.ops) pi[op.method] = v3Operation(renderer, op, tag, refs);
      pi.parameters = item.params.map(v3Param);
      paths[item.path] = pi;
    }
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: opts.version ?? 'unversioned' },
    paths,
    components: {
      schemas: renderer.closure(refs),
      securitySchemes: { BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' } },
    },
  };
}

// ---- v2 ----

function v2Param(p: Param): Json {
  const out: Json = { name: p.name, in: p.in, description: p.description, type: p.type, uniqueItems: true };
  if (p.required) out.required = true;
  return out;
}

function v2Schema(r: SchemaRenderer, def: string | undefined, refs: Set<string>): Json {
  return def && r.has(def) ? r.ref(def, refs) : { type: 'object' };
}

function v2Operation(r: SchemaRenderer, op: Operation, tag: string, refs: Set<string>): Json {
  const out: Json = {
    tags: [tag],
    description: op.description,
    operationId: op.operationId,
    consumes: op.patch ? PATCH_MEDIA : ['*/*'],
    produces: MEDIA,
    schemes: ['https'],
  };
  const params: Json[] = [];
  if (op.body !== undefined) {
    params.push({ name: 'body', in: 'body', required: op.method !== 'delete', schema: v2Schema(r, op.body ?? PATCH_DEF, refs) });
  }
  params.push(...op.params.map(v2Param));
  out.parameters = params;
  const responses: Json = {};
  for (const [code, def] of Object.entries(op.responses)) {
    responses[code] = { description: RESPONSE_TEXT[code] ?? 'OK', schema: v2Schema(r, def, refs) };
  }
  responses['401'] = { description: 'Unauthorized' };
  out.responses = responses;
  out['x-kubernetes-action'] = op.action;
  out['x-kubernetes-group-version-kind'] = gvkExtension(op.gvk);
  return out;
}

/** The Swagger 2.0 document of every served resource; definitions are all the schema set holds. */
export function buildV2Document(registry: Registry, schemas: SchemaSet, opts: DocumentOptions = {}): Json {
  const r = new SchemaRenderer(schemas, 'v2');
  const refs = new Set<string>();
  const paths: Json = {};
  for (const def of registry.all()) {
    const tag = tagOf(def.group, def.version);
    const items: PathItem[] = resourcePaths(def, definitionFinder(schemas));
    for (const item of items) {
      const pi: Json = {};
      for (const op of item.ops) pi[op.method] = v2Operation(r, op, tag, refs);
      pi.parameters = item.params.map(v2Param);
      paths[item.path] = pi;
    }
  }
  return {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: opts.version ?? 'unversioned' },
    paths,
    definitions: r.closure(schemas.definitions().keys()),
    securityDefinitions: { BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' } },
    security: [{ BearerToken: [] }],
  };
}
