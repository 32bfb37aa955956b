// The CronJob controller's decision, pure: a CronJob, the Jobs it controls and the time in; the Job
// to create, Jobs to delete, the status and when to look again (exactly the next start time) out.

import type { CronJob, CronJobStatus, Job } from 'kubernetes-types/batch/v1.js';
import type { ObjectReference } from 'kubernetes-types/core/v1.js';
import { deepEqual, rfc3339 } from '../../api/objects.js';
import { CronError, isValidTimeZone, parseCron, type Schedule } from '../../api/strategies/cron.js';
import { MAX_MISSED_REPORTED, jobNameFor, missedSchedules, rfc1123zUTC, rfc3339InZone } from './schedule.js';

export const CRONJOB_SCHEDULED_TIMESTAMP = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
/** Upstream adds this much to the wait for the next start time so the clock has surely passed it. */
export const NEXT_SCHEDULE_DELTA_MS = 100;

export interface CronJobEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface CronJobSyncInput {
  cronJob: CronJob;
  /** The Jobs this CronJob controls. */
  jobs: Job[];
  /** ms since epoch. */
  now: number;
  /** UIDs of active refs whose Job the API server says is gone. */
  missing?: ReadonlySet<string>;
}

export interface CronJobPlan {
  status: CronJobStatus;
  statusChanged: boolean;
  /** A Job to create for `scheduledTime`; on success add its ref to status.active and set lastScheduleTime. */
  create?: { job: Job; scheduledTime: number };
  /** Jobs to delete (Background propagation). */
  delete: Array<{ name: string; uid?: string; why: 'Replace' | 'History' }>;
  /** Unfinished Jobs of ours missing from status.active (reported as UnexpectedJob once confirmed). */
  unexpected: Job[];
  requeueAfterMs?: number;
  events: CronJobEvent[];
}

function finishedCondition(job: Job): 'Complete' | 'Failed' | undefined {
  for (const c of job.status?.conditions ?? []) {
    if (c.status === 'True' && (c.type === 'Complete' || c.type === 'Failed')) return c.type;
  }
  return undefined;
}

export function jobRef(job: Job): ObjectReference {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    namespace: job.metadata?.namespace,
    name: job.metadata?.name,
    uid: job.metadata?.uid,
    resourceVersion: job.metadata?.resourceVersion,
  };
}

/** The Job for a scheduled time: the template, owner reference and scheduled-timestamp annotation. */
export function jobFromTemplate(cj: CronJob, scheduled: number): Job {
  const tmpl = cj.spec?.jobTemplate ?? {};
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobNameFor(cj.metadata?.name ?? '', scheduled),
      namespace: cj.metadata?.namespace,
      labels: { ...tmpl.metadata?.labels },
      annotations: { ...tmpl.metadata?.annotations, [CRONJOB_SCHEDULED_TIMESTAMP]: rfc3339InZone(scheduled, cj.spec?.timeZone) },
      ownerReferences: [
        { apiVersion: 'batch/v1', kind: 'CronJob', name: cj.metadata?.name ?? '', uid: cj.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true },
      ],
    },
    spec: structuredClone(tmpl.spec) ?? ({ template: {} } as NonNullable<Job['spec']>),
  };
}

const time = (s: string | undefined): number => (s ? Date.parse(s) : NaN);

