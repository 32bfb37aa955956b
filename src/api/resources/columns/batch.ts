// Table columns for batch/v1 kinds.

import type { CronJob, Job, JobCondition } from 'kubernetes-types/batch/v1.js';
import type { TableColumn } from '../../registry.js';
import { humanDuration } from '../../duration.js';
import { formatLabelSelector } from '../../selectors/index.js';
import { ageColumn, boolString, column, containerColumns, wideColumn } from './format.js';

function hasCondition(conds: JobCondition[] | undefined, type: string): boolean {
  // The first condition of the type decides.
  const c = (conds ?? []).find((c) => c.type === type);
  return c?.status === 'True';
}

export function jobStatus(j: Job): string {
  const conds = j.status?.conditions;
  if (hasCondition(conds, 'Complete')) return 'Complete';
  if (hasCondition(conds, 'Failed')) return 'Failed';
  if (j.metadata?.deletionTimestamp) return 'Terminating';
  if (hasCondition(conds, 'Suspended')) return 'Suspended';
  if (hasCondition(conds, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

export function jobCompletions(j: Job): string {
  const succeeded = j.status?.succeeded ?? 0;
  if (j.spec?.completions !== undefined && j.spec.completions !== null) return `${succeeded}/${j.spec.completions}`;
  const parallelism = j.spec?.parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

export function jobDuration(j: Job, now: number): string {
  const start = j.status?.startTime ? Date.parse(j.status.startTime) : NaN;
  if (Number.isNaN(start)) return '';
  const end = j.status?.completionTime ? Date.parse(j.status.completionTime) : NaN;
  return humanDuration((Number.isNaN(end) ? now : end) - start);
}

export const jobColumns: TableColumn[] = [
  column('Status', 'string', 'Complete, Failed, Terminating, Suspended, FailureTarget or Running.', jobStatus),
  column('Completions', 'string', 'Succeeded pods out of the completions wanted.', jobCompletions),
  column('Duration', 'string', 'How long the job ran (or has been running).', jobDuration),
  ageColumn(),
  ...containerColumns((j: Job) => j.spec?.template?.spec?.containers),
  wideColumn('Selector', 'string', 'Label selector of the job pods.', (j: Job) => formatLabelSelector(j.spec?.selector)),
];

export const cronJobColumns: TableColumn[] = [
  column('Schedule', 'string', 'The cron schedule.', (c: CronJob) => c.spec?.schedule ?? ''),
  column('Timezone', 'string', 'The time zone of the schedule.', (c: CronJob) => c.spec?.timeZone ?? '<none>'),
  column('Suspend', 'boolean', 'Whether new runs are suspended.', (c: CronJob) => boolString(c.spec?.suspend)),
  column('Active', 'integer', 'Jobs currently running.', (c: CronJob) => (c.status?.active ?? []).length),
  column('Last Schedule', 'string', 'Time since a job was last scheduled.', (c: CronJob, now) => {
    const t = c.status?.lastScheduleTime;
    if (!t) return '<none>';
    const ms = Date.parse(t);
    return Number.isNaN(ms) ? '<unknown>' : humanDuration(now - ms);
  }),
  ageColumn(),
  ...containerColumns((c: CronJob) => c.spec?.jobTemplate?.spec?.template?.spec?.containers),
  wideColumn('Selector', 'string', 'Label selector of the job pods.', (c: CronJob) => formatLabelSelector(c.spec?.jobTemplate?.spec?.selector)),
];
