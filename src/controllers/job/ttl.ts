// The TTL-after-finished controller: a finished Job (Complete or Failed) with
// spec.ttlSecondsAfterFinished is deleted, with Background propagation, once that many seconds have
// passed since it finished. Until then its key is requeued for exactly the moment it expires.

import type { Job } from 'kubernetes-types/batch/v1.js';
import { JOBS, isNotFound, type Lister, type ResourceClient } from '../../client/index.js';
import { QueueLoop, splitKey } from '../common/index.js';
import type { Controller, ControllerContext } from '../types.js';
import type { JobObj } from './controller.js';

export type TtlDecision = { action: 'none' } | { action: 'wait'; afterMs: number } | { action: 'delete' };

/** When the Job finished: the transition time of its Complete or Failed condition. */
export function jobFinishTime(job: Job): number | undefined {
  const c = job.status?.conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
  if (!c) return undefined;
  const t = Date.parse(c.lastTransitionTime ?? job.status?.completionTime ?? '');
  return Number.isNaN(t) ? undefined : t;
}

export function ttlDecision(job: Job, now: number): TtlDecision {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  if (typeof ttl !== 'number' || job.metadata?.deletionTimestamp) return { action: 'none' };
  const finished = jobFinishTime(job);
  if (finished === undefined) return { action: 'none' };
  const expireAt = finished + ttl * 1000;
  return now >= expireAt ? { action: 'delete' } : { action: 'wait', afterMs: expireAt - now };
}

export class TtlAfterFinishedController {
  readonly loop: QueueLoop;
  private lister!: Lister<JobObj>;
  private jobs!: ResourceClient<JobObj>;

  constructor(private readonly now: () => number = Date.now) {
    this.loop = new QueueLoop({ name: 'ttl-after-finished', sync: (key) => this.sync(key) });
  }

  start(ctx: ControllerContext): void {
    const inf = ctx.informers.informerFor<JobObj>(JOBS);
    this.lister = inf.lister;
    this.jobs = ctx.client.resource<JobObj>(JOBS);
    const consider = (job: JobObj) => {
      if (ttlDecision(job, this.now()).action !== 'none') this.loop.enqueue(job);
    };
    inf.addEventHandler({ onAdd: consider, onUpdate: (_o, cur) => consider(cur) });
    this.loop.start(ctx, [inf]);
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const cached = this.lister.get(namespace, name);
    if (!cached) return;
    const d = ttlDecision(cached, this.now());
    if (d.action === 'wait') return this.loop.enqueueAfter(key, d.afterMs + 10);
    if (d.action === 'none') return;
    // The cache may lag (the TTL may have been raised): decide again on a fresh read.
    let fresh: JobObj;
    try {
      fresh = await this.jobs.get(namespace, name);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    const d2 = ttlDecision(fresh, this.now());
    if (d2.action === 'wait') return this.loop.enqueueAfter(key, d2.afterMs + 10);
    if (d2.action === 'none') return;
    try {
      await this.jobs.delete(namespace, name, {
        propagationPolicy: 'Background',
        preconditions: { uid: fresh.metadata!.uid!, resourceVersion: fresh.metadata!.resourceVersion! },
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

export function newTtlAfterFinishedController(now?: () => number): Controller & { controller: TtlAfterFinishedController } {
  const c = new TtlAfterFinishedController(now);
  return { name: 'ttl-after-finished', controller: c, start: (ctx) => c.start(ctx) };
}

/** Upstream's "ttl-after-finished" controller. */
export const ttlAfterFinishedController: Controller = {
  name: 'ttl-after-finished',
  start: (ctx) => new TtlAfterFinishedController().start(ctx),
};
