// NodePorts: the host ports a pod asks for (containers and sidecar init containers) must be free on the
// node, per protocol and host IP, where 0.0.0.0 (or no IP) conflicts with every IP.

import type { ContainerPort, Pod } from 'kubernetes-types/core/v1.js';
import type {
  ClusterEventWithHint,
  CycleState,
  EnqueueExtensions,
  FilterPlugin,
  MaybeStatus,
  NodeInfo,
  PodInfo,
  PreFilterPlugin,
  StateData,
} from '../../framework/index.js';
import { ActionType, Status } from '../../framework/index.js';

export const Name = 'NodePorts';
export const ErrReason = "node(s) didn't have free ports for the requested pod ports";
const preFilterStateKey = 'PreFilter' + Name;

interface PreFilterState extends StateData {
  ports: readonly ContainerPort[];
}

/** The ports of a pod that use a host port: those of sidecar init containers, then of containers. */
export function hostPorts(pod: Pod): ContainerPort[] {
  const out: ContainerPort[] = [];
  for (const c of pod.spec?.initContainers ?? []) {
    if (c.restartPolicy !== 'Always') continue;
    for (const p of c.ports ?? []) if ((p.hostPort ?? 0) > 0) out.push(p);
  }
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) if ((p.hostPort ?? 0) > 0) out.push(p);
  }
  return out;
}

/** Whether every wanted port is free on the node. */
export function fitsPorts(want: readonly ContainerPort[], nodeInfo: NodeInfo): boolean {
  for (const p of want) if (nodeInfo.usedPorts.checkConflict(p.hostIP, p.protocol, p.hostPort ?? 0)) return false;
  return true;
}

export class NodePorts implements PreFilterPlugin, FilterPlugin, EnqueueExtensions {
  readonly name = Name;

  preFilter(state: CycleState, pod: PodInfo): Status | null {
    const ports = hostPorts(pod.pod);
    if (ports.length === 0) return Status.skip();
    const s: PreFilterState = { ports };
    state.write(preFilterStateKey, s);
    return null;
  }

  filter(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): MaybeStatus {
    const s = state.read<PreFilterState>(preFilterStateKey);
    const ports = s ? s.ports : hostPorts(pod.pod);
    return fitsPorts(ports, nodeInfo) ? null : Status.unschedulable(ErrReason);
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [
      { event: { resource: 'Pod', actionType: ActionType.Delete } },
      { event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateOther } },
    ];
  }
}
