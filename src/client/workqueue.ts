// A rate-limited, de-duplicating work queue (client-go's workqueue shape). A key is handed to at
// most one worker at a time: re-adding a key while it is processed queues it again after done().

import { TokenBucket } from './ratelimit.js';

export interface RateLimiter<K> {
  /** How long to wait before `item` may be retried (and count a retry). */
  when(item: K): number;
  /** Stop tracking `item` (after success). */
  forget(item: K): void;
  numRequeues(item: K): number;
}

/** base × 2^failures, capped at max (client-go default: 5 ms → 1000 s). */
export class ExponentialFailureRateLimiter<K> implements RateLimiter<K> {
  private readonly failures = new Map<K, number>();
  constructor(
    readonly baseMs = 5,
    readonly maxMs = 1_000_000,
  ) {}
  when(item: K): number {
    const n = this.failures.get(item) ?? 0;
    this.failures.set(item, n + 1);
    return Math.min(this.maxMs, this.baseMs * 2 ** Math.min(n, 60));
  }
  forget(item: K): void {
    this.failures.delete(item);
  }
  numRequeues(item: K): number {
    return this.failures.get(item) ?? 0;
  }
}

/** An overall token bucket for all items (client-go default: 10 qps, burst 100). */
export class BucketRateLimiter<K> implements RateLimiter<K> {
  private readonly bucket: TokenBucket;
  constructor(qps = 10, burst = 100) {
    this.bucket = new TokenBucket(qps, burst);
  }
  when(): number {
    return this.bucket.reserve();
  }
  forget(): void {}
  numRequeues(): number {
    return 0;
  }
}

/** The longest delay of several limiters. */
export class MaxOfRateLimiter<K> implements RateLimiter<K> {
  private readonly limiters: RateLimiter<K>[];
  constructor(...limiters: RateLimiter<K>[]) {
    this.limiters = limiters;
  }
  when(item: K): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.when(item));
    return max;
  }
  forget(item: K): void {
    for (const l of this.limiters) l.forget(item);
  }
  numRequeues(item: K): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.numRequeues(item));
    return max;
  }
}

/** client-go's DefaultControllerRateLimiter: per-item 5 ms doubling to 1000 s, and 10 qps / 100 burst overall. */
export function defaultControllerRateLimiter<K>(): RateLimiter<K> {
  return new MaxOfRateLimiter<K>(new ExponentialFailureRateLimiter<K>(5, 1_000_000), new BucketRateLimiter<K>(10, 100));
}

export interface WorkQueueOptions<K> {
  rateLimiter?: RateLimiter<K>;
  name?: string;
}

export class WorkQueue<K = string> {
  readonly name: string | undefined;
  private readonly limiter: RateLimiter<K>;
  private queue: K[] = [];
  private head = 0;
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly waiting = new Map<K, { at: number; timer: NodeJS.Timeout }>();
  private waiters: Array<() => void> = [];
  private drainWaiters: Array<() => void> = [];
  private shuttingDown = false;

  constructor(opts: WorkQueueOptions<K> = {}) {
    this.limiter = opts.rateLimiter ?? defaultControllerRateLimiter<K>();
    this.name = opts.name;
  }

  /** Queue `item` unless it is already queued (if it is being processed, it is queued again on done()). */
  add(item: K): void {
    if (this.shuttingDown || this.dirty.has(item)) return;
    this.dirty.add(item);
    if (this.processing.has(item)) return;
    this.queue.push(item);
    this.waiters.shift()?.();
  }

  /** Add after `ms` (an earlier pending add of the same item wins). */
  addAfter(item: K, ms: number): void {
    if (this.shuttingDown) return;
    if (!(ms > 0)) return this.add(item);
    const at = performance.now() + ms;
    const prev = this.waiting.get(item);
    if (prev) {
      if (prev.at <= at) return;
      clearTimeout(prev.timer);
    }
    const timer = setTimeout(() => {
      this.waiting.delete(item);
      this.add(item);
    }, ms);
    this.waiting.set(item, { at, timer });
  }

  /** Add after the rate limiter's delay for `item` (counts a requeue). */
  addRateLimited(item: K): void {
    this.addAfter(item, this.limiter.when(item));
  }

  /** Reset `item`'s backoff (call after it was handled successfully). */
  forget(item: K): void {
    this.limiter.forget(item);
  }

  numRequeues(item: K): number {
    return this.limiter.numRequeues(item);
  }

  /** The next item, waiting for one; `undefined` once the queue is shut down and empty. Call done(item) after. */
  async get(): Promise<K | undefined> {
    while (this.head >= this.queue.length) {
      if (this.shuttingDown) return undefined;
      await new Promise<void>((r) => this.waiters.push(r));
    }
    const item = this.queue[this.head++]!;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.processing.add(item);
    this.dirty.delete(item);
    return item;
  }

  /** Mark `item` processed; if it was re-added meanwhile it is queued again. */
  done(item: K): void {
    this.processing.delete(item);
    if (this.dirty.has(item)) {
      this.queue.push(item);
      this.waiters.shift()?.();
    }
    if (this.processing.size === 0) {
      const d = this.drainWaiters;
      this.drainWaiters = [];
      for (const w of d) w();
    }
  }

  /** Items queued (not counting ones being processed or waiting for a delay). */
  len(): number {
    return this.queue.length - this.head;
  }

  isProcessing(item: K): boolean {
    return this.processing.has(item);
  }

  /** Stop accepting items; pending delayed adds are dropped; get() returns undefined once the queue is empty. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const w of this.waiting.values()) clearTimeout(w.timer);
    this.waiting.clear();
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }

  /** shutDown(), then wait until items being processed are done. */
  async shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.processing.size === 0) return;
    await new Promise<void>((r) => this.drainWaiters.push(r));
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }
}

export interface RunWorkersOptions<K> {
  /** Give up on a key after this many consecutive failures (forget it). Default: retry forever. */
  maxRetries?: number;
  /** Called on every handler failure; `requeued` false when maxRetries was reached. */
  onError?: (key: K, err: unknown, requeued: boolean) => void;
}

/**
 * The sample-controller loop: `n` workers take keys, run `handler`; success → forget, failure →
 * addRateLimited (until maxRetries). Resolves when the queue is shut down and the workers exit.
 */
export async function runWorkers<K>(
  queue: WorkQueue<K>,
  n: number,
  handler: (key: K) => Promise<void> | void,
  opts: RunWorkersOptions<K> = {},
): Promise<void> {
  const worker = async () => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        await handler(key);
        queue.forget(key);
      } catch (err) {
        const requeue = opts.maxRetries === undefined || queue.numRequeues(key) < opts.maxRetries;
        if (requeue) queue.addRateLimited(key);
        else queue.forget(key);
        if (opts.onError) opts.onError(key, err, requeue);
        else console.error(`workqueue${queue.name ? ' ' + queue.name : ''}: ${String(key)}:`, err instanceof Error ? err.message : err);
      } finally {
        queue.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, n) }, worker));
}
