// The Status errors a watch or a cache read can end with, worded as upstream's cacher words them.

import { errors, StatusError } from '../../api/status.js';

/** 410 Expired: the requested revision is older than the history the cache still holds. */
export function tooOldResourceVersion(requested: number, oldestResumable: number): StatusError {
  return errors.gone(`too old resource version: ${requested} (${oldestResumable})`);
}

/** 504 Timeout: the cache did not reach the requested revision in time; clients retry after 1 s. */
export function tooLargeResourceVersion(requested: number, current: number): StatusError {
  return new StatusError(504, 'Timeout', `Timeout: Too large resource version: ${requested}, current: ${current}`, {
    retryAfterSeconds: 1,
    causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
  });
}

/** 503: the cache was stopped (apiserver shutting down). */
export function cacheStopped(prefix: string): StatusError {
  return new StatusError(503, 'ServiceUnavailable', `the watch cache for ${prefix} is shutting down`);
}
