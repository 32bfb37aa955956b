// NodeResourcesFit. Filter: the pod's requests (init containers as their maximum step, sidecars,
// overhead) must fit in what the node has left: pods count, cpu, memory, ephemeral-storage and every
// extended/scalar resource the pod asks for. A request larger than the whole node is unresolvable
// (preemption cannot help). Score: LeastAllocated (default) or MostAllocated over configured resources.

import type {
  ClusterEventWithHint,
  CycleState,
  EnqueueExtensions,
  FilterPlugin,
  MaybeStatus,
  NodeInfo,
  PodInfo,
  PreFilterPlugin,
  PreScorePlugin,
  Resource,
  ScorePlugin,
  StateData,
} from '../../framework/index.js';
import { ActionType, ResourceCPU, ResourceEphemeralStorage, ResourceMemory, ResourcePods, Status } from '../../framework/index.js';
import {
  defaultResources,
  leastAllocatedScorer,
  mostAllocatedScorer,
  podRequestList,
  scoreResources,
  type ResourceSpec,
  type Scorer,
} from './resource-allocation.js';

export const Name = 'NodeResourcesFit';
const preScoreStateKey = 'PreScore' + Name;

export type ScoringStrategyType = 'LeastAllocated' | 'MostAllocated';

export interface NodeResourcesFitArgs {
  /** Extended resources not to check (e.g. managed by an extender). */
  ignoredResources?: readonly string[];
  /** Groups ("example.com" for "example.com/foo") of extended resources not to check. */
  ignoredResourceGroups?: readonly string[];
  scoringStrategy?: { type?: ScoringStrategyType; resources?: readonly ResourceSpec[] };
}

export interface InsufficientResource {
  resourceName: string;
  reason: string;
  requested: number;
  used: number;
  capacity: number;
  /** The pod asks for more than the node has at all. */
  unresolvable: boolean;
}

/** A resource name outside the kubernetes.io namespace with a prefix ("example.com/gpu"): an extended resource. */
export function isExtendedResourceName(name: string): boolean {
  if (name.startsWith('requests.')) return false;
  const slash = name.indexOf('/');
  if (slash < 0) return false;
  const prefix = name.slice(0, slash);
  return prefix !== 'kubernetes.io' && !prefix.endsWith('.kubernetes.io');
}

/** Every resource the pod does not fit on the node for, in upstream's order (pods, cpu, memory, storage, others by name). */
export function fitsRequest(
  podRequest: Resource,
  nodeInfo: NodeInfo,
  ignoredResources: ReadonlySet<string> = new Set(),
  ignoredGroups: ReadonlySet<string> = new Set(),
): InsufficientResource[] {
  const out: InsufficientResource[] = [];
  const alloc = nodeInfo.allocatable;
  const used = nodeInfo.requested;
  const podCount = nodeInfo.pods.length;
  if (podCount + 1 > alloc.allowedPodNumber) {
    out.push({
      resourceName: ResourcePods,
      reason: 'Too many pods',
      requested: 1,
      used: podCount,
      capacity: alloc.allowedPodNumber,
      unresolvable: false,
    });
  }
  if (podRequest.milliCPU === 0 && podRequest.memory === 0 && podRequest.ephemeralStorage === 0 && podRequest.scalarResources.size === 0) {
    return out;
  }
  const check = (name: string, req: number, cap: number, inUse: number) => {
    if (req > 0 && req > cap - inUse) {
      out.push({ resourceName: name, reason: `Insufficient ${name}`, requested: req, used: inUse, capacity: cap, unresolvable: req > cap });
    }
  };
  check(ResourceCPU, podRequest.milliCPU, alloc.milliCPU, used.milliCPU);
  check(ResourceMemory, podRequest.memory, alloc.memory, used.memory);
  check(ResourceEphemeralStorage, podRequest.ephemeralStorage, alloc.ephemeralStorage, used.ephemeralStorage);
  const names = [...podRequest.scalarResources.keys()].sort();
  for (const name of names) {
    const req = podRequest.scalarResources.get(name)!;
    if (req === 0) continue;
    if (isExtendedResourceName(name)) {
      if (ignoredResources.has(name)) continue;
      if (ignoredGroups.size > 0 && ignoredGroups.has(name.split('/')[0]!)) continue;
    }
    const cap = alloc.scalarResources.get(name) ?? 0;
    const inUse = used.scalarResources.get(name) ?? 0;
    if (req > cap - inUse) {
      out.push({ resourceName: name, reason: `Insufficient ${name}`, requested: req, used: inUse, capacity: cap, unresolvable: req > cap });
    }
  }
  return out;
}

interface PreScoreState extends StateData {
  podRequests: number[];
}

export class Fit implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  readonly name = Name;
  private readonly ignoredResources: ReadonlySet<string>;
  private readonly ignoredGroups: ReadonlySet<string>;
  readonly resources: readonly ResourceSpec[];
  private readonly scorer: Scorer;

  constructor(args: NodeResourcesFitArgs = {}) {
    this.ignoredResources = new Set(args.ignoredResources ?? []);
    this.ignoredGroups = new Set(args.ignoredResourceGroups ?? []);
    this.resources = args.scoringStrategy?.resources ?? defaultResources;
    const type = args.scoringStrategy?.type ?? 'LeastAllocated';
    this.scorer = type === 'MostAllocated' ? mostAllocatedScorer(this.resources) : leastAllocatedScorer(this.resources);
  }

  /** Requests are parsed once into the PodInfo; nothing else to precompute. */
  preFilter(): null {
    return null;
  }

  filter(_state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): MaybeStatus {
    // The common case (fits, no extended resources) from the NodeInfo's own number fields, without
    // building the list of shortfalls.
    const req = pod.requests;
    const n = nodeInfo;
    if (
      req.scalarResources.size === 0 &&
      n.numPods + 1 <= n.allowedPodNumber &&
      (req.milliCPU === 0 || req.milliCPU <= n.allocMilliCPU - n.reqMilliCPU) &&
      (req.memory === 0 || req.memory <= n.allocMemory - n.reqMemory) &&
      (req.ephemeralStorage === 0 || req.ephemeralStorage <= n.allocEphemeralStorage - n.reqEphemeralStorage)
    ) {
      return null;
    }
    const insufficient = fitsRequest(pod.requests, nodeInfo, this.ignoredResources, this.ignoredGroups);
    if (insufficient.length === 0) return null;
    const reasons = insufficient.map((r) => r.reason);
    return insufficient.some((r) => r.unresolvable) ? Status.unresolvable(...reasons) : Status.unschedulable(...reasons);
  }

  preScore(state: CycleState, pod: PodInfo): MaybeStatus {
    const s: PreScoreState = { podRequests: podRequestList(pod, this.resources, false) };
    state.write(preScoreStateKey, s);
    return null;
  }

  score(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): number | Status {
    const s = state.read<PreScoreState>(preScoreStateKey);
    const req = s ? s.podRequests : podRequestList(pod, this.resources, false);
    return scoreResources(nodeInfo, this.resources, req, false, this.scorer);
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [
      { event: { resource: 'Pod', actionType: ActionType.Delete | ActionType.UpdatePodScaleDown } },
      { event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeAllocatable } },
    ];
  }
}
