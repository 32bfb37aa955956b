// Test helpers: run controllers against a real API server the way the manager does, and play
// scheduler + kubelet for daemon pods (bind to the target node, report Running and Ready, finish
// graceful deletions).

import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/registry.js';
import { EventRecorder, InformerFactory, PODS, RestClient, isNotFound } from '../../client/index.js';
import { DEFAULT_CONTROLLER_OPTIONS, type Controller, type ControllerContext } from '../types.js';
import { targetNodeName } from './eligibility.js';

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

/** The pod runs and is Ready (status written through pods/status). */
export async function markRunningReady(client: RestClient, pod: Pod): Promise<void> {
  const pods = client.resource<Pod & KubeObject>(PODS);
  const now = new Date().toISOString();
  await pods.updateStatus(pod.metadata?.namespace, {
    ...(pod as Pod & KubeObject),
    status: {
      ...pod.status,
      phase: 'Running',
      startTime: pod.status?.startTime ?? now,
      conditions: [
        { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
        { type: 'Initialized', status: 'True', lastTransitionTime: now },
        { type: 'ContainersReady', status: 'True', lastTransitionTime: now },
        { type: 'Ready', status: 'True', lastTransitionTime: now },
      ],
    },
  });
}

/**
 * One pass of a pretend scheduler and kubelet over a namespace: bind pending pods to the node
 * their affinity names, mark bound pods Running and Ready, and finish graceful deletions.
 */
export async function playNodes(client: RestClient, namespace: string): Promise<void> {
  const pods = client.resource<Pod & KubeObject>(PODS);
  for (const p of (await pods.list(namespace)).items) {
    const name = p.metadata?.name ?? '';
    try {
      if (p.metadata?.deletionTimestamp) {
        await pods.delete(namespace, name, { gracePeriodSeconds: 0 });
        continue;
      }
      if (!p.spec?.nodeName) {
        const node = targetNodeName(p);
        if (!node) continue;
        await pods.createSubresource(namespace, name, 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { kind: 'Node', name: node } });
        continue;
      }
      if (p.status?.phase !== 'Running') await markRunningReady(client, p);
    } catch (err) {
      if (!isNotFound(err) && (err as { code?: number }).code !== 409) throw err;
    }
  }
}
