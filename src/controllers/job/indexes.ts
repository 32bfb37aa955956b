// Sets of completion indexes in the text form Job status uses: increasing decimals separated by
// commas, runs of three or more written "first-last" (e.g. "1,3-5,7"; a pair stays "3,4").

/** Parse "1,3-5,7" into a sorted, de-duplicated list; entries at or above `limit` are dropped. */
export function parseIndexes(text: string | undefined | null, limit = Infinity): number[] {
  if (!text) return [];
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const p = part.trim();
    if (!p) continue;
    const dash = p.indexOf('-');
    const lo = Number(dash < 0 ? p : p.slice(0, dash));
    const hi = Number(dash < 0 ? p : p.slice(dash + 1));
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 0 || hi < lo) continue;
    for (let i = lo; i <= hi && i < limit; i++) out.add(i);
  }
  return [...out].sort((a, b) => a - b);
}

/** Format indexes (any order, duplicates allowed) in the status text form. */
export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    const first = sorted[i]!;
    const last = sorted[j]!;
    if (last === first) parts.push(String(first));
    else if (last === first + 1) parts.push(`${first},${last}`);
    else parts.push(`${first}-${last}`);
    i = j + 1;
  }
  return parts.join(',');
}
