// InterPodAffinity: required pod affinity / anti-affinity (the pod's own, and existing pods' anti-affinity
// against it) as a Filter, preferred terms (both directions) as a Score. See filtering.ts and scoring.ts.

import type {
  ClusterEventWithHint,
  CycleState,
  EnqueueExtensions,
  FilterPlugin,
  Handle,
  MaybeStatus,
  NodeInfo,
  NodeScore,
  PodInfo,
  PreFilterPlugin,
  PreScorePlugin,
  ScorePlugin,
} from '../../framework/index.js';
import { ActionType, Status } from '../../framework/index.js';
import { PreFilterState, computePreFilterState, filterNode } from './filtering.js';
import { PreScoreState, computePreScoreState, normalize, scoreNode, type ScoringArgs } from './scoring.js';

export const Name = 'InterPodAffinity';
const preFilterStateKey = 'PreFilter' + Name;
const preScoreStateKey = 'PreScore' + Name;

export {
  ErrReasonAffinityRulesNotMatch,
  ErrReasonAntiAffinityRulesNotMatch,
  ErrReasonExistingAntiAffinityRulesNotMatch,
} from './filtering.js';

export interface InterPodAffinityArgs {
  /** Score for an existing pod's required affinity term the incoming pod matches (upstream default 1). */
  hardPodAffinityWeight?: number;
  /** Skip scoring for pods without preferred terms of their own (upstream default false). */
  ignorePreferredTermsOfExistingPods?: boolean;
}

export class InterPodAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  readonly name = Name;
  private readonly args: ScoringArgs;

  constructor(
    private readonly handle: Handle,
    args: InterPodAffinityArgs = {},
  ) {
    this.args = {
      hardPodAffinityWeight: args.hardPodAffinityWeight ?? 1,
      ignorePreferredTermsOfExistingPods: args.ignorePreferredTermsOfExistingPods ?? false,
    };
  }

  preFilter(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Status | null {
    if (pod.parseError) return Status.unresolvable(`parsing pod: ${pod.parseError.message}`);
    const s = computePreFilterState(this.handle, pod, nodes);
    if (!s) return Status.skip();
    state.write(preFilterStateKey, s);
    return null;
  }

  addPod(state: CycleState, _podToSchedule: PodInfo, podToAdd: PodInfo, nodeInfo: NodeInfo): MaybeStatus {
    state.read<PreFilterState>(preFilterStateKey)?.updateWithPod(podToAdd, nodeInfo, 1);
    return null;
  }

  removePod(state: CycleState, _podToSchedule: PodInfo, podToRemove: PodInfo, nodeInfo: NodeInfo): MaybeStatus {
    state.read<PreFilterState>(preFilterStateKey)?.updateWithPod(podToRemove, nodeInfo, -1);
    return null;
  }

  filter(state: CycleState, _pod: PodInfo, nodeInfo: NodeInfo): MaybeStatus {
    const s = state.read<PreFilterState>(preFilterStateKey);
    if (!s) return Status.error(`reading "${preFilterStateKey}" from cycleState: not found`);
    return filterNode(s, state, nodeInfo);
  }

  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): MaybeStatus {
    if (nodes.length === 0) return Status.skip();
    const s = computePreScoreState(this.handle, pod, this.args);
    if (!s) return Status.skip();
    state.write(preScoreStateKey, s);
    return null;
  }

  score(state: CycleState, _pod: PodInfo, nodeInfo: NodeInfo): number | Status {
    const s = state.read<PreScoreState>(preScoreStateKey);
    if (!s) return Status.error(`reading "${preScoreStateKey}" from cycleState: not found`);
    return scoreNode(s, nodeInfo);
  }

  normalizeScore(state: CycleState, _pod: PodInfo, scores: NodeScore[]): MaybeStatus {
    if (!state.read<PreScoreState>(preScoreStateKey)) return null;
    normalize(scores);
    return null;
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [
      { event: { resource: 'Pod', actionType: ActionType.Add | ActionType.UpdatePodLabel | ActionType.Delete } },
      { event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeLabel } },
    ];
  }
}
