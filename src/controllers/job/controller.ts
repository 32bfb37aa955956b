// The Job controller: Job and Pod informers → workqueue of Job keys → sync(key), which claims the
// Job's pods, asks reconcileJob what to do, and carries it out in a safe order: deletions and
// creations, the interim status (uncounted pods), finalizer removal, the final status.

import type { Job, JobStatus } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../api/registry.js';
import { labelSelectorFromObject, type LabelSelector } from '../../api/selectors/index.js';
import {
  JOBS,
  PODS,
  isConflict,
  isNotFound,
  keyOf,
  objectOf,
  type DeletedFinalStateUnknown,
  type EventRecorder,
  type Lister,
  type ResourceClient,
} from '../../client/index.js';
import {
  CONTROLLER_UID_INDEX,
  Expectations,
  QueueLoop,
  claimObjects,
  controllerKey,
  errorMessage,
  getControllerOf,
  indexByControllerUid,
  recheckOwner,
  slowStartBatch,
  splitKey,
} from '../common/index.js';
import type { Controller, ControllerContext } from '../types.js';
import { DEFAULT_BACKOFF_MS, MAX_BACKOFF_MS, NO_BACKOFF, type BackoffRecord } from './backoff.js';
import { JOB_KIND, podForJob } from './pods.js';
import { JOB_TRACKING_FINALIZER, hasTrackingFinalizer, reconcileJob, type JobPlan } from './reconcile.js';

export type JobObj = Job & KubeObject;
type PodObj = Pod & KubeObject;

export interface JobControllerOptions {
  /** Backoff before recreating failed pods (default 10 s doubling to 6 min); tests shorten it. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** The clock (ms since epoch). */
  now?: () => number;
}

/** Jobs managed by another controller (spec.managedBy) are left alone. */
const JOB_CONTROLLER_NAME = 'kubernetes.io/job-controller';

export class JobController {
  readonly expectations: Expectations;
  readonly loop: QueueLoop;
  /** Per Job key: failures since the last success, for recreation backoff. */
  readonly backoffs = new Map<string, BackoffRecord>();
  /** Per Job key: UIDs of pods whose tracking finalizer we removed but the cache may still show. */
  readonly finalizerRemoved = new Map<string, Set<string>>();
  private jobLister!: Lister<JobObj>;
  private podLister!: Lister<PodObj>;
  private jobs!: ResourceClient<JobObj>;
  private pods!: ResourceClient<PodObj>;
  private recorder!: EventRecorder;
  private readonly now: () => number;
  /** What our last status write returned, per key: newer than the cache until the watch catches up. */
  private readonly written = new Map<string, JobObj>();

  constructor(readonly options: JobControllerOptions = {}) {
    this.now = options.now ?? Date.now;
    this.expectations = new Expectations(undefined, this.now);
    this.loop = new QueueLoop({ name: 'job', sync: (key) => this.sync(key) });
  }

  start(ctx: ControllerContext): void {
    const jobInf = ctx.informers.informerFor<JobObj>(JOBS);
    const podInf = ctx.informers.informerFor<PodObj>(PODS, { indexers: { [CONTROLLER_UID_INDEX]: indexByControllerUid } });
    this.jobLister = jobInf.lister;
    this.podLister = podInf.lister;
    this.jobs = ctx.client.resource<JobObj>(JOBS);
    this.pods = ctx.client.resource<PodObj>(PODS);
    this.recorder = ctx.recorder('job-controller');

    jobInf.addEventHandler({
      onAdd: (job) => this.loop.enqueue(job),
      onUpdate: (_old, cur) => this.loop.enqueue(cur),
      onDelete: (obj) => {
        const job = objectOf(obj);
        const key = controllerKey(job);
        this.expectations.delete(key);
        this.backoffs.delete(key);
        this.loop.enqueue(job);
      },
    });
    podInf.addEventHandler({
      onAdd: (pod) => {
        const key = this.ownerKey(pod);
        if (!key) return this.enqueueMatching(pod);
        this.expectations.creationObserved(key);
        this.loop.enqueueKey(key);
      },
      onUpdate: (old, cur) => {
        if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
        const key = this.ownerKey(cur);
        const oldKey = this.ownerKey(old);
        if (oldKey && oldKey !== key) this.loop.enqueueKey(oldKey);
        if (!key) return this.enqueueMatching(cur);
        if (!hasTrackingFinalizer(cur)) this.finalizerRemoved.get(key)?.delete(cur.metadata?.uid ?? '');
        if (cur.metadata?.deletionTimestamp && !old.metadata?.deletionTimestamp) this.expectations.deletionObserved(key, keyOf(cur));
        this.loop.enqueueKey(key);
      },
      onDelete: (obj) => this.podGone(obj),
    });
    this.loop.start(ctx, [jobInf, podInf]);
  }

