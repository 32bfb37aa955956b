// Maps resource requests (get, list, watch, create, update, patch, delete, deletecollection and
// the status/scale subresources) onto the generic object store, watch cache and renderings.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject, ResourceDef } from '../../api/registry.js';
import { apiVersionOf, groupVersionOf, storagePrefix } from '../../api/registry.js';
import { errors, StatusError } from '../../api/status.js';
import { CompactedError } from '../../storage/store.js';
import { decodeObjectBody, mediaType, parseJson, readBody } from '../http/body.js';
import { chooseRendering, type Rendering } from '../http/negotiate.js';
import type { ResourceRequest } from '../http/requestinfo.js';
import { addWarnings, writeJson } from '../http/respond.js';
import type { ApiContext } from './context.js';
import { decodeContinue, encodeContinue } from './continue.js';
import { decodeKeyValue } from './codec.js';
import type { DeleteOptions } from './objectstore.js';
import { buildFilter, type ObjectFilter } from './filter.js';
import { partialMetadata, toTable } from './table.js';
import { serveWatch } from './watch.js';
import { scaleOf, scaleSubresource } from './scale.js';
import { bindPod } from './binding.js';
import { strictDecodingMessage, unknownFieldMessage } from '../../api/schema/unknown.js';

const MANAGER_MAX = 128;

/** Upstream's answer for paths that name no resource or subresource. */
const NOT_FOUND = () => new StatusError(404, 'NotFound', 'the server could not find the requested resource');

export async function handleResource(ctx: ApiContext, rr: ResourceRequest, req: IncomingMessage, res: ServerResponse, url: URL): Promise<number> {
  const def = rr.def;
  if (!def) throw NOT_FOUND();
  if (def.namespaced && !rr.namespace && rr.name && rr.verb !== 'list' && rr.verb !== 'watch') {
    throw errors.notFound(def.group, def.plural, rr.name);
  }
  if (!def.namespaced && rr.namespace) throw errors.notFound(def.group, def.plural, rr.name ?? '');
  const sub = rr.subresource;
  if (sub && !(def.subresources ?? []).includes(sub) && !(def.kind === 'Namespace' && sub === 'finalize')) throw NOT_FOUND();
  if (sub === 'binding' && def.kind === 'Pod' && rr.verb === 'create') return bind(ctx, def, rr, req, res, url.searchParams);
  if (def.kind === 'Pod' && (sub === 'log' || sub === 'exec' || sub === 'attach' || sub === 'portforward') && ctx.podStreaming) {
    if (await ctx.podStreaming(rr, req, res, url)) return res.statusCode;
  }
  if (sub && sub !== 'status' && sub !== 'scale' && sub !== 'finalize') {
    throw new StatusError(404, 'NotFound', `the server could not find the requested resource (${rr.verb} ${def.plural}/${sub})`);
  }
  const verbs = def.verbs ?? ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
  if (!sub && !verbs.includes(rr.verb)) {
    throw errors.methodNotAllowed(`${rr.verb} is not supported on ${def.plural}`);
  }
  const q = url.searchParams;
  const rendering = chooseRendering(req.headers.accept);
  switch (rr.verb) {
    case 'get':
      return getOne(ctx, def, rr, res, rendering);
    case 'list':
      return list(ctx, def, rr, res, q, rendering);
    case 'watch':
      await watch(ctx, def, rr, req, res, q, rendering);
      return 200;
    case 'create':
      return create(ctx, def, rr, req, res, q);
    case 'update':
      return update(ctx, def, rr, req, res, q);
    case 'patch':
      return patch(ctx, def, rr, req, res, q);
    case 'delete':
      return deleteOne(ctx, def, rr, req, res, q);
    case 'deletecollection':
      return deleteCollection(ctx, def, rr, req, res, q);
  }
}

async function getOne(ctx: ApiContext, def: ResourceDef, rr: ResourceRequest, res: ServerResponse, rendering: Rendering): Promise<number> {
  const obj = await ctx.objects(def).get(rr.namespace, rr.name!);
  if (rr.subresource === 'scale') {
    writeJson(res, 200, scaleOf(def, obj));
    return 200;
  }
  writeJson(res, 200, render(def, [obj], rendering, { resourceVersion: obj.metadata?.resourceVersion }, true) ?? obj);
  return 200;
}

