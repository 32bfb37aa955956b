import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Job, JobSpec } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { NO_BACKOFF } from './backoff.js';
import { JOB_COMPLETION_INDEX, JOB_INDEX_FAILURE_COUNT, JOB_TRACKING_FINALIZER, reconcileJob, type JobSyncInput } from './reconcile.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
let seq = 0;

function job(spec: Partial<JobSpec> = {}, status: Job['status'] = {}): Job {
  return {
    metadata: { name: 'j', namespace: 'ns', uid: 'job-uid' },
    spec: { completions: 1, parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed', template: { spec: { restartPolicy: 'Never', containers: [] } }, ...spec },
    status,
  };
}

function pod(phase: string, opts: { index?: number; exit?: number; deleting?: boolean; ready?: boolean; finalizer?: boolean; failures?: number } = {}): Pod {
  const uid = `pod-${++seq}`;
  const annotations: Record<string, string> = {};
  if (opts.index !== undefined) annotations[JOB_COMPLETION_INDEX] = String(opts.index);
  if (opts.failures !== undefined) annotations[JOB_INDEX_FAILURE_COUNT] = String(opts.failures);
  return {
    metadata: {
      name: uid,
      namespace: 'ns',
      uid,
      annotations,
      finalizers: opts.finalizer === false ? [] : [JOB_TRACKING_FINALIZER],
      ...(opts.deleting ? { deletionTimestamp: new Date(NOW).toISOString() } : {}),
    },
    status: {
      phase,
      conditions: opts.ready ? [{ type: 'Ready', status: 'True' }] : [],
      containerStatuses:
        opts.exit === undefined
          ? []
          : [{ name: 'main', image: 'i', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: opts.exit, finishedAt: new Date(NOW - 1000).toISOString() } } }],
    },
  };
}

const sync = (j: Job, pods: Pod[], extra: Partial<JobSyncInput> = {}) => reconcileJob({ job: j, pods, now: NOW, backoff: NO_BACKOFF, ...extra });
const conds = (s: Job['status']) => (s?.conditions ?? []).filter((c) => c.status === 'True').map((c) => `${c.type}:${c.reason}`);

