// Backoff between recreations of failed pods: base × 2^(failures since the last success − 1),
// capped, measured from the latest failure. Kept in memory per Job (as upstream's backoff store).

import type { Pod } from 'kubernetes-types/core/v1.js';

export const DEFAULT_BACKOFF_MS = 10_000;
export const MAX_BACKOFF_MS = 6 * 60_000;

export interface BackoffRecord {
  failuresAfterLastSuccess: number;
  /** ms since epoch of the latest counted failure. */
  lastFailureTime?: number;
}

export const NO_BACKOFF: BackoffRecord = { failuresAfterLastSuccess: 0 };

/** When a terminated pod finished: its latest container finishedAt, else its deletion time, else `fallback`. */
export function podFinishTime(pod: Pod, fallback: number): number {
  let t = -Infinity;
  for (const s of [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])]) {
    const f = s.state?.terminated?.finishedAt;
    if (f) t = Math.max(t, Date.parse(f));
  }
  if (Number.isFinite(t)) return t;
  const d = pod.metadata?.deletionTimestamp;
  if (d) return Date.parse(d);
  return fallback;
}

/** Fold newly counted successes and failures into the record. */
export function updateBackoff(rec: BackoffRecord, succeeded: Pod[], failed: Pod[], now: number): BackoffRecord {
  if (succeeded.length === 0 && failed.length === 0) return rec;
  const lastSuccess = succeeded.length ? Math.max(...succeeded.map((p) => podFinishTime(p, now))) : -Infinity;
  const failTimes = failed.map((p) => podFinishTime(p, now));
  if (succeeded.length === 0) {
    const last = Math.max(...failTimes, rec.lastFailureTime ?? -Infinity);
    return { failuresAfterLastSuccess: rec.failuresAfterLastSuccess + failed.length, lastFailureTime: last };
  }
  const after = failTimes.filter((t) => t > lastSuccess);
  if (after.length === 0) return { failuresAfterLastSuccess: 0 };
  return { failuresAfterLastSuccess: after.length, lastFailureTime: Math.max(...after) };
}

/** How long creations must still wait (0 when they may go ahead). */
export function remainingBackoffMs(rec: BackoffRecord, now: number, baseMs = DEFAULT_BACKOFF_MS, maxMs = MAX_BACKOFF_MS): number {
  if (rec.failuresAfterLastSuccess <= 0 || rec.lastFailureTime === undefined) return 0;
  const wait = Math.min(maxMs, baseMs * 2 ** Math.min(rec.failuresAfterLastSuccess - 1, 30));
  return Math.max(0, wait - (now - rec.lastFailureTime));
}
