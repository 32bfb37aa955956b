// The watch cache of one resource key prefix: one store watch keeps a decoded copy of every object
// and a ring of recent events; lists at resourceVersion=0 and every client watch are served from
// here, so thousands of watchers cost one store watch and one JSON.parse per write.

import type { KubeObject } from '../../api/registry.js';
import { errors, StatusError } from '../../api/status.js';
import type { Store, Watch, WatchEvent, WatchHandlers } from '../../storage/store.js';
import { cacheStopped, tooLargeResourceVersion, tooOldResourceVersion } from './errors.js';
import { CacheEntry, CacheEvent, decodeStoredObject } from './events.js';
import { EventRing } from './ring.js';
import { SortedKeys } from '../../storage/sorted-keys.js';
import { CacheWatcher, type ObjectFilter, type WatcherHost, type WatchHandle, type WatchOptions } from './watcher.js';

export interface WatchCacheOptions {
  /**
   * Events kept for watchers that resume from an older revision: at least `capacity` (default 1000),
   * growing (doubling) while the events it would drop are younger than `freshMs`, up to
   * `maxCapacity` (default: `capacity`, a fixed ring), and shrinking again when traffic calms down,
   * as upstream's cacher sizes its window.
   */
  capacity?: number;
  maxCapacity?: number;
  /** How long an event should stay resumable when the ring may grow (default 75 s, upstream's). */
  freshMs?: number;
  /** Clock for the ring sizing (tests). */
  now?: () => number;
  /**
   * Tell watchers of new events once per event-loop turn (default true), so the writes of many
   * requests reach a watcher in one socket write; false notifies after every store event batch
   * (tests that check delivery step by step).
   */
  batchNotify?: boolean;
  /** How often idle watchers are offered a bookmark with the latest revision (default 1000 ms). */
  bookmarkIntervalMs?: number;
  /** Send a bookmark even if the revision did not move after this much silence (default 10 s). */
  keepaliveBookmarkMs?: number;
  /**
   * A paused watcher this many events behind is closed (onClose 'backlog') while its resume point
   * is still in the ring, so the client can re-watch without relisting (default capacity / 2).
   */
  maxBacklog?: number;
  /** Default timeout of waitUntil and of sendInitialEvents waits (default 3000 ms). */
  waitTimeoutMs?: number;
  /** Deep-freeze cached objects so a stray mutation throws (strict mode) instead of corrupting all watchers. */
  freezeObjects?: boolean;
  /**
   * The store delivers watch events no later than a setImmediate after a write resolves (memory,
   * SQLite in this process). Lets the cache learn progress by reading the store's current revision,
   * so waitUntil(revision) succeeds even when no event under this prefix carries that revision.
   */
  inProcessStore?: boolean;
  /** Backoff of store re-watch / re-list attempts (defaults 100 ms .. 5000 ms). */
  retryMinMs?: number;
  retryMaxMs?: number;
  log?: (msg: string, err?: unknown) => void;
}

export interface CacheListOptions {
  /** Only keys under this prefix, e.g. `/registry/pods/default/` (default: the cache's prefix). */
  namespacePrefix?: string;
  filter?: ObjectFilter;
  /** At most this many items (0 or absent: all). */
  limit?: number;
  /** Start at this key (inclusive), e.g. a previous result's continueKey. */
  startKey?: string;
}

export interface CacheListResult {
  /** Shared, never-mutated objects in key order. */
  items: KubeObject[];
  /** The cache revision the list reflects. */
  revision: number;
  /** When `limit` cut the list short: the key to continue from. */
  continueKey?: string;
}

/**
 * Optional store capability (not yet in the Store contract): a watch that can be asked for
 * progress and reports "everything up to revision R was delivered" through onProgress, as etcd's
 * progress notifications do.
 */
export interface ProgressWatch extends Watch {
  requestProgress?(): void;
}
export interface ProgressWatchHandlers extends WatchHandlers {
  onProgress(revision: number): void;
}

interface Waiter {
  revision: number;
  resolve: () => void;
  reject: (err: StatusError) => void;
  timer: NodeJS.Timeout;
}

type State = 'idle' | 'starting' | 'ready' | 'stopped';

const PROGRESS_RETRY_MS = 100;

export class WatchCache {
  private readonly minCapacity: number;
  private readonly maxCapacity: number;
  private readonly freshMs: number;
  private readonly now: () => number;
  private readonly bookmarkIntervalMs: number;
  private readonly keepaliveTicks: number;
  private readonly fixedMaxBacklog: number | undefined;
  private notifyPending = false;
  private readonly batchNotify: boolean;
  private readonly waitTimeoutMs: number;
  private readonly freeze: boolean;
  private readonly inProcessStore: boolean;
  private readonly retryMinMs: number;
  private readonly retryMaxMs: number;
  private readonly logFn: (msg: string, err?: unknown) => void;

