// Container logs in the CRI format, as containerd writes them: one record per line,
//   <RFC3339Nano timestamp> <stdout|stderr> <tags> <content>
// where the tag `P` marks a partial record (the content continues in the next record) and `F` a
// full one (the line ends). Reading applies the kubelet's log options: tailLines, sinceSeconds /
// sinceTime, timestamps, limitBytes and follow (until the container exits).

import { open, stat, type FileHandle } from 'node:fs/promises';
import { watch, type FSWatcher } from 'node:fs';

export interface CriLogRecord {
  /** The timestamp as written (RFC3339Nano), kept verbatim for `timestamps=true`. */
  timestamp: string;
  /** Milliseconds since the epoch (sub-millisecond digits dropped). */
  time: number;
  stream: 'stdout' | 'stderr';
  /** False for a partial record (tag P): its content has no line end. */
  full: boolean;
  content: Buffer;
}

/** Parses one line of a CRI log file (without its trailing newline); null when malformed. */
export function parseCriLine(line: Buffer): CriLogRecord | null {
  const sp1 = line.indexOf(0x20);
  if (sp1 <= 0) return null;
  const sp2 = line.indexOf(0x20, sp1 + 1);
  if (sp2 < 0) return null;
  const timestamp = line.subarray(0, sp1).toString('latin1');
  const time = Date.parse(timestamp);
  if (Number.isNaN(time)) return null;
  const stream = line.subarray(sp1 + 1, sp2).toString('latin1');
  if (stream !== 'stdout' && stream !== 'stderr') return null;
  // Tags are a ':'-separated list whose first element is P or F. Old files may lack tags.
  const sp3 = line.indexOf(0x20, sp2 + 1);
  let full = true;
  let content: Buffer;
  const tags = line.subarray(sp2 + 1, sp3 < 0 ? line.length : sp3).toString('latin1');
  const first = tags.split(':')[0];
  if (first === 'P' || first === 'F') {
    full = first === 'F';
    content = sp3 < 0 ? Buffer.alloc(0) : line.subarray(sp3 + 1);
  } else {
    content = line.subarray(sp2 + 1);
  }
  return { timestamp, time, stream, full, content };
}

export interface LogOptions {
  follow?: boolean;
  /** Only the last N records (complete lines of the file). */
  tailLines?: number;
  /** Only records at or after this time (ms since the epoch). */
  sinceTime?: number;
  timestamps?: boolean;
  /** Stop after this many bytes of output. */
  limitBytes?: number;
  /** Only this stream (upstream's `stream` option); both when unset. */
  stream?: 'stdout' | 'stderr';
}

