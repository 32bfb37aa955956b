// Backoff for replacing failed daemon pods (per DaemonSet and node): a kubelet that keeps
// rejecting a pod must not make the controller delete and re-create it in a hot loop.

export class FailedPodBackoff {
  private readonly entries = new Map<string, { delayMs: number; until: number }>();

  constructor(
    readonly initialMs = 1000,
    readonly maxMs = 15 * 60_000,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Still waiting since the last failed pod here. */
  inBackoff(key: string): boolean {
    const e = this.entries.get(key);
    return !!e && this.clock() < e.until;
  }

  /** Time left (ms), 0 when none. */
  remaining(key: string): number {
    const e = this.entries.get(key);
    return e ? Math.max(0, e.until - this.clock()) : 0;
  }

  /** A failed pod was deleted: start (or double) the wait. */
  next(key: string): void {
    const e = this.entries.get(key);
    const now = this.clock();
    // A long quiet spell resets the delay.
    const delayMs = !e || now - e.until > 2 * this.maxMs ? this.initialMs : Math.min(this.maxMs, e.delayMs * 2);
    this.entries.set(key, { delayMs, until: now + delayMs });
  }

  /** Drop entries whose wait ended long ago. */
  gc(): void {
    const now = this.clock();
    for (const [k, e] of this.entries) if (now - e.until > 2 * this.maxMs) this.entries.delete(k);
  }
}