export function reconcileCronJob(input: CronJobSyncInput): CronJobPlan {
  const { cronJob: cj, now } = input;
  const spec = cj.spec ?? ({} as NonNullable<CronJob['spec']>);
  const old = cj.status ?? {};
  const status: CronJobStatus = structuredClone(old);
  const events: CronJobEvent[] = [];
  const plan: CronJobPlan = { status, statusChanged: false, delete: [], unexpected: [], events };
  let active = [...(status.active ?? [])];

  // 1. Reconcile the active list with the Jobs that exist.
  const byUid = new Map(input.jobs.map((j) => [j.metadata?.uid ?? '', j]));
  for (const job of input.jobs) {
    const uid = job.metadata?.uid;
    const listed = active.some((r) => r.uid === uid);
    const cond = finishedCondition(job);
    if (!listed && !cond) {
      if (!job.metadata?.deletionTimestamp) plan.unexpected.push(job);
    } else if (listed && cond) {
      active = active.filter((r) => r.uid !== uid);
      events.push({ type: 'Normal', reason: 'SawCompletedJob', message: `Saw completed job: ${job.metadata?.name}, condition: ${cond}` });
    }
    if (cond === 'Complete' && job.status?.completionTime) {
      const t = time(job.status.completionTime);
      if (!status.lastSuccessfulTime || t > time(status.lastSuccessfulTime)) status.lastSuccessfulTime = job.status.completionTime;
    }
  }
  for (const ref of [...active]) {
    if (byUid.has(ref.uid ?? '')) continue;
    if (input.missing?.has(ref.uid ?? '')) {
      active = active.filter((r) => r !== ref);
      events.push({ type: 'Normal', reason: 'MissingJob', message: `Active job went missing: ${ref.name}` });
    }
  }

  // 2. History limits (whatever else happens).
  cleanupHistory(input.jobs, spec.successfulJobsHistoryLimit, 'Complete', plan);
  cleanupHistory(input.jobs, spec.failedJobsHistoryLimit, 'Failed', plan);
  const deleted = new Set(plan.delete.map((d) => d.uid));
  active = active.filter((r) => !deleted.has(r.uid));

  const finish = (): CronJobPlan => {
    if (active.length) status.active = active;
    else delete status.active;
    plan.statusChanged = !deepEqual(old, status);
    return plan;
  };

  if (cj.metadata?.deletionTimestamp) return finish();

  // 3. Schedule and time zone.
  const tz = spec.timeZone ?? undefined;
  if (tz !== undefined && !isValidTimeZone(tz)) {
    events.push({ type: 'Warning', reason: 'UnknownTimeZone', message: `invalid timeZone: "${tz}": unknown time zone ${tz}` });
    return finish();
  }
  let schedule: Schedule;
  try {
    schedule = parseCron(spec.schedule ?? '');
  } catch (err) {
    const msg = err instanceof CronError ? err.message : String(err);
    events.push({ type: 'Warning', reason: 'UnparseableSchedule', message: `unparseable schedule: "${spec.schedule}" : ${msg}` });
    return finish();
  }
  if (spec.suspend) return finish();

  const nextAfter = (t: number): number | undefined => schedule.next(new Date(t), tz)?.getTime();
  const requeueAtNext = () => {
    const n = nextAfter(now);
    if (n !== undefined) plan.requeueAfterMs = Math.max(0, n - now) + NEXT_SCHEDULE_DELTA_MS;
  };

  // 4. The most recent start time that has passed.
  let earliest = time(old.lastScheduleTime ?? undefined);
  if (Number.isNaN(earliest)) earliest = time(cj.metadata?.creationTimestamp);
  if (Number.isNaN(earliest)) earliest = now;
  const sds = spec.startingDeadlineSeconds;
  if (typeof sds === 'number') earliest = Math.max(earliest, now - sds * 1000);
  const missed = missedSchedules(schedule, earliest, now, tz);
  if (missed.count > MAX_MISSED_REPORTED) {
    events.push({
      type: 'Warning',
      reason: 'TooManyMissedTimes',
      message: `too many missed start times: ${missed.count}. Set or decrease .spec.startingDeadlineSeconds or check clock skew`,
    });
  }
  requeueAtNext();
  const scheduled = missed.mostRecent;
  if (scheduled === undefined) return finish();

  if (typeof sds === 'number' && scheduled + sds * 1000 < now) {
    events.push({ type: 'Warning', reason: 'MissSchedule', message: `Missed scheduled time to start a job: ${rfc1123zUTC(scheduled)}` });
    return finish();
  }
  const name = jobNameFor(cj.metadata?.name ?? '', scheduled);
  if (active.some((r) => r.name === name) || input.jobs.some((j) => j.metadata?.name === name) || time(old.lastScheduleTime ?? undefined) === scheduled) {
    return finish();
  }

  // 5. Concurrency.
  if (spec.concurrencyPolicy === 'Forbid' && active.length > 0) {
    events.push({ type: 'Normal', reason: 'JobAlreadyActive', message: 'Not starting job because prior execution is running and concurrency policy is Forbid' });
    return finish();
  }
  if (spec.concurrencyPolicy === 'Replace') {
    for (const ref of active) plan.delete.push({ name: ref.name ?? '', ...(ref.uid ? { uid: ref.uid } : {}), why: 'Replace' });
    active = [];
  }

  plan.create = { job: jobFromTemplate(cj, scheduled), scheduledTime: scheduled };
  return finish();
}

/** Delete the oldest finished Jobs of one kind beyond the limit (by start time, then name). */
function cleanupHistory(jobs: Job[], limit: number | null | undefined, kind: 'Complete' | 'Failed', plan: CronJobPlan): void {
  if (typeof limit !== 'number') return;
  const done = jobs.filter((j) => finishedCondition(j) === kind && !j.metadata?.deletionTimestamp);
  if (done.length <= limit) return;
  done.sort((a, b) => {
    const ta = time(a.status?.startTime);
    const tb = time(b.status?.startTime);
    if (Number.isNaN(ta) !== Number.isNaN(tb)) return Number.isNaN(ta) ? 1 : -1;
    if (!Number.isNaN(ta) && ta !== tb) return ta - tb;
    return (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
  });
  for (const j of done.slice(0, done.length - limit)) {
    plan.delete.push({ name: j.metadata?.name ?? '', ...(j.metadata?.uid ? { uid: j.metadata.uid } : {}), why: 'History' });
  }
}

/** lastScheduleTime as written after a successful creation. */
export function scheduleTimeString(ms: number): string {
  return rfc3339(ms);
}
