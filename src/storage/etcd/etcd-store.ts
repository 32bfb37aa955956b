// Store on a real etcd v3 cluster through the etcd3 client. etcd's own revision is the global
// revision; writes are transactions that compare createRevision / modRevision, so they are exactly
// the compare-and-swap the contract asks for, and acknowledged writes are quorum-durable.

import { Etcd3, type IKeyValue, type IRangeRequest } from 'etcd3';

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
  type WatchHandlers,
} from '../store.js';
import { EtcdWatch, type EtcdWatchOptions } from './etcd-watch.js';
import { prefixRange } from './ranges.js';

export interface EtcdStoreOptions {
  /** `host:port` of each member. */
  endpoints: string[];
  /** Deadline for each unary call (ms). */
  callTimeoutMs?: number;
  watch?: EtcdWatchOptions;
}

// A key no one writes, for reads that only want the header (current revision) or a revision probe.
const PROBE_KEY = Buffer.from([0]);

export class EtcdStore implements Store {
  private readonly client: Etcd3;
  private readonly watches = new Set<Watch>();
  /** The newest compacted revision we know of; compaction only moves forward. */
  private knownCompacted = 1;
  private closed = false;

  constructor(private readonly opts: EtcdStoreOptions) {
    const timeout = opts.callTimeoutMs ?? 10_000;
    this.client = new Etcd3({
      hosts: opts.endpoints,
      // Streams (watch) live forever; unary calls must not hang on a dead member.
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + timeout }),
    });
  }

  async get(key: string): Promise<KeyValue | null> {
    const res = await this.call(() => this.client.kv.range({ key: Buffer.from(key) }));
    const kv = res.kvs[0];
    return kv ? toKeyValue(kv) : null;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const range = prefixRange(prefix);
    const req: IRangeRequest = { ...range };
    if (opts.startKey !== undefined && Buffer.compare(Buffer.from(opts.startKey), range.key) > 0) {
      req.key = Buffer.from(opts.startKey);
    }
    if (opts.limit) req.limit = opts.limit;
    if (opts.revision) req.revision = opts.revision;
    const res = await this.call(() => this.client.kv.range(req), opts.revision).catch(async (err) => {
      if (err instanceof CompactedError) throw new CompactedError(err.requested, await this.compactedRevision());
      throw err;
    });
    const items = res.kvs.map(toKeyValue);
    // etcd counts every key in [key, range_end), returned or not.
    const remaining = Math.max(Number(res.count) - items.length, 0);
    return { items, revision: opts.revision || Number(res.header.revision), more: res.more, remaining };
  }

  async count(prefix: string): Promise<number> {
    const res = await this.call(() => this.client.kv.range({ ...prefixRange(prefix), count_only: true }));
    return Number(res.count);
  }

  async create(key: string, value: string): Promise<KeyValue> {
    const k = Buffer.from(key);
    const res = await this.call(() =>
      this.client.kv.txn({
        compare: [{ key: k, target: 'Create', result: 'Equal', create_revision: 0 }],
        success: [{ request_put: { key: k, value: Buffer.from(value) } }],
        failure: [],
      }),
    );
    if (!res.succeeded) throw new KeyExistsError(key);
    const rev = Number(res.header.revision);
    return { key, value, createRevision: rev, modRevision: rev };
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    const k = Buffer.from(key);
    const res = await this.call(() =>
      this.client.kv.txn({
        compare: [
          { key: k, target: 'Create', result: 'Greater', create_revision: 0 },
          { key: k, target: 'Mod', result: 'Equal', mod_revision: expectedModRevision },
        ],
        success: [{ request_put: { key: k, value: Buffer.from(value), prev_kv: true } }],
        failure: [{ request_range: { key: k } }],
      }),
    );
    if (!res.succeeded) throw this.casFailure(key, res.responses[0]?.response_range?.kvs[0]);
    const prev = res.responses[0]!.response_put.prev_kv;
    return { key, value, createRevision: Number(prev.create_revision), modRevision: Number(res.header.revision) };
  }

  async delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    const k = Buffer.from(key);
    const res = await this.call(() =>
      this.client.kv.txn({
        compare: [
          { key: k, target: 'Create', result: 'Greater', create_revision: 0 },
          ...(expectedModRevision === undefined
            ? []
            : [{ key: k, target: 'Mod' as const, result: 'Equal' as const, mod_revision: expectedModRevision }]),
        ],
        success: [{ request_delete_range: { key: k, prev_kv: true } }],
        failure: [{ request_range: { key: k } }],
      }),
    );
    if (!res.succeeded) throw this.casFailure(key, res.responses[0]?.response_range?.kvs[0]);
    const prev = res.responses[0]!.response_delete_range.prev_kvs[0]!;
    return {
      key,
      value: prev.value.toString(),
      createRevision: Number(prev.create_revision),
      modRevision: Number(res.header.revision),
    };
  }

  watch(prefix: string, afterRevision: number, handlers: WatchHandlers): Watch {
    if (this.closed) {
      queueMicrotask(() => handlers.onError(new StoreError('store is closed')));
      return { cancel() {} };
    }
    const w = new EtcdWatch(this.client, prefixRange(prefix), afterRevision, {
      onEvents: (events) => handlers.onEvents(events),
      onError: (err) => {
        this.watches.delete(w);
        if (err instanceof CompactedError) this.noteCompacted(err.compacted);
        handlers.onError(err);
      },
    }, this.opts.watch);
    this.watches.add(w);
    return {
      cancel: () => {
        this.watches.delete(w);
        w.cancel();
      },
    };
  }

  async currentRevision(): Promise<number> {
    const res = await this.call(() => this.client.kv.range({ key: PROBE_KEY, count_only: true }));
    return Number(res.header.revision);
  }

  /**
   * etcd does not report its compacted revision directly, so find the oldest readable revision by
   * binary search over reads at a revision, starting from the newest compaction we know of.
   */
  async compactedRevision(): Promise<number> {
    let lo = this.knownCompacted; // readable, unless compacted further since
    let hi = await this.currentRevision(); // always readable
    if (await this.readableAt(lo)) return lo;
    // Invariant: lo is not readable, hi is.
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (await this.readableAt(mid)) hi = mid;
      else lo = mid;
    }
    this.noteCompacted(hi);
    return hi;
  }

  async compact(revision: number): Promise<void> {
    try {
      await this.call(() => this.client.kv.compact({ revision, physical: true }));
    } catch (err) {
      // Already compacted at or past `revision`: nothing to do.
      if (err instanceof CompactedError) return;
      throw err;
    }
    this.noteCompacted(revision);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.watches) w.cancel();
    this.watches.clear();
    this.client.close();
  }

  private async readableAt(revision: number): Promise<boolean> {
    try {
      await this.call(() => this.client.kv.range({ key: PROBE_KEY, revision, count_only: true }), revision);
      return true;
    } catch (err) {
      if (err instanceof CompactedError) return false;
      throw err;
    }
  }

  private noteCompacted(revision: number): void {
    if (revision > this.knownCompacted) this.knownCompacted = revision;
  }

  private casFailure(key: string, current: IKeyValue | undefined): Error {
    return current ? new ConflictError(key, toKeyValue(current)) : new KeyNotFoundError(key);
  }

  /** Run one etcd call, mapping its errors onto the store's. */
  private async call<T>(fn: () => Promise<T>, requestedRevision = 0): Promise<T> {
    if (this.closed) throw new StoreError('store is closed');
    try {
      return await fn();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (message.includes('required revision has been compacted')) {
        throw new CompactedError(requestedRevision, this.knownCompacted);
      }
      if (message.includes('required revision is a future revision')) {
        throw new StoreError(`revision ${requestedRevision} is in the future`, { cause: err });
      }
      throw new StoreError(`etcd: ${message}`, { cause: err });
    }
  }
}

function toKeyValue(kv: IKeyValue): KeyValue {
  return {
    key: kv.key.toString(),
    value: kv.value.toString(),
    createRevision: Number(kv.create_revision),
    modRevision: Number(kv.mod_revision),
  };
}

export function openEtcdStore(endpoints: string[], opts: Omit<EtcdStoreOptions, 'endpoints'> = {}): EtcdStore {
  return new EtcdStore({ ...opts, endpoints });
}
