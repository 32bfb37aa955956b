// The Job controller's decision, pure: a Job, the pods it controls and the time in; the pods to
// create and delete, finalizers to remove, the status to write and when to look again out.
//
// Pod tracking: every pod carries the `batch.kubernetes.io/job-tracking` finalizer. A finished pod
// is first recorded in status.uncountedTerminatedPods (the interim status), then its finalizer is
// removed, then it is moved into succeeded/failed (the final status) — so a pod is counted exactly
// once even if the controller stops between steps.
//
// Terminal conditions follow 1.31+: the Job first gets FailureTarget or SuccessCriteriaMet (and its
// remaining pods are deleted); Failed or Complete is added once no pod of it is still running or
// terminating.

import type { Job, JobCondition, JobStatus } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { deepEqual, rfc3339 } from '../../api/objects.js';
import { DEFAULT_BACKOFF_MS, MAX_BACKOFF_MS, remainingBackoffMs, updateBackoff, type BackoffRecord } from './backoff.js';
import { matchPodFailurePolicy } from './failurepolicy.js';
import { formatIndexes, parseIndexes } from './indexes.js';

export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
export const JOB_COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';
export const JOB_INDEX_FAILURE_COUNT = 'batch.kubernetes.io/job-index-failure-count';

export interface JobEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface PodCreate {
  /** The completion index (Indexed Jobs). */
  index?: number;
  /** Failures so far of this index (with backoffLimitPerIndex). */
  indexFailureCount?: number;
}

export interface PodDelete {
  pod: Pod;
  /** Remove the tracking finalizer before deleting: the deletion must not count as a failure. */
  removeFinalizerFirst: boolean;
}

export interface JobSyncInput {
  job: Job;
  /** The pods the Job controls (after adoption and release). */
  pods: Pod[];
  /** ms since epoch. */
  now: number;
  backoff: BackoffRecord;
  /** False while earlier creations/deletions are not yet observed: track, but create/delete nothing. */
  canManage?: boolean;
  /** UIDs whose tracking finalizer this controller already removed (the cache may lag). */
  finalizerRemoved?: ReadonlySet<string>;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
}

export interface JobPlan {
  create: PodCreate[];
  delete: PodDelete[];
  /** To write before removing finalizers (newly finished pods recorded as uncounted). */
  interimStatus?: JobStatus;
  removeFinalizers: Pod[];
  /** The status once everything above succeeded. */
  status: JobStatus;
  statusChanged: boolean;
  /** The backoff record to keep once the (interim) status is written. */
  backoff: BackoffRecord;
  requeueAfterMs?: number;
  events: JobEvent[];
  /** The Job already has Complete or Failed: nothing but finalizer clean-up. */
  finished: boolean;
}

// ---------- small helpers ----------

export function hasTrackingFinalizer(pod: Pod): boolean {
  return pod.metadata?.finalizers?.includes(JOB_TRACKING_FINALIZER) ?? false;
}

export function jobCondition(job: { status?: JobStatus }, type: string): JobCondition | undefined {
  return job.status?.conditions?.find((c) => c.type === type && c.status === 'True');
}

/** Complete or Failed is True. */
export function isJobFinished(job: { status?: JobStatus }): boolean {
  return !!(jobCondition(job, 'Complete') || jobCondition(job, 'Failed'));
}

/** The completion index of a pod (annotation, else label), or undefined when missing or malformed. */
export function podIndex(pod: Pod): number | undefined {
  const v = pod.metadata?.annotations?.[JOB_COMPLETION_INDEX] ?? pod.metadata?.labels?.[JOB_COMPLETION_INDEX];
  if (v === undefined || !/^(0|[1-9][0-9]*)$/.test(v)) return undefined;
  return Number(v);
}

function isTerminal(pod: Pod): boolean {
  const p = pod.status?.phase;
  return p === 'Succeeded' || p === 'Failed';
}

function isActive(pod: Pod): boolean {
  return !isTerminal(pod) && !pod.metadata?.deletionTimestamp;
}

function isReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

function restarts(pod: Pod): number {
  let n = 0;
  for (const s of [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])]) n += s.restartCount ?? 0;
  return n;
}

