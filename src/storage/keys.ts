// Key ordering and prefix ranges shared by the in-process backends.
//
// The contract orders keys by their UTF-8 bytes (as etcd and SQLite's BINARY collation do). JavaScript
// compares strings by UTF-16 code units, which differs from byte order only when a surrogate pair
// meets a code unit in U+E000..U+FFFF, so the comparison below fixes up exactly that case.

/** Compare two keys in UTF-8 byte order. */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca !== cb) return codePointRank(ca) - codePointRank(cb);
  }
  return a.length - b.length;
}

// Surrogates (U+D800..U+DFFF) start code points above U+FFFF, so they must sort after U+E000..U+FFFF.
function codePointRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}

/**
 * The smallest key greater than every key that starts with `prefix`, or null when there is none
 * (the empty prefix covers every key).
 */
export function prefixEnd(prefix: string): string | null {
  const points = Array.from(prefix, (ch) => ch.codePointAt(0)!);
  while (points.length > 0) {
    const last = points.pop()!;
    if (last < 0x10ffff) {
      // Skip the surrogate block: those code points cannot appear in well-formed UTF-8.
      points.push(last === 0xd7ff ? 0xe000 : last + 1);
      return String.fromCodePoint(...points);
    }
  }
  return null;
}

/** Where a range read under `prefix` starts, honouring a continue key. */
export function rangeStart(prefix: string, startKey: string | undefined): string {
  return startKey !== undefined && compareKeys(startKey, prefix) > 0 ? startKey : prefix;
}
