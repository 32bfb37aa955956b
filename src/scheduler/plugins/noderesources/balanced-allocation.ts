// NodeResourcesBalancedAllocation: favours nodes whose resource usage fractions (with the pod) are close
// to each other: 100 × (1 − standard deviation of the fractions). Uses the actual requests (not the
// non-zero defaults) and skips pods that request nothing (best effort), as upstream does.

import type { CycleState, MaybeStatus, NodeInfo, PodInfo, PreScorePlugin, ScorePlugin, StateData } from '../../framework/index.js';
import { MaxNodeScore, Status } from '../../framework/index.js';
import { defaultResources, podRequestList, scoreResources, type ResourceSpec } from './resource-allocation.js';

export const Name = 'NodeResourcesBalancedAllocation';
const preScoreStateKey = 'PreScore' + Name;

export interface BalancedAllocationArgs {
  resources?: readonly ResourceSpec[];
}

export function balancedResourceScorer(requested: readonly number[], allocatable: readonly number[]): number {
  const fractions: number[] = [];
  let total = 0;
  for (let i = 0; i < requested.length; i++) {
    if (allocatable[i] === 0) continue;
    const f = Math.min(1, requested[i]! / allocatable[i]!);
    total += f;
    fractions.push(f);
  }
  let std = 0;
  if (fractions.length === 2) {
    std = Math.abs((fractions[0]! - fractions[1]!) / 2);
  } else if (fractions.length > 2) {
    const mean = total / fractions.length;
    let sum = 0;
    for (const f of fractions) sum += (f - mean) * (f - mean);
    std = Math.sqrt(sum / fractions.length);
  }
  return Math.trunc((1 - std) * MaxNodeScore);
}

interface PreScoreState extends StateData {
  podRequests: number[];
}

export class BalancedAllocation implements PreScorePlugin, ScorePlugin {
  readonly name = Name;
  readonly resources: readonly ResourceSpec[];

  constructor(args: BalancedAllocationArgs = {}) {
    this.resources = args.resources ?? defaultResources;
  }

  preScore(state: CycleState, pod: PodInfo): MaybeStatus {
    const podRequests = podRequestList(pod, this.resources, true);
    if (podRequests.every((r) => r === 0)) return Status.skip();
    const s: PreScoreState = { podRequests };
    state.write(preScoreStateKey, s);
    return null;
  }

  score(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): number | Status {
    const s = state.read<PreScoreState>(preScoreStateKey);
    const req = s ? s.podRequests : podRequestList(pod, this.resources, true);
    return scoreResources(nodeInfo, this.resources, req, true, balancedResourceScorer);
  }
}