/** Order in which surplus active pods are deleted: least progressed first. */
export function deletionRank(a: Pod, b: Pod): number {
  const assigned = (p: Pod) => (p.spec?.nodeName ? 1 : 0);
  if (assigned(a) !== assigned(b)) return assigned(a) - assigned(b);
  const phase = (p: Pod) => ({ Pending: 0, Unknown: 1, Running: 2 })[p.status?.phase ?? 'Pending'] ?? 0;
  if (phase(a) !== phase(b)) return phase(a) - phase(b);
  const ready = (p: Pod) => (isReady(p) ? 1 : 0);
  if (ready(a) !== ready(b)) return ready(a) - ready(b);
  if (restarts(a) !== restarts(b)) return restarts(b) - restarts(a);
  const created = (p: Pod) => Date.parse(p.metadata?.creationTimestamp ?? '') || 0;
  return created(b) - created(a);
}

function setCondition(status: JobStatus, type: string, condStatus: 'True' | 'False', reason: string, message: string, now: number): boolean {
  const conds = (status.conditions ??= []);
  const c = conds.find((x) => x.type === type);
  const time = rfc3339(now);
  if (!c) {
    if (condStatus === 'False') return false;
    conds.push({ type, status: condStatus, reason, message, lastProbeTime: time, lastTransitionTime: time });
    return true;
  }
  if (c.status === condStatus && c.reason === reason && c.message === message) return false;
  if (c.status !== condStatus) c.lastTransitionTime = time;
  c.status = condStatus;
  c.reason = reason;
  c.message = message;
  c.lastProbeTime = time;
  return true;
}

/** Write counters as the API omits them: zero active/succeeded/failed are left out. */
function setCount(status: JobStatus, field: 'active' | 'succeeded' | 'failed', n: number): void {
  if (n > 0) status[field] = n;
  else delete status[field];
}

// ---------- the decision ----------

