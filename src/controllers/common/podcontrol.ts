// Pod control: create pods from a template on behalf of an owner, delete pods; events as upstream
// (SuccessfulCreate / FailedCreate / SuccessfulDelete / FailedDelete).

import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/registry.js';
import { clone } from '../../api/objects.js';
import { PODS, isNotFound, type EventRecorder, type ResourceClient, type RestClient } from '../../client/index.js';
import { controllerRef, type OwnerKind } from './keys.js';

/** The pod an owner's template describes: generateName `<owner>-`, the owner's controller reference. */
export function podFromTemplate(template: PodTemplateSpec, owner: KubeObject, kind: OwnerKind): Pod {
  const meta = template.metadata ?? {};
  const ownerName = owner.metadata?.name ?? '';
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${ownerName}-`,
      namespace: owner.metadata?.namespace ?? 'default',
      ...(meta.labels ? { labels: { ...meta.labels } } : {}),
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ...(meta.finalizers ? { finalizers: [...meta.finalizers] } : {}),
      ownerReferences: [controllerRef(owner, kind)],
    },
    spec: clone(template.spec ?? { containers: [] }),
  };
  return pod;
}

export interface PodControlOptions {
  client: RestClient;
  recorder?: EventRecorder;
}

export class PodControl {
  readonly pods: ResourceClient<Pod & KubeObject>;
  private readonly recorder: EventRecorder | undefined;

  constructor(opts: PodControlOptions) {
    this.pods = opts.client.resource<Pod & KubeObject>(PODS);
    this.recorder = opts.recorder;
  }

  /** Create one pod from `template` owned (as controller) by `owner`. */
  async createPod(template: PodTemplateSpec, owner: KubeObject, kind: OwnerKind): Promise<Pod> {
    const pod = podFromTemplate(template, owner, kind);
    if (!Object.keys(pod.metadata?.labels ?? {}).length) throw new Error('unable to create pods, no labels');
    try {
      const created = await this.pods.create(pod.metadata!.namespace!, pod as Pod & KubeObject);
      this.recorder?.event(owner, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name}`);
      return created;
    } catch (err) {
      this.recorder?.event(owner, 'Warning', 'FailedCreate', `Error creating: ${errorMessage(err)}`);
      throw err;
    }
  }

  /** Delete a pod; a pod already gone counts as deleted (returns false). */
  async deletePod(namespace: string, name: string, owner: KubeObject): Promise<boolean> {
    try {
      await this.pods.delete(namespace, name);
      this.recorder?.event(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      this.recorder?.event(owner, 'Warning', 'FailedDelete', `Error deleting: ${errorMessage(err)}`);
      throw err;
    }
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