/** Table/partial renderings of objects; undefined means "plain object". */
function render(def: ResourceDef, items: KubeObject[], rendering: Rendering, listMeta: Record<string, unknown>, single: boolean): unknown {
  if (rendering === 'table') return toTable(def, items, listMeta, 'Metadata');
  if (rendering === 'partial') {
    if (single) return partialMetadata(items[0]!);
    return { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: listMeta, items: items.map(partialMetadata) };
  }
  return undefined;
}

async function list(ctx: ApiContext, def: ResourceDef, rr: ResourceRequest, res: ServerResponse, q: URLSearchParams, rendering: Rendering): Promise<number> {
  const filter = buildFilter(def, q);
  const limit = Math.max(0, Number(q.get('limit') ?? 0) || 0);
  const cont = q.get('continue') ?? '';
  const rv = q.get('resourceVersion') ?? '';
  const prefix = storagePrefix(def, rr.namespace);
  let items: KubeObject[];
  const listMeta: Record<string, unknown> = {};
  const source = await ctx.watchSource(def);
  // The cache serves resourceVersion=0 ("any") and, when it can tell it is up to date with the
  // store (in-process stores), consistent reads too; otherwise those go to the store.
  const cacheCanServe = !cont && (rv === '0' || (limit === 0 && (rv !== '' || source.tracksStoreProgress)));
  if (cacheCanServe) {
    if (rv === '') await source.waitFresh(await ctx.store.currentRevision());
    else if (rv !== '0') await source.waitFresh(Number(rv));
    const snap = source.list(prefix);
    items = filter.matchesAll ? snap.items : snap.items.filter(filter.matches);
    listMeta.resourceVersion = String(snap.revision);
  } else {
    const page = await pagedList(ctx, prefix, filter, limit, cont, rv);
    items = page.items;
    listMeta.resourceVersion = String(page.revision);
    if (page.continueToken) {
      listMeta.continue = page.continueToken;
      if (filter.matchesAll) listMeta.remainingItemCount = page.remaining;
    }
  }
  const body = render(def, items, rendering, listMeta, false) ?? {
    kind: `${def.kind}List`,
    apiVersion: apiVersionOf(def),
    metadata: listMeta,
    items,
  };
  writeJson(res, 200, body);
  return 200;
}

async function pagedList(
  ctx: ApiContext,
  prefix: string,
  filter: ObjectFilter,
  limit: number,
  cont: string,
  rv: string,
): Promise<{ items: KubeObject[]; revision: number; continueToken?: string; remaining: number }> {
  let revision = 0;
  let startKey: string | undefined;
  if (cont) {
    const token = decodeContinue(cont);
    revision = token.rv;
    startKey = token.start;
  } else if (rv && rv !== '0') {
    revision = Number(rv);
    if (!Number.isInteger(revision) || revision < 0) throw errors.badRequest(`invalid resource version: ${rv}`);
  }
  const items: KubeObject[] = [];
  let remaining = 0;
  let nextKey: string | undefined;
  try {
    for (;;) {
      const want = limit > 0 ? limit - items.length : 0;
      const page = await ctx.store.list(prefix, { revision, limit: want, startKey });
      revision = page.revision;
      for (const kv of page.items) {
        const obj = decodeKeyValue(kv);
        if (filter.matches(obj)) items.push(obj);
      }
      remaining = page.remaining;
      const last = page.items[page.items.length - 1];
      if (!page.more || !last) {
        nextKey = undefined;
        break;
      }
      nextKey = `${last.key}\0`;
      if (limit > 0 && items.length >= limit) break;
      startKey = nextKey;
    }
  } catch (e) {
    if (e instanceof CompactedError) {
      throw errors.gone(
        cont
          ? 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.'
          : `too old resource version: ${rv}`,
      );
    }
    throw e;
  }
  return { items, revision, continueToken: nextKey ? encodeContinue({ rv: revision, start: nextKey }) : undefined, remaining };
}

async function watch(
  ctx: ApiContext,
  def: ResourceDef,
  rr: ResourceRequest,
  req: IncomingMessage,
  res: ServerResponse,
  q: URLSearchParams,
  rendering: Rendering,
): Promise<void> {
  const filter = buildFilter(def, q, rr.name);
  const rv = q.get('resourceVersion') ?? '';
  let afterRevision = 0;
  if (rv && rv !== '0') {
    afterRevision = Number(rv);
    if (!Number.isInteger(afterRevision) || afterRevision < 0) throw errors.badRequest(`invalid resource version: ${rv}`);
  }
  const requested = Number(q.get('timeoutSeconds') ?? 0);
  // Upstream spreads watch lifetimes between the min request timeout and twice that.
  const timeoutSeconds = requested > 0 ? requested : 1800 + Math.floor(Math.random() * 1800);
  const source = await ctx.watchSource(def);
  await serveWatch(source, req, res, {
    def,
    prefix: storagePrefix(def, rr.namespace),
    afterRevision,
    filter: filter.matchesAll ? undefined : filter.matches,
    rendering,
    bookmarks: q.get('allowWatchBookmarks') === 'true',
    timeoutSeconds,
    sendInitialEvents: q.has('sendInitialEvents') ? q.get('sendInitialEvents') === 'true' : undefined,
  });
}

