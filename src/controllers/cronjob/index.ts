// The CronJob controller.

import type { Controller } from '../types.js';
import { newCronJobController } from './controller.js';

export { CronJobController, newCronJobController, type CronJobControllerOptions } from './controller.js';
export { CRONJOB_SCHEDULED_TIMESTAMP, jobFromTemplate, reconcileCronJob, type CronJobPlan, type CronJobSyncInput } from './reconcile.js';
export { jobNameFor, missedSchedules, rfc3339InZone } from './schedule.js';

/** Upstream's "cronjob" controller with the real clock. */
export const cronJobController: Controller = {
  name: 'cronjob',
  start: (ctx) => newCronJobController().start(ctx),
};
