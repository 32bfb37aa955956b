// Slow-start batches (upstream's slowStartBatch): call fn `count` times in batches of
// initialBatch, 2×, 4× … running each batch concurrently; stop at the first batch with a failure so
// a quota or admission error costs one call, not hundreds.

export interface SlowStartResult {
  successes: number;
  /** The first error of the failing batch, if any. */
  error?: unknown;
}

export async function slowStartBatch(count: number, initialBatch: number, fn: (i: number) => Promise<void>): Promise<SlowStartResult> {
  let remaining = count;
  let successes = 0;
  let batch = Math.min(remaining, Math.max(1, initialBatch));
  let index = 0;
  while (batch > 0) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn(index++)));
    let error: unknown;
    let failed = false;
    for (const r of results) {
      if (r.status === 'fulfilled') successes++;
      else if (!failed) {
        failed = true;
        error = r.reason;
      }
    }
    if (failed) return { successes, error };
    remaining -= batch;
    batch = Math.min(2 * batch, remaining);
  }
  return { successes };
}