describe('job reconcile: NonIndexed', () => {
  it('creates min(parallelism, completions) pods and sets startTime', () => {
    const p = sync(job({ completions: 5, parallelism: 3 }), []);
    assert.equal(p.create.length, 3);
    assert.equal(p.status.active, 3);
    assert.equal(p.status.startTime, '2026-01-01T00:00:00Z');
    assert.equal(p.status.ready, 0);
    assert.equal(p.status.terminating, 0);
  });

  it('records a finished pod as uncounted first, then counts it after removing the finalizer', () => {
    const done = pod('Succeeded', { exit: 0 });
    const running = pod('Running', { ready: true });
    const p = sync(job({ completions: 3, parallelism: 2 }, { startTime: 'x', active: 2 }), [done, running]);
    assert.deepEqual(p.interimStatus?.uncountedTerminatedPods, { succeeded: [done.metadata!.uid] });
    assert.deepEqual(p.removeFinalizers, [done]);
    assert.equal(p.status.succeeded, 1);
    assert.deepEqual(p.status.uncountedTerminatedPods, {});
    assert.equal(p.create.length, 1);
    assert.equal(p.status.active, 2);
    assert.equal(p.status.ready, 1);
  });

  it('a pod already uncounted is only finalized; one whose finalizer we removed is not counted twice', () => {
    const done = pod('Succeeded');
    const j = job({ completions: 2 }, { startTime: 'x', uncountedTerminatedPods: { succeeded: [done.metadata!.uid!] } });
    const p = sync(j, [done]);
    assert.equal(p.interimStatus, undefined);
    assert.deepEqual(p.removeFinalizers, [done]);
    assert.equal(p.status.succeeded, 1);
    const p2 = sync(job({ completions: 2 }, { startTime: 'x', succeeded: 1 }), [done], { finalizerRemoved: new Set([done.metadata!.uid!]) });
    assert.equal(p2.status.succeeded, 1);
    assert.equal(p2.removeFinalizers.length, 0);
  });

  it('completes with SuccessCriteriaMet and Complete when all completions succeeded', () => {
    const p = sync(job({ completions: 1 }, { startTime: 'x', active: 1 }), [pod('Succeeded', { exit: 0 })]);
    assert.deepEqual(conds(p.status), ['SuccessCriteriaMet:CompletionsReached', 'Complete:CompletionsReached']);
    assert.equal(p.status.completionTime, '2026-01-01T00:00:00Z');
    assert.equal(p.status.active, undefined);
    assert.deepEqual(p.events, [{ type: 'Normal', reason: 'Completed', message: 'Job completed' }]);
    assert.equal(p.create.length, 0);
  });

  it('work queue (nil completions): no new pods after the first success; complete when all are done', () => {
    const j = job({ completions: null as never, parallelism: 3 }, { startTime: 'x' });
    const running = pod('Running');
    const p = sync(j, [pod('Succeeded'), running]);
    assert.equal(p.create.length, 0);
    assert.equal(p.delete.length, 0);
    assert.deepEqual(conds(p.status), []);
    const p2 = sync(job({ completions: null as never, parallelism: 3 }, { startTime: 'x', succeeded: 1 }), [pod('Succeeded', { finalizer: false })]);
    assert.deepEqual(conds(p2.status), ['SuccessCriteriaMet:CompletionsReached', 'Complete:CompletionsReached']);
    const p3 = sync(job({ completions: null as never, parallelism: 3 }), []);
    assert.equal(p3.create.length, 3);
  });

  it('backs off before recreating failed pods, and fails past backoffLimit', () => {
    const f1 = pod('Failed', { exit: 1 });
    const p = sync(job({ backoffLimit: 2 }, { startTime: 'x', active: 1 }), [f1]);
    assert.equal(p.status.failed, 1);
    assert.equal(p.create.length, 0);
    assert.equal(p.requeueAfterMs, 9000); // finished 1 s ago, 10 s backoff
    assert.equal(p.backoff.failuresAfterLastSuccess, 1);
    const later = sync(job({ backoffLimit: 2 }, { startTime: 'x', failed: 1 }), [], { backoff: p.backoff, now: NOW + 20_000 });
    assert.equal(later.create.length, 1);

    const p3 = sync(job({ backoffLimit: 2 }, { startTime: 'x', failed: 2 }), [pod('Failed', { exit: 1 })]);
    assert.equal(p3.status.failed, 3);
    assert.deepEqual(conds(p3.status), ['FailureTarget:BackoffLimitExceeded', 'Failed:BackoffLimitExceeded']);
    assert.equal(p3.status.completionTime, undefined);
    assert.deepEqual(p3.events, [{ type: 'Warning', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }]);
  });

  it('OnFailure: container restarts count against backoffLimit', () => {
    const j = job({ backoffLimit: 2, template: { spec: { restartPolicy: 'OnFailure', containers: [] } } }, { startTime: 'x', active: 1 });
    const running = pod('Running');
    running.status!.containerStatuses = [{ name: 'c', image: 'i', imageID: '', ready: false, restartCount: 2 }];
    const p = sync(j, [running]);
    assert.deepEqual(conds(p.status), ['FailureTarget:BackoffLimitExceeded']);
    assert.deepEqual(p.delete.map((d) => d.pod), [running]);
    assert.equal(p.delete[0]!.removeFinalizerFirst, false);
  });

  it('activeDeadlineSeconds: requeues at the deadline, then fails with DeadlineExceeded after its pods are gone', () => {
    const start = new Date(NOW - 30_000).toISOString();
    const p = sync(job({ activeDeadlineSeconds: 60 }, { startTime: start, active: 1 }), [pod('Running')]);
    assert.equal(p.requeueAfterMs, 30_000);
    const running = pod('Running');
    const p2 = sync(job({ activeDeadlineSeconds: 60 }, { startTime: start, active: 1 }), [running], { now: NOW + 30_000 });
    assert.deepEqual(conds(p2.status), ['FailureTarget:DeadlineExceeded']);
    assert.equal(p2.delete.length, 1);
    assert.equal(p2.status.terminating, 1);
    // Next sync: the pod is terminating (counted failed, finalizer removed); then gone → Failed.
    const failing = p2.status;
    const terminating = { ...running, metadata: { ...running.metadata, deletionTimestamp: new Date(NOW + 30_000).toISOString() } };
    const p3 = sync({ ...job({ activeDeadlineSeconds: 60 }), status: failing }, [terminating], { now: NOW + 31_000 });
    assert.equal(p3.status.failed, 1);
    assert.deepEqual(p3.removeFinalizers, [terminating]);
    assert.deepEqual(conds(p3.status), ['FailureTarget:DeadlineExceeded']);
    const p4 = sync({ ...job({ activeDeadlineSeconds: 60 }), status: p3.status }, [], { now: NOW + 32_000 });
    assert.deepEqual(conds(p4.status), ['FailureTarget:DeadlineExceeded', 'Failed:DeadlineExceeded']);
  });

  it('podFailurePolicy: FailJob fails at once, Ignore does not count', () => {
    const policy = {
      rules: [
        { action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } },
        { action: 'Ignore', onExitCodes: { operator: 'In', values: [7] } },
      ],
    };
    const ignored = pod('Failed', { exit: 7 });
    const p = sync(job({ podFailurePolicy: policy, backoffLimit: 0 }, { startTime: 'x' }), [ignored]);
    assert.equal(p.status.failed, undefined);
    assert.deepEqual(p.removeFinalizers, [ignored]);
    assert.equal(p.interimStatus, undefined);
    assert.equal(p.create.length, 1);
    const fatal = pod('Failed', { exit: 42 });
    const p2 = sync(job({ podFailurePolicy: policy }, { startTime: 'x' }), [fatal]);
    assert.deepEqual(conds(p2.status), ['FailureTarget:PodFailurePolicy', 'Failed:PodFailurePolicy']);
    assert.match(p2.status.conditions![0]!.message!, /Container main for pod ns\/pod-\d+ failed with exit code 42 matching FailJob rule at index 0/);
  });

  it('deletes surplus pods (least progressed first) without counting them as failures', () => {
    const ready = pod('Running', { ready: true });
    const pending = pod('Pending');
    const p = sync(job({ completions: 5, parallelism: 1 }, { startTime: 'x' }), [ready, pending]);
    assert.deepEqual(p.delete, [{ pod: pending, removeFinalizerFirst: true }]);
    assert.equal(p.status.active, 1);
  });

  it('terminating pods count as failed with TerminatingOrFailed; with Failed they are waited for', () => {
    const t = pod('Running', { deleting: true });
    const p = sync(job({ completions: 2, podReplacementPolicy: 'TerminatingOrFailed' }, { startTime: 'x' }), [t]);
    assert.equal(p.status.failed, 1);
    assert.equal(p.requeueAfterMs, 10_000); // replaced after the backoff
    assert.equal(p.status.terminating, 1);
    const p2 = sync(job({ completions: 2, podReplacementPolicy: 'Failed' }, { startTime: 'x' }), [t]);
    assert.equal(p2.status.failed, undefined);
    assert.equal(p2.create.length, 0);
  });

  it('suspend deletes active pods and sets Suspended; resume resets startTime', () => {
    const r = pod('Running');
    const p = sync(job({ suspend: true }, { startTime: 'x', active: 1 }), [r]);
    assert.deepEqual(p.delete, [{ pod: r, removeFinalizerFirst: true }]);
    assert.deepEqual(conds(p.status), ['Suspended:JobSuspended']);
    assert.equal(p.status.active, undefined);
    assert.equal(p.create.length, 0);
    const p2 = sync({ ...job(), status: p.status }, [], { now: NOW + 5000 });
    assert.equal(p2.status.conditions![0]!.status, 'False');
    assert.equal(p2.status.conditions![0]!.reason, 'JobResumed');
    assert.equal(p2.status.startTime, '2026-01-01T00:00:05Z');
    assert.equal(p2.create.length, 1);
    // Created suspended: no startTime, no pods.
    const p3 = sync(job({ suspend: true }), []);
    assert.equal(p3.status.startTime, undefined);
    assert.equal(p3.create.length, 0);
  });

  it('creates nothing while expectations are pending, but still tracks', () => {
    const p = sync(job({ completions: 3, parallelism: 3 }, { startTime: 'x' }), [pod('Succeeded')], { canManage: false });
    assert.equal(p.create.length, 0);
    assert.equal(p.status.succeeded, 1);
  });

  it('a finished Job only releases finalizers', () => {
    const left = pod('Failed');
    const p = sync(job({}, { conditions: [{ type: 'Failed', status: 'True' }] }), [left]);
    assert.equal(p.finished, true);
    assert.deepEqual(p.removeFinalizers, [left]);
    assert.equal(p.statusChanged, false);
  });
});

