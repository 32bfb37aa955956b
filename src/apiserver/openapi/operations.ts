// The REST operations of a resource, derived from its registry declaration, in a form both the
// v2 and the v3 renderers use: paths, verbs, `x-kubernetes-action`, the kind each operation
// serves (`x-kubernetes-group-version-kind`, which kubectl matches to find the `fieldValidation`
// parameter) and the definitions each operation reads or writes.

import type { ResourceDef } from '../../api/registry.js';

export interface Param {
  name: string;
  in: 'query' | 'path';
  type: 'string' | 'boolean' | 'integer';
  description: string;
  required?: boolean;
}

export interface Gvk {
  group: string;
  version: string;
  kind: string;
}

export interface Operation {
  method: 'get' | 'put' | 'post' | 'patch' | 'delete';
  action: 'get' | 'list' | 'post' | 'put' | 'patch' | 'delete' | 'deletecollection';
  operationId: string;
  description: string;
  gvk: Gvk;
  params: Param[];
  /** Definition name of the request body; `patch` bodies are the Patch definition. */
  body?: string;
  patch?: boolean;
  /** Response codes → definition name of the response body. */
  responses: Record<string, string>;
}

export interface PathItem {
  path: string;
  params: Param[];
  ops: Operation[];
}

export const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
export const PATCH_DEF = `${META}.Patch`;
export const STATUS_DEF = `${META}.Status`;
export const DELETE_OPTIONS_DEF = `${META}.DeleteOptions`;
export const SCALE_DEF = 'io.k8s.api.autoscaling.v1.Scale';

const q = (name: string, type: Param['type'], description: string): Param => ({ name, in: 'query', type, description });

const PRETTY = q('pretty', 'string', "If 'true', the output is pretty printed.");
const DRY_RUN = q('dryRun', 'string', 'When present, modifications are not persisted. Valid value: All.');
const FIELD_MANAGER = q('fieldManager', 'string', 'The name of the actor making these changes.');
const FIELD_VALIDATION = q(
  'fieldValidation',
  'string',
  'How the server treats fields the object schema does not know: Ignore (drop them), Warn (drop them and warn), or Strict (fail the request).',
);
const FORCE = q('force', 'boolean', 'Apply requests only: take ownership of fields other managers own.');
const LIST_PARAMS: Param[] = [
  q('allowWatchBookmarks', 'boolean', 'Ask for BOOKMARK watch events.'),
  q('continue', 'string', 'The continue token of the previous page.'),
  q('fieldSelector', 'string', 'Restrict the list by field values.'),
  q('labelSelector', 'string', 'Restrict the list by labels.'),
  q('limit', 'integer', 'Most items to return in one page.'),
  q('resourceVersion', 'string', 'Which resource version the list must be at least as new as.'),
  q('resourceVersionMatch', 'string', 'How resourceVersion applies: Exact or NotOlderThan.'),
  q('sendInitialEvents', 'boolean', 'Start a watch with the current objects.'),
  q('timeoutSeconds', 'integer', 'Time limit of the list or watch call.'),
  q('watch', 'boolean', 'Watch for changes instead of listing.'),
];
const DELETE_PARAMS: Param[] = [
  DRY_RUN,
  q('gracePeriodSeconds', 'integer', 'Seconds before the object is deleted; 0 deletes at once.'),
  q('propagationPolicy', 'string', 'Whether and how dependents are deleted: Orphan, Background or Foreground.'),
];
const NAME: Param = { name: 'name', in: 'path', type: 'string', description: 'name of the object', required: true };
const NAMESPACE: Param = {
  name: 'namespace',
  in: 'path',
  type: 'string',
  description: 'object name and auth scope, such as for teams and projects',
  required: true,
};

/** 'rbac.authorization.k8s.io' → 'RbacAuthorization'; '' → 'Core'. */
export function groupIdentifier(group: string): string {
  if (!group) return 'Core';
  return group
    .replace(/\.k8s\.io$/, '')
    .split(/[.-]/)
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');
}

/** The root of a group-version's paths: '/api/v1' or '/apis/apps/v1'. */
export function groupVersionPath(group: string, version: string): string {
  return group ? `/apis/${group}/${version}` : `/api/${version}`;
}

const DEFAULT_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** Definition name of a kind as the schema set names it, via a lookup function. */
export type KindDefinition = (gvk: Gvk) => string | undefined;

