// NodeName: a pod that names a node (spec.nodeName) fits only that node.

import type { CycleState, FilterPlugin, MaybeStatus, NodeInfo, PodInfo, EnqueueExtensions, ClusterEventWithHint } from '../../framework/index.js';
import { ActionType, Status } from '../../framework/index.js';

export const Name = 'NodeName';
export const ErrReason = "node(s) didn't match the requested node name";

/** Whether the pod may run on the node as far as spec.nodeName goes. */
export function fits(pod: PodInfo, nodeInfo: NodeInfo): boolean {
  const want = pod.pod.spec?.nodeName;
  return !want || want === nodeInfo.name;
}

export class NodeName implements FilterPlugin, EnqueueExtensions {
  readonly name = Name;

  filter(_state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): MaybeStatus {
    if (!nodeInfo.node) return Status.error('node not found');
    return fits(pod, nodeInfo) ? null : Status.unresolvable(ErrReason);
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [{ event: { resource: 'Node', actionType: ActionType.Add } }];
  }
}
