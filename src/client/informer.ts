// SharedInformer: list, then watch from the list's resourceVersion; relist on 410 Expired; reconnect
// with exponential backoff; a local indexed cache; handlers for add/update/delete.

import type { KubeObject } from '../api/registry.js';
import { runListWatch } from './list-watch.js';
import { Lister } from './lister.js';
import type { ResourceClient, ResourceRef } from './resource.js';
import type { RestClient } from './rest.js';
import { Indexer, keyOf, type Indexers } from './store.js';

/** What onDelete receives when the final state of a deleted object was missed (seen only on relist). */
export class DeletedFinalStateUnknown<T> {
  constructor(
    readonly key: string,
    /** The last state the cache held. */
    readonly obj: T,
  ) {}
}

export interface ResourceEventHandlers<T> {
  /** `isInInitialList`: delivered from the first list (or replayed to a handler added late). */
  onAdd?(obj: T, isInInitialList: boolean): void;
  /** Also called with old === new on periodic resync. */
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T | DeletedFinalStateUnknown<T>): void;
}

/** The object inside a possible tombstone. */
export function objectOf<T>(obj: T | DeletedFinalStateUnknown<T>): T {
  return obj instanceof DeletedFinalStateUnknown ? obj.obj : obj;
}

export interface InformerOptions<T extends KubeObject = KubeObject> {
  /** Only this namespace (default: all). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Indexes besides the built-in `namespace`. */
  indexers?: Indexers<T>;
  /** Default resync period for handlers (0/undefined: none). */
  resyncPeriodMs?: number;
  /** List page size; default 500. */
  pageSize?: number;
  /** Reconnect backoff; default 800 ms doubling to 30 s (reset after a successful watch). */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** Reconnect a watch that has been silent this long (the server sends bookmarks); default 60 s. */
  watchIdleTimeoutMs?: number;
  /** Errors from list/watch and from handlers (default: console.error). */
  onError?: (err: unknown) => void;
}

interface HandlerEntry<T> {
  handlers: ResourceEventHandlers<T>;
  timer?: NodeJS.Timeout;
}

export class SharedInformer<T extends KubeObject = KubeObject> {
  readonly indexer: Indexer<T>;
  readonly lister: Lister<T>;
  readonly resource: ResourceClient<T>;
  private readonly entries = new Set<HandlerEntry<T>>();
  private rv = '';
  private synced = false;
  private syncWaiters: Array<() => void> = [];
  private ac: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private kind: string | undefined;
  private apiVersion: string;
  /** Count of full lists performed (1 after the initial sync; grows on relists). */
  listCount = 0;

  constructor(
    client: RestClient,
    readonly ref: ResourceRef,
    readonly options: InformerOptions<T> = {},
  ) {
    this.indexer = new Indexer<T>(options.indexers ?? {});
    this.lister = new Lister<T>(this.indexer);
    this.resource = client.resource<T>(ref);
    this.apiVersion = ref.group ? `${ref.group}/${ref.version}` : ref.version;
  }

  /** Register handlers; existing objects are replayed as adds. Returns a function that removes them. */
  addEventHandler(handlers: ResourceEventHandlers<T>, opts: { resyncPeriodMs?: number } = {}): () => void {
    const entry: HandlerEntry<T> = { handlers };
    this.entries.add(entry);
    if (handlers.onAdd) for (const obj of this.indexer.values()) this.call(() => handlers.onAdd!(obj, true));
    const period = opts.resyncPeriodMs ?? this.options.resyncPeriodMs;
    if (period && period > 0 && handlers.onUpdate) {
      entry.timer = setInterval(() => {
        if (!this.synced) return;
        for (const obj of this.indexer.list()) this.call(() => handlers.onUpdate!(obj, obj));
      }, period);
      entry.timer.unref();
    }
    return () => {
      if (entry.timer) clearInterval(entry.timer);
      this.entries.delete(entry);
    };
  }

  addIndexers(indexers: Indexers<T>): void {
    this.indexer.addIndexers(indexers);
  }

  /** Start listing and watching (idempotent). */
  start(): void {
    if (this.loop) return;
    this.ac = new AbortController();
    this.loop = this.run(this.ac.signal);
  }

  /** Stop watching; the cache keeps its contents. */
  async stop(): Promise<void> {
    this.ac?.abort();
    for (const e of this.entries) if (e.timer) clearInterval(e.timer);
    await this.loop;
  }

