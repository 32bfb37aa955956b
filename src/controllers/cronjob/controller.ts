// The CronJob controller: CronJob and Job informers → workqueue of CronJob keys → sync(key), which
// asks reconcileCronJob what to do, creates and deletes Jobs, writes status and requeues the key
// for exactly the next start time (no polling).

import type { CronJob, CronJobStatus, Job } from 'kubernetes-types/batch/v1.js';
import type { ObjectReference } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/registry.js';
import {
  CRON_JOBS,
  JOBS,
  isAlreadyExists,
  isConflict,
  isNotFound,
  objectOf,
  type EventRecorder,
  type Lister,
  type ResourceClient,
} from '../../client/index.js';
import { CONTROLLER_UID_INDEX, QueueLoop, errorMessage, getControllerOf, indexByControllerUid, splitKey } from '../common/index.js';
import type { Controller, ControllerContext } from '../types.js';
import { jobRef, reconcileCronJob, scheduleTimeString, type CronJobPlan } from './reconcile.js';

type CronJobObj = CronJob & KubeObject;
type JobObj = Job & KubeObject;

export interface CronJobControllerOptions {
  /** The clock (ms since epoch); tests move it. */
  now?: () => number;
}

export class CronJobController {
  readonly loop: QueueLoop;
  private cjLister!: Lister<CronJobObj>;
  private jobLister!: Lister<JobObj>;
  private cronJobs!: ResourceClient<CronJobObj>;
  private jobs!: ResourceClient<JobObj>;
  private recorder!: EventRecorder;
  private readonly now: () => number;
  /** What our last status write returned, per key: newer than the cache until the watch catches up. */
  private readonly written = new Map<string, CronJobObj>();

  constructor(options: CronJobControllerOptions = {}) {
    this.now = options.now ?? Date.now;
    this.loop = new QueueLoop({ name: 'cronjob', sync: (key) => this.sync(key) });
  }

  start(ctx: ControllerContext): void {
    const cjInf = ctx.informers.informerFor<CronJobObj>(CRON_JOBS);
    const jobInf = ctx.informers.informerFor<JobObj>(JOBS, { indexers: { [CONTROLLER_UID_INDEX]: indexByControllerUid } });
    this.cjLister = cjInf.lister;
    this.jobLister = jobInf.lister;
    this.cronJobs = ctx.client.resource<CronJobObj>(CRON_JOBS);
    this.jobs = ctx.client.resource<JobObj>(JOBS);
    this.recorder = ctx.recorder('cronjob-controller');

    cjInf.addEventHandler({
      onAdd: (cj) => this.loop.enqueue(cj),
      onUpdate: (old, cur) => {
        if (old.metadata?.resourceVersion !== cur.metadata?.resourceVersion) this.loop.enqueue(cur);
      },
    });
    const owner = (job: JobObj) => {
      const ref = getControllerOf(job);
      if (ref?.kind === 'CronJob' && ref.apiVersion?.startsWith('batch/')) this.loop.enqueueKey(`${job.metadata?.namespace}/${ref.name}`);
    };
    jobInf.addEventHandler({
      onAdd: owner,
      onUpdate: (old, cur) => {
        owner(cur);
        if (getControllerOf(old)?.uid !== getControllerOf(cur)?.uid) owner(old);
      },
      onDelete: (obj) => owner(objectOf(obj)),
    });
    this.loop.start(ctx, [cjInf, jobInf]);
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const ns = namespace ?? '';
    const cached = this.cjLister.get(ns, name);
    if (!cached) {
      this.written.delete(key);
      return;
    }
    const cj = newerOf(cached, this.written.get(key));
    if (cj === cached) this.written.delete(key);
    const uid = cj.metadata?.uid ?? '';
    const jobs = this.jobLister.byIndex(CONTROLLER_UID_INDEX, uid).filter((j) => j.metadata?.namespace === ns);

    // Active refs not in the cache: ask the API server before dropping them.
    const known = new Set(jobs.map((j) => j.metadata?.uid));
    const missing = new Set<string>();
    for (const ref of cj.status?.active ?? []) {
      if (!ref.uid || known.has(ref.uid)) continue;
      try {
        const j = await this.jobs.get(ns, ref.name ?? '');
        if (j.metadata?.uid !== ref.uid) missing.add(ref.uid);
      } catch (err) {
        if (!isNotFound(err)) throw err;
        missing.add(ref.uid);
      }
    }

    const now = this.now();
    const plan = reconcileCronJob({ cronJob: cj, jobs, now, missing });
    await this.execute(key, cj, plan);
  }

  private remember(obj: CronJobObj): void {
    this.written.set(`${obj.metadata?.namespace}/${obj.metadata?.name}`, obj);
  }