  /** The key of the Job controlling this pod (even one no longer in the cache). */
  private ownerKey(pod: PodObj): string | undefined {
    const ref = getControllerOf(pod);
    if (!ref || ref.kind !== 'Job' || !ref.apiVersion?.startsWith('batch/')) return undefined;
    return `${pod.metadata?.namespace}/${ref.name}`;
  }

  /** An orphan pod: every Job whose selector matches it may adopt it. */
  private enqueueMatching(pod: PodObj): void {
    if (pod.metadata?.deletionTimestamp || getControllerOf(pod)) return;
    for (const job of this.jobLister.listNamespace(pod.metadata?.namespace ?? '')) {
      if (job.spec?.selector && selectorOf(job).matches(pod.metadata?.labels ?? {})) this.loop.enqueue(job);
    }
  }

  private podGone(obj: PodObj | DeletedFinalStateUnknown<PodObj>): void {
    const pod = objectOf(obj);
    const key = this.ownerKey(pod);
    if (!key) return;
    this.finalizerRemoved.get(key)?.delete(pod.metadata?.uid ?? '');
    this.expectations.deletionObserved(key, keyOf(pod));
    this.loop.enqueueKey(key);
  }

  // ── sync ──────────────────────────────────────────────────────────────────

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const ns = namespace ?? '';
    const cached = this.jobLister.get(ns, name);
    const job = cached && newerOf(cached, this.written.get(key));
    if (job === cached) this.written.delete(key);
    if (!job || job.metadata?.deletionTimestamp) {
      // Gone or going: release its pods so they can be deleted.
      if (!job) {
        this.written.delete(key);
        this.expectations.delete(key);
        this.backoffs.delete(key);
        this.finalizerRemoved.delete(key);
      }
      const stale = this.podLister
        .listNamespace(ns)
        .filter((p) => hasTrackingFinalizer(p) && isJobRef(getControllerOf(p), name) && (!job || getControllerOf(p)?.uid === job.metadata?.uid));
      await this.removeFinalizers(key, stale);
      return;
    }
    if (job.spec?.managedBy && job.spec.managedBy !== JOB_CONTROLLER_NAME) return;

    const canManage = this.expectations.satisfied(key);
    const uid = job.metadata?.uid ?? '';
    let selector: LabelSelector;
    try {
      selector = selectorOf(job);
    } catch (err) {
      console.error(`job: ${key}: invalid selector: ${errorMessage(err)}`);
      return;
    }
    const candidates = this.podLister.listNamespace(ns).filter((p) => {
      const ref = getControllerOf(p);
      return ref ? ref.uid === uid : selector.matches(p.metadata?.labels ?? {});
    });
    const pods = await claimObjects<PodObj>({
      owner: job,
      kind: JOB_KIND,
      selector,
      objects: candidates,
      client: this.pods,
      canAdopt: recheckOwner(() => this.jobs.get(ns, name), job),
    });

