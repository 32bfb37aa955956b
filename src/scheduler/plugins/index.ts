// The in-tree plugins and the default profile: which plugin runs at which extension point, in upstream's
// order, with upstream's default score weights. PostFilter (preemption) and Bind belong to the scheduler.

import type { FilterPlugin, Handle, PluginsFactory, PreFilterPlugin, PreScorePlugin, ProfilePlugins, ScorePlugin } from '../framework/index.js';
import { ImageLocality } from './imagelocality/image-locality.js';
import { InterPodAffinity, type InterPodAffinityArgs } from './interpodaffinity/inter-pod-affinity.js';
import { NodeAffinity, type NodeAffinityArgs } from './nodeaffinity/node-affinity.js';
import { NodeName } from './nodename/node-name.js';
import { NodePorts } from './nodeports/node-ports.js';
import { BalancedAllocation, type BalancedAllocationArgs } from './noderesources/balanced-allocation.js';
import { Fit, type NodeResourcesFitArgs } from './noderesources/fit.js';
import { NodeUnschedulable } from './nodeunschedulable/node-unschedulable.js';
import { PodTopologySpread, type PodTopologySpreadArgs } from './podtopologyspread/pod-topology-spread.js';
import { TaintToleration } from './tainttoleration/taint-toleration.js';

export { ImageLocality } from './imagelocality/image-locality.js';
export { InterPodAffinity, type InterPodAffinityArgs } from './interpodaffinity/inter-pod-affinity.js';
export { NodeAffinity, type NodeAffinityArgs } from './nodeaffinity/node-affinity.js';
export { NodeName } from './nodename/node-name.js';
export { NodePorts } from './nodeports/node-ports.js';
export { BalancedAllocation, type BalancedAllocationArgs } from './noderesources/balanced-allocation.js';
export { Fit, fitsRequest, type InsufficientResource, type NodeResourcesFitArgs } from './noderesources/fit.js';
export { NodeUnschedulable } from './nodeunschedulable/node-unschedulable.js';
export { PodTopologySpread, systemDefaultConstraints, type PodTopologySpreadArgs } from './podtopologyspread/pod-topology-spread.js';
export { TaintToleration } from './tainttoleration/taint-toleration.js';
export { RequiredNodeAffinity, PreferredSchedulingTerms } from './helper/node-affinity.js';
export { findUntoleratedTaint, toleratesTaint, tolerationsTolerateTaint } from './helper/taints.js';

/** Upstream's default score weights, by plugin name. */
export const defaultScoreWeights: Readonly<Record<string, number>> = {
  TaintToleration: 3,
  NodeAffinity: 2,
  NodeResourcesFit: 1,
  PodTopologySpread: 2,
  InterPodAffinity: 2,
  NodeResourcesBalancedAllocation: 1,
  ImageLocality: 1,
};

export interface DefaultPluginsOptions {
  nodeAffinity?: NodeAffinityArgs;
  nodeResourcesFit?: NodeResourcesFitArgs;
  balancedAllocation?: BalancedAllocationArgs;
  podTopologySpread?: PodTopologySpreadArgs;
  interPodAffinity?: InterPodAffinityArgs;
  /** Override score weights by plugin name; a weight of 0 leaves the plugin out of scoring. */
  scoreWeights?: Readonly<Record<string, number>>;
  /** Plugin names to leave out entirely. */
  disabled?: readonly string[];
}

type AnyPlugin = { readonly name: string } & Partial<PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin>;

/**
 * The default profile as a factory: given the scheduler's handle, the plugin objects per extension
 * point. One object serves all the points it implements (so its CycleState keys line up).
 */
export function defaultPlugins(opts: DefaultPluginsOptions = {}): PluginsFactory {
  return (handle: Handle): ProfilePlugins => {
    const disabled = new Set(opts.disabled ?? []);
    // Upstream's multi-point order: every extension point runs the plugins in this order.
    const all: AnyPlugin[] = [
      new NodeUnschedulable(),
      new NodeName(),
      new TaintToleration(),
      new NodeAffinity(opts.nodeAffinity),
      new NodePorts(),
      new Fit(opts.nodeResourcesFit),
      new PodTopologySpread(handle, opts.podTopologySpread),
      new InterPodAffinity(handle, opts.interPodAffinity),
      new BalancedAllocation(opts.balancedAllocation),
      new ImageLocality(handle),
    ];
    const enabled = all.filter((p) => !disabled.has(p.name));
    const weights = { ...defaultScoreWeights, ...(opts.scoreWeights ?? {}) };
    const scoring = enabled.filter((p) => typeof p.score === 'function' && (weights[p.name] ?? 0) > 0);
    return {
      preFilter: enabled.filter((p): p is AnyPlugin & PreFilterPlugin => typeof p.preFilter === 'function'),
      filter: enabled.filter((p): p is AnyPlugin & FilterPlugin => typeof p.filter === 'function'),
      preScore: scoring.filter((p): p is AnyPlugin & PreScorePlugin => typeof p.preScore === 'function'),
      score: scoring.map((p) => ({ plugin: p as AnyPlugin & ScorePlugin, weight: weights[p.name]! })),
    };
  };
}
