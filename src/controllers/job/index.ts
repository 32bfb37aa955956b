// The Job controller and the TTL-after-finished controller.

import type { Controller } from '../types.js';
import { newJobController } from './controller.js';

export { JobController, newJobController, type JobControllerOptions } from './controller.js';
export { TtlAfterFinishedController, newTtlAfterFinishedController, ttlAfterFinishedController, ttlDecision, jobFinishTime } from './ttl.js';
export {
  JOB_COMPLETION_INDEX,
  JOB_INDEX_FAILURE_COUNT,
  JOB_TRACKING_FINALIZER,
  isJobFinished,
  jobCondition,
  reconcileJob,
  type JobPlan,
  type JobSyncInput,
} from './reconcile.js';
export { formatIndexes, parseIndexes } from './indexes.js';
export { podForJob } from './pods.js';

/** Upstream's "job" controller with default settings. */
export const jobController: Controller = {
  name: 'job',
  start: (ctx) => newJobController().start(ctx),
};