interface WriteParams {
  dryRun: boolean;
  fieldManager: string;
  fieldValidation: 'Strict' | 'Warn' | 'Ignore';
}

function writeParams(req: IncomingMessage, q: URLSearchParams, isApply = false): WriteParams {
  const dryRunValues = q.getAll('dryRun');
  for (const v of dryRunValues) {
    if (v !== 'All') throw errors.badRequest(`Invalid dryRun value: ${JSON.stringify(v)}: supported values: "All"`);
  }
  let fieldManager = q.get('fieldManager') ?? '';
  if (isApply && !fieldManager) {
    throw errors.badRequest('PATCH, application/apply-patch+yaml requests must include a fieldManager (query parameter)');
  }
  if (fieldManager.length > MANAGER_MAX) {
    throw errors.badRequest(`fieldManager: Too long: may not be more than ${MANAGER_MAX} bytes`);
  }
  if (!fieldManager) fieldManager = managerFromUserAgent(String(req.headers['user-agent'] ?? ''));
  const fv = q.get('fieldValidation') ?? 'Warn';
  if (fv !== 'Strict' && fv !== 'Warn' && fv !== 'Ignore') {
    throw errors.badRequest(`fieldValidation ${fv} is invalid: valid values are Ignore, Warn or Strict`);
  }
  return { dryRun: dryRunValues.length > 0, fieldManager, fieldValidation: fv };
}

/** Upstream names an unnamed manager after the User-Agent's program ("kubectl/v1.32 …" → "kubectl"). */
export function managerFromUserAgent(ua: string): string {
  const prog = ua.split('/')[0]?.trim() ?? '';
  return (prog || 'unknown').slice(0, MANAGER_MAX);
}

/** Applies fieldValidation to a decoded body: Strict rejects unknown fields, Warn reports them. */
function checkFields(ctx: ApiContext, def: ResourceDef, obj: KubeObject, p: WriteParams, res: ServerResponse): void {
  if (p.fieldValidation !== 'Ignore' && ctx.unknownFields) {
    const unknown = ctx.unknownFields(def, obj);
    if (unknown.length > 0) {
      if (p.fieldValidation === 'Strict') {
        throw errors.badRequest(`${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: ${strictDecodingMessage(unknown)}`);
      }
      addWarnings(res, unknown.map(unknownFieldMessage));
    }
  }
  ctx.pruneUnknownFields?.(def, obj);
}

async function decodeFor(ctx: ApiContext, def: ResourceDef, req: IncomingMessage, expectKind: string, expectApiVersion: string): Promise<KubeObject> {
  const body = await readBody(req);
  const decodeProtobuf = ctx.decodeProtobuf ? (b: Buffer) => ctx.decodeProtobuf!(b, { apiVersion: expectApiVersion, kind: expectKind }) : undefined;
  const obj = decodeObjectBody(req.headers['content-type'], body, decodeProtobuf, expectKind) as KubeObject;
  const apiVersion = obj.apiVersion === undefined ? expectApiVersion : String(obj.apiVersion);
  const kind = obj.kind === undefined ? expectKind : String(obj.kind);
  if (apiVersion !== expectApiVersion || kind !== expectKind) {
    const { group, version } = groupVersionOf(apiVersion);
    const known = ctx.registry.forKind(group, version, kind) ?? (kind === 'Scale' || kind === 'Binding' ? def : undefined);
    throw errors.badRequest(
      known
        ? `${kind} in version "${version}" cannot be handled as a ${expectKind}: converting (${version}.${kind}) to (${def.group || 'core'}.${expectKind}): unknown conversion`
        : `${kind} in version "${version}" cannot be handled as a ${expectKind}: no kind "${kind}" is registered for version "${apiVersion}" in scheme "pkg/api/legacyscheme/scheme.go:30"`,
    );
  }
  if (obj.metadata !== undefined && (typeof obj.metadata !== 'object' || obj.metadata === null || Array.isArray(obj.metadata))) {
    throw errors.badRequest('metadata must be an object');
  }
  return obj;
}

