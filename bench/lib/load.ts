// Load generators: closed loop (N workers, each sends its next request when the last one returns)
// and open loop (requests start on a fixed schedule whatever the server's latency).

import { performance } from 'node:perf_hooks';

export interface LoadResult {
  /** Per request, ms. For open loop: from the scheduled start (includes any client-side delay). */
  latencies: number[];
  /** Open loop only: per request, ms from the moment it was actually sent. */
  serviceLatencies: number[];
  elapsedMs: number;
  ok: number;
  errors: number;
  firstError?: string;
}

/** Runs `op(i)` for i in [0, total) with `concurrency` workers. op throws on failure. */
export async function closedLoop(total: number, concurrency: number, op: (i: number) => Promise<void>): Promise<LoadResult> {
  const latencies: number[] = [];
  const r: LoadResult = { latencies, serviceLatencies: [], elapsedMs: 0, ok: 0, errors: 0 };
  let next = 0;
  const start = performance.now();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= total) return;
      const t0 = performance.now();
      try {
        await op(i);
        latencies.push(performance.now() - t0);
        r.ok++;
      } catch (e) {
        r.errors++;
        r.firstError ??= String((e as Error).message ?? e);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  r.elapsedMs = performance.now() - start;
  return r;
}

/** Starts `op(i)` at `ratePerSec` for `durationSec`, without waiting for earlier ones to finish. */
export async function openLoop(ratePerSec: number, durationSec: number, op: (i: number) => Promise<void>): Promise<LoadResult> {
  const total = Math.round(ratePerSec * durationSec);
  const interval = 1000 / ratePerSec;
  const r: LoadResult = { latencies: [], serviceLatencies: [], elapsedMs: 0, ok: 0, errors: 0 };
  const inflight: Promise<void>[] = [];
  const start = performance.now();
  let i = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (i < total && start + i * interval <= now) {
        const scheduled = start + i * interval;
        const idx = i++;
        const sent = performance.now();
        inflight.push(
          op(idx).then(
            () => {
              const end = performance.now();
              r.latencies.push(end - scheduled);
              r.serviceLatencies.push(end - sent);
              r.ok++;
            },
            (e) => {
              r.errors++;
              r.firstError ??= String((e as Error).message ?? e);
            },
          ),
        );
      }
      if (i >= total) resolve();
      else setTimeout(tick, Math.max(0, start + i * interval - performance.now()));
    };
    tick();
  });
  await Promise.all(inflight);
  r.elapsedMs = performance.now() - start;
  return r;
}
