// Crash-loop back-off: per (pod, container), 10 s doubling to 5 min; an entry untouched for twice the
// maximum (a container that ran 10 min) starts over. The first restart is immediate.

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 10_000, maxMs: 300_000 };

interface Entry {
  delayMs: number;
  updatedAt: number;
}

export class Backoff {
  private readonly entries = new Map<string, Entry>();

  constructor(readonly options: BackoffOptions = DEFAULT_BACKOFF) {}

  private live(key: string, now: number): Entry | undefined {
    const e = this.entries.get(key);
    if (e && now - e.updatedAt > 2 * this.options.maxMs) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  /** The current delay (0 when none). */
  delay(key: string, now: number): number {
    return this.live(key, now)?.delayMs ?? 0;
  }

  /** Whether a container that finished at `finishedAt` must still wait at `now`; and until when. */
  inBackoff(key: string, finishedAt: number, now: number): { waiting: boolean; until: number; delayMs: number } {
    const e = this.live(key, now);
    if (!e) return { waiting: false, until: now, delayMs: 0 };
    const until = finishedAt + e.delayMs;
    return { waiting: now < until, until, delayMs: e.delayMs };
  }

  /** Record a restart at `now`: the next delay doubles (up to the maximum). */
  next(key: string, now: number): number {
    const e = this.live(key, now);
    const delayMs = e ? Math.min(e.delayMs * 2, this.options.maxMs) : this.options.initialMs;
    this.entries.set(key, { delayMs, updatedAt: now });
    return delayMs;
  }

  /** Forget keys with this prefix (a pod that went away). */
  forgetPrefix(prefix: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }
}
