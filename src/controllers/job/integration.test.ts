import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/registry.js';
import { JOBS, PODS, isNotFound, type ResourceClient } from '../../client/index.js';
import { eventually, startTestServer, type TestServer } from '../../client/testing/server.js';
import { runControllers, type RunningControllers } from '../testing.js';
import { newJobController } from './controller.js';
import { JOB_COMPLETION_INDEX, JOB_TRACKING_FINALIZER } from './reconcile.js';
import { finishPod } from './testing.js';
import { newTtlAfterFinishedController } from './ttl.js';

type JobObj = Job & KubeObject;
type PodObj = Pod & KubeObject;

let server: TestServer;
let h: RunningControllers;
let jobs: ResourceClient<JobObj>;
let pods: ResourceClient<PodObj>;

before(async () => {
  server = await startTestServer();
  h = await runControllers(server.kubeconfig, [newJobController({ backoffBaseMs: 50, backoffMaxMs: 200 }), newTtlAfterFinishedController()]);
  jobs = h.client.resource<JobObj>(JOBS);
  pods = h.client.resource<PodObj>(PODS);
});
after(async () => {
  await h?.stop();
  await server?.stop();
});

function newJob(name: string, spec: Partial<NonNullable<Job['spec']>> = {}): JobObj {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] } }, ...spec },
  };
}

const jobPods = async (name: string) => (await pods.list('default', { labelSelector: `batch.kubernetes.io/job-name=${name}` })).items;
const cond = (j: Job, type: string) => j.status?.conditions?.find((c) => c.type === type && c.status === 'True');

/** Play kubelet until the Job finishes: every pod that is not yet terminal ends with `exit(pod)`. */
async function playKubelet(name: string, exit: (pod: Pod) => number, timeoutMs = 20_000): Promise<JobObj> {
  let job!: JobObj;
  await eventually(
    async () => {
      job = await jobs.get('default', name);
      if (cond(job, 'Complete') || cond(job, 'Failed')) return true;
      for (const p of await jobPods(name)) {
        const phase = p.status?.phase;
        if (phase === 'Succeeded' || phase === 'Failed' || p.metadata?.deletionTimestamp) continue;
        await finishPod(h.client, p, exit(p)).catch(() => {});
      }
      return false;
    },
    timeoutMs,
    `job ${name} to finish`,
  );
  return job;
}

describe('job controller against a real API server', () => {
  it('runs a Job to completion', async () => {
    await jobs.create('default', newJob('ok', { completions: 3, parallelism: 2 }));
    await eventually(async () => (await jobPods('ok')).length === 2, 10_000, 'two pods');
    const first = await jobPods('ok');
    for (const p of first) {
      assert.ok(p.metadata?.finalizers?.includes(JOB_TRACKING_FINALIZER));
      assert.equal(p.metadata?.ownerReferences?.[0]?.kind, 'Job');
    }
    const job = await playKubelet('ok', () => 0);
    assert.ok(cond(job, 'Complete'), JSON.stringify(job.status));
    assert.ok(cond(job, 'SuccessCriteriaMet'));
    assert.equal(job.status?.succeeded, 3);
    assert.equal(job.status?.failed, undefined);
    assert.equal(job.status?.active, undefined);
    assert.ok(job.status?.completionTime && job.status.startTime);
    assert.deepEqual(job.status?.uncountedTerminatedPods, {});
    await eventually(async () => (await jobPods('ok')).every((p) => !p.metadata?.finalizers?.includes(JOB_TRACKING_FINALIZER)), 5000, 'finalizers removed');
    assert.equal((await jobPods('ok')).length, 3);
  });

  it('stops a failing Job at backoffLimit', async () => {
    await jobs.create('default', newJob('bad', { backoffLimit: 2 }));
    const job = await playKubelet('bad', () => 1);
    const failed = cond(job, 'Failed');
    assert.equal(failed?.reason, 'BackoffLimitExceeded', JSON.stringify(job.status));
    assert.equal(failed?.message, 'Job has reached the specified backoff limit');
    assert.equal(cond(job, 'FailureTarget')?.reason, 'BackoffLimitExceeded');
    assert.equal(job.status?.failed, 3);
    assert.equal((await jobPods('bad')).length, 3);
  });

  it('runs an Indexed Job: one pod per index, completedIndexes', async () => {
    await jobs.create('default', newJob('idx', { completions: 4, parallelism: 4, completionMode: 'Indexed' }));
    await eventually(async () => (await jobPods('idx')).length === 4, 10_000, 'four pods');
    const ps = await jobPods('idx');
    assert.deepEqual(ps.map((p) => p.metadata?.annotations?.[JOB_COMPLETION_INDEX]).sort(), ['0', '1', '2', '3']);
    for (const p of ps) {
      const ix = p.metadata!.annotations![JOB_COMPLETION_INDEX]!;
      assert.match(p.metadata!.name!, new RegExp(`^idx-${ix}-[a-z0-9]{5}$`));
      assert.equal(p.metadata?.labels?.[JOB_COMPLETION_INDEX], ix);
      assert.equal(p.spec?.hostname, `idx-${ix}`);
    }
    // Index 2 fails once, then is retried.
    let failedOnce = false;
    const job = await playKubelet('idx', (p) => {
      if (p.metadata?.annotations?.[JOB_COMPLETION_INDEX] === '2' && !failedOnce) {
        failedOnce = true;
        return 1;
      }
      return 0;
    });
    assert.ok(cond(job, 'Complete'), JSON.stringify(job.status));
    assert.equal(job.status?.completedIndexes, '0-3');
    assert.equal(job.status?.succeeded, 4);
    assert.equal(job.status?.failed, 1);
  });

  it('fails a Job past activeDeadlineSeconds and deletes its pods', async () => {
    await jobs.create('default', newJob('slow', { activeDeadlineSeconds: 1, parallelism: 2, completions: 2 }));
    await eventually(async () => (await jobPods('slow')).length === 2, 10_000, 'two pods');
    await eventually(async () => !!cond(await jobs.get('default', 'slow'), 'Failed'), 10_000, 'deadline');
    const job = await jobs.get('default', 'slow');
    assert.equal(cond(job, 'Failed')?.reason, 'DeadlineExceeded');
    await eventually(async () => (await jobPods('slow')).length === 0, 5000, 'pods deleted');
    assert.equal(job.status?.failed, 2);
  });

  it('suspends and resumes', async () => {
    await jobs.create('default', newJob('sus', { suspend: true }));
    await eventually(async () => !!cond(await jobs.get('default', 'sus'), 'Suspended'), 5000, 'Suspended');
    assert.equal((await jobPods('sus')).length, 0);
    await jobs.patch('default', 'sus', { spec: { suspend: false } });
    await eventually(async () => (await jobPods('sus')).length === 1, 5000, 'a pod after resume');
    await jobs.patch('default', 'sus', { spec: { suspend: true } });
    await eventually(async () => (await jobPods('sus')).length === 0, 5000, 'pod deleted on suspend');
    const job = await jobs.get('default', 'sus');
    assert.equal(job.status?.failed, undefined);
  });

  it('deletes a finished Job after ttlSecondsAfterFinished', async () => {
    await jobs.create('default', newJob('ttl', { ttlSecondsAfterFinished: 1 }));
    await playKubelet('ttl', () => 0);
    await eventually(
      async () => {
        try {
          await jobs.get('default', 'ttl');
          return false;
        } catch (err) {
          return isNotFound(err);
        }
      },
      10_000,
      'job deleted by TTL',
    );
  });
});
