// Shared bits of the watch cache tests.

import type { KubeObject } from '../../api/registry.js';
import type { StatusError } from '../../api/status.js';
import { WatchCache, type WatchCacheOptions } from './cache.js';
import type { SharedWatchEvent } from './events.js';
import { FakeStore, type FakeStoreOptions } from './fake-store.js';
import type { WatchCloseReason, WatchHandle, WatchOptions } from './watcher.js';

export const PODS = '/registry/pods/';

export function pod(ns: string, name: string, labels: Record<string, string> = {}, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace: ns, name, labels }, ...extra });
}

export const key = (ns: string, name: string) => `${PODS}${ns}/${name}`;

/** Lets queued microtasks and immediates (store replays, watch starts) run. */
export const settle = () => new Promise<void>((r) => setImmediate(r));

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function startCache(opts: WatchCacheOptions = {}, storeOpts: FakeStoreOptions = {}, seed?: (s: FakeStore) => Promise<void>) {
  const store = new FakeStore(storeOpts);
  if (seed) await seed(store);
  // Step-by-step delivery; the batched delivery the server uses has its own test.
  const cache = new WatchCache(store, PODS, { log: () => {}, freezeObjects: true, batchNotify: false, ...opts });
  await cache.start();
  return { store, cache };
}

export interface Seen {
  type: string;
  name: string;
  rv: string;
  revision: number;
  labels: Record<string, string>;
}

export interface Recorder {
  events: Seen[];
  raw: SharedWatchEvent[];
  errors: StatusError[];
  closes: WatchCloseReason[];
  bookmarks: number[];
  initialEnd: number[];
  handle: WatchHandle;
}

/** Opens a watch that records everything it gets. */
export function record(cache: WatchCache, opts: Partial<WatchOptions> & { afterRevision: number }): Recorder {
  const r = { events: [], raw: [], errors: [], closes: [], bookmarks: [], initialEnd: [] } as unknown as Recorder;
  r.handle = cache.watch({
    onEvent: (e) => {
      r.raw.push(e);
      r.events.push(seen(e));
    },
    onError: (err) => r.errors.push(err),
    onClose: (reason) => r.closes.push(reason),
    onBookmark: (rev) => void r.bookmarks.push(rev),
    onInitialEventsEnd: (rev) => void r.initialEnd.push(rev),
    ...opts,
  });
  return r;
}

export function seen(e: SharedWatchEvent): Seen {
  const md = (e.object as KubeObject).metadata ?? {};
  return { type: e.type, name: md.name ?? '', rv: md.resourceVersion ?? '', revision: e.revision, labels: { ...(md.labels ?? {}) } };
}

export const brief = (r: Recorder) => r.events.map((e) => `${e.type} ${e.name}@${e.rv}`);
