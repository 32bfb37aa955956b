// API discovery for controllers that act on every resource (garbage collector, namespace deleter):
// `/api/v1` and `/apis/<group>/<version>` (preferred versions) give each resource's kind, scope and
// verbs, so resources added later are covered without a hard-coded list.

import { setMaxListeners } from 'node:events';
import type { ResourceRef, RestClient } from '../../client/index.js';

export interface DiscoveredResource extends ResourceRef {
  kind: string;
  verbs: string[];
}

interface APIResource {
  name: string;
  namespaced: boolean;
  kind: string;
  verbs?: string[];
  group?: string;
  version?: string;
}

interface APIResourceList {
  groupVersion?: string;
  resources?: APIResource[];
}

interface APIGroupList {
  groups?: Array<{ name: string; preferredVersion?: { groupVersion: string; version: string }; versions?: Array<{ groupVersion: string; version: string }> }>;
}

/** `group/version` of a resource ('v1' for core). */
export function apiVersionOfRef(ref: Pick<ResourceRef, 'group' | 'version'>): string {
  return ref.group ? `${ref.group}/${ref.version}` : ref.version;
}

/** `plural.group` (or `plural` for core), upstream's way of naming a resource in messages. */
export function resourceName(ref: Pick<ResourceRef, 'group' | 'plural'>): string {
  return ref.group ? `${ref.plural}.${ref.group}` : ref.plural;
}

/** Split an apiVersion into group and version. */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** Top-level resources (no subresources) of one APIResourceList. */
export function resourcesOf(list: APIResourceList, group: string, version: string): DiscoveredResource[] {
  const out: DiscoveredResource[] = [];
  for (const r of list.resources ?? []) {
    if (!r.name || r.name.includes('/')) continue;
    out.push({ group, version, plural: r.name, namespaced: !!r.namespaced, kind: r.kind, verbs: [...(r.verbs ?? [])] });
  }
  return out;
}

export interface DiscoveryResult {
  resources: DiscoveredResource[];
  /** Group-versions whose resource list could not be read (the others are still returned). */
  failed: Array<{ groupVersion: string; error: unknown }>;
}

/** Every top-level resource the server serves, in each group's preferred version. */
export async function discoverResources(client: RestClient, signal?: AbortSignal): Promise<DiscoveryResult> {
  // The group requests run in parallel: they share one local signal (one listener on the caller's).
  let sig: { signal?: AbortSignal } = {};
  let unlink = () => {};
  if (signal) {
    const local = new AbortController();
    setMaxListeners(0, local.signal);
    const onAbort = () => local.abort(signal.reason);
    if (signal.aborted) local.abort(signal.reason);
    else signal.addEventListener('abort', onAbort, { once: true });
    unlink = () => signal.removeEventListener('abort', onAbort);
    sig = { signal: local.signal };
  }
  try {
    return await discover(client, sig);
  } finally {
    unlink();
  }
}

async function discover(client: RestClient, sig: { signal?: AbortSignal }): Promise<DiscoveryResult> {
  const gvs: Array<{ group: string; version: string; path: string }> = [{ group: '', version: 'v1', path: '/api/v1' }];
  const groups = await client.request<APIGroupList>({ path: '/apis', ...sig });
  for (const g of groups.groups ?? []) {
    const pv = g.preferredVersion ?? g.versions?.[0];
    if (!pv) continue;
    gvs.push({ group: g.name, version: pv.version, path: `/apis/${pv.groupVersion}` });
  }
  const resources: DiscoveredResource[] = [];
  const failed: DiscoveryResult['failed'] = [];
  const lists = await Promise.allSettled(gvs.map((gv) => client.request<APIResourceList>({ path: gv.path, ...sig })));
  lists.forEach((r, i) => {
    const gv = gvs[i]!;
    if (r.status === 'fulfilled') resources.push(...resourcesOf(r.value, gv.group, gv.version));
    else failed.push({ groupVersion: apiVersionOfRef(gv), error: r.reason });
  });
  return { resources, failed };
}

export function supportsVerbs(r: DiscoveredResource, ...verbs: string[]): boolean {
  return verbs.every((v) => r.verbs.includes(v));
}

/** Looks resources up by apiVersion + kind (ownerReferences name their owner that way). */
export class RestMapper {
  private readonly byKind = new Map<string, DiscoveredResource>();
  private readonly byGroupKind = new Map<string, DiscoveredResource>();

  constructor(resources: DiscoveredResource[] = []) {
    this.set(resources);
  }

  set(resources: DiscoveredResource[]): void {
    this.byKind.clear();
    this.byGroupKind.clear();
    for (const r of resources) {
      this.byKind.set(`${apiVersionOfRef(r)}|${r.kind}`, r);
      if (!this.byGroupKind.has(`${r.group}|${r.kind}`)) this.byGroupKind.set(`${r.group}|${r.kind}`, r);
    }
  }

  /**
   * The resource for `apiVersion`/`kind`. An apiVersion the server does not serve maps to the
   * served version of the same group and kind (objects are the same whatever the version).
   */
  lookup(apiVersion: string, kind: string): DiscoveredResource | undefined {
    const exact = this.byKind.get(`${apiVersion}|${kind}`);
    if (exact) return exact;
    const { group } = parseApiVersion(apiVersion);
    return this.byGroupKind.get(`${group}|${kind}`);
  }
}