    const removed = this.finalizerRemoved.get(key) ?? new Set<string>();
    const plan = reconcileJob({
      job,
      pods,
      now: this.now(),
      backoff: this.backoffs.get(key) ?? NO_BACKOFF,
      canManage,
      finalizerRemoved: removed,
      backoffBaseMs: this.options.backoffBaseMs ?? DEFAULT_BACKOFF_MS,
      backoffMaxMs: this.options.backoffMaxMs ?? MAX_BACKOFF_MS,
    });
    await this.execute(key, job, plan);
  }

  private async execute(key: string, job: JobObj, plan: JobPlan): Promise<void> {
    const ns = job.metadata?.namespace ?? '';
    if (plan.finished) {
      await this.removeFinalizers(key, plan.removeFinalizers);
      return;
    }
    let manageErr: unknown;
    let notCreated = 0;

    // Deletions (surplus, suspended or finishing): a removal that must not count as a failure loses its finalizer first.
    if (plan.delete.length) {
      this.expectations.expectDeletions(
        key,
        plan.delete.map((d) => keyOf(d.pod as PodObj)),
      );
      const results = await Promise.allSettled(
        plan.delete.map(async ({ pod, removeFinalizerFirst }) => {
          const podKey = keyOf(pod as PodObj);
          try {
            if (removeFinalizerFirst && hasTrackingFinalizer(pod)) await this.removeFinalizer(key, pod);
            await this.pods.delete(ns, pod.metadata!.name!);
            this.recorder.event(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata!.name}`);
          } catch (err) {
            this.expectations.deletionObserved(key, podKey);
            if (isNotFound(err)) return;
            this.recorder.event(job, 'Warning', 'FailedDelete', `Error deleting: ${errorMessage(err)}`);
            throw err;
          }
        }),
      );
      manageErr = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')?.reason;
    }

    // Creations, in slow-start batches.
    if (plan.create.length) {
      const n = plan.create.length;
      this.expectations.expectCreations(key, n);
      const res = await slowStartBatch(n, 1, async (i) => {
        const pod = podForJob(job, plan.create[i]!);
        try {
          const created = await this.pods.create(ns, pod as PodObj);
          this.recorder.event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name}`);
        } catch (err) {
          this.recorder.event(job, 'Warning', 'FailedCreate', `Error creating: ${errorMessage(err)}`);
          throw err;
        }
      });
      notCreated = n - res.successes;
      for (let i = 0; i < notCreated; i++) this.expectations.creationObserved(key);
      manageErr ??= res.error;
    }

    // Status: record newly finished pods, release them, then count them.
    let current = job;
    if (plan.interimStatus) current = await this.writeStatus(current, plan.interimStatus);
    this.backoffs.set(key, plan.backoff);
    await this.removeFinalizers(key, plan.removeFinalizers);
    const status = plan.status;
    if (notCreated) {
      const active = (status.active ?? 0) - notCreated;
      if (active > 0) status.active = active;
      else delete status.active;
    }
    if (plan.statusChanged || plan.interimStatus || notCreated) await this.writeStatus(current, status);
    for (const e of plan.events) this.recorder.event(job, e.type, e.reason, e.message);
    if (plan.requeueAfterMs !== undefined) this.loop.enqueueAfter(key, plan.requeueAfterMs + 10);
    if (manageErr) throw manageErr;
  }

  private async writeStatus(job: JobObj, status: JobStatus): Promise<JobObj> {
    // Optimistic concurrency: a stale cached Job gives a Conflict and the key is retried.
    const written = await this.jobs.updateStatus(job.metadata?.namespace, { ...job, status });
    this.written.set(`${written.metadata?.namespace}/${written.metadata?.name}`, written);
    return written;
  }

  private async removeFinalizer(key: string, pod: Pod): Promise<void> {
    const uid = pod.metadata?.uid ?? '';
    try {
      await this.pods.patch(pod.metadata?.namespace, pod.metadata!.name!, { metadata: { uid, ['$deleteFromPrimitiveList/finalizers']: [JOB_TRACKING_FINALIZER] } }, 'strategic');
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err) && (err as { code?: number }).code !== 422) throw err;
    }
    let set = this.finalizerRemoved.get(key);
    if (!set) this.finalizerRemoved.set(key, (set = new Set()));
    set.add(uid);
  }

  /** Remove the tracking finalizer from each pod; throws the first failure after trying all. */
  private async removeFinalizers(key: string, pods: Pod[]): Promise<void> {
    if (!pods.length) return;
    const results = await Promise.allSettled(pods.map((p) => this.removeFinalizer(key, p)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

/** The later of the cached object and the one our own write returned (same UID, higher resourceVersion). */
function newerOf<T extends KubeObject>(cached: T, written: T | undefined): T {
  if (!written || written.metadata?.uid !== cached.metadata?.uid) return cached;
  const a = Number(cached.metadata?.resourceVersion);
  const b = Number(written.metadata?.resourceVersion);
  return Number.isFinite(a) && Number.isFinite(b) && b > a ? written : cached;
}

function selectorOf(job: Job): LabelSelector {
  return labelSelectorFromObject(job.spec?.selector as never);
}

function isJobRef(ref: OwnerReference | undefined, name: string): boolean {
  return !!ref && ref.kind === 'Job' && ref.name === name;
}

/** A Job controller with options (tests shorten the backoff or inject a clock). */
export function newJobController(options: JobControllerOptions = {}): Controller & { controller: JobController } {
  const c = new JobController(options);
  return { name: 'job', controller: c, start: (ctx) => c.start(ctx) };
}
