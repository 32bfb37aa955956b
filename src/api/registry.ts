// The resource registry: each API resource is declared once (see resources/), and REST routes,
// discovery, OpenAPI, Table output and field selectors are all derived from the declarations.

import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { FieldError } from './status.js';

/** kubernetes-types marks server-owned fields readonly; the server is the one that writes them. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Any API object. Typed access goes through kubernetes-types at the use site. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: Mutable<ObjectMeta>;
  [field: string]: unknown;
}

export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string;
  description: string;
  /** 0: always shown; 1: only with `-o wide`. */
  priority: 0 | 1;
  /** The cell for one object; `now` is the time of the response (for Age-like columns). */
  cell: (obj: any, now: number) => string | number | boolean | null;
}

export interface ScaleSpec {
  /** Read/write `.spec.replicas`-like field. */
  specReplicas(obj: any): number;
  setSpecReplicas(obj: any, n: number): void;
  statusReplicas(obj: any): number;
  /** The label selector in string form (`app=web,tier in (a,b)`), as Scale.status.selector. */
  selector(obj: any): string;
}

/** How a resource's objects are created, updated and checked, as upstream's rest strategies. */
export interface Strategy {
  /** Apply upstream's defaults in place (run on create, update and patch results, before validation). */
  defaults?(obj: any): void;
  /** Clear/initialise fields the server owns on create (e.g. status for most kinds). */
  prepareForCreate?(obj: any): void;
  /** Adjust an update before validation (e.g. keep fields a user may not change this way). */
  prepareForUpdate?(obj: any, old: any): void;
  validate?(obj: any): FieldError[];
  /** Checks that involve the old object (immutable fields); `validate` runs on updates too. */
  validateUpdate?(obj: any, old: any): FieldError[];
}

export interface ResourceDef {
  group: string; // '' for core
  version: string;
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** Verbs on the main resource; default: all of create, delete, deletecollection, get, list, patch, update, watch. */
  verbs?: string[];
  /**
   * Subresources served by the generic handlers: 'status' (spec/status split: the main resource
   * ignores status changes, /status changes only status) and 'scale' (needs `scale`). Others
   * (binding, log, exec …) are served by dedicated handlers and listed here for discovery.
   */
  subresources?: string[];
  scale?: ScaleSpec;
  /** True when metadata.generation starts at 1 and bumps on every change outside metadata and status. */
  generation?: boolean;
  /** Table columns after NAME (upstream's printer columns). */
  columns?: TableColumn[];
  /** Field selectors beyond metadata.name and metadata.namespace. */
  fieldSelectors?: Record<string, (obj: any) => string | undefined>;
  strategy?: Strategy;
  /** Storage key prefix when it differs from `/registry/<plural>/` (e.g. two APIs over one store). */
  storagePrefix?: string;
}

export function apiVersionOf(def: Pick<ResourceDef, 'group' | 'version'>): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}

export function groupVersionOf(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** Storage key for an object: `/registry/<plural>/<namespace>/<name>` or `/registry/<plural>/<name>`. */
export function storageKey(def: ResourceDef, namespace: string | undefined, name: string): string {
  return `${storagePrefix(def)}${def.namespaced ? `${namespace}/` : ''}${name}`;
}

/** Key prefix covering a resource (optionally one namespace); ends with '/'. */
export function storagePrefix(def: ResourceDef, namespace?: string): string {
  const base = def.storagePrefix ?? `/registry/${def.plural}/`;
  return def.namespaced && namespace ? `${base}${namespace}/` : base;
}

export class Registry {
  private readonly byGVR = new Map<string, ResourceDef>();
  private readonly byGVK = new Map<string, ResourceDef>();
  private readonly list: ResourceDef[] = [];

  add(def: ResourceDef): void {
    const gvr = `${def.group}/${def.version}/${def.plural}`;
    if (this.byGVR.has(gvr)) throw new Error(`resource ${gvr} declared twice`);
    this.byGVR.set(gvr, def);
    this.byGVK.set(`${def.group}/${def.version}/${def.kind}`, def);
    this.list.push(def);
  }

  get(group: string, version: string, plural: string): ResourceDef | undefined {
    return this.byGVR.get(`${group}/${version}/${plural}`);
  }

  forKind(group: string, version: string, kind: string): ResourceDef | undefined {
    return this.byGVK.get(`${group}/${version}/${kind}`);
  }

  all(): readonly ResourceDef[] {
    return this.list;
  }

  /** Served group/versions in declaration order, core ('') first. */
  groupVersions(): { group: string; version: string }[] {
    const seen = new Set<string>();
    const out: { group: string; version: string }[] = [];
    for (const d of this.list) {
      const k = `${d.group}/${d.version}`;
      if (!seen.has(k)) {
        seen.add(k);
        out.push({ group: d.group, version: d.version });
      }
    }
    return out;
  }
}
