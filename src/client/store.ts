// Indexer: the informer's local cache, keyed `namespace/name` (or `name`), with secondary indexes.

import type { KubeObject } from '../api/registry.js';

/** Objects to index values; one object may have several values (e.g. one per label). */
export type IndexFunc<T> = (obj: T) => string[];
export type Indexers<T> = Record<string, IndexFunc<T>>;

export const NAMESPACE_INDEX = 'namespace';

/** `namespace/name`, or `name` for cluster-scoped objects. */
export function keyOf(obj: KubeObject): string {
  const ns = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? '';
  return ns ? `${ns}/${name}` : name;
}

export function splitKey(key: string): { namespace?: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

export const indexByNamespace: IndexFunc<KubeObject> = (o) => [o.metadata?.namespace ?? ''];
/** Pods by `spec.nodeName` (unscheduled pods index as ''). */
export const indexByNodeName: IndexFunc<KubeObject> = (o) => [String((o['spec'] as { nodeName?: string } | undefined)?.nodeName ?? '')];
/** Objects by each `key=value` label pair. */
export const indexByLabels: IndexFunc<KubeObject> = (o) => Object.entries(o.metadata?.labels ?? {}).map(([k, v]) => `${k}=${v}`);
/** Objects by the value of one label (objects without it are not indexed). */
export function indexByLabel(key: string): IndexFunc<KubeObject> {
  return (o) => {
    const v = o.metadata?.labels?.[key];
    return v === undefined ? [] : [v];
  };
}

export class Indexer<T extends KubeObject = KubeObject> {
  private readonly items = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFunc<T>>();
  /** index name → value → keys */
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  constructor(indexers: Indexers<T> = {}) {
    this.addIndexers({ [NAMESPACE_INDEX]: indexByNamespace as IndexFunc<T>, ...indexers });
  }

  addIndexers(indexers: Indexers<T>): void {
    for (const [name, fn] of Object.entries(indexers)) {
      if (this.indexers.has(name)) {
        if (this.indexers.get(name) === fn) continue;
        throw new Error(`indexer "${name}" already exists`);
      }
      this.indexers.set(name, fn);
      const index = new Map<string, Set<string>>();
      this.indices.set(name, index);
      for (const [key, obj] of this.items) addTo(index, fn(obj), key);
    }
  }

  /** Insert or replace; returns the previous object. */
  set(obj: T): T | undefined {
    const key = keyOf(obj);
    const old = this.items.get(key);
    if (old) this.unindex(key, old);
    this.items.set(key, obj);
    for (const [name, fn] of this.indexers) addTo(this.indices.get(name)!, fn(obj), key);
    return old;
  }

  /** Remove by key; returns the removed object. */
  deleteKey(key: string): T | undefined {
    const old = this.items.get(key);
    if (!old) return undefined;
    this.unindex(key, old);
    this.items.delete(key);
    return old;
  }

  delete(obj: T): T | undefined {
    return this.deleteKey(keyOf(obj));
  }

  /** Replace the whole contents. */
  replace(objs: Iterable<T>): void {
    this.items.clear();
    for (const idx of this.indices.values()) idx.clear();
    for (const o of objs) this.set(o);
  }

  getByKey(key: string): T | undefined {
    return this.items.get(key);
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.items.get(namespace ? `${namespace}/${name}` : name);
  }

  has(key: string): boolean {
    return this.items.has(key);
  }

  get size(): number {
    return this.items.size;
  }

  list(): T[] {
    return [...this.items.values()];
  }

  listKeys(): string[] {
    return [...this.items.keys()];
  }

  values(): IterableIterator<T> {
    return this.items.values();
  }

  /** Keys of the objects whose index function produced `value`. */
  indexKeys(indexName: string, value: string): string[] {
    const idx = this.indices.get(indexName);
    if (!idx) throw new Error(`index "${indexName}" does not exist`);
    return [...(idx.get(value) ?? [])];
  }

  byIndex(indexName: string, value: string): T[] {
    const idx = this.indices.get(indexName);
    if (!idx) throw new Error(`index "${indexName}" does not exist`);
    const keys = idx.get(value);
    if (!keys) return [];
    const out: T[] = [];
    for (const k of keys) out.push(this.items.get(k)!);
    return out;
  }

  /** Every value present in an index. */
  indexValues(indexName: string): string[] {
    const idx = this.indices.get(indexName);
    if (!idx) throw new Error(`index "${indexName}" does not exist`);
    return [...idx.keys()];
  }

  private unindex(key: string, obj: T): void {
    for (const [name, fn] of this.indexers) {
      const idx = this.indices.get(name)!;
      for (const v of fn(obj)) {
        const set = idx.get(v);
        if (!set) continue;
        set.delete(key);
        if (set.size === 0) idx.delete(v);
      }
    }
  }
}

function addTo(index: Map<string, Set<string>>, values: string[], key: string): void {
  for (const v of values) {
    let set = index.get(v);
    if (!set) index.set(v, (set = new Set()));
    set.add(key);
  }
}
