// The shared part of the resource scorers (NodeResourcesFit's strategies, BalancedAllocation): for each
// configured resource, what the node has allocatable and what it would have requested with the pod on
// it; a scorer turns those two vectors into 0..100.

import type { NodeInfo, PodInfo } from '../../framework/index.js';
import { MaxNodeScore, ResourceCPU, ResourceEphemeralStorage, ResourceMemory } from '../../framework/index.js';

export interface ResourceSpec {
  name: string;
  weight: number;
}

/** Upstream's default for NodeResourcesFit scoring and BalancedAllocation: cpu and memory, weight 1. */
export const defaultResources: readonly ResourceSpec[] = [
  { name: ResourceCPU, weight: 1 },
  { name: ResourceMemory, weight: 1 },
];

export type Scorer = (requested: readonly number[], allocatable: readonly number[]) => number;

function isScalar(name: string): boolean {
  return name !== ResourceCPU && name !== ResourceMemory && name !== ResourceEphemeralStorage && name !== 'pods';
}

/**
 * The pod's request of each resource. With `useRequested` false, cpu and memory use the non-zero
 * scoring defaults for containers that request nothing.
 */
export function podRequestList(pod: PodInfo, resources: readonly ResourceSpec[], useRequested: boolean): number[] {
  return resources.map((r) => {
    if (!useRequested && r.name === ResourceCPU) return pod.nonZeroRequests.milliCPU;
    if (!useRequested && r.name === ResourceMemory) return pod.nonZeroRequests.memory;
    return pod.requests.get(r.name);
  });
}

let scratchRequested: number[] = [];
let scratchAllocatable: number[] = [];

/**
 * Score a node by its allocatable and requested (incl. the pod) amounts of `resources`. A resource
 * with allocatable 0 is not scored, nor is an extended resource the pod does not ask for. Runs for
 * every node of every cycle: no allocation (scratch arrays reused; scoring is synchronous).
 */
export function scoreResources(
  nodeInfo: NodeInfo,
  resources: readonly ResourceSpec[],
  podRequests: readonly number[],
  useRequested: boolean,
  scorer: Scorer,
): number {
  if (scratchRequested.length !== resources.length) {
    scratchRequested = new Array<number>(resources.length);
    scratchAllocatable = new Array<number>(resources.length);
  }
  const requested = scratchRequested;
  const allocatable = scratchAllocatable;
  const n = nodeInfo;
  for (let i = 0; i < resources.length; i++) {
    const name = resources[i]!.name;
    const podRequest = podRequests[i]!;
    let a: number;
    let r: number;
    switch (name) {
      case ResourceCPU:
        a = n.allocMilliCPU;
        r = (useRequested ? n.reqMilliCPU : n.nonZeroMilliCPU) + podRequest;
        break;
      case ResourceMemory:
        a = n.allocMemory;
        r = (useRequested ? n.reqMemory : n.nonZeroMemory) + podRequest;
        break;
      case ResourceEphemeralStorage:
        a = n.allocEphemeralStorage;
        r = n.reqEphemeralStorage + podRequest;
        break;
      default:
        if (podRequest === 0 && isScalar(name)) {
          a = r = 0;
        } else {
          a = nodeInfo.allocatable.scalarResources.get(name) ?? 0;
          r = (nodeInfo.requested.scalarResources.get(name) ?? 0) + podRequest;
        }
    }
    allocatable[i] = a;
    requested[i] = a === 0 ? 0 : r;
  }
  return scorer(requested, allocatable);
}

/** Free share of one resource, 0..100 (0 when over-committed). */
export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MaxNodeScore) / capacity);
}

/** Used share of one resource, 0..100 (capped at 100 when over-committed). */
export function mostRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0) return 0;
  if (requested > capacity) requested = capacity;
  return Math.trunc((requested * MaxNodeScore) / capacity);
}

function weighted(resources: readonly ResourceSpec[], f: (req: number, cap: number) => number): Scorer {
  return (requested, allocatable) => {
    let score = 0;
    let weightSum = 0;
    for (let i = 0; i < requested.length; i++) {
      if (allocatable[i] === 0) continue;
      const w = resources[i]!.weight;
      score += f(requested[i]!, allocatable[i]!) * w;
      weightSum += w;
    }
    return weightSum === 0 ? 0 : Math.trunc(score / weightSum);
  };
}

/** LeastAllocated: favours nodes with more free resources (weighted mean of free shares). */
export function leastAllocatedScorer(resources: readonly ResourceSpec[]): Scorer {
  return weighted(resources, leastRequestedScore);
}

/** MostAllocated: favours nodes with fewer free resources (bin packing). */
export function mostAllocatedScorer(resources: readonly ResourceSpec[]): Scorer {
  return weighted(resources, mostRequestedScore);
}
