// Watch streams: one JSON event per line, `{"type": …, "object": …}`.

import type { KubeObject } from '../api/registry.js';
import { ApiError, isStatus } from './errors.js';
import type { RestClient } from './rest.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

export interface WatchEvent<T> {
  type: WatchEventType;
  object: T;
}

export interface WatchOptions {
  /** Start after this resourceVersion ('' or undefined: from now, with synthetic ADDED for existing objects). */
  resourceVersion?: string;
  labelSelector?: string;
  fieldSelector?: string;
  allowWatchBookmarks?: boolean;
  /** Server-side timeout; the stream ends cleanly after it. */
  timeoutSeconds?: number;
  /** Aborting ends the watch; `done` then resolves. */
  signal?: AbortSignal;
  /**
   * Treat the connection as broken (reject `done`) after this long without any data. Only safe with
   * allowWatchBookmarks, as the server then sends periodic bookmarks. Default: none.
   */
  idleTimeoutMs?: number;
}

export interface WatchHandlers<T> {
  /** Called for every ADDED/MODIFIED/DELETED/BOOKMARK event, in order. */
  onEvent(event: WatchEvent<T>): void;
}

export interface WatchHandle {
  /** End the watch (idempotent). `done` resolves. */
  stop(): void;
  /**
   * Resolves when the stream ends cleanly (server closed it, timeout, or stop()).
   * Rejects with ApiError for an HTTP error or an ERROR event (410 Expired → relist),
   * or with the transport error when the connection broke.
   */
  done: Promise<void>;
}

export function openWatch<T extends KubeObject>(
  client: RestClient,
  path: string,
  opts: WatchOptions,
  handlers: WatchHandlers<T>,
): WatchHandle {
  const ac = new AbortController();
  const onOuterAbort = () => ac.abort();
  if (opts.signal) {
    if (opts.signal.aborted) ac.abort();
    else opts.signal.addEventListener('abort', onOuterAbort, { once: true });
  }
  const done = (async () => {
    try {
      if (ac.signal.aborted) return;
      const res = await client.stream({
        path,
        query: {
          watch: 'true',
          resourceVersion: opts.resourceVersion,
          labelSelector: opts.labelSelector,
          fieldSelector: opts.fieldSelector,
          allowWatchBookmarks: opts.allowWatchBookmarks ? 'true' : undefined,
          timeoutSeconds: opts.timeoutSeconds,
        },
        signal: ac.signal,
        noRateLimit: true,
      });
      if (opts.idleTimeoutMs && opts.idleTimeoutMs > 0) {
        res.setTimeout(opts.idleTimeoutMs, () => res.destroy(new Error(`watch ${path}: no data for ${opts.idleTimeoutMs} ms`)));
      }
      let buf = '';
      res.setEncoding('utf8');
      for await (const chunk of res as AsyncIterable<string>) {
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (!line) continue;
          dispatch(line);
          if (ac.signal.aborted) return;
        }
      }
      if (buf.trim()) dispatch(buf.trim());
    } catch (err) {
      if (ac.signal.aborted && !(err instanceof ApiError)) return;
      throw err;
    } finally {
      opts.signal?.removeEventListener('abort', onOuterAbort);
      ac.abort();
    }
  })();

  function dispatch(line: string): void {
    let ev: { type?: string; object?: unknown };
    try {
      ev = JSON.parse(line);
    } catch (err) {
      throw new Error(`watch ${path}: bad event line: ${line.slice(0, 200)}`, { cause: err });
    }
    if (ev.type === 'ERROR') {
      const obj = ev.object;
      if (isStatus(obj)) throw new ApiError(obj);
      throw ApiError.fromResponse(500, JSON.stringify(obj), 'WATCH', path);
    }
    handlers.onEvent({ type: ev.type as WatchEventType, object: ev.object as T });
  }

  return { stop: () => ac.abort(), done };
}
