// Lister: read-only queries over an informer's cache.

import type { KubeObject } from '../api/registry.js';
import { LabelSelector, parseLabelSelector } from '../api/selectors/index.js';
import { NAMESPACE_INDEX, type Indexer } from './store.js';

export type SelectorArg = LabelSelector | string | undefined;

function toSelector(sel: SelectorArg): LabelSelector | undefined {
  if (sel === undefined || sel === '') return undefined;
  return typeof sel === 'string' ? parseLabelSelector(sel) : sel;
}

export class Lister<T extends KubeObject = KubeObject> {
  constructor(private readonly indexer: Indexer<T>) {}

  /** All objects matching the label selector (all when none). */
  list(selector?: SelectorArg): T[] {
    const sel = toSelector(selector);
    const all = this.indexer.list();
    return sel ? all.filter((o) => sel.matches(o.metadata?.labels ?? {})) : all;
  }

  /** Objects of one namespace matching the selector. */
  listNamespace(namespace: string, selector?: SelectorArg): T[] {
    const sel = toSelector(selector);
    const objs = this.indexer.byIndex(NAMESPACE_INDEX, namespace);
    return sel ? objs.filter((o) => sel.matches(o.metadata?.labels ?? {})) : objs;
  }

  /** By namespace and name (namespace undefined/'' for cluster-scoped objects). */
  get(namespace: string | undefined, name: string): T | undefined {
    return this.indexer.get(namespace, name);
  }

  byIndex(indexName: string, value: string): T[] {
    return this.indexer.byIndex(indexName, value);
  }
}
