// Discovery documents derived from the registry: legacy APIVersions / APIGroupList / APIGroup /
// APIResourceList, and aggregated APIGroupDiscoveryList (apidiscovery.k8s.io v2 and v2beta1).
// Pure functions: registry in, JSON-ready objects out.

import { createHash } from 'node:crypto';
import type { Registry, ResourceDef } from '../../api/registry.js';
import { subresourceInfo, verbsOf } from './subresources.js';

export interface GroupVersionForDiscovery {
  groupVersion: string;
  version: string;
}

export interface APIGroup {
  kind?: 'APIGroup';
  apiVersion?: 'v1';
  name: string;
  versions: GroupVersionForDiscovery[];
  preferredVersion: GroupVersionForDiscovery;
}

export interface APIResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  group?: string;
  version?: string;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  storageVersionHash?: string;
}

export interface APIResourceList {
  kind: 'APIResourceList';
  apiVersion: 'v1';
  groupVersion: string;
  resources: APIResource[];
}

export type AggregatedVersion = 'v2' | 'v2beta1';

/** One group's versions, preferred first, each with its resources sorted by name. */
export interface GroupInfo {
  name: string;
  versions: { version: string; defs: ResourceDef[] }[];
}

/** Groups in registry order (core first when present); versions ordered by Kubernetes priority. */
export function groupsOf(registry: Registry): GroupInfo[] {
  const groups = new Map<string, Map<string, ResourceDef[]>>();
  for (const d of registry.all()) {
    let vs = groups.get(d.group);
    if (!vs) groups.set(d.group, (vs = new Map()));
    let defs = vs.get(d.version);
    if (!defs) vs.set(d.version, (defs = []));
    defs.push(d);
  }
  const out: GroupInfo[] = [];
  for (const [name, vs] of groups) {
    const versions = [...vs]
      .sort(([a], [b]) => compareVersions(a, b))
      .map(([version, defs]) => ({ version, defs: [...defs].sort((x, y) => cmp(x.plural, y.plural)) }));
    out.push({ name, versions });
  }
  const core = out.findIndex((g) => g.name === '');
  if (core > 0) out.unshift(...out.splice(core, 1));
  return out;
}

/**
 * Kubernetes version priority: GA before beta before alpha, higher numbers first, then anything
 * that does not look like a Kubernetes version, alphabetically. Negative when `a` is preferred.
 */
export function compareVersions(a: string, b: string): number {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  if (!pa || !pb) return pa ? -1 : pb ? 1 : cmp(a, b);
  if (pa.level !== pb.level) return pa.level - pb.level;
  if (pa.major !== pb.major) return pb.major - pa.major;
  return pb.minor - pa.minor;
}

function parseVersion(v: string): { major: number; level: number; minor: number } | undefined {
  const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
  if (!m) return undefined;
  return { major: Number(m[1]), level: m[2] === undefined ? 0 : m[2] === 'beta' ? 1 : 2, minor: Number(m[3] ?? 0) };
}

/** Upstream's storage version hash: base64 of the first 8 bytes of sha256("group/version/kind"). */
export function storageVersionHash(group: string, version: string, kind: string): string {
  return createHash('sha256').update(`${group}/${version}/${kind}`).digest().subarray(0, 8).toString('base64');
}

function gv(group: string, version: string): GroupVersionForDiscovery {
  return { groupVersion: group ? `${group}/${version}` : version, version };
}

/** `GET /api`. */
export function apiVersions(registry: Registry, serverAddress?: string): Record<string, unknown> {
  const core = groupsOf(registry).find((g) => g.name === '');
  const doc: Record<string, unknown> = { kind: 'APIVersions', versions: core ? core.versions.map((v) => v.version) : [] };
  if (serverAddress) doc['serverAddressByClientCIDRs'] = [{ clientCIDR: '0.0.0.0/0', serverAddress }];
  return doc;
}

/** `GET /apis/<group>` (and an entry of the group list). */
export function apiGroup(info: GroupInfo, withType = true): APIGroup {
  const versions = info.versions.map((v) => gv(info.name, v.version));
  const g: APIGroup = { name: info.name, versions, preferredVersion: versions[0]! };
  return withType ? { kind: 'APIGroup', apiVersion: 'v1', ...g } : g;
}

/** `GET /apis`: every group but core. */
export function apiGroupList(registry: Registry): Record<string, unknown> {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groupsOf(registry)
      .filter((g) => g.name !== '')
      .map((g) => apiGroup(g, false)),
  };
}

/** `GET /api/v1` or `/apis/<group>/<version>`; undefined when the group/version is not served. */
export function apiResourceList(registry: Registry, group: string, version: string): APIResourceList | undefined {
  const info = groupsOf(registry).find((g) => g.name === group);
  const v = info?.versions.find((x) => x.version === version);
  if (!v) return undefined;
  const resources: APIResource[] = [];
  for (const d of v.defs) {
    const r: APIResource = {
      name: d.plural,
      singularName: d.singular,
      namespaced: d.namespaced,
      kind: d.kind,
      verbs: verbsOf(d),
    };
    if (d.shortNames?.length) r.shortNames = [...d.shortNames];
    if (d.categories?.length) r.categories = [...d.categories];
    r.storageVersionHash = storageVersionHash(d.group, d.version, d.kind);
    resources.push(r);
    for (const s of [...(d.subresources ?? [])].sort(cmp)) {
      const si = subresourceInfo(d, s);
      const sr: APIResource = { name: `${d.plural}/${s}`, singularName: '', namespaced: d.namespaced, kind: si.responseKind.kind, verbs: si.verbs };
      if (si.responseKind.group !== d.group || si.responseKind.version !== d.version) {
        sr.group = si.responseKind.group;
        sr.version = si.responseKind.version;
      }
      resources.push(sr);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv(group, version).groupVersion, resources };
}

/** An aggregated-discovery group entry (`APIGroupDiscovery`). */
export function groupDiscovery(info: GroupInfo): Record<string, unknown> {
  const metadata: Record<string, unknown> = { creationTimestamp: null };
  if (info.name) metadata['name'] = info.name;
  return {
    metadata,
    versions: info.versions.map((v) => ({
      version: v.version,
      resources: v.defs.map((d) => {
        const r: Record<string, unknown> = {
          resource: d.plural,
          responseKind: { group: d.group, version: d.version, kind: d.kind },
          scope: d.namespaced ? 'Namespaced' : 'Cluster',
          singularResource: d.singular,
          verbs: verbsOf(d),
        };
        if (d.shortNames?.length) r['shortNames'] = [...d.shortNames];
        if (d.categories?.length) r['categories'] = [...d.categories];
        if (d.subresources?.length) {
          r['subresources'] = [...d.subresources].sort(cmp).map((s) => {
            const si = subresourceInfo(d, s);
            return { subresource: s, responseKind: si.responseKind, verbs: si.verbs };
          });
        }
        return r;
      }),
      freshness: 'Current',
    })),
  };
}

/** Aggregated discovery: `/api` (`core`: only the core group) or `/apis` (every other group). */
export function groupDiscoveryList(registry: Registry, which: 'core' | 'groups', version: AggregatedVersion): Record<string, unknown> {
  const groups = groupsOf(registry).filter((g) => (which === 'core' ? g.name === '' : g.name !== ''));
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${version}`,
    metadata: {},
    items: groups.map(groupDiscovery),
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