  private async execute(key: string, cj: CronJobObj, plan: CronJobPlan): Promise<void> {
    const ns = cj.metadata?.namespace ?? '';
    let err: unknown;

    if (plan.unexpected.length) {
      // Our status may simply lag behind our own creation: check a fresh copy before complaining.
      const fresh = await this.cronJobs.get(ns, cj.metadata!.name!).catch(() => cj);
      const listed = new Set((fresh.status?.active ?? []).map((r) => r.uid));
      for (const j of plan.unexpected) {
        if (!listed.has(j.metadata?.uid)) {
          this.recorder.event(cj, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${j.metadata?.name}`);
        }
      }
    }

    for (const d of plan.delete) {
      try {
        await this.jobs.delete(ns, d.name, { propagationPolicy: 'Background', ...(d.uid ? { preconditions: { uid: d.uid } } : {}) });
        this.recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${d.name}`);
      } catch (e) {
        if (isNotFound(e)) continue;
        this.recorder.event(cj, 'Warning', 'FailedDelete', `Deleted job: ${errorMessage(e)}`);
        err ??= e;
      }
    }

    const status: CronJobStatus = plan.status;
    let createdRef: ObjectReference | undefined;
    let changed = plan.statusChanged;
    if (plan.create && !err) {
      const { job, scheduledTime } = plan.create;
      let created: JobObj | undefined;
      try {
        created = await this.jobs.create(ns, job as JobObj);
        this.recorder.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${created.metadata?.name}`);
      } catch (e) {
        if (isAlreadyExists(e)) {
          // Created before (our status write was lost) or by someone else: take it only if it is ours.
          const existing = await this.jobs.get(ns, job.metadata!.name!).catch(() => undefined);
          if (existing && getControllerOf(existing)?.uid === cj.metadata?.uid) created = existing;
        } else {
          this.recorder.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${errorMessage(e)}`);
          err = e;
        }
      }
      if (created) {
        createdRef = jobRef(created);
        const active = (status.active ??= []);
        if (!active.some((r) => r.uid === created!.metadata?.uid)) active.push(createdRef);
        status.lastScheduleTime = scheduleTimeString(scheduledTime);
        changed = true;
      }
    }

    if (changed) {
      try {
        this.remember(await this.cronJobs.updateStatus(ns, { ...cj, status }));
      } catch (e) {
        if (isConflict(e) && createdRef) {
          // The Job exists now: its ref and lastScheduleTime must not be lost, or the next sync
          // would no longer know it started this run. Apply just that to a fresh copy.
          await this.recordCreation(cj, createdRef, status.lastScheduleTime!).catch((e2: unknown) => (err ??= e2));
        } else if (!isNotFound(e)) err ??= e;
      }
    }
    for (const e of plan.events) this.recorder.event(cj, e.type, e.reason, e.message);
    if (plan.requeueAfterMs !== undefined) this.loop.enqueueAfter(key, plan.requeueAfterMs);
    if (err) throw err;
  }

  private async recordCreation(cj: CronJobObj, ref: ObjectReference, lastScheduleTime: string): Promise<void> {
    const ns = cj.metadata?.namespace ?? '';
    for (let attempt = 0; ; attempt++) {
      const fresh = await this.cronJobs.get(ns, cj.metadata!.name!);
      if (fresh.metadata?.uid !== cj.metadata?.uid) return;
      const status: CronJobStatus = { ...fresh.status };
      const active = [...(status.active ?? [])];
      if (!active.some((r) => r.uid === ref.uid)) active.push(ref);
      status.active = active;
      if (!status.lastScheduleTime || Date.parse(status.lastScheduleTime) < Date.parse(lastScheduleTime)) status.lastScheduleTime = lastScheduleTime;
      try {
        this.remember(await this.cronJobs.updateStatus(ns, { ...fresh, status }));
        return;
      } catch (e) {
        if (!isConflict(e) || attempt >= 4) throw e;
      }
    }
  }
}

/** The later of the cached object and the one our own write returned (same UID, higher resourceVersion). */
export function newerOf<T extends KubeObject>(cached: T, written: T | undefined): T {
  if (!written || written.metadata?.uid !== cached.metadata?.uid) return cached;
  const a = Number(cached.metadata?.resourceVersion);
  const b = Number(written.metadata?.resourceVersion);
  return Number.isFinite(a) && Number.isFinite(b) && b > a ? written : cached;
}

export function newCronJobController(options: CronJobControllerOptions = {}): Controller & { controller: CronJobController } {
  const c = new CronJobController(options);
  return { name: 'cronjob', controller: c, start: (ctx) => c.start(ctx) };
}
