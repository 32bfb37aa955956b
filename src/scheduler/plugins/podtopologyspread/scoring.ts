// PodTopologySpread scoring (ScheduleAnyway): matching pods per topology domain among the candidate
// domains, weighted by log(number of domains + 2) so small topologies are not drowned by big ones;
// fewer matching pods score higher after normalisation.

import type { Pod } from 'kubernetes-types/core/v1.js';
import type { NodeInfo, NodeScore, StateData } from '../../framework/index.js';
import { MaxNodeScore } from '../../framework/index.js';
import { RequiredNodeAffinity } from '../helper/node-affinity.js';
import { LabelHostname, countPodsMatchSelector, matchNodeInclusionPolicies, nodeHasAllTopologyKeys, type Constraint } from './common.js';

export class PreScoreState implements StateData {
  constructor(
    readonly constraints: readonly Constraint[],
    /** Nodes without every topology key (when required): they score 0. */
    readonly ignoredNodes: ReadonlySet<string>,
    /** Per constraint: topology value → matching pods (hostname constraints are counted in Score). */
    readonly counts: Map<string, number>[],
    readonly weights: readonly number[],
  ) {}

  /** Immutable after PreScore. */
  clone(): PreScoreState {
    return this;
  }
}

export function topologyNormalizingWeight(size: number): number {
  return Math.log(size + 2);
}

export function scoreForCount(cnt: number, maxSkew: number, weight: number): number {
  return cnt * weight + (maxSkew - 1);
}

export function computePreScoreState(
  pod: Pod,
  constraints: readonly Constraint[],
  filteredNodes: readonly NodeInfo[],
  allNodes: readonly NodeInfo[],
  requireAllTopologies: boolean,
): PreScoreState {
  const ignored = new Set<string>();
  const counts = constraints.map(() => new Map<string, number>());
  for (const ni of filteredNodes) {
    const node = ni.node;
    if (!node) continue;
    if (requireAllTopologies && !nodeHasAllTopologyKeys(node, constraints)) {
      ignored.add(ni.name);
      continue;
    }
    const labels = node.metadata?.labels ?? {};
    for (let i = 0; i < constraints.length; i++) {
      const c = constraints[i]!;
      if (c.topologyKey === LabelHostname) continue;
      const v = labels[c.topologyKey] ?? '';
      if (!counts[i]!.has(v)) counts[i]!.set(v, 0);
    }
  }
  const weights = constraints.map((c, i) =>
    topologyNormalizingWeight(c.topologyKey === LabelHostname ? filteredNodes.length - ignored.size : counts[i]!.size),
  );

  const required = new RequiredNodeAffinity(pod);
  const ns = pod.metadata?.namespace ?? '';
  for (const ni of allNodes) {
    const node = ni.node;
    if (!node) continue;
    if (requireAllTopologies && !nodeHasAllTopologyKeys(node, constraints)) continue;
    const labels = node.metadata?.labels ?? {};
    for (let i = 0; i < constraints.length; i++) {
      const c = constraints[i]!;
      if (c.topologyKey === LabelHostname) continue;
      const m = counts[i]!;
      const v = labels[c.topologyKey] ?? '';
      const cur = m.get(v);
      if (cur === undefined) continue; // no candidate node in this domain
      if (!matchNodeInclusionPolicies(c, pod, node, required)) continue;
      m.set(v, cur + countPodsMatchSelector(ni.pods, c.selector, ns));
    }
  }
  return new PreScoreState(constraints, ignored, counts, weights);
}

export function scoreNode(s: PreScoreState, pod: Pod, nodeInfo: NodeInfo): number {
  if (s.ignoredNodes.has(nodeInfo.name)) return 0;
  const labels = nodeInfo.labels;
  const ns = pod.metadata?.namespace ?? '';
  let score = 0;
  for (let i = 0; i < s.constraints.length; i++) {
    const c = s.constraints[i]!;
    const v = labels[c.topologyKey];
    if (v === undefined) continue;
    const cnt = c.topologyKey === LabelHostname ? countPodsMatchSelector(nodeInfo.pods, c.selector, ns) : (s.counts[i]!.get(v) ?? 0);
    score += scoreForCount(cnt, c.maxSkew, s.weights[i]!);
  }
  return Math.round(score);
}

/** Fewer matching pods → higher score: 100 × (max + min − score) / max over the nodes not ignored. */
export function normalize(s: PreScoreState, scores: NodeScore[]): void {
  let min = Number.MAX_SAFE_INTEGER;
  let max = 0;
  for (const sc of scores) {
    if (s.ignoredNodes.has(sc.name)) continue;
    if (sc.score < min) min = sc.score;
    if (sc.score > max) max = sc.score;
  }
  for (const sc of scores) {
    if (s.ignoredNodes.has(sc.name)) sc.score = 0;
    else if (max === 0) sc.score = MaxNodeScore;
    else sc.score = Math.trunc((MaxNodeScore * (max + min - sc.score)) / max);
  }
}
