// The watch cache: one store watch per resource prefix feeding lists and client watches.

export { WatchCache, type WatchCacheOptions, type CacheListOptions, type CacheListResult, type ProgressWatch, type ProgressWatchHandlers } from './cache.js';
export { WatchCacheSet } from './cache-set.js';
export { SharedWatchEvent, type WatchEventType } from './events.js';
export type { ObjectFilter, WatchOptions, WatchHandle, WatchCloseReason } from './watcher.js';
export { tooOldResourceVersion, tooLargeResourceVersion, cacheStopped } from './errors.js';