async function create(ctx: ApiContext, def: ResourceDef, rr: ResourceRequest, req: IncomingMessage, res: ServerResponse, q: URLSearchParams): Promise<number> {
  if (rr.name || rr.subresource) throw errors.methodNotAllowed(`POST is not supported on a named ${def.kind}`);
  const p = writeParams(req, q);
  const obj = await decodeFor(ctx, def, req, def.kind, apiVersionOf(def));
  checkFields(ctx, def, obj, p, res);
  if (def.namespaced) {
    const ns = obj.metadata?.namespace;
    if (ns && rr.namespace && ns !== rr.namespace) {
      throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    if (!rr.namespace) throw errors.notFound(def.group, def.plural, '');
  }
  if (!obj.metadata?.name && !obj.metadata?.generateName) {
    throw errors.invalid(def.group, def.kind, '', [
      { type: 'FieldValueRequired', field: 'metadata.name', detail: 'Required value: name or generateName is required' },
    ]);
  }
  const created = await ctx.objects(def).create(rr.namespace, obj, { dryRun: p.dryRun, fieldManager: p.fieldManager });
  writeJson(res, 201, created);
  return 201;
}

async function update(ctx: ApiContext, def: ResourceDef, rr: ResourceRequest, req: IncomingMessage, res: ServerResponse, q: URLSearchParams): Promise<number> {
  if (!rr.name) throw errors.methodNotAllowed('PUT requires a name');
  const p = writeParams(req, q);
  const store = ctx.objects(def);
  if (rr.subresource === 'scale') {
    const scale = await decodeFor(ctx, def, req, 'Scale', 'autoscaling/v1');
    const out = await scaleSubresource(store, def, rr.namespace, rr.name, p, () => scale);
    writeJson(res, 200, out);
    return 200;
  }
  const obj = await decodeFor(ctx, def, req, def.kind, apiVersionOf(def));
  checkFields(ctx, def, obj, p, res);
  if (rr.subresource === 'finalize') {
    // Namespace finalize: only spec.finalizers changes.
    const spec = obj.spec as { finalizers?: string[] } | undefined;
    const updated = await store.guaranteedUpdate(rr.namespace, rr.name, { dryRun: p.dryRun, fieldManager: p.fieldManager, subresource: 'finalize' }, (cur) => {
      const next = cur!;
      next.spec = { ...((next.spec as object) ?? {}), finalizers: spec?.finalizers ?? [] };
      return next;
    });
    writeJson(res, 200, updated);
    return 200;
  }
  const updated = await store.update(rr.namespace, rr.name, obj, { dryRun: p.dryRun, fieldManager: p.fieldManager, subresource: rr.subresource });
  writeJson(res, 200, updated);
  return 200;
}

async function patch(ctx: ApiContext, def: ResourceDef, rr: ResourceRequest, req: IncomingMessage, res: ServerResponse, q: URLSearchParams): Promise<number> {
  if (!rr.name) throw errors.methodNotAllowed('PATCH requires a name');
  const contentType = mediaType(req.headers['content-type']);
  const isApply = contentType === 'application/apply-patch+yaml';
  const p = writeParams(req, q, isApply);
  const force = q.get('force') === 'true';
  if (q.has('force') && !isApply) throw errors.badRequest('force is only allowed on apply patches');
  const body = await readBody(req);
  const store = ctx.objects(def);
  if (rr.subresource === 'scale') {
    const out = await scaleSubresource(store, def, rr.namespace, rr.name, p, (current) =>
      ctx.applyPatch({ def, contentType, live: current, body, manager: p.fieldManager, force, subresource: 'scale' }),
    );
    writeJson(res, 200, out);
    return 200;
  }
  let created = false;
  const result = await store.guaranteedUpdate(
    rr.namespace,
    rr.name,
    { dryRun: p.dryRun, fieldManager: p.fieldManager, subresource: rr.subresource, allowCreate: isApply && !rr.subresource, fieldsTracked: isApply },
    (current) => {
      const patched = ctx.applyPatch({ def, contentType, live: current, body, manager: p.fieldManager, force, subresource: rr.subresource });
      if (!current) {
        created = true;
        const meta = patched.metadata ?? {};
        if (meta.name && meta.name !== rr.name) {
          throw errors.badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${rr.name})`);
        }
      } else {
        const want = patched.metadata?.resourceVersion;
        if (want && want !== current.metadata?.resourceVersion) throw store.conflict(rr.name!);
      }
      checkFields(ctx, def, patched, p, res);
      return patched;
    },
  );
  const code = created ? 201 : 200;
  writeJson(res, code, result);
  return code;
}

async function deleteOptions(ctx: ApiContext, req: IncomingMessage, q: URLSearchParams): Promise<DeleteOptions> {
  const opts: DeleteOptions = {};
  const body = await readBody(req);
  if (body.length > 0) {
    const type = mediaType(req.headers['content-type']);
    const raw =
      type === 'application/vnd.kubernetes.protobuf' && ctx.decodeProtobuf
        ? ctx.decodeProtobuf(body, { apiVersion: 'v1', kind: 'DeleteOptions' })
        : (parseJson(body) as Record<string, unknown>);
    if (raw && typeof raw === 'object') {
      if (typeof raw.gracePeriodSeconds === 'number') opts.gracePeriodSeconds = raw.gracePeriodSeconds;
      if (typeof raw.propagationPolicy === 'string') opts.propagationPolicy = raw.propagationPolicy as DeleteOptions['propagationPolicy'];
      if (typeof raw.orphanDependents === 'boolean') opts.orphanDependents = raw.orphanDependents;
      if (raw.preconditions && typeof raw.preconditions === 'object') opts.preconditions = raw.preconditions as DeleteOptions['preconditions'];
      if (Array.isArray(raw.dryRun) && raw.dryRun.length > 0) opts.dryRun = true;
    }
  }
  if (q.has('gracePeriodSeconds')) opts.gracePeriodSeconds = Number(q.get('gracePeriodSeconds'));
  if (q.has('propagationPolicy')) opts.propagationPolicy = q.get('propagationPolicy') as DeleteOptions['propagationPolicy'];
  if (q.has('orphanDependents')) opts.orphanDependents = q.get('orphanDependents') === 'true';
  for (const v of q.getAll('dryRun')) {
    if (v !== 'All') throw errors.badRequest(`Invalid dryRun value: ${JSON.stringify(v)}: supported values: "All"`);
    opts.dryRun = true;
  }
  const pp = opts.propagationPolicy;
  if (pp !== undefined && pp !== 'Background' && pp !== 'Foreground' && pp !== 'Orphan') {
    throw errors.badRequest(`propagationPolicy ${String(pp)} is invalid: must be one of Orphan, Background or Foreground`);
  }
  if (opts.gracePeriodSeconds !== undefined && !Number.isFinite(opts.gracePeriodSeconds)) {
    throw errors.badRequest('gracePeriodSeconds must be a number');
  }
  return opts;
}

async function deleteOne(ctx: ApiContext, def: ResourceDef, rr: ResourceRequest, req: IncomingMessage, res: ServerResponse, q: URLSearchParams): Promise<number> {
  if (rr.subresource) throw errors.methodNotAllowed(`DELETE is not supported on ${def.plural}/${rr.subresource}`);
  const opts = await deleteOptions(ctx, req, q);
  const { object } = await ctx.objects(def).delete(rr.namespace, rr.name!, opts);
  writeJson(res, 200, object);
  return 200;
}

async function deleteCollection(ctx: ApiContext, def: ResourceDef, rr: ResourceRequest, req: IncomingMessage, res: ServerResponse, q: URLSearchParams): Promise<number> {
  const opts = await deleteOptions(ctx, req, q);
  const filter = buildFilter(def, q);
  const snap = await pagedList(ctx, storagePrefix(def, rr.namespace), filter, 0, '', '');
  const deleted: KubeObject[] = [];
  const store = ctx.objects(def);
  for (const obj of snap.items) {
    if (!filter.matches(obj)) continue;
    try {
      const { object } = await store.delete(obj.metadata?.namespace, obj.metadata!.name!, opts);
      deleted.push(object);
    } catch (e) {
      if (e instanceof StatusError && e.code === 404) continue;
      throw e;
    }
  }
  writeJson(res, 200, { kind: `${def.kind}List`, apiVersion: apiVersionOf(def), metadata: {}, items: deleted });
  return 200;
}

async function bind(ctx: ApiContext, def: ResourceDef, rr: ResourceRequest, req: IncomingMessage, res: ServerResponse, q: URLSearchParams): Promise<number> {
  const p = writeParams(req, q);
  const binding = await decodeFor(ctx, def, req, 'Binding', 'v1');
  await bindPod(ctx.objects(def), rr.namespace!, rr.name!, binding, { dryRun: p.dryRun, fieldManager: p.fieldManager });
  writeJson(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
  return 201;
}
