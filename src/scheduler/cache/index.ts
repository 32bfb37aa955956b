export { SchedulerCache, type CacheOptions } from './cache.js';
export { Snapshot } from './snapshot.js';
