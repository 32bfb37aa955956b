// One watch cache per key prefix, created on first use and stopped together at shutdown.

import type { Store } from '../../storage/store.js';
import { WatchCache, type WatchCacheOptions } from './cache.js';
import { cacheStopped } from './errors.js';

export class WatchCacheSet {
  private readonly starting = new Map<string, Promise<WatchCache>>();
  private readonly caches = new Map<string, WatchCache>();
  private stopped = false;

  constructor(
    private readonly store: Store,
    /** Options for every cache, or per prefix (e.g. a bigger ring for events). */
    private readonly options: WatchCacheOptions | ((prefix: string) => WatchCacheOptions) = {},
  ) {}

  /** The started cache for `prefix`, creating and starting it on first use. A failed start is retried by the next call. */
  get(prefix: string): Promise<WatchCache> {
    if (this.stopped) return Promise.reject(cacheStopped(prefix));
    let p = this.starting.get(prefix);
    if (p === undefined) {
      const opts = typeof this.options === 'function' ? this.options(prefix) : this.options;
      const cache = new WatchCache(this.store, prefix, opts);
      this.caches.set(prefix, cache);
      p = cache.start().then(
        () => cache,
        (err: unknown) => {
          this.starting.delete(prefix);
          this.caches.delete(prefix);
          cache.stop();
          throw err;
        },
      );
      this.starting.set(prefix, p);
    }
    return p;
  }

  /** The cache for `prefix` if it exists and is ready. */
  peek(prefix: string): WatchCache | undefined {
    const c = this.caches.get(prefix);
    return c?.ready ? c : undefined;
  }

  prefixes(): string[] {
    return [...this.caches.keys()];
  }

  /** Stops every cache; later get() calls reject. */
  stop(): void {
    this.stopped = true;
    for (const c of this.caches.values()) c.stop();
    this.caches.clear();
    this.starting.clear();
  }
}