  get started(): boolean {
    return this.loop !== undefined;
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves once the first list has been delivered; rejects if `signal` aborts first. */
  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const done = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        this.syncWaiters = this.syncWaiters.filter((w) => w !== done);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.syncWaiters.push(done);
    });
  }

  /** The resourceVersion of the last list or event seen. */
  lastSyncResourceVersion(): string {
    return this.rv;
  }

  private run(signal: AbortSignal): Promise<void> {
    const o = this.options;
    return runListWatch(
      {
        list: (sig) => this.listAndReplace(sig),
        watch: (sig) => this.watchOnce(sig),
        onError: (err) => this.reportError(err),
        ...(o.backoffInitialMs !== undefined ? { backoffInitialMs: o.backoffInitialMs } : {}),
        ...(o.backoffMaxMs !== undefined ? { backoffMaxMs: o.backoffMaxMs } : {}),
      },
      signal,
    );
  }

  private async listAndReplace(signal: AbortSignal): Promise<void> {
    const o = this.options;
    const items: T[] = [];
    let cont: string | undefined;
    let rv: string | undefined;
    do {
      const page = await this.resource.list(o.namespace, {
        limit: o.pageSize ?? 500,
        ...(cont ? { continue: cont } : {}),
        ...(o.labelSelector ? { labelSelector: o.labelSelector } : {}),
        ...(o.fieldSelector ? { fieldSelector: o.fieldSelector } : {}),
        signal,
      });
      if (!this.kind && page.kind?.endsWith('List')) this.kind = page.kind.slice(0, -4);
      for (const item of page.items ?? []) items.push(this.withKind(item));
      rv ??= page.metadata?.resourceVersion;
      cont = page.metadata?.continue || undefined;
    } while (cont);
    if (signal.aborted) return;
    this.listCount++;
    this.replace(items);
    this.rv = rv ?? '';
    if (!this.synced) {
      this.synced = true;
      const waiters = this.syncWaiters;
      this.syncWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** Apply a full list: adds, updates (when the resourceVersion changed) and tombstoned deletes. */
  private replace(items: T[]): void {
    const initial = !this.synced;
    const seen = new Set<string>();
    for (const obj of items) {
      const key = keyOf(obj);
      seen.add(key);
      const old = this.indexer.set(obj);
      if (!old) this.emit((h) => h.onAdd?.(obj, initial));
      else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) this.emit((h) => h.onUpdate?.(old, obj));
    }
    for (const key of this.indexer.listKeys()) {
      if (seen.has(key)) continue;
      const old = this.indexer.deleteKey(key)!;
      const tomb = new DeletedFinalStateUnknown(key, old);
      this.emit((h) => h.onDelete?.(tomb));
    }
  }

  /** One watch connection; resolves true if it delivered anything. */
  private async watchOnce(signal: AbortSignal): Promise<boolean> {
    const o = this.options;
    let got = false;
    const handle = this.resource.watch(
      o.namespace,
      {
        resourceVersion: this.rv,
        allowWatchBookmarks: true,
        idleTimeoutMs: o.watchIdleTimeoutMs ?? 60_000,
        timeoutSeconds: 300 + Math.floor(Math.random() * 300),
        ...(o.labelSelector ? { labelSelector: o.labelSelector } : {}),
        ...(o.fieldSelector ? { fieldSelector: o.fieldSelector } : {}),
        signal,
      },
      {
        onEvent: (ev) => {
          got = true;
          const obj = ev.object;
          const rv = obj?.metadata?.resourceVersion;
          switch (ev.type) {
            case 'ADDED':
            case 'MODIFIED': {
              const o2 = this.withKind(obj);
              const old = this.indexer.set(o2);
              if (old) this.emit((h) => h.onUpdate?.(old, o2));
              else this.emit((h) => h.onAdd?.(o2, false));
              break;
            }
            case 'DELETED': {
              const old = this.indexer.delete(obj);
              if (old) {
                const o2 = this.withKind(obj);
                this.emit((h) => h.onDelete?.(o2));
              }
              break;
            }
            case 'BOOKMARK':
              break;
          }
          if (rv) this.rv = rv;
        },
      },
    );
    await handle.done;
    return got;
  }

  private withKind(obj: T): T {
    if (this.kind && !obj.kind) {
      obj.kind = this.kind;
      obj.apiVersion ??= this.apiVersion;
    }
    return obj;
  }

  private emit(fn: (h: ResourceEventHandlers<T>) => void): void {
    for (const e of this.entries) this.call(() => fn(e.handlers));
  }

  private call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.reportError(err);
    }
  }

  private reportError(err: unknown): void {
    if (this.options.onError) this.options.onError(err);
    else console.error(`informer ${this.ref.group || 'core'}/${this.ref.plural}:`, err instanceof Error ? err.message : err);
  }
}
