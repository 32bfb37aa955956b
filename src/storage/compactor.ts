// Automatic compaction: keep a bounded history. Every `intervalMs` the compactor samples the current
// revision; it compacts to the newest revision that is both at least `keepRevisions` behind the
// current one and was already current `minAgeMs` ago. So history always covers the last N
// revisions and the last few minutes, whichever reaches further back.

import type { Store } from './store.js';

export interface CompactorOptions {
  /** How often to check (ms). Default 60 s. */
  intervalMs?: number;
  /** Keep at least this many recent revisions. Default 10000. */
  keepRevisions?: number;
  /** Keep at least this much recent history (ms). Default 5 minutes. */
  minAgeMs?: number;
  /** Called when a compaction fails (default: a console warning); the compactor keeps running. */
  onError?: (err: unknown) => void;
  /** Clock, for tests. */
  now?: () => number;
}

export interface Compactor {
  /** Compact now if anything is due; resolves with the revision compacted to, or null. */
  runOnce(): Promise<number | null>;
  /** Stop the timer and wait for a compaction in progress. Idempotent. */
  stop(): Promise<void>;
}

export const DEFAULT_COMPACTOR_OPTIONS = {
  intervalMs: 60_000,
  keepRevisions: 10_000,
  minAgeMs: 5 * 60_000,
} as const;

export function startCompactor(store: Store, opts: CompactorOptions = {}): Compactor {
  const intervalMs = opts.intervalMs ?? DEFAULT_COMPACTOR_OPTIONS.intervalMs;
  const keepRevisions = opts.keepRevisions ?? DEFAULT_COMPACTOR_OPTIONS.keepRevisions;
  const minAgeMs = opts.minAgeMs ?? DEFAULT_COMPACTOR_OPTIONS.minAgeMs;
  const now = opts.now ?? Date.now;
  const onError = opts.onError ?? ((err: unknown) => console.warn('storage compactor:', err));

  /** (time, revision) samples, oldest first. */
  let samples: { at: number; revision: number }[] = [];
  let running: Promise<number | null> | null = null;
  let stopped = false;

  async function compactIfDue(): Promise<number | null> {
    const current = await store.currentRevision();
    const t = now();
    samples.push({ at: t, revision: current });
    // The newest sample old enough to drop: everything up to its revision is older than minAgeMs.
    let old: { at: number; revision: number } | undefined;
    while (samples.length > 0 && samples[0]!.at <= t - minAgeMs) old = samples.shift();
    if (old) samples.unshift(old); // keep it: it is still the bound until a newer sample ages
    if (!old) return null;
    const target = Math.min(old.revision, current - keepRevisions);
    if (target <= (await store.compactedRevision())) return null;
    await store.compact(target);
    return target;
  }

  function runOnce(): Promise<number | null> {
    running ??= compactIfDue().finally(() => {
      running = null;
    });
    return running;
  }

  const timer = setInterval(() => {
    if (stopped) return;
    runOnce().catch(onError);
  }, intervalMs);
  timer.unref();
  // The first sample marks "now" so the first compaction can happen minAgeMs after start.
  runOnce().catch(onError);

  return {
    runOnce,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      samples = [];
      await running?.catch(() => {});
    },
  };
}
