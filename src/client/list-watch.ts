// The loop at the heart of every informer (client-go's reflector): list, then watch from the list's
// resourceVersion; when the watch ends, watch again; relist after 410 Expired; back off (800 ms
// doubling to 30 s, with jitter) after any other error.

import { isExpired } from './errors.js';
import { sleep } from './ratelimit.js';

export interface ListWatcher {
  /** Replace the local state with a full list (and remember its resourceVersion). */
  list(signal: AbortSignal): Promise<void>;
  /** One watch from the remembered resourceVersion; resolves true if it delivered anything. */
  watch(signal: AbortSignal): Promise<boolean>;
  onError?(err: unknown): void;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
}

/** Run until `signal` aborts. */
export async function runListWatch(lw: ListWatcher, signal: AbortSignal): Promise<void> {
  const initial = lw.backoffInitialMs ?? 800;
  const max = lw.backoffMaxMs ?? 30_000;
  let delay = 0;
  let needList = true;
  while (!signal.aborted) {
    try {
      if (needList) {
        await lw.list(signal);
        needList = false;
      }
      if (await lw.watch(signal)) delay = 0;
    } catch (err) {
      if (signal.aborted) break;
      if (isExpired(err)) {
        needList = true;
        continue;
      }
      lw.onError?.(err);
      delay = delay ? Math.min(max, delay * 2) : initial;
      try {
        await sleep(delay * (1 + Math.random() * 0.2), signal);
      } catch {
        break;
      }
    }
  }
}
