// Fan-out of committed writes to in-process watchers (memory and sqlite backends).
//
// A backend calls `watch` with the events to replay (read synchronously, in the same tick as the
// registration, so no live write can slip between replay and live delivery) and `publish` after each
// commit. Delivery is asynchronous (a microtask) so handlers never run inside the caller's `watch()`
// or inside a write, and all events queued for a watcher are handed over in one `onEvents` call.

import { StoreError, type Watch, type WatchEvent, type WatchHandlers } from './store.js';

class HubWatcher implements Watch {
  private queue: WatchEvent[] = [];
  private flushScheduled = false;
  private done = false;

  constructor(
    readonly prefix: string,
    private readonly afterRevision: number,
    private readonly handlers: WatchHandlers,
    private readonly detach: (w: HubWatcher) => void,
  ) {}

  enqueue(events: readonly WatchEvent[]): void {
    if (this.done) return;
    for (const ev of events) {
      if (ev.modRevision > this.afterRevision && ev.key.startsWith(this.prefix)) this.queue.push(ev);
    }
    if (this.queue.length > 0 && !this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  fail(err: Error): void {
    if (this.done) return;
    this.stop();
    queueMicrotask(() => this.handlers.onError(err));
  }

  cancel(): void {
    this.stop();
  }

  private stop(): void {
    this.done = true;
    this.queue = [];
    this.detach(this);
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.done || this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    try {
      this.handlers.onEvents(batch);
    } catch (cause) {
      // A throwing handler has lost events it was given; continuing would leave it with a gap.
      this.fail(new StoreError('watch handler threw; watch stopped', { cause }));
    }
  }
}

export class WatchHub {
  private readonly watchers = new Set<HubWatcher>();

  /**
   * Register a watcher that first receives `replay`, then every published event under `prefix`
   * (only events after `afterRevision`, which may be in the future).
   */
  watch(prefix: string, afterRevision: number, replay: readonly WatchEvent[], handlers: WatchHandlers): Watch {
    const w = new HubWatcher(prefix, afterRevision, handlers, (x) => this.watchers.delete(x));
    this.watchers.add(w);
    w.enqueue(replay);
    return w;
  }

  /** A watch that only reports `err` (for example, a compacted start revision). */
  failed(err: Error, handlers: WatchHandlers): Watch {
    const w = new HubWatcher('', 0, handlers, () => {});
    w.fail(err);
    return w;
  }

  /** Deliver committed events, in revision order, to every watcher whose prefix matches. */
  publish(events: readonly WatchEvent[]): void {
    if (events.length === 0) return;
    for (const w of this.watchers) w.enqueue(events);
  }

  /** End every watch with `err` (the store is closing). */
  closeAll(err: Error): void {
    for (const w of [...this.watchers]) w.fail(err);
  }
}
