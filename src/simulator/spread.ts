// Periodic work for many keys, spread over the period: each key runs once per period, at its own
// offset, with at most `concurrency` runs in flight. One timer serves every key, so thousands of
// nodes renewing leases cost one heap and a handful of sockets, not thousands of intervals.

export interface SpreaderOptions<K> {
  periodMs: number;
  concurrency: number;
  run(key: K): Promise<void>;
  onError?(key: K, err: unknown): void;
  /** Clock (ms); default Date.now. */
  now?: () => number;
}

interface Entry<K> {
  key: K;
  at: number;
  gen: number;
}

export class PeriodicSpreader<K> {
  private heap: Entry<K>[] = [];
  /** key → generation; an entry in the heap with another generation is stale. */
  private readonly live = new Map<K, number>();
  private readonly ready: Entry<K>[] = [];
  private readyHead = 0;
  private inFlight = 0;
  private gen = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private running = false;
  private idleWaiters: Array<() => void> = [];
  private readonly now: () => number;
  /** Runs completed (for metrics and tests). */
  completed = 0;
  /** Runs that started later than half a period after their slot. */
  late = 0;

  constructor(private readonly opts: SpreaderOptions<K>) {
    this.now = opts.now ?? Date.now;
  }

  /** Schedules `key` to run first after `delayMs` (default: a random point in the period), then every period. */
  add(key: K, delayMs?: number): void {
    const gen = ++this.gen;
    this.live.set(key, gen);
    const delay = delayMs ?? Math.random() * this.opts.periodMs;
    this.push({ key, at: this.now() + delay, gen });
    this.arm();
  }

  /** Adds keys with first runs evenly spread over one period. */
  addSpread(keys: K[]): void {
    const step = keys.length > 0 ? this.opts.periodMs / keys.length : 0;
    keys.forEach((k, i) => this.add(k, step * i));
  }

  remove(key: K): void {
    this.live.delete(key);
  }

  has(key: K): boolean {
    return this.live.has(key);
  }

  get size(): number {
    return this.live.size;
  }

  start(): void {
    this.running = true;
    this.arm();
    this.pump();
  }

  /** Stops scheduling; resolves when runs in flight have finished. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    if (this.inFlight === 0) return;
    await new Promise<void>((r) => this.idleWaiters.push(r));
  }

  private push(e: Entry<K>): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.at <= e.at) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = e;
  }

  private pop(): Entry<K> | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const r = l + 1;
        const c = r < h.length && h[r]!.at < h[l]!.at ? r : l;
        if (h[c]!.at >= last.at) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }

  private arm(): void {
    if (!this.running) return;
    // Drop stale tops so the timer targets a live entry.
    while (this.heap.length > 0 && this.live.get(this.heap[0]!.key) !== this.heap[0]!.gen) this.pop();
    const top = this.heap[0];
    if (!top) return;
    if (top.at >= this.timerAt && this.timer) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = top.at;
    // Coarse timers (≥ 10 ms) batch keys whose slots are close together.
    this.timer = setTimeout(() => this.fire(), Math.max(10, top.at - this.now()));
    this.timer.unref?.();
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    if (!this.running) return;
    const now = this.now();
    while (this.heap.length > 0 && this.heap[0]!.at <= now + 5) {
      const e = this.pop()!;
      if (this.live.get(e.key) === e.gen) this.ready.push(e);
    }
    this.pump();
    this.arm();
  }

  private pump(): void {
    while (this.running && this.inFlight < this.opts.concurrency && this.readyHead < this.ready.length) {
      const e = this.ready[this.readyHead++]!;
      if (this.readyHead > 1024 && this.readyHead * 2 > this.ready.length) {
        this.ready.splice(0, this.readyHead);
        this.readyHead = 0;
      }
      if (this.live.get(e.key) !== e.gen) continue;
      this.runOne(e);
    }
  }

  private runOne(e: Entry<K>): void {
    this.inFlight++;
    const startedAt = this.now();
    if (startedAt - e.at > this.opts.periodMs / 2) this.late++;
    let p: Promise<void>;
    try {
      p = this.opts.run(e.key);
    } catch (err) {
      p = Promise.reject(err);
    }
    p.catch((err: unknown) => this.opts.onError?.(e.key, err)).finally(() => {
      this.inFlight--;
      this.completed++;
      if (this.live.get(e.key) === e.gen) {
        // Keep the slot; if we fell a whole period behind, run again as soon as there is room.
        const now = this.now();
        const at = e.at + this.opts.periodMs;
        this.push({ key: e.key, at: at < now ? now : at, gen: e.gen });
        this.arm();
      }
      this.pump();
      if (this.inFlight === 0 && (!this.running || this.readyHead >= this.ready.length)) {
        const ws = this.idleWaiters;
        this.idleWaiters = [];
        for (const w of ws) w();
      }
    });
  }
}
