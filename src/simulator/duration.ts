// Go-style durations ("500ms", "5s", "1m30s", "2h") as used in simulator annotations.

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export class DurationError extends Error {
  override name = 'DurationError';
}

/** Milliseconds in a Go duration string; a bare number is seconds. Throws DurationError. */
export function parseDuration(text: string): number {
  const s = text.trim();
  if (s === '') throw new DurationError('empty duration');
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let pos = 0;
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) throw new DurationError(`invalid duration ${JSON.stringify(text)}`);
    total += Number(m[1]) * UNITS[m[2]!]!;
    pos = re.lastIndex;
  }
  return total;
}