/** Converts a record to the bytes `kubectl logs` shows. */
export function formatRecord(rec: CriLogRecord, timestamps: boolean): Buffer {
  const parts: Buffer[] = [];
  if (timestamps) parts.push(Buffer.from(rec.timestamp + ' ', 'latin1'));
  parts.push(rec.content);
  if (rec.full) parts.push(Buffer.from('\n'));
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/** Byte offset where the last `n` lines of the file start (0 when it has fewer). */
export async function tailOffset(fh: FileHandle, size: number, n: number): Promise<number> {
  if (n <= 0) return size;
  const chunk = 64 * 1024;
  let pos = size;
  let newlines = 0;
  // A final newline ends the last line rather than starting an empty one.
  let skipFinal = true;
  const buf = Buffer.alloc(chunk);
  while (pos > 0) {
    const len = Math.min(chunk, pos);
    pos -= len;
    const { bytesRead } = await fh.read(buf, 0, len, pos);
    for (let i = bytesRead - 1; i >= 0; i--) {
      if (buf[i] !== 0x0a) {
        skipFinal = false;
        continue;
      }
      if (skipFinal) {
        skipFinal = false;
        continue;
      }
      newlines++;
      if (newlines === n) return pos + i + 1;
    }
  }
  return 0;
}

export interface LogSink {
  /** Writes output; resolves when the consumer can take more (backpressure). */
  write(chunk: Buffer): Promise<void> | void;
  /** Aborted when the client goes away. */
  signal?: AbortSignal;
}

export interface FollowControl {
  /** Resolves true while the container may still write (keep following). */
  stillRunning(): Promise<boolean>;
  /** How often to poll the file when no change notification arrives (ms). */
  pollMs?: number;
  /** How often to ask stillRunning (ms). */
  statusMs?: number;
}

/**
 * Streams a CRI log file to `sink` with the given options. In follow mode it keeps reading
 * appended records until `follow.stillRunning()` says the container exited (then drains the rest)
 * or the sink's signal aborts.
 */
export async function streamCriLog(path: string, opts: LogOptions, sink: LogSink, follow?: FollowControl): Promise<void> {
  let opened: FileHandle | undefined;
  try {
    opened = await open(path, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' && !opts.follow) return;
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    // Following a log that does not exist yet: wait for it to appear.
    opened = await waitForFile(path, sink.signal, follow);
  }
  if (!opened) return;
  const fh = opened;
  let watcher: FSWatcher | undefined;
  try {
    const size = (await fh.stat()).size;
    let pos = opts.tailLines !== undefined && opts.tailLines >= 0 ? await tailOffset(fh, size, opts.tailLines) : 0;
    let remainingBytes = opts.limitBytes !== undefined && opts.limitBytes > 0 ? opts.limitBytes : Infinity;
    let pending: Buffer = Buffer.alloc(0);
    const buf = Buffer.alloc(64 * 1024);

    /** Reads what is in the file now; returns false when the byte limit was reached. */
    const drain = async (): Promise<boolean> => {
      for (;;) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
        if (bytesRead === 0) {
          // A file truncated under us (rotation by copy-truncate): start over.
          const now = (await fh.stat()).size;
          if (now < pos) {
            pos = 0;
            pending = Buffer.alloc(0);
            continue;
          }
          return true;
        }
        pos += bytesRead;
        pending = pending.length ? Buffer.concat([pending, buf.subarray(0, bytesRead)]) : Buffer.from(buf.subarray(0, bytesRead));
        let start = 0;
        for (;;) {
          const nl = pending.indexOf(0x0a, start);
          if (nl < 0) break;
          const rec = parseCriLine(pending.subarray(start, nl));
          start = nl + 1;
          if (!rec) continue;
          if (opts.stream && rec.stream !== opts.stream) continue;
          if (opts.sinceTime !== undefined && rec.time < opts.sinceTime) continue;
          let out = formatRecord(rec, !!opts.timestamps);
          if (out.length >= remainingBytes) {
            out = out.subarray(0, remainingBytes);
            remainingBytes = 0;
            if (out.length) await sink.write(out);
            return false;
          }
          remainingBytes -= out.length;
          await sink.write(out);
          if (sink.signal?.aborted) return false;
        }
        pending = start < pending.length ? Buffer.from(pending.subarray(start)) : Buffer.alloc(0);
      }
    };

    if (!(await drain()) || !opts.follow) return;

    // Follow: wake on change notifications, with polling as a fallback, and stop once the
    // container has exited and everything it wrote was read.
    let wake: (() => void) | undefined;
    const nudge = () => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    try {
      watcher = watch(path, { persistent: false }, nudge);
      watcher.on('error', () => undefined);
    } catch {
      watcher = undefined;
    }
    const pollMs = follow?.pollMs ?? 250;
    const statusMs = follow?.statusMs ?? 1000;
    let lastStatus = Date.now();
    const onAbort = () => nudge();
    sink.signal?.addEventListener('abort', onAbort);
    try {
      for (;;) {
        if (sink.signal?.aborted) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(nudge, pollMs);
        });
        if (sink.signal?.aborted) return;
        if (!(await drain())) return;
        if (follow && Date.now() - lastStatus >= statusMs) {
          lastStatus = Date.now();
          if (!(await follow.stillRunning())) {
            await drain();
            return;
          }
        }
      }
    } finally {
      sink.signal?.removeEventListener('abort', onAbort);
    }
  } finally {
    watcher?.close();
    await fh.close();
  }
}

async function waitForFile(path: string, signal: AbortSignal | undefined, follow: FollowControl | undefined): Promise<FileHandle | undefined> {
  const pollMs = follow?.pollMs ?? 250;
  let lastStatus = Date.now();
  for (;;) {
    if (signal?.aborted) return undefined;
    await new Promise((r) => setTimeout(r, pollMs));
    try {
      await stat(path);
      return await open(path, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    if (follow && Date.now() - lastStatus >= (follow.statusMs ?? 1000)) {
      lastStatus = Date.now();
      if (!(await follow.stillRunning())) return undefined;
    }
  }
}

/** Parses the kubelet's log query (`follow`, `previous`, `tailLines`, `timestamps`, `limitBytes`, `sinceSeconds`, `sinceTime`). */
export function parseLogQuery(q: URLSearchParams, now = Date.now()): LogOptions & { previous: boolean } {
  const bool = (name: string) => {
    const v = q.get(name);
    return v !== null && v !== 'false' && v !== '0';
  };
  const int = (name: string): number | undefined => {
    const v = q.get(name);
    if (v === null || v === '') return undefined;
    const n = Number(v);
    if (!Number.isInteger(n)) throw new Error(`${name}: invalid value ${JSON.stringify(v)}`);
    return n;
  };
  const opts: LogOptions & { previous: boolean } = {
    follow: bool('follow'),
    previous: bool('previous'),
    timestamps: bool('timestamps'),
  };
  const tail = int('tailLines');
  if (tail !== undefined && tail >= 0) opts.tailLines = tail;
  const limit = int('limitBytes');
  if (limit !== undefined) {
    if (limit < 1) throw new Error('limitBytes: must be greater than 0');
    opts.limitBytes = limit;
  }
  const since = int('sinceSeconds');
  if (since !== undefined) {
    if (since < 1) throw new Error('sinceSeconds: must be greater than 0');
    opts.sinceTime = now - since * 1000;
  }
  const sinceTime = q.get('sinceTime');
  if (sinceTime) {
    const t = Date.parse(sinceTime);
    if (Number.isNaN(t)) throw new Error(`sinceTime: invalid time ${JSON.stringify(sinceTime)}`);
    opts.sinceTime = t;
  }
  const stream = q.get('stream');
  if (stream === 'stdout' || stream === 'stderr') opts.stream = stream;
  return opts;
}
