// A set of keys kept in store order (UTF-8 byte order, keys.ts), with ordered iteration over a
// prefix. Backed by a B+ tree, so an insert or delete costs O(log n) however many keys there are
// (a sorted array pays a memmove of the whole tail on every insert).

import BTreeModule from 'sorted-btree';
import { compareKeys, rangeStart } from './keys.js';

// sorted-btree is CommonJS: its class is the module's `default` export.
const BTree = BTreeModule.default;

export class SortedKeys {
  private tree = new BTree<string, undefined>(undefined, compareKeys);

  get size(): number {
    return this.tree.size;
  }

  /** Replaces the contents; `keys` need not be sorted. */
  reset(keys: Iterable<string>): void {
    this.tree = new BTree<string, undefined>(undefined, compareKeys);
    for (const k of keys) this.tree.set(k, undefined);
  }

  /** Adds `key`; false when it was already there. */
  insert(key: string): boolean {
    return this.tree.setIfNotPresent(key, undefined);
  }

  /** Removes `key`; false when it was not there. */
  remove(key: string): boolean {
    return this.tree.delete(key);
  }

  /** Keys starting with `prefix`, from `startKey` (inclusive) when it is past the prefix, in order. */
  *range(prefix: string, startKey?: string): Generator<string> {
    for (const k of this.tree.keys(rangeStart(prefix, startKey))) {
      if (!k.startsWith(prefix)) return;
      yield k;
    }
  }
}
