// The shared controller loop (sample-controller's shape): one rate-limited workqueue of owner keys,
// `workers` concurrent syncs, success → forget, failure → addRateLimited. Controllers register
// informer handlers that call enqueue(); the loop stops when the context's signal aborts.

import type { KubeObject } from '../../api/registry.js';
import { WorkQueue, runWorkers, type RateLimiter } from '../../client/index.js';
import type { ControllerContext } from '../types.js';
import { controllerKey } from './keys.js';

export interface QueueLoopOptions {
  name: string;
  sync: (key: string) => Promise<void>;
  rateLimiter?: RateLimiter<string>;
  /** Give up on a key after this many retries (upstream's maxRetries, 15 for most); default: never. */
  maxRetries?: number;
}

export class QueueLoop {
  readonly queue: WorkQueue<string>;
  private done: Promise<void> | undefined;

  constructor(readonly options: QueueLoopOptions) {
    this.queue = new WorkQueue<string>({ name: options.name, ...(options.rateLimiter ? { rateLimiter: options.rateLimiter } : {}) });
  }

  enqueue(obj: KubeObject): void {
    this.queue.add(controllerKey(obj));
  }

  enqueueKey(key: string): void {
    this.queue.add(key);
  }

  enqueueAfter(obj: KubeObject | string, ms: number): void {
    this.queue.addAfter(typeof obj === 'string' ? obj : controllerKey(obj), ms);
  }

  enqueueRateLimited(obj: KubeObject | string): void {
    this.queue.addRateLimited(typeof obj === 'string' ? obj : controllerKey(obj));
  }

  /**
   * Start workers once the informers have synced (the manager starts the factory after every
   * controller's start); shut the queue down when ctx.signal aborts.
   */
  start(ctx: ControllerContext, waitFor: Array<{ waitForSync(signal?: AbortSignal): Promise<void> }>): void {
    const signal = ctx.signal;
    if (signal.aborted) return;
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    this.done = (async () => {
      try {
        await Promise.all(waitFor.map((i) => i.waitForSync(signal)));
      } catch {
        return;
      }
      await runWorkers(this.queue, ctx.options.workers, (key) => this.options.sync(key), {
        ...(this.options.maxRetries !== undefined ? { maxRetries: this.options.maxRetries } : {}),
        onError: (key, err) => {
          if (!signal.aborted) console.error(`${this.options.name}: sync ${key}: ${err instanceof Error ? err.message : String(err)}`);
        },
      });
    })();
  }

  /** Resolves when the workers have exited. */
  wait(): Promise<void> {
    return this.done ?? Promise.resolve();
  }
}