  private entries = new Map<string, CacheEntry>();
  private readonly keys = new SortedKeys();
  private readonly ring: EventRing<CacheEvent>;
  /** Everything up to this revision has been applied. */
  private rev = 0;
  private listRevision = 0;
  /** Revision of the newest applied store event (events must not go backwards; the ring relies on it). */
  private lastEventRevision = 0;
  /** Revision of the newest event pushed out of the ring since the last list (0: none). */
  private lastDroppedRevision = 0;
  private readonly watchers = new Set<CacheWatcher>();
  private waiters: Waiter[] = [];
  private readyWaiters: { resolve: () => void; reject: (err: StatusError) => void }[] = [];
  private state: State = 'idle';
  private startPromise: Promise<void> | null = null;
  private storeWatch: ProgressWatch | null = null;
  /** Bumped whenever the store watch is replaced; callbacks of older watches are ignored. */
  private storeWatchId = 0;
  private healthy = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private tickTimer: NodeJS.Timeout | null = null;
  private progressTimer: NodeJS.Timeout | null = null;
  private progressInFlight = false;
  private readonly host: WatcherHost;

  constructor(
    private readonly store: Store,
    /** The key prefix this cache mirrors, e.g. `/registry/pods/`. */
    readonly prefix: string,
    opts: WatchCacheOptions = {},
  ) {
    this.minCapacity = opts.capacity ?? 1000;
    this.maxCapacity = Math.max(this.minCapacity, opts.maxCapacity ?? this.minCapacity);
    this.freshMs = opts.freshMs ?? 75_000;
    this.now = opts.now ?? Date.now;
    this.ring = new EventRing(this.minCapacity);
    this.bookmarkIntervalMs = opts.bookmarkIntervalMs ?? 1000;
    this.keepaliveTicks = Math.max(1, Math.round((opts.keepaliveBookmarkMs ?? 10_000) / this.bookmarkIntervalMs));
    this.fixedMaxBacklog = opts.maxBacklog;
    this.batchNotify = opts.batchNotify ?? true;
    this.waitTimeoutMs = opts.waitTimeoutMs ?? 3000;
    this.freeze = opts.freezeObjects ?? false;
    this.inProcessStore = opts.inProcessStore ?? false;
    this.retryMinMs = opts.retryMinMs ?? 100;
    this.retryMaxMs = opts.retryMaxMs ?? 5000;
    this.logFn = opts.log ?? ((msg, err) => console.warn(`watch cache ${prefix}: ${msg}`, err ?? ''));
    const cache = this;
    this.host = {
      get ring() {
        return cache.ring;
      },
      get revision() {
        return cache.rev;
      },
      oldestResumableRevision: () => this.oldestResumableRevision(),
      detach: (w) => void this.watchers.delete(w),
      log: (msg, err) => this.logFn(msg, err),
    };
  }

  /** Everything up to this revision has been applied to the cache. */
  get revision(): number {
    return this.rev;
  }

  /**
   * Whether waitUntil can succeed for a revision written under another prefix: true when the store
   * reports progress (or is in-process). When false, consistent reads should go to the store.
   */
  get tracksStoreProgress(): boolean {
    return this.inProcessStore || typeof this.storeWatch?.requestProgress === 'function';
  }

  get ready(): boolean {
    return this.state === 'ready';
  }

  get watcherCount(): number {
    return this.watchers.size;
  }

  /** Number of objects held. */
  get size(): number {
    return this.entries.size;
  }

  /** Lists the prefix from the store and starts following it. Idempotent; retryable after a failure. */
  start(): Promise<void> {
    if (this.state === 'stopped') return Promise.reject(cacheStopped(this.prefix));
    if (this.startPromise === null) {
      this.state = 'starting';
      this.startPromise = this.relist().then(
        () => {
          if (this.state === 'stopped') throw cacheStopped(this.prefix);
          this.state = 'ready';
          this.tickTimer = setInterval(() => this.tick(), this.bookmarkIntervalMs);
          this.tickTimer.unref();
          for (const r of this.readyWaiters.splice(0)) r.resolve();
          this.settleWaiters();
        },
        (err: unknown) => {
          this.startPromise = null;
          if (this.state !== 'stopped') this.state = 'idle';
          const status = errors.internal(`watch cache for ${this.prefix} failed to start: ${messageOf(err)}`);
          for (const r of this.readyWaiters.splice(0)) r.reject(status);
          throw err;
        },
      );
    }
    return this.startPromise;
  }

