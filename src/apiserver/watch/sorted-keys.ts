// Keys kept in store order (byte order; our keys are ASCII, where string order agrees), so lists
// from the cache come out as the store would return them without sorting on every request.

export class SortedKeys {
  private keys: string[] = [];

  get size(): number {
    return this.keys.length;
  }

  /** Replaces the contents; `keys` need not be sorted. */
  reset(keys: string[]): void {
    this.keys = [...keys].sort(compare);
  }

  insert(key: string): void {
    const i = this.lowerBound(key);
    if (this.keys[i] !== key) this.keys.splice(i, 0, key);
  }

  remove(key: string): void {
    const i = this.lowerBound(key);
    if (this.keys[i] === key) this.keys.splice(i, 1);
  }

  /** Keys starting with `prefix`, from `startKey` (inclusive) when given, in order. */
  *range(prefix: string, startKey?: string): Generator<string> {
    const from = startKey !== undefined && startKey > prefix ? startKey : prefix;
    for (let i = this.lowerBound(from); i < this.keys.length; i++) {
      const k = this.keys[i]!;
      if (!k.startsWith(prefix)) return;
      yield k;
    }
  }

  /** Index of the first key >= `key`. */
  private lowerBound(key: string): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keys[mid]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
