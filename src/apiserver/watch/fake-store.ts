// A small in-memory Store for the watch cache's tests: MVCC revisions, history for watches from a
// past revision, compaction, and hooks to break watches. Not a storage backend (see src/storage/memory).

import {
  CompactedError,
  ConflictError,
  KeyExistsError,
  KeyNotFoundError,
  type KeyValue,
  type ListOptions,
  type ListResult,
  type Store,
  type Watch,
  type WatchEvent,
  type WatchHandlers,
} from '../../storage/store.js';

export interface FakeStoreOptions {
  /** Give watches requestProgress()/onProgress like etcd's progress notifications. */
  progress?: boolean;
}

interface FakeWatch {
  prefix: string;
  handlers: WatchHandlers & { onProgress?(revision: number): void };
  /** Batches waiting for the initial replay to finish. */
  queue: WatchEvent[][] | null;
  cancelled: boolean;
}

export class FakeStore implements Store {
  private readonly data = new Map<string, KeyValue>();
  private readonly history: WatchEvent[][] = [];
  private rev = 0;
  private compacted = 0;
  private readonly watches = new Set<FakeWatch>();
  /** How many store watches were ever opened. */
  watchesOpened = 0;

  constructor(private readonly opts: FakeStoreOptions = {}) {}

  get activeWatches(): number {
    return this.watches.size;
  }

  async get(key: string): Promise<KeyValue | null> {
    return this.data.get(key) ?? null;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    if (opts.revision) throw new Error('FakeStore lists only at the current revision');
    const keys = [...this.data.keys()].filter((k) => k.startsWith(prefix) && (!opts.startKey || k >= opts.startKey)).sort();
    const limit = opts.limit || keys.length;
    const items = keys.slice(0, limit).map((k) => this.data.get(k)!);
    return { items, revision: this.rev, more: keys.length > limit, remaining: Math.max(0, keys.length - limit) };
  }

  async count(prefix: string): Promise<number> {
    return [...this.data.keys()].filter((k) => k.startsWith(prefix)).length;
  }

  async create(key: string, value: string): Promise<KeyValue> {
    if (this.data.has(key)) throw new KeyExistsError(key);
    return this.putMany([[key, value]])[0]!;
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    const cur = this.data.get(key);
    if (!cur) throw new KeyNotFoundError(key);
    if (cur.modRevision !== expectedModRevision) throw new ConflictError(key, cur);
    return this.putMany([[key, value]])[0]!;
  }

  /** Writes without checks; several keys in one call share one revision (a transaction). */
  putMany(kvs: [key: string, value: string][]): KeyValue[] {
    const rev = ++this.rev;
    const out: KeyValue[] = [];
    const batch: WatchEvent[] = [];
    for (const [key, value] of kvs) {
      const prev = this.data.get(key);
      const kv: KeyValue = { key, value, createRevision: prev?.createRevision ?? rev, modRevision: rev };
      this.data.set(key, kv);
      out.push(kv);
      batch.push({ type: 'put', key, value, prevValue: prev?.value, modRevision: rev, createRevision: kv.createRevision });
    }
    this.publish(batch);
    return out;
  }

  async delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    const cur = this.data.get(key);
    if (!cur) throw new KeyNotFoundError(key);
    if (expectedModRevision !== undefined && cur.modRevision !== expectedModRevision) throw new ConflictError(key, cur);
    const rev = ++this.rev;
    this.data.delete(key);
    this.publish([{ type: 'delete', key, value: cur.value, modRevision: rev, createRevision: cur.createRevision }]);
    return { ...cur, modRevision: rev };
  }

  watch(prefix: string, afterRevision: number, handlers: WatchHandlers): Watch & { requestProgress?(): void } {
    this.watchesOpened++;
    const w: FakeWatch = { prefix, handlers, queue: [], cancelled: false };
    const cancel = () => {
      w.cancelled = true;
      this.watches.delete(w);
    };
    if (afterRevision < this.compacted) {
      const err = new CompactedError(afterRevision, this.compacted);
      queueMicrotask(() => !w.cancelled && handlers.onError(err));
      return { cancel };
    }
    for (const batch of this.history) {
      const mine = batch.filter((e) => e.modRevision > afterRevision && e.key.startsWith(prefix));
      if (mine.length) w.queue!.push(mine);
    }
    this.watches.add(w);
    // Replay asynchronously, like a real backend; live writes queue behind it.
    queueMicrotask(() => {
      const queued = w.queue!;
      w.queue = null;
      for (const b of queued) if (!w.cancelled) handlers.onEvents(b);
    });
    const handle: Watch & { requestProgress?(): void } = { cancel };
    if (this.opts.progress) {
      handle.requestProgress = () => {
        const rev = this.rev;
        queueMicrotask(() => !w.cancelled && w.queue === null && (handlers as FakeWatch['handlers']).onProgress?.(rev));
      };
    }
    return handle;
  }

  async currentRevision(): Promise<number> {
    return this.rev;
  }

  async compactedRevision(): Promise<number> {
    return this.compacted;
  }

  async compact(revision: number): Promise<void> {
    this.compacted = Math.max(this.compacted, revision);
    while (this.history.length && this.history[0]![0]!.modRevision < this.compacted) this.history.shift();
  }

  async close(): Promise<void> {
    for (const w of [...this.watches]) w.cancelled = true;
    this.watches.clear();
  }

  /** Ends every open watch with `err` (as a broken connection or a compaction would). */
  failWatches(err: Error): void {
    for (const w of [...this.watches]) {
      this.watches.delete(w);
      w.cancelled = true;
      w.handlers.onError(err);
    }
  }

  private publish(batch: WatchEvent[]): void {
    this.history.push(batch);
    for (const w of this.watches) {
      const mine = batch.filter((e) => e.key.startsWith(w.prefix));
      if (!mine.length) continue;
      if (w.queue) w.queue.push(mine);
      else w.handlers.onEvents(mine);
    }
  }
}
