// Test helpers for the Job and CronJob controllers: run controllers against a real API server the
// way the manager does, and play kubelet by writing pod status.

import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/registry.js';
import { EventRecorder, InformerFactory, PODS, RestClient, isConflict } from '../../client/index.js';
import { DEFAULT_CONTROLLER_OPTIONS, type Controller, type ControllerContext } from '../types.js';

export interface Harness {
  client: RestClient;
  stop(): Promise<void>;
}

export async function runControllers(kubeconfig: string, controllers: Controller[]): Promise<Harness> {
  const client = await RestClient.fromKubeconfig(kubeconfig, { qps: 0 });
  const informers = new InformerFactory(client);
  const ac = new AbortController();
  const ctx: ControllerContext = {
    client,
    informers,
    recorder: (component) => new EventRecorder(client, { component }),
    options: { ...DEFAULT_CONTROLLER_OPTIONS },
    signal: ac.signal,
  };
  for (const c of controllers) await c.start(ctx);
  informers.start();
  await informers.waitForSync(ac.signal);
  return {
    client,
    async stop() {
      ac.abort();
      await informers.stop();
      client.close();
    },
  };
}

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
