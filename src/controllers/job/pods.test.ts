import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from 'kubernetes-types/batch/v1.js';
import { podForJob } from './pods.js';
import { JOB_COMPLETION_INDEX, JOB_TRACKING_FINALIZER } from './reconcile.js';

const job: Job = {
  metadata: { name: 'pi', namespace: 'ns', uid: 'u1' },
  spec: { template: { metadata: { labels: { app: 'pi' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } },
};

describe('job pods', () => {
  it('NonIndexed: template, owner and tracking finalizer', () => {
    const p = podForJob(job, {});
    assert.equal(p.metadata?.generateName, 'pi-');
    assert.deepEqual(p.metadata?.finalizers, [JOB_TRACKING_FINALIZER]);
    assert.equal(p.metadata?.ownerReferences?.[0]?.uid, 'u1');
    assert.equal(p.metadata?.ownerReferences?.[0]?.controller, true);
    assert.equal(p.spec?.hostname, undefined);
  });
  it('Indexed: index annotation, label, hostname and env', () => {
    const p = podForJob(job, { index: 3 });
    assert.equal(p.metadata?.generateName, 'pi-3-');
    assert.equal(p.metadata?.annotations?.[JOB_COMPLETION_INDEX], '3');
    assert.equal(p.metadata?.labels?.[JOB_COMPLETION_INDEX], '3');
    assert.equal(p.metadata?.labels?.['app'], 'pi');
    assert.equal(p.spec?.hostname, 'pi-3');
    assert.deepEqual(p.spec?.containers[0]?.env, [
      { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } },
    ]);
    assert.equal(job.spec?.template.spec?.containers[0]?.env, undefined, 'template untouched');
  });
});