export function reconcileJob(input: JobSyncInput): JobPlan {
  const { job, now } = input;
  const spec = job.spec ?? ({} as NonNullable<Job['spec']>);
  const old = job.status ?? {};
  const status: JobStatus = structuredClone(old);
  const removed = input.finalizerRemoved ?? new Set<string>();
  const events: JobEvent[] = [];
  const plan: JobPlan = { create: [], delete: [], removeFinalizers: [], status, statusChanged: false, backoff: input.backoff, events, finished: false };

  if (isJobFinished(job)) {
    // Nothing more to do but release pods still holding the tracking finalizer.
    plan.finished = true;
    plan.removeFinalizers = input.pods.filter((p) => hasTrackingFinalizer(p) && !removed.has(p.metadata?.uid ?? ''));
    return plan;
  }

  const indexed = spec.completionMode === 'Indexed';
  const completions = typeof spec.completions === 'number' ? spec.completions : null;
  const parallelism = spec.parallelism ?? 1;
  const backoffLimit = spec.backoffLimit ?? 6;
  const perIndex = indexed && typeof spec.backoffLimitPerIndex === 'number';
  const onlyReplaceFailed = spec.podReplacementPolicy === 'Failed' || (!spec.podReplacementPolicy && !!spec.podFailurePolicy);
  const suspended = spec.suspend === true;
  const limit = completions ?? Infinity;

  const failingTarget = jobCondition(job, 'FailureTarget');
  const successTarget = jobCondition(job, 'SuccessCriteriaMet');

  const uncountedSucceeded = new Set(old.uncountedTerminatedPods?.succeeded ?? []);
  const uncountedFailed = new Set(old.uncountedTerminatedPods?.failed ?? []);
  const succeededIdx = new Set(indexed ? parseIndexes(old.completedIndexes, limit) : []);
  const failedIdx = new Set(perIndex ? parseIndexes(old.failedIndexes, limit) : []);

  const isFailedPod = (p: Pod): boolean => {
    if (p.status?.phase === 'Failed') return true;
    if (onlyReplaceFailed) return false;
    // A pod being deleted never gets to run to the end: with the default replacement policy it counts as failed.
    return !!p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded';
  };

  // Per-index failure counts seen on pods (the count a replacement carries).
  const indexFailures = new Map<number, number>();
  const noteIndexFailures = (ix: number | undefined, n: number) => {
    if (ix === undefined) return;
    indexFailures.set(ix, Math.max(indexFailures.get(ix) ?? 0, n));
  };
  if (perIndex) {
    for (const p of input.pods) noteIndexFailures(podIndex(p), Number(p.metadata?.annotations?.[JOB_INDEX_FAILURE_COUNT] ?? 0) || 0);
  }

  // 1. Newly finished pods.
  const newSucceeded: Pod[] = [];
  const newFailed: Pod[] = [];
  let recordedNew = false;
  let failJobMessage: string | undefined;
  for (const pod of input.pods) {
    const uid = pod.metadata?.uid ?? '';
    if (!hasTrackingFinalizer(pod) || removed.has(uid)) continue;
    if (uncountedSucceeded.has(uid) || uncountedFailed.has(uid)) {
      plan.removeFinalizers.push(pod);
      continue;
    }
    const ix = indexed ? podIndex(pod) : undefined;
    const validIx = ix !== undefined && ix < limit;
    if (pod.status?.phase === 'Succeeded') {
      plan.removeFinalizers.push(pod);
      if (indexed) {
        if (!validIx || succeededIdx.has(ix) || failedIdx.has(ix)) continue; // a duplicate or stray: not counted
        succeededIdx.add(ix);
      }
      uncountedSucceeded.add(uid);
      newSucceeded.push(pod);
      recordedNew = true;
      continue;
    }
    const failingNow = !!failingTarget && !isTerminal(pod) && !!pod.metadata?.deletionTimestamp;
    if (isFailedPod(pod) || failingNow) {
      plan.removeFinalizers.push(pod);
      if (successTarget && pod.status?.phase !== 'Failed') continue; // lingering pods removed after success
      const match = pod.status?.phase === 'Failed' ? matchPodFailurePolicy(spec.podFailurePolicy, pod) : undefined;
      if (match?.action === 'Ignore') continue;
      if (match?.action === 'FailJob') failJobMessage ??= match.message;
      if (perIndex && validIx) {
        const count = (Number(pod.metadata?.annotations?.[JOB_INDEX_FAILURE_COUNT] ?? 0) || 0) + 1;
        noteIndexFailures(ix, count);
        if (match?.action === 'FailIndex' || count > (spec.backoffLimitPerIndex ?? 0)) {
          if (!succeededIdx.has(ix)) failedIdx.add(ix);
        }
      }
      uncountedFailed.add(uid);
      newFailed.push(pod);
      recordedNew = true;
    }
  }

  plan.backoff = updateBackoff(input.backoff, newSucceeded, newFailed, now);

  if (recordedNew && plan.removeFinalizers.length > 0) {
    const interim: JobStatus = structuredClone(old);
    interim.uncountedTerminatedPods = { succeeded: [...uncountedSucceeded], failed: [...uncountedFailed] };
    if (!interim.uncountedTerminatedPods.succeeded!.length) delete interim.uncountedTerminatedPods.succeeded;
    if (!interim.uncountedTerminatedPods.failed!.length) delete interim.uncountedTerminatedPods.failed;
    if (indexed) setIndexes(interim, succeededIdx, failedIdx, perIndex);
    plan.interimStatus = interim;
  }

  // 2. Counters: every uncounted pod is finalized once this sync's finalizer removals are done.
  const succeeded = (old.succeeded ?? 0) + uncountedSucceeded.size;
  const failed = (old.failed ?? 0) + uncountedFailed.size;
  status.uncountedTerminatedPods = {};
  setCount(status, 'succeeded', succeeded);
  setCount(status, 'failed', failed);
  if (indexed) setIndexes(status, succeededIdx, failedIdx, perIndex);

  let active = input.pods.filter(isActive);
  const terminating = input.pods.filter((p) => !isTerminal(p) && !!p.metadata?.deletionTimestamp);
  let terminatingCount = terminating.length;

  // 3. Start time and suspension.
  if (suspended) {
    if (!failingTarget && !successTarget && setCondition(status, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now)) {
      events.push({ type: 'Normal', reason: 'Suspended', message: 'Job suspended' });
    }
  } else {
    if (setCondition(status, 'Suspended', 'False', 'JobResumed', 'Job resumed', now)) {
      events.push({ type: 'Normal', reason: 'Resumed', message: 'Job resumed' });
      // The deadline counts the time a Job is continuously active.
      status.startTime = rfc3339(now);
    }
    status.startTime ??= rfc3339(now);
  }

  // 4. Has it failed or succeeded?
  let finish: { type: 'Failed' | 'Complete'; reason: string; message: string } | undefined;
  const requeue: number[] = [];
  const ads = spec.activeDeadlineSeconds;
  if (failingTarget) {
    finish = { type: 'Failed', reason: failingTarget.reason ?? '', message: failingTarget.message ?? '' };
  } else if (successTarget) {
    finish = { type: 'Complete', reason: successTarget.reason ?? 'CompletionsReached', message: successTarget.message ?? 'Reached expected number of succeeded pods' };
  } else if (failJobMessage) {
    finish = { type: 'Failed', reason: 'PodFailurePolicy', message: failJobMessage };
  } else if (perIndex && typeof spec.maxFailedIndexes === 'number' && failedIdx.size > spec.maxFailedIndexes) {
    finish = { type: 'Failed', reason: 'MaxFailedIndexesExceeded', message: 'Job has exceeded the specified maximal number of failed indexes' };
  } else if (!perIndex && (failed > backoffLimit || pastBackoffLimitOnFailure(job, active, backoffLimit))) {
    finish = { type: 'Failed', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
  } else if (!suspended && typeof ads === 'number' && status.startTime && now - Date.parse(status.startTime) >= ads * 1000) {
    finish = { type: 'Failed', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' };
  } else if (perIndex && completions !== null && failedIdx.size > 0 && succeededIdx.size + failedIdx.size >= completions) {
    finish = { type: 'Failed', reason: 'FailedIndexes', message: 'Job has failed indexes' };
  } else {
    let complete: boolean;
    if (completions === null) complete = succeeded > 0 && active.length === 0;
    else if (indexed) complete = succeededIdx.size >= completions;
    else complete = succeeded >= completions;
    if (complete) finish = { type: 'Complete', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' };
    if (!suspended && typeof ads === 'number' && status.startTime) {
      requeue.push(Date.parse(status.startTime) + ads * 1000 - now);
    }
  }

  // 5. Act.
  if (finish) {
    const target = finish.type === 'Failed' ? 'FailureTarget' : 'SuccessCriteriaMet';
    setCondition(status, target, 'True', finish.reason, finish.message, now);
    for (const pod of active) plan.delete.push({ pod, removeFinalizerFirst: finish.type === 'Complete' });
    terminatingCount += active.length;
    const stillRunning = active.length > 0 || terminating.length > 0;
    if (!stillRunning) {
      setCondition(status, finish.type, 'True', finish.reason, finish.message, now);
      if (finish.type === 'Complete') {
        status.completionTime = rfc3339(now);
        events.push({ type: 'Normal', reason: 'Completed', message: 'Job completed' });
      } else {
        events.push({ type: 'Warning', reason: finish.reason, message: finish.message });
      }
    }
    active = [];
  } else if (suspended) {
    for (const pod of active) plan.delete.push({ pod, removeFinalizerFirst: true });
    terminatingCount += active.length;
    active = [];
  } else if (input.canManage !== false) {
    const kept = indexed
      ? manageIndexed(input, active, terminating, succeededIdx, failedIdx, indexFailures, onlyReplaceFailed, plan)
      : manageNonIndexed(active, terminating.length, succeeded, completions, parallelism, onlyReplaceFailed, plan);
    terminatingCount += active.length - kept.length;
    active = kept;
    if (plan.create.length > 0) {
      const wait = remainingBackoffMs(plan.backoff, now, input.backoffBaseMs ?? DEFAULT_BACKOFF_MS, input.backoffMaxMs ?? MAX_BACKOFF_MS);
      if (wait > 0) {
        plan.create = [];
        requeue.push(wait);
      }
    }
  }

  setCount(status, 'active', active.length + plan.create.length);
  status.ready = active.filter(isReady).length;
  status.terminating = terminatingCount;
  if (requeue.length) plan.requeueAfterMs = Math.max(0, Math.min(...requeue));
  plan.statusChanged = !deepEqual(old, status);
  return plan;
}

function setIndexes(status: JobStatus, succeeded: Set<number>, failed: Set<number>, perIndex: boolean): void {
  const c = formatIndexes(succeeded);
  if (c) status.completedIndexes = c;
  else delete status.completedIndexes;
  if (perIndex) status.failedIndexes = formatIndexes(failed);
}

/** restartPolicy OnFailure: container restarts of running pods count against backoffLimit. */
function pastBackoffLimitOnFailure(job: Job, active: Pod[], backoffLimit: number): boolean {
  if (job.spec?.template?.spec?.restartPolicy !== 'OnFailure') return false;
  let n = 0;
  for (const p of active) {
    const phase = p.status?.phase;
    if (phase === 'Running' || phase === 'Pending') n += restarts(p);
  }
  return backoffLimit === 0 ? n > 0 : n >= backoffLimit;
}

/** NonIndexed: keep min(parallelism, remaining completions) pods running. Returns the pods kept. */
function manageNonIndexed(
  active: Pod[],
  terminating: number,
  succeeded: number,
  completions: number | null,
  parallelism: number,
  onlyReplaceFailed: boolean,
  plan: JobPlan,
): Pod[] {
  let want: number;
  if (completions === null) {
    // Work-queue semantics: once any pod succeeded, start no more; let the others finish.
    want = succeeded > 0 ? active.length : parallelism;
  } else {
    want = Math.max(0, Math.min(completions - succeeded, parallelism));
  }
  if (active.length > want) {
    const ranked = [...active].sort(deletionRank);
    const surplus = ranked.slice(0, active.length - want);
    for (const pod of surplus) plan.delete.push({ pod, removeFinalizerFirst: true });
    const gone = new Set(surplus);
    return active.filter((p) => !gone.has(p));
  }
  const n = want - active.length - (onlyReplaceFailed ? terminating : 0);
  for (let i = 0; i < n; i++) plan.create.push({});
  return active;
}

/** Indexed: one pod per unfinished index, lowest indexes first, at most parallelism at once. */
function manageIndexed(
  input: JobSyncInput,
  active: Pod[],
  terminating: Pod[],
  succeededIdx: Set<number>,
  failedIdx: Set<number>,
  indexFailures: Map<number, number>,
  onlyReplaceFailed: boolean,
  plan: JobPlan,
): Pod[] {
  const spec = input.job.spec!;
  const completions = spec.completions ?? 0;
  const parallelism = spec.parallelism ?? 1;
  const byIndex = new Map<number, Pod[]>();
  const drop: Pod[] = [];
  for (const p of active) {
    const ix = podIndex(p);
    if (ix === undefined || ix >= completions || succeededIdx.has(ix) || failedIdx.has(ix)) drop.push(p);
    else {
      const list = byIndex.get(ix) ?? [];
      list.push(p);
      byIndex.set(ix, list);
    }
  }
  // Duplicates of an index: keep the most progressed one.
  for (const list of byIndex.values()) {
    if (list.length < 2) continue;
    list.sort(deletionRank);
    drop.push(...list.slice(0, -1));
  }
  let kept = active.filter((p) => !drop.includes(p));
  // Over parallelism (it may have been lowered): drop the highest indexes.
  if (kept.length > parallelism) {
    const sorted = [...kept].sort((a, b) => podIndex(b)! - podIndex(a)!);
    const surplus = sorted.slice(0, kept.length - parallelism);
    drop.push(...surplus);
    kept = kept.filter((p) => !surplus.includes(p));
  }
  for (const pod of drop) plan.delete.push({ pod, removeFinalizerFirst: true });

  const busy = new Set(kept.map((p) => podIndex(p)!));
  if (onlyReplaceFailed) for (const p of terminating) if (podIndex(p) !== undefined) busy.add(podIndex(p)!);
  const remaining = completions - succeededIdx.size - failedIdx.size;
  const want = Math.max(0, Math.min(parallelism, remaining));
  let n = want - kept.length - (onlyReplaceFailed ? terminating.length : 0);
  for (let ix = 0; ix < completions && n > 0; ix++) {
    if (succeededIdx.has(ix) || failedIdx.has(ix) || busy.has(ix)) continue;
    const c: PodCreate = { index: ix };
    if (typeof spec.backoffLimitPerIndex === 'number') c.indexFailureCount = indexFailures.get(ix) ?? 0;
    plan.create.push(c);
    n--;
  }
  return kept;
}
