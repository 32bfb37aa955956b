import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/registry.js';
import { CRON_JOBS, JOBS, PODS, type ResourceClient } from '../../client/index.js';
import { eventually, startTestServer, type TestServer } from '../../client/testing/server.js';
import { runControllers, type RunningControllers } from '../testing.js';
import { newJobController } from '../job/controller.js';
import { finishPod } from '../job/testing.js';
import { newCronJobController } from './controller.js';
import { CRONJOB_SCHEDULED_TIMESTAMP } from './reconcile.js';

type CronJobObj = CronJob & KubeObject;
type JobObj = Job & KubeObject;

let server: TestServer;
let h: RunningControllers;
let cronJobs: ResourceClient<CronJobObj>;
let jobs: ResourceClient<JobObj>;
/** The controller's clock runs this far ahead of the real one. */
let offset = 0;

before(async () => {
  server = await startTestServer();
  h = await runControllers(server.kubeconfig, [newCronJobController({ now: () => Date.now() + offset }), newJobController()]);
  cronJobs = h.client.resource<CronJobObj>(CRON_JOBS);
  jobs = h.client.resource<JobObj>(JOBS);
});
after(async () => {
  await h?.stop();
  await server?.stop();
});

function newCronJob(name: string, spec: Partial<NonNullable<CronJob['spec']>> = {}): CronJobObj {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name },
    spec: {
      schedule: '*/1 * * * *',
      timeZone: 'UTC',
      jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] } } } },
      ...spec,
    },
  };
}

const owned = async (cj: string) => (await jobs.list('default')).items.filter((j) => j.metadata?.ownerReferences?.[0]?.name === cj);

describe('cronjob controller against a real API server', () => {
  it('creates a Job exactly at the next start time (requeued, not polled) and tracks it to success', async () => {
    // Make the controller's clock reach the next minute two seconds from now.
    while (60_000 - (Date.now() % 60_000) < 3000) await new Promise((r) => setTimeout(r, 200));
    const real = Date.now();
    const boundary = Math.ceil(real / 60_000) * 60_000;
    offset = boundary - 2000 - real;
    await cronJobs.create('default', newCronJob('every'));
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal((await owned('every')).length, 0, 'nothing before the start time');
    await eventually(async () => (await owned('every')).length === 1, 5000, 'a job at the start time');
    const job = (await owned('every'))[0]!;
    assert.equal(job.metadata?.name, `every-${boundary / 60_000}`);
    assert.equal(job.metadata?.annotations?.[CRONJOB_SCHEDULED_TIMESTAMP], new Date(boundary).toISOString().replace('.000Z', 'Z'));
    assert.equal(job.metadata?.ownerReferences?.[0]?.controller, true);
    await eventually(async () => (await cronJobs.get('default', 'every')).status?.active?.length === 1, 5000, 'active ref');
    const cj = await cronJobs.get('default', 'every');
    assert.equal(cj.status?.active?.[0]?.name, job.metadata?.name);
    assert.equal(cj.status?.lastScheduleTime, new Date(boundary).toISOString().replace('.000Z', 'Z'));

    // Play kubelet: the Job's pod succeeds; the CronJob sees it complete.
    const pods = h.client.resource<Pod & KubeObject>(PODS);
    await eventually(async () => (await pods.list('default', { labelSelector: `batch.kubernetes.io/job-name=${job.metadata?.name}` })).items.length === 1, 5000, 'job pod');
    const [pod] = (await pods.list('default', { labelSelector: `batch.kubernetes.io/job-name=${job.metadata?.name}` })).items;
    await finishPod(h.client, pod!, 0);
    await eventually(
      async () => {
        const s = (await cronJobs.get('default', 'every')).status;
        return !s?.active?.length && !!s?.lastSuccessfulTime;
      },
      10_000,
      'lastSuccessfulTime and an empty active list',
    );
  });

  it('Forbid skips while a Job runs; history limits delete old finished Jobs', async () => {
    const real = Date.now();
    offset = Math.ceil(real / 60_000) * 60_000 + 1000 - real; // one second past a start time
    await cronJobs.create('default', newCronJob('forbid', { concurrencyPolicy: 'Forbid', successfulJobsHistoryLimit: 0 }));
    await eventually(async () => (await owned('forbid')).length === 1, 5000, 'first job');
    await eventually(async () => (await cronJobs.get('default', 'forbid')).status?.active?.length === 1, 5000, 'first job active');
    // A minute later the first Job still runs: Forbid starts nothing.
    offset += 60_000;
    await cronJobs.patch('default', 'forbid', { metadata: { annotations: { poke: '1' } } });
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await owned('forbid')).length, 1);
    // It finishes; with successfulJobsHistoryLimit 0 it is deleted, and the missed start runs.
    const first = (await owned('forbid'))[0]!;
    const pods = h.client.resource<Pod & KubeObject>(PODS);
    const [pod] = (await pods.list('default', { labelSelector: `batch.kubernetes.io/job-name=${first.metadata?.name}` })).items;
    await finishPod(h.client, pod!, 0);
    await eventually(
      async () => {
        const names = (await owned('forbid')).filter((j) => !j.metadata?.deletionTimestamp).map((j) => j.metadata?.name);
        return names.length === 1 && names[0] !== first.metadata?.name;
      },
      10_000,
      'old job deleted and the next one started',
    );
  });
});