/** The path items of one resource (main resource, namespaced and all-namespaces lists, status and scale). */
export function resourcePaths(def: ResourceDef, definitionOf: KindDefinition): PathItem[] {
  const verbs = new Set(def.verbs ?? DEFAULT_VERBS);
  const gvk: Gvk = { group: def.group, version: def.version, kind: def.kind };
  const id = `${groupIdentifier(def.group)}${def.version.charAt(0).toUpperCase()}${def.version.slice(1)}`;
  const scoped = def.namespaced ? 'Namespaced' : '';
  const kindDef = definitionOf(gvk);
  const listDef = definitionOf({ ...gvk, kind: `${def.kind}List` });
  const base = groupVersionPath(def.group, def.version);
  const collection = def.namespaced ? `${base}/namespaces/{namespace}/${def.plural}` : `${base}/${def.plural}`;
  const scopeParams = def.namespaced ? [NAMESPACE, PRETTY] : [PRETTY];
  const items: PathItem[] = [];
  const kindRef = (d: string | undefined) => d ?? '';

  const col: Operation[] = [];
  if (verbs.has('list')) {
    col.push({
      method: 'get', action: 'list', operationId: `list${id}${scoped}${def.kind}`,
      description: `list or watch objects of kind ${def.kind}`, gvk, params: LIST_PARAMS,
      responses: { '200': kindRef(listDef) },
    });
  }
  if (verbs.has('create')) {
    col.push({
      method: 'post', action: 'post', operationId: `create${id}${scoped}${def.kind}`,
      description: `create a ${def.kind}`, gvk, params: [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION],
      body: kindDef, responses: { '200': kindRef(kindDef), '201': kindRef(kindDef), '202': kindRef(kindDef) },
    });
  }
  if (verbs.has('deletecollection')) {
    col.push({
      method: 'delete', action: 'deletecollection', operationId: `delete${id}Collection${scoped}${def.kind}`,
      description: `delete collection of ${def.kind}`, gvk, params: [...DELETE_PARAMS, ...LIST_PARAMS.filter((p) => p.name !== 'watch' && p.name !== 'allowWatchBookmarks')],
      body: DELETE_OPTIONS_DEF, responses: { '200': STATUS_DEF },
    });
  }
  if (col.length) items.push({ path: collection, params: scopeParams, ops: col });

  const one: Operation[] = [];
  const write = [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION];
  const itemOps = (suffix: string, sub: string, subGvk: Gvk, subDef: string | undefined): Operation[] => {
    const ops: Operation[] = [];
    if (verbs.has('get')) {
      ops.push({
        method: 'get', action: 'get', operationId: `read${id}${scoped}${def.kind}${sub}`,
        description: `read the specified ${def.kind}${suffix}`, gvk: subGvk, params: [], responses: { '200': kindRef(subDef) },
      });
    }
    if (verbs.has('update')) {
      ops.push({
        method: 'put', action: 'put', operationId: `replace${id}${scoped}${def.kind}${sub}`,
        description: `replace the specified ${def.kind}${suffix}`, gvk: subGvk, params: write,
        body: subDef, responses: { '200': kindRef(subDef), '201': kindRef(subDef) },
      });
    }
    if (verbs.has('patch')) {
      ops.push({
        method: 'patch', action: 'patch', operationId: `patch${id}${scoped}${def.kind}${sub}`,
        description: `partially update the specified ${def.kind}${suffix}`, gvk: subGvk, params: [...write, FORCE],
        body: PATCH_DEF, patch: true, responses: { '200': kindRef(subDef), '201': kindRef(subDef) },
      });
    }
    return ops;
  };
  one.push(...itemOps('', '', gvk, kindDef));
  if (verbs.has('delete')) {
    one.push({
      method: 'delete', action: 'delete', operationId: `delete${id}${scoped}${def.kind}`,
      description: `delete a ${def.kind}`, gvk, params: DELETE_PARAMS,
      body: DELETE_OPTIONS_DEF, responses: { '200': STATUS_DEF, '202': STATUS_DEF },
    });
  }
  const itemParams = [NAME, ...scopeParams];
  if (one.length) items.push({ path: `${collection}/{name}`, params: itemParams, ops: one });

  const subs = new Set(def.subresources ?? []);
  if (subs.has('status')) {
    const ops = itemOps(' status', 'Status', gvk, kindDef);
    if (ops.length) items.push({ path: `${collection}/{name}/status`, params: itemParams, ops });
  }
  if (subs.has('scale')) {
    const scaleGvk = { group: 'autoscaling', version: 'v1', kind: 'Scale' };
    const ops = itemOps(' scale', 'Scale', scaleGvk, SCALE_DEF);
    if (ops.length) items.push({ path: `${collection}/{name}/scale`, params: itemParams, ops });
  }
  if (def.namespaced && verbs.has('list')) {
    items.push({
      path: `${base}/${def.plural}`,
      params: [PRETTY],
      ops: [{
        method: 'get', action: 'list', operationId: `list${id}${def.kind}ForAllNamespaces`,
        description: `list or watch objects of kind ${def.kind}`, gvk, params: LIST_PARAMS,
        responses: { '200': kindRef(listDef) },
      }],
    });
  }
  return items;
}
