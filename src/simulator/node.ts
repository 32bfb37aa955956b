// The Node and Lease objects a simulated kubelet registers and keeps fresh.

import { createHash } from 'node:crypto';
import type { NodeShape } from './options.js';

type Obj = Record<string, any>;

export const KUBELET_VERSION = 'v1.32.0-k8ts-sim';
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
/** Marks nodes registered by the simulator (value: the process's name prefix). */
export const SIMULATED_ANNOTATION = 'sim.k8ts.io/node';

/** metav1.Time: second precision. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** metav1.MicroTime: microsecond precision. */
export function rfc3339Micro(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function uuidFrom(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export interface NodeIdentity {
  name: string;
  internalIP: string;
  podCIDR: string;
}

/** The conditions of a healthy node; transition times come from `since`, heartbeats from `now`. */
export function healthyConditions(now: number, since: number): Obj[] {
  const hb = rfc3339(now);
  const tr = rfc3339(since);
  const c = (type: string, status: string, reason: string, message: string): Obj => ({
    type,
    status,
    lastHeartbeatTime: hb,
    lastTransitionTime: tr,
    reason,
    message,
  });
  return [
    c('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    c('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    c('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    c('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
  ];
}

export function nodeLabels(name: string, shape: NodeShape): Record<string, string> {
  return {
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'beta.kubernetes.io/arch': 'amd64',
    ...shape.labels,
  };
}

export function nodeStatus(id: NodeIdentity, shape: NodeShape, now: number, since: number): Obj {
  const resources = {
    cpu: shape.cpu,
    memory: shape.memory,
    pods: shape.pods,
    'ephemeral-storage': shape.ephemeralStorage,
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
  };
  return {
    capacity: { ...resources },
    allocatable: { ...resources },
    conditions: healthyConditions(now, since),
    addresses: [
      { type: 'InternalIP', address: id.internalIP },
      { type: 'Hostname', address: id.name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      machineID: createHash('md5').update(`machine/${id.name}`).digest('hex'),
      systemUUID: uuidFrom(`system/${id.name}`),
      bootID: uuidFrom(`boot/${id.name}/${since}`),
      kernelVersion: '6.1.0-k8ts-sim',
      osImage: 'k8ts simulated node',
      containerRuntimeVersion: 'sim://1.0.0',
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: KUBELET_VERSION,
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
  };
}

/** A Node to POST: metadata, spec (pod CIDR, taints) and the full status. */
export function buildNode(id: NodeIdentity, shape: NodeShape, prefix: string, now: number): Obj {
  const spec: Obj = { podCIDR: id.podCIDR, podCIDRs: [id.podCIDR] };
  if (shape.taints.length > 0) spec.taints = shape.taints.map((t) => ({ ...t }));
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: id.name,
      labels: nodeLabels(id.name, shape),
      annotations: {
        [SIMULATED_ANNOTATION]: prefix,
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec,
    status: nodeStatus(id, shape, now, now),
  };
}

/** The node's Lease in kube-node-lease, owned by the Node (so it goes when the Node goes). */
export function buildLease(nodeName: string, nodeUid: string | undefined, durationSeconds: number, now: number): Obj {
  const lease: Obj = {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: nodeName, namespace: NODE_LEASE_NAMESPACE },
    spec: { holderIdentity: nodeName, leaseDurationSeconds: durationSeconds, renewTime: rfc3339Micro(now) },
  };
  if (nodeUid) {
    lease.metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: nodeUid }];
  }
  return lease;
}
