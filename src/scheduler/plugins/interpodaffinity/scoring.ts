// InterPodAffinity scoring: a weight per topology pair, summed from
//  - the incoming pod's preferred affinity (+weight) / anti-affinity (−weight) terms matched by existing pods;
//  - existing pods' required affinity terms matching the incoming pod (+hardPodAffinityWeight);
//  - existing pods' preferred affinity (+weight) / anti-affinity (−weight) terms matching the incoming pod.
// A node scores the sum over its pairs; scores are then min-max normalised to 0..100.

import type { Labels } from '../../../api/selectors/index.js';
import type { Handle, NodeInfo, NodeScore, PodInfo, StateData, WeightedAffinityTerm } from '../../framework/index.js';
import { MaxNodeScore } from '../../framework/index.js';
import { NamespaceLabelCache } from './filtering.js';
import { TopologyCounts } from './topology-counts.js';

export class PreScoreState implements StateData {
  constructor(readonly topologyScore: TopologyCounts) {}
  clone(): PreScoreState {
    return this;
  }
}

export interface ScoringArgs {
  hardPodAffinityWeight: number;
  ignorePreferredTermsOfExistingPods: boolean;
}

function addWeighted(
  out: TopologyCounts,
  terms: readonly WeightedAffinityTerm[],
  target: PodInfo,
  targetNsLabels: Labels | undefined,
  labels: Labels,
  sign: 1 | -1,
): void {
  for (const { term, weight } of terms) {
    if (!term.matches(target.pod, targetNsLabels)) continue;
    const v = labels[term.topologyKey];
    if (v !== undefined) out.add(term.topologyKey, v, sign * weight, true);
  }
}

/** The state, or undefined when nothing contributes (Score is then skipped). */
export function computePreScoreState(handle: Handle, pod: PodInfo, args: ScoringArgs): PreScoreState | undefined {
  const hasPreferred = pod.preferredAffinityTerms.length > 0 || pod.preferredAntiAffinityTerms.length > 0;
  if (args.ignorePreferredTermsOfExistingPods && !hasPreferred) return undefined;
  const lister = handle.snapshot();
  // Without preferred terms of its own, only existing pods' terms that reach its namespace can contribute.
  if (!hasPreferred && !lister.existingTerms().scoring.mayMatch(pod.pod.metadata?.namespace ?? '')) return undefined;
  const nodes = hasPreferred ? lister.list() : lister.havePodsWithAffinity();
  const nsCache = new NamespaceLabelCache(handle);
  const podNsLabels = nsCache.get(pod.pod.metadata?.namespace ?? '');
  const scores = new TopologyCounts();
  for (const ni of nodes) {
    const labels = ni.node?.metadata?.labels;
    if (!labels) continue;
    const pods = hasPreferred ? ni.pods : ni.podsWithAffinity;
    for (const ep of pods) {
      // Pods with only required anti-affinity (the common case) contribute nothing to scores.
      if (!hasPreferred && ep.requiredAffinityTerms.length === 0 && ep.preferredAffinityTerms.length === 0 && ep.preferredAntiAffinityTerms.length === 0) continue;
      if (hasPreferred) {
        const epNs = nsCache.get(ep.pod.metadata?.namespace ?? '');
        addWeighted(scores, pod.preferredAffinityTerms, ep, epNs, labels, 1);
        addWeighted(scores, pod.preferredAntiAffinityTerms, ep, epNs, labels, -1);
      }
      if (args.hardPodAffinityWeight > 0) {
        for (const term of ep.requiredAffinityTerms) {
          if (!term.matches(pod.pod, podNsLabels)) continue;
          const v = labels[term.topologyKey];
          if (v !== undefined) scores.add(term.topologyKey, v, args.hardPodAffinityWeight, true);
        }
      }
      addWeighted(scores, ep.preferredAffinityTerms, pod, podNsLabels, labels, 1);
      addWeighted(scores, ep.preferredAntiAffinityTerms, pod, podNsLabels, labels, -1);
    }
  }
  if (scores.isEmpty()) return undefined;
  return new PreScoreState(scores);
}

export function scoreNode(s: PreScoreState, nodeInfo: NodeInfo): number {
  const labels = nodeInfo.labels;
  let score = 0;
  for (const [key, m] of s.topologyScore.byKey) {
    const v = labels[key];
    if (v !== undefined) score += m.get(v) ?? 0;
  }
  return score;
}

export function normalize(scores: NodeScore[]): void {
  if (scores.length === 0) return;
  let min = Infinity;
  let max = -Infinity;
  for (const s of scores) {
    if (s.score > max) max = s.score;
    if (s.score < min) min = s.score;
  }
  const diff = max - min;
  for (const s of scores) s.score = diff > 0 ? Math.trunc(MaxNodeScore * ((s.score - min) / diff)) : 0;
}
