// Watch streams that record, per watcher, when each sequence number arrived.

import { performance } from 'node:perf_hooks';
import type { BenchClient } from './client.js';
import { LineSplitter, markerFor, scanIntField } from './lines.js';
import { SEQ_FIELD } from './fixtures.js';

const MARKER = markerFor(SEQ_FIELD);

export interface SeqWatcher {
  /** Events carrying a sequence number received so far (duplicates included). */
  received: number;
  /** Lines without one (bookmarks, errors, unexpected objects). */
  other: number;
  /** True once the server ended the stream or the connection failed. */
  ended: boolean;
  close(): void;
}

/**
 * Opens a watch at `path` and writes `performance.now()` into `arrivals[offset + seq]` the first
 * time an event with that sequence number arrives. Resolves once the server has answered with
 * headers (the server registers the watcher before it sends them).
 */
export async function openSeqWatch(
  client: BenchClient,
  path: string,
  arrivals: Float64Array,
  offset: number,
  span: number,
  onEvent?: () => void,
): Promise<SeqWatcher> {
  const { res, abort } = await client.stream(path);
  const w: SeqWatcher = { received: 0, other: 0, ended: false, close: abort };
  const splitter = new LineSplitter((buf, start, end) => {
    const seq = scanIntField(buf, start, end, MARKER);
    if (seq < 0 || seq >= span) {
      w.other++;
      return;
    }
    w.received++;
    const i = offset + seq;
    if (Number.isNaN(arrivals[i]!)) arrivals[i] = performance.now();
    onEvent?.();
  });
  res.on('data', (chunk: Buffer) => splitter.push(chunk));
  const end = () => {
    w.ended = true;
  };
  res.on('end', end);
  res.on('error', end);
  res.on('close', end);
  return w;
}

/** Waits until `done()` or the timeout; returns whether done() became true. */
export async function waitFor(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}
