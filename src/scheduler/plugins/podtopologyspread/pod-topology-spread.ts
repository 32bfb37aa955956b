// PodTopologySpread. Filter (DoNotSchedule): placing the pod must not make a domain exceed the global
// minimum by more than maxSkew. Score (ScheduleAnyway, and the cluster defaults): fewer matching pods in
// the node's domains is better. Counts are computed once per cycle in PreFilter / PreScore.

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
import { ConstraintSource, type Constraint, type PodTopologySpreadArgs } from './common.js';
import { PreFilterState, computePreFilterState } from './filtering.js';
import { PreScoreState, computePreScoreState, normalize, scoreNode } from './scoring.js';

export const Name = 'PodTopologySpread';
export const ErrReasonConstraintsNotMatch = "node(s) didn't match pod topology spread constraints";
export const ErrReasonNodeLabelNotMatch = ErrReasonConstraintsNotMatch + ' (missing required label)';

const preFilterStateKey = 'PreFilter' + Name;
const preScoreStateKey = 'PreScore' + Name;

export type { PodTopologySpreadArgs } from './common.js';
export { systemDefaultConstraints } from './common.js';

export class PodTopologySpread implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  readonly name = Name;
  private readonly source: ConstraintSource;

  constructor(
    private readonly handle: Handle,
    args: PodTopologySpreadArgs = {},
  ) {
    // Without an explicit selector function, use the scheduler's (Services, RCs, RSs, StatefulSets).
    const defaultSelector = args.defaultSelector ?? (handle.defaultSelector ? (p) => handle.defaultSelector!(p) : undefined);
    this.source = new ConstraintSource(defaultSelector ? { ...args, defaultSelector } : args);
  }

  preFilter(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Status | null {
    let constraints: Constraint[];
    try {
      constraints = this.source.get(pod.pod, 'DoNotSchedule');
    } catch (e) {
      return Status.error(e as Error);
    }
    if (constraints.length === 0) return Status.skip();
    state.write(preFilterStateKey, computePreFilterState(pod.pod, constraints, nodes));
    return null;
  }

  addPod(state: CycleState, podToSchedule: PodInfo, podToAdd: PodInfo, nodeInfo: NodeInfo): MaybeStatus {
    state.read<PreFilterState>(preFilterStateKey)?.updateWithPod(podToAdd.pod, podToSchedule.pod, nodeInfo.node, 1);
    return null;
  }

  removePod(state: CycleState, podToSchedule: PodInfo, podToRemove: PodInfo, nodeInfo: NodeInfo): MaybeStatus {
    state.read<PreFilterState>(preFilterStateKey)?.updateWithPod(podToRemove.pod, podToSchedule.pod, nodeInfo.node, -1);
    return null;
  }

  filter(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): MaybeStatus {
    const node = nodeInfo.node;
    if (!node) return Status.error('node not found');
    const s = state.read<PreFilterState>(preFilterStateKey);
    if (!s) return Status.error(`reading "${preFilterStateKey}" from cycleState: not found`);
    const labels = nodeInfo.labels;
    const podLabels = pod.pod.metadata?.labels;
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i]!;
      const v = labels[c.topologyKey];
      if (v === undefined) return Status.unresolvable(ErrReasonNodeLabelNotMatch);
      const self = c.selector.matches(podLabels) ? 1 : 0;
      const skew = (s.counts[i]!.get(v) ?? 0) + self - s.minMatchNum(i);
      if (skew > c.maxSkew) return Status.unschedulable(ErrReasonConstraintsNotMatch);
    }
    return null;
  }

  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): MaybeStatus {
    const all = this.handle.snapshot().list();
    if (nodes.length === 0 || all.length === 0) return Status.skip();
    let constraints: Constraint[];
    try {
      constraints = this.source.get(pod.pod, 'ScheduleAnyway');
    } catch (e) {
      return Status.error(e as Error);
    }
    if (constraints.length === 0) return Status.skip();
    // Only the pod's own constraints (or non-system defaults) require every topology key on a node, so
    // that nodes without a zone label still get hostname spreading from the system defaults.
    const own = (pod.pod.spec?.topologySpreadConstraints ?? []).length > 0;
    const requireAll = own || !this.source.systemDefaulted;
    state.write(preScoreStateKey, computePreScoreState(pod.pod, constraints, nodes, all, requireAll));
    return null;
  }

  score(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): number | Status {
    const s = state.read<PreScoreState>(preScoreStateKey);
    if (!s) return Status.error(`reading "${preScoreStateKey}" from cycleState: not found`);
    return scoreNode(s, pod.pod, nodeInfo);
  }

  normalizeScore(state: CycleState, _pod: PodInfo, scores: NodeScore[]): MaybeStatus {
    const s = state.read<PreScoreState>(preScoreStateKey);
    if (s) normalize(s, scores);
    return null;
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [
      { event: { resource: 'Pod', actionType: ActionType.Add | ActionType.UpdatePodLabel | ActionType.Delete } },
      { event: { resource: 'Node', actionType: ActionType.Add | ActionType.Delete | ActionType.UpdateNodeLabel | ActionType.UpdateNodeTaint } },
    ];
  }
}
