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

const fraction = (requested: number, allocatable: number): number => Math.min(1, requested / allocatable);

/** Runs for every node of every cycle, so it computes the fractions twice rather than allocating a list. */
export function balancedResourceScorer(requested: readonly number[], allocatable: readonly number[]): number {
  let count = 0;
  let total = 0;
  let first = 0;
  let second = 0;
  for (let i = 0; i < requested.length; i++) {
    if (allocatable[i] === 0) continue;
    const f = fraction(requested[i]!, allocatable[i]!);
    if (count === 0) first = f;
    else if (count === 1) second = f;
    total += f;
    count++;
  }
  let std = 0;
  if (count === 2) {
    std = Math.abs((first - second) / 2);
  } else if (count > 2) {
    const mean = total / count;
    let sum = 0;
    for (let i = 0; i < requested.length; i++) {
      if (allocatable[i] === 0) continue;
      const d = fraction(requested[i]!, allocatable[i]!) - mean;
      sum += d * d;
    }
    std = Math.sqrt(sum / count);
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
