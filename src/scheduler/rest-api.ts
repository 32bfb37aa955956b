// SchedulerApi over the REST client: bindings, victim deletion, pod status patches, events.

import type { Pod } from 'kubernetes-types/core/v1.js';
import { EventRecorder, PODS, isNotFound, type RestClient } from '../client/index.js';
import { rfc3339 } from '../api/objects.js';
import type { KubeObject } from '../api/registry.js';
import type { PodStatusPatch, SchedulerApi } from './scheduler.js';

export function restSchedulerApi(client: RestClient, recorder?: EventRecorder): SchedulerApi {
  const pods = client.resource<KubeObject>(PODS);
  return {
    async bind(pod, nodeName) {
      const name = pod.metadata!.name!;
      await pods.createSubresource(pod.metadata!.namespace, name, 'binding', {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name, namespace: pod.metadata!.namespace, ...(pod.metadata?.uid ? { uid: pod.metadata.uid } : {}) },
        target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
      });
    },
    async deletePod(pod) {
      try {
        await pods.delete(pod.metadata!.namespace, pod.metadata!.name!, pod.metadata?.uid ? { preconditions: { uid: pod.metadata.uid } } : {});
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    },
    async patchPodStatus(pod: Pod, p: PodStatusPatch) {
      const status: Record<string, unknown> = {};
      if (p.condition) {
        status.conditions = [{ ...p.condition, lastProbeTime: null, lastTransitionTime: rfc3339() }];
      }
      if (p.nominatedNodeName !== undefined) status.nominatedNodeName = p.nominatedNodeName;
      try {
        await pods.patch(pod.metadata!.namespace, pod.metadata!.name!, { status }, 'strategic', { subresource: 'status' });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    },
    event(pod, type, reason, message) {
      recorder?.event(pod as KubeObject, type, reason, message);
    },
  };
}
