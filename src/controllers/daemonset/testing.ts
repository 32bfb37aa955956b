// Test helpers for the DaemonSet and StatefulSet controllers: Ready nodes, and play scheduler +
// kubelet for daemon pods (bind to the target node, report Running and Ready, finish graceful
// deletions).

import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/registry.js';
import { NODES, PODS, isNotFound, type RestClient } from '../../client/index.js';
import { targetNodeName } from './eligibility.js';

/** A Node object that looks like a healthy kubelet registered it: Ready, with room for pods. */
export async function createReadyNode(client: RestClient, name: string, spec: Node['spec'] = {}, labels: Record<string, string> = {}): Promise<void> {
  const nodes = client.resource<Node & KubeObject>(NODES);
  const created = await nodes.create(undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } }, spec });
  const now = new Date().toISOString();
  const capacity = { cpu: '4', memory: '8Gi', pods: '110' };
  await nodes.updateStatus(undefined, {
    ...created,
    status: {
      capacity,
      allocatable: capacity,
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: now, lastTransitionTime: now }],
    },
  });
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
 * One pass of a pretend kubelet (and, unless `bind` is false, scheduler) over a namespace: bind
 * pending pods to the node their affinity names, mark bound pods Running and Ready, and finish
 * graceful deletions.
 */
export async function playNodes(client: RestClient, namespace: string, opts: { bind?: boolean } = {}): Promise<void> {
  const pods = client.resource<Pod & KubeObject>(PODS);
  for (const p of (await pods.list(namespace)).items) {
    const name = p.metadata?.name ?? '';
    try {
      if (p.metadata?.deletionTimestamp) {
        await pods.delete(namespace, name, { gracePeriodSeconds: 0 });
        continue;
      }
      if (!p.spec?.nodeName) {
        if (opts.bind === false) continue;
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
