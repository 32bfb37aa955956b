// ResourceClient: the verbs of one resource (get, list, create, update, patch, delete, watch …).

import type { KubeObject } from '../api/registry.js';
import type { Status } from '../api/status.js';
import type { PatchType, Query, RestClient } from './rest.js';
import { PATCH_CONTENT_TYPES } from './rest.js';
import { openWatch, type WatchHandle, type WatchHandlers, type WatchOptions } from './watch.js';

/** Where a resource lives. `group` is '' for the core API. */
export interface ResourceRef {
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
}

export interface ListMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface ObjectList<T> {
  apiVersion?: string;
  kind?: string;
  metadata: ListMeta;
  items: T[];
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
  timeoutSeconds?: number;
  signal?: AbortSignal;
}

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
  signal?: AbortSignal;
}

export interface PatchOptions extends WriteOptions {
  /** For server-side apply. */
  force?: boolean;
  /** Patch a subresource, e.g. 'status' or 'scale'. */
  subresource?: string;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
  signal?: AbortSignal;
}

/** The URL path prefix of a group-version: `/api/v1` or `/apis/<group>/<version>`. */
export function groupVersionPath(ref: Pick<ResourceRef, 'group' | 'version'>): string {
  return ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`;
}

/** The path of a resource collection, object, or subresource. */
export function resourcePath(ref: ResourceRef, namespace?: string, name?: string, subresource?: string): string {
  let p = groupVersionPath(ref);
  if (ref.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${ref.plural}`;
  if (name !== undefined) p += `/${encodeURIComponent(name)}`;
  if (subresource) p += `/${subresource}`;
  return p;
}

function writeQuery(opts?: WriteOptions): Query {
  return {
    dryRun: opts?.dryRun ? 'All' : undefined,
    fieldManager: opts?.fieldManager,
    fieldValidation: opts?.fieldValidation,
  };
}

export class ResourceClient<T extends KubeObject = KubeObject> {
  constructor(
    readonly client: RestClient,
    readonly ref: ResourceRef,
  ) {}

  /** Path of the collection (ns given for namespaced resources; undefined/'' = all namespaces), object or subresource. */
  path(namespace?: string, name?: string, subresource?: string): string {
    return resourcePath(this.ref, namespace, name, subresource);
  }

  get(namespace: string | undefined, name: string, opts: { resourceVersion?: string; signal?: AbortSignal } = {}): Promise<T> {
    return this.client.request<T>({
      path: this.path(namespace, name),
      query: { resourceVersion: opts.resourceVersion },
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  }

  /** One page (or, without `limit`, everything). `namespace` undefined/'' lists across namespaces. */
  list(namespace: string | undefined, opts: ListOptions = {}): Promise<ObjectList<T>> {
    const { signal, ...query } = opts;
    return this.client.request<ObjectList<T>>({ path: this.path(namespace), query: { ...query }, ...(signal ? { signal } : {}) });
  }

  /** Every page of a list, following `continue`; returns all items and the first page's resourceVersion. */
  async listAll(namespace: string | undefined, opts: Omit<ListOptions, 'continue'> = {}): Promise<ObjectList<T>> {
    const items: T[] = [];
    let cont: string | undefined;
    let rv: string | undefined;
    do {
      const page = await this.list(namespace, { ...opts, ...(cont ? { continue: cont } : {}) });
      items.push(...(page.items ?? []));
      rv ??= page.metadata?.resourceVersion;
      cont = page.metadata?.continue || undefined;
    } while (cont);
    return { metadata: rv ? { resourceVersion: rv } : {}, items };
  }

  create(namespace: string | undefined, obj: T, opts?: WriteOptions): Promise<T> {
    return this.client.request<T>({ method: 'POST', path: this.path(namespace), query: writeQuery(opts), body: obj, ...sig(opts) });
  }

  /** PUT the object (name from `obj.metadata.name`); a stale resourceVersion gives 409 Conflict. */
  update(namespace: string | undefined, obj: T, opts?: WriteOptions): Promise<T> {
    return this.client.request<T>({ method: 'PUT', path: this.path(namespace, nameOf(obj)), query: writeQuery(opts), body: obj, ...sig(opts) });
  }

  /** PUT to the status subresource. */
  updateStatus(namespace: string | undefined, obj: T, opts?: WriteOptions): Promise<T> {
    return this.client.request<T>({
      method: 'PUT',
      path: this.path(namespace, nameOf(obj), 'status'),
      query: writeQuery(opts),
      body: obj,
      ...sig(opts),
    });
  }

  /** PATCH; `type` defaults to merge. For 'json' pass the operations array. */
  patch(namespace: string | undefined, name: string, patch: unknown, type: PatchType = 'merge', opts?: PatchOptions): Promise<T> {
    return this.client.request<T>({
      method: 'PATCH',
      path: this.path(namespace, name, opts?.subresource),
      query: { ...writeQuery(opts), force: opts?.force === undefined ? undefined : String(opts.force) },
      body: patch,
      contentType: PATCH_CONTENT_TYPES[type],
      ...sig(opts),
    });
  }

  /** DELETE; resolves with the deleted object (or the object marked for deletion) or a Status. */
  delete(namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<T | Status> {
    const { signal, dryRun, ...body } = opts;
    return this.client.request<T | Status>({
      method: 'DELETE',
      path: this.path(namespace, name),
      query: { dryRun: dryRun ? 'All' : undefined },
      body: { kind: 'DeleteOptions', apiVersion: 'v1', ...body },
      ...(signal ? { signal } : {}),
    });
  }

  /** POST to a subresource, e.g. `pods.createSubresource(ns, name, 'binding', binding)` or 'eviction'. */
  createSubresource<R = unknown>(namespace: string | undefined, name: string, subresource: string, body: unknown, opts?: WriteOptions): Promise<R> {
    return this.client.request<R>({
      method: 'POST',
      path: this.path(namespace, name, subresource),
      query: writeQuery(opts),
      body,
      ...sig(opts),
    });
  }

  /** Stream watch events (newline-delimited JSON). See WatchHandle for ending and errors. */
  watch(namespace: string | undefined, opts: WatchOptions, handlers: WatchHandlers<T>): WatchHandle {
    return openWatch<T>(this.client, this.path(namespace), opts, handlers);
  }
}

function nameOf(obj: KubeObject): string {
  const n = obj.metadata?.name;
  if (!n) throw new TypeError('object has no metadata.name');
  return n;
}

function sig(opts?: { signal?: AbortSignal }): { signal?: AbortSignal } {
  return opts?.signal ? { signal: opts.signal } : {};
}
