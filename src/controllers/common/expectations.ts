// Expectations (upstream's ControllerExpectations): after a controller asks for N creates and M
// deletes, it does not act on that key again until its informer has seen them (or a TTL passes),
// so a lagging cache never makes it over-create or over-delete.

export const EXPECTATIONS_TTL_MS = 5 * 60_000;

interface Expectation {
  add: number;
  del: number;
  /** Deleted pod keys still expected (UIDTrackingControllerExpectations), when tracked. */
  deleteKeys: Set<string>;
  at: number;
}

export class Expectations {
  private readonly items = new Map<string, Expectation>();

  constructor(
    readonly ttlMs = EXPECTATIONS_TTL_MS,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * True when the controller may act on `key`: nothing recorded, everything observed, or the
   * record is older than the TTL.
   */
  satisfied(key: string): boolean {
    const e = this.items.get(key);
    if (!e) return true;
    if (e.add <= 0 && e.del <= 0) return true;
    return this.clock() - e.at > this.ttlMs;
  }

  /** Replace the record: expect `add` creations and `del` deletions. */
  set(key: string, add: number, del: number): void {
    this.items.set(key, { add, del, deleteKeys: new Set(), at: this.clock() });
  }

  expectCreations(key: string, n: number): void {
    this.set(key, n, 0);
  }

  /** Expect the deletion of these pods (keys `ns/name`); count-based when given a number. */
  expectDeletions(key: string, pods: string[] | number): void {
    if (typeof pods === 'number') return this.set(key, 0, pods);
    this.items.set(key, { add: 0, del: pods.length, deleteKeys: new Set(pods), at: this.clock() });
  }

  /** A creation was observed (or will never happen because the create failed). */
  creationObserved(key: string): void {
    const e = this.items.get(key);
    if (e) e.add--;
  }

  /** A deletion was observed; with `podKey`, only counts if that pod was expected to go. */
  deletionObserved(key: string, podKey?: string): void {
    const e = this.items.get(key);
    if (!e) return;
    if (podKey !== undefined && e.deleteKeys.size > 0) {
      if (!e.deleteKeys.delete(podKey)) return;
    }
    e.del--;
  }

  /** Pending counts (for tests and logs). */
  get(key: string): { add: number; del: number } | undefined {
    const e = this.items.get(key);
    return e ? { add: e.add, del: e.del } : undefined;
  }

  delete(key: string): void {
    this.items.delete(key);
  }
}
