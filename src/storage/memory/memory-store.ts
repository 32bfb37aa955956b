// In-memory MVCC store: every write gets the next global revision and is kept in a per-key history
// (for reads at older revisions) and in an event log (for watches that start in the past), until
// compaction drops what is older than the compacted revision. Nothing survives the process.

import { SortedKeys } from '../sorted-keys.js';
import {
  CompactedError,
  ConflictError,
  KeyExistsError,
  KeyNotFoundError,
  StoreError,
  type KeyValue,
  type ListOptions,
  type ListResult,
  type Store,
  type Watch,
  type WatchEvent,
  type WatchHandlers,
} from '../store.js';
import { WatchHub } from '../watch-hub.js';

interface Version {
  revision: number;
  createRevision: number;
  value: string;
  deleted: boolean;
}

export class MemoryStore implements Store {
  // Like etcd, an empty store is at revision 1 and its first write is revision 2, so no object
  // ever carries resourceVersion "0" (which means "any" in list requests).
  private revision = 1;
  private compacted = 1;
  private readonly history = new Map<string, Version[]>();
  /** Every key that has history, in byte order. */
  private readonly sortedKeys = new SortedKeys();
  /** Events with modRevision >= logStart, one per revision. */
  private log: WatchEvent[] = [];
  private logStart = 2;
  private readonly hub = new WatchHub();
  private closed = false;

  async get(key: string): Promise<KeyValue | null> {
    this.checkOpen();
    return this.liveAt(key, this.revision);
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.checkOpen();
    const revision = this.readRevision(opts.revision);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    const items: KeyValue[] = [];
    let remaining = 0;
    for (const key of this.sortedKeys.range(prefix, opts.startKey)) {
      const kv = this.liveAt(key, revision);
      if (!kv) continue;
      if (items.length < limit) items.push(kv);
      else remaining++;
    }
    return { items, revision, more: remaining > 0, remaining };
  }

  async count(prefix: string): Promise<number> {
    return (await this.list(prefix)).items.length;
  }

  async create(key: string, value: string): Promise<KeyValue> {
    this.checkOpen();
    if (this.liveAt(key, this.revision)) throw new KeyExistsError(key);
    const rev = this.revision + 1;
    return this.commit(key, { revision: rev, createRevision: rev, value, deleted: false }, undefined);
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    this.checkOpen();
    const current = this.liveAt(key, this.revision);
    if (!current) throw new KeyNotFoundError(key);
    if (current.modRevision !== expectedModRevision) throw new ConflictError(key, current);
    const version = { revision: this.revision + 1, createRevision: current.createRevision, value, deleted: false };
    return this.commit(key, version, current.value);
  }

  async delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    this.checkOpen();
    const current = this.liveAt(key, this.revision);
    if (!current) throw new KeyNotFoundError(key);
    if (expectedModRevision !== undefined && current.modRevision !== expectedModRevision) {
      throw new ConflictError(key, current);
    }
    const version = { revision: this.revision + 1, createRevision: current.createRevision, value: current.value, deleted: true };
    return this.commit(key, version, undefined);
  }

  watch(prefix: string, afterRevision: number, handlers: WatchHandlers): Watch {
    if (this.closed) return this.hub.failed(new StoreError('store is closed'), handlers);
    if (afterRevision + 1 < this.compacted) {
      return this.hub.failed(new CompactedError(afterRevision + 1, this.compacted), handlers);
    }
    const from = Math.max(afterRevision + 1 - this.logStart, 0);
    return this.hub.watch(prefix, afterRevision, this.log.slice(from), handlers);
  }

  async currentRevision(): Promise<number> {
    return this.revision;
  }

  async compactedRevision(): Promise<number> {
    return this.compacted;
  }

  async compact(revision: number): Promise<void> {
    this.checkOpen();
    if (revision > this.revision) throw new StoreError(`cannot compact to future revision ${revision}`);
    if (revision <= this.compacted) return;
    this.compacted = revision;
    this.log = this.log.slice(Math.max(revision - this.logStart, 0));
    this.logStart = revision;
    const dropped = new Set<string>();
    for (const [key, versions] of this.history) {
      // Keep the newest version at or before `revision` (what a read at `revision` sees) unless it
      // is a delete, plus everything after.
      let keepFrom = 0;
      for (let i = versions.length - 1; i >= 0; i--) {
        if (versions[i]!.revision <= revision) {
          keepFrom = versions[i]!.deleted ? i + 1 : i;
          break;
        }
      }
      if (keepFrom === versions.length) {
        this.history.delete(key);
        dropped.add(key);
      } else if (keepFrom > 0) {
        this.history.set(key, versions.slice(keepFrom));
      }
    }
    for (const key of dropped) this.sortedKeys.remove(key);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.hub.closeAll(new StoreError('store is closed'));
  }

  private commit(key: string, version: Version, prevValue: string | undefined): KeyValue {
    let versions = this.history.get(key);
    if (!versions) {
      versions = [];
      this.history.set(key, versions);
      this.sortedKeys.insert(key);
    }
    versions.push(version);
    this.revision = version.revision;
    const event: WatchEvent = {
      type: version.deleted ? 'delete' : 'put',
      key,
      value: version.value,
      modRevision: version.revision,
      createRevision: version.createRevision,
    };
    if (prevValue !== undefined) event.prevValue = prevValue;
    this.log.push(event);
    this.hub.publish([event]);
    return { key, value: version.value, createRevision: version.createRevision, modRevision: version.revision };
  }

  /** The key's value as of `revision`, or null if it did not exist then. */
  private liveAt(key: string, revision: number): KeyValue | null {
    const versions = this.history.get(key);
    if (!versions) return null;
    for (let i = versions.length - 1; i >= 0; i--) {
      const v = versions[i]!;
      if (v.revision > revision) continue;
      if (v.deleted) return null;
      return { key, value: v.value, createRevision: v.createRevision, modRevision: v.revision };
    }
    return null;
  }

  private readRevision(requested: number | undefined): number {
    if (!requested) return this.revision;
    if (requested > this.revision) throw new StoreError(`revision ${requested} is in the future (current ${this.revision})`);
    if (requested < this.compacted) throw new CompactedError(requested, this.compacted);
    return requested;
  }


  private checkOpen(): void {
    if (this.closed) throw new StoreError('store is closed');
  }
}

export function openMemoryStore(): MemoryStore {
  return new MemoryStore();
}
