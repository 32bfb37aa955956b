// Minimal parsing of watch streams: split chunks into lines and pull one integer out of each line
// without JSON.parse, so a thousand watchers receiving a million events stay cheap.

/** Calls onLine(buf, start, end) for each complete line; keeps the partial tail between chunks. */
export class LineSplitter {
  private tail: Buffer | undefined;

  constructor(private readonly onLine: (buf: Buffer, start: number, end: number) => void) {}

  push(chunk: Buffer): void {
    const buf = this.tail ? Buffer.concat([this.tail, chunk]) : chunk;
    this.tail = undefined;
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl < 0) break;
      if (nl > start) this.onLine(buf, start, nl);
      start = nl + 1;
    }
    if (start < buf.length) this.tail = Buffer.from(buf.subarray(start));
  }
}

/**
 * The non-negative integer in `"<field>":"<digits>"` within buf[start, end), or -1. The bench puts a
 * sequence number into each object's data under a field name nothing else uses.
 */
export function scanIntField(buf: Buffer, start: number, end: number, marker: Buffer): number {
  const at = buf.indexOf(marker, start);
  if (at < 0 || at >= end) return -1;
  let n = 0;
  let i = at + marker.length;
  let digits = 0;
  for (; i < end; i++) {
    const c = buf[i]!;
    if (c < 48 || c > 57) break;
    n = n * 10 + (c - 48);
    digits++;
  }
  return digits > 0 ? n : -1;
}

export function markerFor(field: string): Buffer {
  return Buffer.from(`"${field}":"`);
}

/** The `"type":"…"` of a watch event line (the server writes it first). */
export function eventType(buf: Buffer, start: number, end: number): string {
  const m = buf.indexOf('"type":"', start);
  if (m < 0 || m >= end) return '';
  const s = m + 8;
  const e = buf.indexOf(34, s);
  return e < 0 || e > end ? '' : buf.toString('latin1', s, e);
}
