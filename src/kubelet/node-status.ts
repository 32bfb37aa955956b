// The Node object the kubelet registers and reports: capacity/allocatable, addresses, nodeInfo,
// labels, and the four conditions with upstream's reasons. Pure: facts in, objects out.

import { rfc3339 } from '../api/objects.js';
import type { MachineInfo, PressureSignals } from './machine.js';
import type { Node } from './types.js';

export const KUBELET_VERSION = 'v1.32.0-k8ts';
export const KUBELET_PORT = 10250;
/** Upstream's hard eviction defaults: memory.available<100Mi, nodefs.available<10%; pid threshold (ours) 90 % of pid_max. */
export const MEMORY_EVICTION_BYTES = 100 * 1024 * 1024;
export const DISK_EVICTION_FRACTION = 0.1;

export interface NodeFacts {
  name: string;
  hostname: string;
  internalIP: string;
  machine: MachineInfo;
  runtimeVersion: string;
  /** Runtime reachable and ready. */
  runtimeReady: boolean;
  runtimeMessage?: string;
  pressure: PressureSignals;
  maxPods: number;
  labels?: Record<string, string>;
  /** Images on the node (for the scheduler's ImageLocality), largest first, at most 50. */
  images?: Array<{ names: string[]; sizeBytes: number }>;
  /** Port of the kubelet's HTTPS server (default 10250), where the API server proxies logs/exec. */
  kubeletPort?: number;
}

export const MAX_NODE_IMAGES = 50;

export function nodeImages(list: Array<{ repoTags: string[]; repoDigests: string[]; size: number }>): Array<{ names: string[]; sizeBytes: number }> {
  return list
    .map((i) => ({ names: [...i.repoDigests, ...i.repoTags], sizeBytes: i.size }))
    .filter((i) => i.names.length > 0)
    .sort((a, b) => b.sizeBytes - a.sizeBytes || (a.names[0]! < b.names[0]! ? -1 : 1))
    .slice(0, MAX_NODE_IMAGES);
}

export function nodeLabels(f: NodeFacts): Record<string, string> {
  return {
    'kubernetes.io/hostname': f.hostname,
    'kubernetes.io/os': f.machine.operatingSystem,
    'kubernetes.io/arch': f.machine.architecture,
    'beta.kubernetes.io/os': f.machine.operatingSystem,
    'beta.kubernetes.io/arch': f.machine.architecture,
    ...(f.labels ?? {}),
  };
}

function ki(bytes: number): string {
  return `${Math.floor(bytes / 1024)}Ki`;
}

export function resources(f: NodeFacts): { capacity: Record<string, string>; allocatable: Record<string, string> } {
  const m = f.machine;
  const capacity = {
    cpu: String(m.cpus),
    memory: ki(m.memoryBytes),
    pods: String(f.maxPods),
    'ephemeral-storage': ki(m.ephemeralBytes),
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
  };
  const allocatable = {
    ...capacity,
    memory: ki(Math.max(0, m.memoryBytes - MEMORY_EVICTION_BYTES)),
    'ephemeral-storage': String(Math.floor(m.ephemeralBytes * (1 - DISK_EVICTION_FRACTION))),
  };
  return { capacity, allocatable };
}

type Cond = { type: string; status: 'True' | 'False' | 'Unknown'; reason: string; message: string };

export function conditionStates(f: NodeFacts): Cond[] {
  const p = f.pressure;
  const mem = p.memoryAvailableBytes < MEMORY_EVICTION_BYTES;
  const disk = p.diskTotalBytes > 0 && p.diskAvailableBytes < p.diskTotalBytes * DISK_EVICTION_FRACTION;
  const pid = p.pids > p.pidMax * 0.9;
  return [
    mem
      ? { type: 'MemoryPressure', status: 'True', reason: 'KubeletHasInsufficientMemory', message: 'kubelet has insufficient memory available' }
      : { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
    disk
      ? { type: 'DiskPressure', status: 'True', reason: 'KubeletHasDiskPressure', message: 'kubelet has disk pressure' }
      : { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
    pid
      ? { type: 'PIDPressure', status: 'True', reason: 'KubeletHasInsufficientPID', message: 'kubelet has insufficient PID available' }
      : { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
    f.runtimeReady
      ? { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }
      : { type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: `container runtime is down: ${f.runtimeMessage ?? 'not responding'}` },
  ];
}

/** The conditions with heartbeat `now`; transition times kept from `old` where the status did not change. */
export function nodeConditions(f: NodeFacts, old: Node['status'] | undefined, now: number): NonNullable<NonNullable<Node['status']>['conditions']> {
  return conditionStates(f).map((c) => {
    const prev = old?.conditions?.find((o) => o.type === c.type);
    return { ...c, lastHeartbeatTime: rfc3339(now), lastTransitionTime: prev && prev.status === c.status ? (prev.lastTransitionTime ?? rfc3339(now)) : rfc3339(now) };
  });
}

export function nodeStatus(f: NodeFacts, old: Node['status'] | undefined, now: number): NonNullable<Node['status']> {
  const m = f.machine;
  return {
    ...resources(f),
    ...(f.images ? { images: f.images } : {}),
    conditions: nodeConditions(f, old, now),
    addresses: [
      { type: 'InternalIP', address: f.internalIP },
      { type: 'Hostname', address: f.hostname },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: f.kubeletPort ?? KUBELET_PORT } },
    nodeInfo: {
      machineID: m.machineID,
      systemUUID: m.systemUUID,
      bootID: m.bootID,
      kernelVersion: m.kernelVersion,
      osImage: m.osImage,
      containerRuntimeVersion: f.runtimeVersion,
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: KUBELET_VERSION,
      operatingSystem: m.operatingSystem,
      architecture: m.architecture,
    },
  };
}

export function buildNode(f: NodeFacts, now: number): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: f.name,
      labels: nodeLabels(f),
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    },
    spec: {},
    status: nodeStatus(f, undefined, now),
  };
}

/** Whether a new status must be written before the report period: anything but heartbeats changed. */
export function statusChanged(old: Node['status'] | undefined, next: Node['status']): boolean {
  if (!old) return true;
  const strip = (s: Node['status']) => JSON.stringify({ ...s, conditions: (s?.conditions ?? []).map((c) => ({ ...c, lastHeartbeatTime: undefined })) }, sortKeys);
  return strip(old) !== strip(next);
}

function sortKeys(_k: string, v: unknown): unknown {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
  return v;
}
