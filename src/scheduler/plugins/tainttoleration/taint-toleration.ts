// TaintToleration. Filter: a node's NoSchedule/NoExecute taints must all be tolerated. Score: the number
// of PreferNoSchedule taints the pod does not tolerate, normalised in reverse (fewer is better).

import type { Toleration } from 'kubernetes-types/core/v1.js';
import type {
  ClusterEventWithHint,
  CycleState,
  EnqueueExtensions,
  FilterPlugin,
  MaybeStatus,
  NodeInfo,
  NodeScore,
  PodInfo,
  PreScorePlugin,
  ScorePlugin,
  StateData,
} from '../../framework/index.js';
import { ActionType, Status } from '../../framework/index.js';
import { defaultNormalizeScore } from '../helper/normalize-score.js';
import { TaintEffectPreferNoSchedule, findUntoleratedTaint, tolerationsTolerateTaint } from '../helper/taints.js';

export const Name = 'TaintToleration';
const preScoreStateKey = 'PreScore' + Name;

export function untoleratedTaintReason(key: string, value: string | undefined): string {
  return `node(s) had untolerated taint {${key}: ${value ?? ''}}`;
}

interface PreScoreState extends StateData {
  tolerationsPreferNoSchedule: readonly Toleration[];
}

/** Tolerations that can tolerate a PreferNoSchedule taint: effect PreferNoSchedule or empty (all effects). */
function preferNoScheduleTolerations(tolerations: readonly Toleration[] | undefined): Toleration[] {
  return (tolerations ?? []).filter((t) => !t.effect || t.effect === TaintEffectPreferNoSchedule);
}

export class TaintToleration implements FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  readonly name = Name;

  filter(_state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): MaybeStatus {
    if (!nodeInfo.node) return Status.error('invalid nodeInfo');
    if (nodeInfo.taints.length === 0) return null;
    const taint = findUntoleratedTaint(nodeInfo.taints, pod.pod.spec?.tolerations);
    if (!taint) return null;
    return Status.unresolvable(untoleratedTaintReason(taint.key, taint.value));
  }

  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): MaybeStatus {
    if (nodes.length === 0) return null;
    const s: PreScoreState = { tolerationsPreferNoSchedule: preferNoScheduleTolerations(pod.pod.spec?.tolerations) };
    state.write(preScoreStateKey, s);
    return null;
  }

  score(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): number | Status {
    if (!nodeInfo.node) return Status.error('node not found');
    if (nodeInfo.taints.length === 0) return 0;
    const s = state.read<PreScoreState>(preScoreStateKey);
    const tolerations = s ? s.tolerationsPreferNoSchedule : preferNoScheduleTolerations(pod.pod.spec?.tolerations);
    let intolerable = 0;
    for (const taint of nodeInfo.taints) {
      if (taint.effect !== TaintEffectPreferNoSchedule) continue;
      if (!tolerationsTolerateTaint(tolerations, taint)) intolerable++;
    }
    return intolerable;
  }

  normalizeScore(_state: CycleState, _pod: PodInfo, scores: NodeScore[]): MaybeStatus {
    defaultNormalizeScore(scores, true);
    return null;
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [
      { event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeTaint } },
      { event: { resource: 'UnscheduledPod', actionType: ActionType.UpdatePodTolerations } },
    ];
  }
}
