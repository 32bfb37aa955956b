// The pod a Job creates: its template, the Job as controller owner, the tracking finalizer and,
// for Indexed Jobs, the completion index (annotation, label, hostname, JOB_COMPLETION_INDEX env).

import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/registry.js';
import { podFromTemplate, type OwnerKind } from '../common/index.js';
import { JOB_COMPLETION_INDEX, JOB_INDEX_FAILURE_COUNT, JOB_TRACKING_FINALIZER, type PodCreate } from './reconcile.js';

export const JOB_KIND: OwnerKind = { apiVersion: 'batch/v1', kind: 'Job' };

function addIndexEnv(containers: Container[] | undefined): void {
  for (const c of containers ?? []) {
    const env = (c.env ??= []);
    if (env.some((e) => e.name === 'JOB_COMPLETION_INDEX')) continue;
    env.push({ name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${JOB_COMPLETION_INDEX}']` } } });
  }
}

export function podForJob(job: Job, create: PodCreate): Pod {
  const pod = podFromTemplate(job.spec?.template ?? {}, job as KubeObject, JOB_KIND);
  const meta = pod.metadata!;
  meta.finalizers = [...(meta.finalizers ?? []).filter((f) => f !== JOB_TRACKING_FINALIZER), JOB_TRACKING_FINALIZER];
  if (create.index !== undefined) {
    const ix = String(create.index);
    const name = job.metadata?.name ?? '';
    meta.generateName = `${name}-${ix}-`;
    meta.annotations = { ...meta.annotations, [JOB_COMPLETION_INDEX]: ix };
    meta.labels = { ...meta.labels, [JOB_COMPLETION_INDEX]: ix };
    if (create.indexFailureCount !== undefined) meta.annotations[JOB_INDEX_FAILURE_COUNT] = String(create.indexFailureCount);
    const spec = pod.spec!;
    spec.hostname ??= `${name}-${ix}`.slice(0, 63).replace(/-+$/, '');
    addIndexEnv(spec.containers);
    addIndexEnv(spec.initContainers);
  }
  return pod;
}
