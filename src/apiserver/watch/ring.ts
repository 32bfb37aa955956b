// A ring of recent items addressed by an ever-growing sequence number, so a reader can remember
// "where it is" as a plain integer and learn it fell behind when that seq was overwritten. Its
// capacity can change (resize), which keeps sequence numbers valid.

export class EventRing<T> {
  private buf: (T | undefined)[];
  /** Seq of the oldest item still held. */
  private oldest = 0;
  /** Seq the next pushed item will get. */
  private next = 0;

  private cap: number;

  constructor(capacity: number) {
    checkCapacity(capacity);
    this.cap = capacity;
    this.buf = new Array<T | undefined>(capacity);
  }

  get capacity(): number {
    return this.cap;
  }

  get oldestSeq(): number {
    return this.oldest;
  }

  get nextSeq(): number {
    return this.next;
  }

  get size(): number {
    return this.next - this.oldest;
  }

  /** Appends an item; returns the item it overwrote when the ring was full. */
  push(item: T): T | undefined {
    let dropped: T | undefined;
    if (this.next - this.oldest === this.cap) {
      dropped = this.buf[this.oldest % this.cap];
      this.oldest++;
    }
    this.buf[this.next % this.cap] = item;
    this.next++;
    return dropped;
  }

  /**
   * Change the capacity, keeping the newest items that fit (sequence numbers unchanged). Returns the
   * newest item dropped by a shrink, if any.
   */
  resize(capacity: number): T | undefined {
    checkCapacity(capacity);
    const keepFrom = Math.max(this.oldest, this.next - capacity);
    const dropped = keepFrom > this.oldest ? this.at(keepFrom - 1) : undefined;
    const buf = new Array<T | undefined>(capacity);
    for (let seq = keepFrom; seq < this.next; seq++) buf[seq % capacity] = this.at(seq);
    this.buf = buf;
    this.cap = capacity;
    this.oldest = keepFrom;
    return dropped;
  }

  /** The item with sequence number `seq`; callers keep oldestSeq <= seq < nextSeq. */
  at(seq: number): T {
    return this.buf[seq % this.cap] as T;
  }

  /** First seq whose item has `keyOf(item) > value`, assuming keys never decrease; nextSeq if none. */
  firstAfter(value: number, keyOf: (item: T) => number): number {
    let lo = this.oldest;
    let hi = this.next;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keyOf(this.at(mid)) > value) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Forgets every item; sequence numbers keep growing so old positions stay invalid. */
  clear(): void {
    this.buf.fill(undefined);
    this.oldest = this.next;
  }
}

function checkCapacity(capacity: number): void {
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
}