describe('job reconcile: Indexed', () => {
  const indexed = (spec: Partial<JobSpec> = {}, status: Job['status'] = { startTime: 'x' }) => job({ completionMode: 'Indexed', completions: 5, parallelism: 2, ...spec }, status);

  it('creates the lowest missing indexes up to parallelism', () => {
    const p = sync(indexed(), [pod('Running', { index: 0 })]);
    assert.deepEqual(p.create, [{ index: 1 }]);
  });

  it('tracks completedIndexes in range form and completes when every index succeeded', () => {
    const pods = [pod('Succeeded', { index: 3 }), pod('Succeeded', { index: 4 }), pod('Succeeded', { index: 4 })];
    const p = sync(indexed({}, { startTime: 'x', completedIndexes: '1', succeeded: 1 }), pods);
    assert.equal(p.interimStatus?.completedIndexes, '1,3,4');
    assert.equal(p.status.completedIndexes, '1,3,4');
    assert.equal(p.status.succeeded, 3); // the duplicate index 4 is not counted
    assert.deepEqual(p.create, [{ index: 0 }, { index: 2 }]);
    const p2 = sync(indexed({}, { startTime: 'x', completedIndexes: '0-3', succeeded: 4 }), [pod('Succeeded', { index: 4 })]);
    assert.equal(p2.status.completedIndexes, '0-4');
    assert.deepEqual(conds(p2.status), ['SuccessCriteriaMet:CompletionsReached', 'Complete:CompletionsReached']);
  });

  it('deletes duplicate, out-of-range and already-completed index pods', () => {
    const a = pod('Running', { index: 1, ready: true });
    const dup = pod('Pending', { index: 1 });
    const out = pod('Running', { index: 9 });
    const done = pod('Running', { index: 0 });
    const p = sync(indexed({}, { startTime: 'x', completedIndexes: '0', succeeded: 1 }), [a, dup, out, done]);
    assert.deepEqual(new Set(p.delete.map((d) => d.pod)), new Set([dup, out, done]));
    assert.deepEqual(p.create, [{ index: 2 }]);
  });

  it('backoffLimitPerIndex: an index fails after its own limit; FailIndex fails it at once', () => {
    const spec = {
      backoffLimitPerIndex: 1,
      backoffLimit: 2147483647,
      podFailurePolicy: { rules: [{ action: 'FailIndex', onExitCodes: { operator: 'In', values: [3] } }] },
    };
    const p = sync(indexed(spec, { startTime: 'x', failedIndexes: '' }), [pod('Failed', { index: 0, exit: 1 }), pod('Failed', { index: 1, exit: 1, failures: 1 }), pod('Failed', { index: 2, exit: 3 })], {
      now: NOW + 60_000,
    });
    assert.equal(p.status.failedIndexes, '1,2');
    assert.equal(p.status.failed, 3);
    assert.deepEqual(p.create, [{ index: 0, indexFailureCount: 1 }, { index: 3, indexFailureCount: 0 }]);
    const p2 = sync(indexed({ ...spec, maxFailedIndexes: 1 }, { startTime: 'x', failedIndexes: '1,2', failed: 3 }), []);
    assert.deepEqual(conds(p2.status), ['FailureTarget:MaxFailedIndexesExceeded', 'Failed:MaxFailedIndexesExceeded']);
  });
});
