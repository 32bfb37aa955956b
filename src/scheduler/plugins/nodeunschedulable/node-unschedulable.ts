// NodeUnschedulable: keeps pods off nodes with spec.unschedulable, unless the pod tolerates the
// node.kubernetes.io/unschedulable:NoSchedule taint.

import type { CycleState, FilterPlugin, MaybeStatus, NodeInfo, PodInfo, EnqueueExtensions, ClusterEventWithHint } from '../../framework/index.js';
import { ActionType, Status } from '../../framework/index.js';
import { TaintEffectNoSchedule, TaintNodeUnschedulable, tolerationsTolerateTaint } from '../helper/taints.js';

export const Name = 'NodeUnschedulable';
export const ErrReasonUnschedulable = 'node(s) were unschedulable';
export const ErrReasonUnknownCondition = 'node(s) had unknown conditions';

export class NodeUnschedulable implements FilterPlugin, EnqueueExtensions {
  readonly name = Name;

  filter(_state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): MaybeStatus {
    if (!nodeInfo.node) return Status.unresolvable(ErrReasonUnknownCondition);
    if (!nodeInfo.unschedulable) return null;
    const tolerates = tolerationsTolerateTaint(pod.pod.spec?.tolerations, { key: TaintNodeUnschedulable, effect: TaintEffectNoSchedule });
    return tolerates ? null : Status.unresolvable(ErrReasonUnschedulable);
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [
      { event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeTaint } },
      { event: { resource: 'UnscheduledPod', actionType: ActionType.UpdatePodTolerations } },
    ];
  }
}