  /** Stops following the store; open watches end (onClose 'stopped'), pending waits reject. */
  stop(): void {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    for (const t of [this.tickTimer, this.retryTimer, this.progressTimer]) if (t) clearTimeout(t);
    this.tickTimer = this.retryTimer = this.progressTimer = null;
    this.dropStoreWatch();
    for (const w of [...this.watchers]) w.close('stopped');
    const err = cacheStopped(this.prefix);
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(err);
    }
    for (const r of this.readyWaiters.splice(0)) r.reject(err);
  }

  /** The current object at `key`, if any (shared: do not mutate). */
  get(key: string): KubeObject | undefined {
    this.assertReady();
    return this.entries.get(key)?.object;
  }

  /** Current objects under a prefix (a string is taken as namespacePrefix), in key order. */
  list(opts: string | CacheListOptions = {}): CacheListResult {
    this.assertReady();
    const o: CacheListOptions = typeof opts === 'string' ? { namespacePrefix: opts } : opts;
    const prefix = o.namespacePrefix ?? this.prefix;
    const limit = o.limit !== undefined && o.limit > 0 ? o.limit : Infinity;
    const items: KubeObject[] = [];
    for (const key of this.keys.range(prefix, o.startKey)) {
      const obj = this.entries.get(key)!.object;
      if (o.filter !== undefined && !o.filter(obj)) continue;
      if (items.length === limit) return { items, revision: this.rev, continueKey: key };
      items.push(obj);
    }
    return { items, revision: this.rev };
  }

  /**
   * Resolves once the cache has applied everything up to `revision` (for reads that must be at
   * least that fresh); rejects with 504 "Too large resource version" after `timeoutMs`.
   */
  waitUntil(revision: number, timeoutMs = this.waitTimeoutMs): Promise<void> {
    if (this.state === 'stopped') return Promise.reject(cacheStopped(this.prefix));
    if (this.state === 'ready' && revision <= this.rev) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        revision,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(tooLargeResourceVersion(revision, this.rev));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
      this.requestProgress(false);
    });
  }

  /** Same as waitUntil with the default timeout (the name the HTTP watch handler uses). */
  waitFresh(revision: number): Promise<void> {
    return this.waitUntil(revision);
  }

  /**
   * Starts a client watch. Callbacks never run before this returns. Exactly one of onError /
   * onClose ends the watch unless it is cancelled first.
   */
  watch(opts: WatchOptions): WatchHandle {
    const w = new CacheWatcher(this.host, opts);
    this.watchers.add(w);
    void this.begin(w);
    return w;
  }

  private async begin(w: CacheWatcher): Promise<void> {
    const o = w.opts;
    try {
      if (this.state !== 'ready') await this.whenReady();
      else await undefined; // never call back before watch() has returned the handle
      if (o.sendInitialEvents === true && o.afterRevision > this.rev) await this.waitUntil(o.afterRevision);
    } catch (err) {
      if (this.state === 'stopped') w.close('stopped');
      else w.fail(err instanceof StatusError ? err : errors.internal(messageOf(err)));
      return;
    }
    if (w.done) return;
    if (this.state === 'stopped') return w.close('stopped');
    const initial = o.sendInitialEvents === true || (o.afterRevision === 0 && o.sendInitialEvents !== false);
    if (initial) {
      w.startWithSnapshot(this.snapshot(o.prefix), this.rev, o.sendInitialEvents === true, this.ring.nextSeq);
    } else if (o.afterRevision === 0) {
      w.startAt(this.ring.nextSeq, this.rev);
    } else {
      const oldest = this.oldestResumableRevision();
      if (o.afterRevision < oldest) return w.fail(tooOldResourceVersion(o.afterRevision, oldest));
      w.startAt(
        this.ring.firstAfter(o.afterRevision, (e) => e.revision),
        o.afterRevision,
      );
    }
    w.pump();
  }

  private whenReady(): Promise<void> {
    if (this.state === 'ready') return Promise.resolve();
    if (this.state === 'stopped') return Promise.reject(cacheStopped(this.prefix));
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  private assertReady(): void {
    if (this.state !== 'ready') throw new StatusError(503, 'ServiceUnavailable', `the watch cache for ${this.prefix} is not ready`);
  }

  /** The smallest afterRevision a watch may resume from: nothing after it has left the ring. */
  private oldestResumableRevision(): number {
    return this.lastDroppedRevision > 0 ? this.lastDroppedRevision : this.listRevision;
  }

  private snapshot(prefix: string | undefined): CacheEntry[] {
    const out: CacheEntry[] = [];
    for (const key of this.keys.range(prefix || this.prefix)) out.push(this.entries.get(key)!);
    return out;
  }

  /** Lists the prefix and follows it from the list's revision; watchers of the old stream expire. */
  private async relist(): Promise<void> {
    const res = await this.store.list(this.prefix);
    if (this.state === 'stopped') return;
    const entries = new Map<string, CacheEntry>();
    for (const kv of res.items) {
      try {
        entries.set(kv.key, new CacheEntry(kv.key, decodeStoredObject(kv.value, kv.modRevision, this.freeze), kv.modRevision));
      } catch (err) {
        this.logFn(`cannot decode ${kv.key} at revision ${kv.modRevision}; left out`, err);
      }
    }
    this.entries = entries;
    this.keys.reset([...entries.keys()]);
    this.ring.clear();
    this.listRevision = res.revision;
    this.lastEventRevision = res.revision;
    this.lastDroppedRevision = 0;
    this.rev = res.revision;
    this.failures = 0;
    // Anyone following the old stream may have missed events before this list: make them relist.
    for (const w of [...this.watchers]) if (w.positioned) w.fail(tooOldResourceVersion(w.reachedRevision, res.revision));
    this.openStoreWatch(res.revision);
    this.settleWaiters();
  }

  private openStoreWatch(afterRevision: number): void {
    const id = ++this.storeWatchId;
    const handlers: ProgressWatchHandlers = {
      onEvents: (events) => {
        if (id === this.storeWatchId) this.apply(events);
      },
      onError: (err) => {
        if (id === this.storeWatchId) this.storeWatchFailed(err);
      },
      onProgress: (revision) => {
        if (id === this.storeWatchId) this.advance(revision);
      },
    };
    let handle: ProgressWatch;
    try {
      handle = this.store.watch(this.prefix, afterRevision, handlers);
    } catch (err) {
      if (id === this.storeWatchId) this.storeWatchFailed(err);
      return;
    }
    if (id !== this.storeWatchId) {
      handle.cancel(); // it failed (or we stopped) while being set up
      return;
    }
    this.storeWatch = handle;
    this.healthy = true;
  }

  private dropStoreWatch(): void {
    this.storeWatchId++;
    this.healthy = false;
    const old = this.storeWatch;
    this.storeWatch = null;
    try {
      old?.cancel();
    } catch (err) {
      this.logFn('cancelling the store watch failed', err);
    }
  }

  /** Re-watch from where we are; if that history is gone (compacted), re-list. */
  private storeWatchFailed(err: unknown): void {
    this.dropStoreWatch();
    if (this.state === 'stopped') return;
    const compacted = err instanceof Error && err.name === 'CompactedError';
    this.logFn(compacted ? 'store history compacted; re-listing' : 'store watch failed; re-watching', err);
    // A re-list always makes progress, so it need not wait behind earlier re-watch failures.
    this.scheduleRecovery(compacted, compacted);
  }

  private scheduleRecovery(relist: boolean, immediate = false): void {
    const delay = immediate || this.failures === 0 ? 0 : Math.min(this.retryMaxMs, this.retryMinMs * 2 ** (this.failures - 1));
    this.failures++;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.state === 'stopped') return;
      if (!relist) return this.openStoreWatch(this.rev);
      this.relist().catch((err: unknown) => {
        this.logFn('re-list failed', err);
        if (this.state !== 'stopped') this.scheduleRecovery(true);
      });
    }, delay);
    this.retryTimer.unref();
  }

  private apply(events: WatchEvent[]): void {
    if (this.state === 'stopped') return;
    for (const e of events) this.applyOne(e);
    this.failures = 0;
    this.settleWaiters();
    this.scheduleNotify();
  }

  /**
   * Watchers hear of new events once per event-loop turn, not once per store event: the writes of
   * every request handled in this turn then reach each watcher as one socket write (what upstream
   * gets by flushing a watch stream only when no further event is queued). The cache itself (lists,
   * waitUntil) is current at once.
   */
  private scheduleNotify(): void {
    if (!this.batchNotify) return this.notifyWatchers();
    if (this.notifyPending) return;
    this.notifyPending = true;
    setImmediate(() => {
      this.notifyPending = false;
      this.notifyWatchers();
    });
  }

  private notifyWatchers(): void {
    if (this.state === 'stopped') return;
    const maxBacklog = this.fixedMaxBacklog ?? Math.max(1, Math.floor(this.ring.capacity / 2));
    for (const w of this.watchers) w.notify(maxBacklog);
  }

  /** Events the ring holds at most right now (it grows under bursts; see WatchCacheOptions). */
  get ringCapacity(): number {
    return this.ring.capacity;
  }

  private applyOne(e: WatchEvent): void {
    const revision = e.modRevision;
    if (revision < this.lastEventRevision) {
      this.logFn(`ignoring out-of-order event for ${e.key} at revision ${revision} (last event at ${this.lastEventRevision})`);
      return;
    }
    // Behind a progress report means the store's progress was wrong; keep the data right anyway.
    if (revision < this.rev) this.logFn(`event for ${e.key} at revision ${revision} arrived after progress to ${this.rev}`);
    this.lastEventRevision = revision;
    if (revision > this.rev) this.rev = revision;
    const prev = this.entries.get(e.key) ?? null;
    let ev: CacheEvent;
    if (e.type === 'put') {
      let obj: KubeObject;
      try {
        obj = decodeStoredObject(e.value, revision, this.freeze);
      } catch (err) {
        this.logFn(`cannot decode ${e.key} at revision ${revision}; event dropped`, err);
        return;
      }
      const entry = new CacheEntry(e.key, obj, revision);
      this.entries.set(e.key, entry);
      if (prev === null) this.keys.insert(e.key);
      ev = new CacheEvent(revision, e.key, entry, prev, this.freeze, this.now());
    } else {
      if (prev === null) return; // never seen, so no watcher can care
      this.entries.delete(e.key);
      this.keys.remove(e.key);
      ev = new CacheEvent(revision, e.key, null, prev, this.freeze, this.now());
    }
    this.sizeRing(ev.receivedAt);
    const dropped = this.ring.push(ev);
    if (dropped !== undefined) this.lastDroppedRevision = dropped.revision;
  }

  /**
   * Before a push: double the ring when it is full and its oldest event is still fresh (a burst),
   * halve it when even its newest quarter is stale (traffic calmed down), within the bounds.
   */
  private sizeRing(now: number): void {
    const ring = this.ring;
    const cap = ring.capacity;
    if (cap < this.maxCapacity && ring.size === cap && now - ring.at(ring.oldestSeq).receivedAt < this.freshMs) {
      ring.resize(Math.min(this.maxCapacity, cap * 2));
      return;
    }
    if (cap > this.minCapacity && ring.size >= cap / 4) {
      const quarter = ring.at(ring.nextSeq - Math.floor(cap / 4));
      if (now - quarter.receivedAt > this.freshMs) {
        const dropped = ring.resize(Math.max(this.minCapacity, Math.floor(cap / 2)));
        if (dropped !== undefined) this.lastDroppedRevision = dropped.revision;
      }
    }
  }

  /** The store says everything up to `revision` has been delivered. */
  private advance(revision: number): void {
    if (!this.healthy || revision <= this.rev) return;
    this.rev = revision;
    this.settleWaiters();
  }

  private settleWaiters(): void {
    if (this.state !== 'ready' || this.waiters.length === 0) return;
    const still: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.revision <= this.rev) {
        clearTimeout(w.timer);
        w.resolve();
      } else still.push(w);
    }
    this.waiters = still;
  }

  /** Learns how far the store has got, for waiters and bookmarks. */
  private requestProgress(periodic: boolean): void {
    if (this.progressInFlight || !this.healthy || (!periodic && this.waiters.length === 0)) return;
    const watch = this.storeWatch;
    if (typeof watch?.requestProgress === 'function') {
      watch.requestProgress();
      if (!periodic) this.retryProgressLater();
      return;
    }
    if (!this.inProcessStore) return;
    this.progressInFlight = true;
    const id = this.storeWatchId;
    this.store
      .currentRevision()
      // Let deliveries already queued by the store (microtasks, earlier setImmediates) land first.
      .then((r) => new Promise<number>((resolve) => setImmediate(() => resolve(r))))
      .then((r) => {
        if (id === this.storeWatchId) this.advance(r);
      })
      .catch((err: unknown) => this.logFn('progress probe failed', err))
      .finally(() => {
        this.progressInFlight = false;
        this.retryProgressLater();
      });
  }

  private retryProgressLater(): void {
    if (this.progressTimer !== null || this.waiters.length === 0 || this.state === 'stopped') return;
    this.progressTimer = setTimeout(() => {
      this.progressTimer = null;
      this.requestProgress(false);
    }, PROGRESS_RETRY_MS);
    this.progressTimer.unref();
  }

  private tick(): void {
    if (this.watchers.size === 0) return;
    this.requestProgress(true);
    for (const w of this.watchers) w.tick(this.keepaliveTicks);
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
