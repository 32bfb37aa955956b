// A fixed-size ring of recent items addressed by an ever-growing sequence number, so a reader can
// remember "where it is" as a plain integer and learn it fell behind when that seq was overwritten.

export class EventRing<T> {
  private readonly buf: (T | undefined)[];
  /** Seq of the oldest item still held. */
  private oldest = 0;
  /** Seq the next pushed item will get. */
  private next = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
    this.buf = new Array<T | undefined>(capacity);
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
    if (this.next - this.oldest === this.capacity) {
      dropped = this.buf[this.oldest % this.capacity];
      this.oldest++;
    }
    this.buf[this.next % this.capacity] = item;
    this.next++;
    return dropped;
  }

  /** The item with sequence number `seq`; callers keep oldestSeq <= seq < nextSeq. */
  at(seq: number): T {
    return this.buf[seq % this.capacity] as T;
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
