// Test helper for the Job and CronJob controllers: play kubelet by writing pod status.

import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/registry.js';
import { PODS, isConflict, type RestClient } from '../../client/index.js';

/** Play kubelet: the pod ran to the end with this exit code (0: Succeeded, else Failed). */
export async function finishPod(client: RestClient, pod: Pod, exitCode: number): Promise<void> {
  const pods = client.resource<Pod & KubeObject>(PODS);
  const now = new Date().toISOString();
  const containerStatuses = (pod.spec?.containers ?? []).map((c) => ({
    name: c.name,
    image: c.image ?? '',
    imageID: '',
    ready: false,
    restartCount: 0,
    state: { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt: now, finishedAt: now } },
  }));
  let current = pod as Pod & KubeObject;
  for (let attempt = 0; ; attempt++) {
    try {
      await pods.updateStatus(current.metadata?.namespace, {
        ...current,
        status: { ...current.status, phase: exitCode === 0 ? 'Succeeded' : 'Failed', containerStatuses },
      });
      return;
    } catch (err) {
      if (!isConflict(err) || attempt >= 5) throw err;
      current = await pods.get(current.metadata?.namespace, current.metadata!.name!);
    }
  }
}
