// InterPodAffinity filtering. PreFilter counts, once per cycle and per topology pair:
//  - existing pods whose required anti-affinity terms select the incoming pod (only nodes hosting pods
//    with required anti-affinity are visited);
//  - existing pods matching all of the incoming pod's required affinity terms;
//  - existing pods matching each of its required anti-affinity terms.
// Filter then costs a few map lookups per node.

import type { Labels } from '../../../api/selectors/index.js';
import type { CycleState, Handle, MaybeStatus, NodeInfo, PodInfo, StateData } from '../../framework/index.js';
import { Status } from '../../framework/index.js';
import { TopologyCounts, matchesAllTerms } from './topology-counts.js';

export const ErrReasonExistingAntiAffinityRulesNotMatch = "node(s) didn't satisfy existing pods anti-affinity rules";
export const ErrReasonAffinityRulesNotMatch = "node(s) didn't match pod affinity rules";
export const ErrReasonAntiAffinityRulesNotMatch = "node(s) didn't match pod anti-affinity rules";

/** Namespace labels looked up at most once per namespace per cycle. */
export class NamespaceLabelCache {
  private readonly cache = new Map<string, Labels | undefined>();
  constructor(private readonly handle: Handle) {}
  get(ns: string): Labels | undefined {
    if (this.cache.has(ns)) return this.cache.get(ns);
    const l = this.handle.namespaceLabels(ns);
    this.cache.set(ns, l);
    return l;
  }
}

export class PreFilterState implements StateData {
  constructor(
    readonly podInfo: PodInfo,
    readonly namespaceLabels: Labels | undefined,
    readonly existingAntiAffinityCounts: TopologyCounts,
    readonly affinityCounts: TopologyCounts,
    readonly antiAffinityCounts: TopologyCounts,
    readonly nsCache: NamespaceLabelCache,
  ) {}

  clone(): PreFilterState {
    return new PreFilterState(
      this.podInfo,
      this.namespaceLabels,
      this.existingAntiAffinityCounts.clone(),
      this.affinityCounts.clone(),
      this.antiAffinityCounts.clone(),
      this.nsCache,
    );
  }

  /** Account for `updated` being added (+1) to or removed (-1) from `nodeInfo` (preemption). */
  updateWithPod(updated: PodInfo, nodeInfo: NodeInfo, delta: number): void {
    const node = nodeInfo.node;
    if (!node) return;
    const pod = this.podInfo;
    this.existingAntiAffinityCounts.addAntiAffinityTerms(pod.pod, this.namespaceLabels, node, updated.requiredAntiAffinityTerms, delta);
    if (pod.requiredAffinityTerms.length > 0 || pod.requiredAntiAffinityTerms.length > 0) {
      const nsl = this.nsCache.get(updated.pod.metadata?.namespace ?? '');
      this.affinityCounts.addAffinityTerms(updated.pod, nsl, node, pod.requiredAffinityTerms, delta);
      this.antiAffinityCounts.addAntiAffinityTerms(updated.pod, nsl, node, pod.requiredAntiAffinityTerms, delta);
    }
  }
}

/** Build the state; undefined when there is nothing to check (no required terms anywhere). */
export function computePreFilterState(handle: Handle, pod: PodInfo, nodes: readonly NodeInfo[]): PreFilterState | undefined {
  const nsCache = new NamespaceLabelCache(handle);
  const podNs = pod.pod.metadata?.namespace ?? '';
  const nsLabels = nsCache.get(podNs);
  const lister = handle.snapshot();

  // Existing pods' required anti-affinity: only nodes hosting such pods, and only when some term can
  // reach the pod's namespace at all.
  const existing = new TopologyCounts();
  if (lister.existingTerms().requiredAntiAffinity.mayMatch(podNs)) {
    for (const ni of lister.havePodsWithRequiredAntiAffinity()) {
      if (!ni.node) continue;
      for (const ep of ni.podsWithRequiredAntiAffinity) {
        existing.addAntiAffinityTerms(pod.pod, nsLabels, ni.node, ep.requiredAntiAffinityTerms, 1);
      }
    }
  }

  const affinity = new TopologyCounts();
  const anti = new TopologyCounts();
  const req = pod.requiredAffinityTerms;
  const reqAnti = pod.requiredAntiAffinityTerms;
  if (req.length > 0 || reqAnti.length > 0) {
    for (const ni of nodes) {
      const node = ni.node;
      if (!node || !node.metadata?.labels) continue;
      for (const ep of ni.pods) {
        const nsl = nsCache.get(ep.pod.metadata?.namespace ?? '');
        if (req.length > 0) affinity.addAffinityTerms(ep.pod, nsl, node, req, 1);
        if (reqAnti.length > 0) anti.addAntiAffinityTerms(ep.pod, nsl, node, reqAnti, 1);
      }
    }
  }

  if (existing.isEmpty() && req.length === 0 && reqAnti.length === 0) return undefined;
  return new PreFilterState(pod, nsLabels, existing, affinity, anti, nsCache);
}

/**
 * Every required affinity term must have a matching pod in the node's domain. The exception: when no
 * pod anywhere matches and the pod matches its own terms, it may go first (the node still needs every
 * topology key).
 */
export function satisfyPodAffinity(s: PreFilterState, labels: Labels): boolean {
  const terms = s.podInfo.requiredAffinityTerms;
  if (terms.length === 0) return true;
  let podsExist = true;
  for (const t of terms) {
    const v = labels[t.topologyKey];
    if (v === undefined) return false;
    if (s.affinityCounts.get(t.topologyKey, v) <= 0) podsExist = false;
  }
  if (podsExist) return true;
  return s.affinityCounts.isEmpty() && matchesAllTerms(terms, s.podInfo.pod, s.namespaceLabels);
}

export function satisfyPodAntiAffinity(s: PreFilterState, labels: Labels): boolean {
  for (const t of s.podInfo.requiredAntiAffinityTerms) {
    const v = labels[t.topologyKey];
    if (v !== undefined && s.antiAffinityCounts.get(t.topologyKey, v) > 0) return false;
  }
  return true;
}

export function satisfyExistingPodsAntiAffinity(s: PreFilterState, labels: Labels): boolean {
  return !s.existingAntiAffinityCounts.anyPositiveOn(labels);
}

export function filterNode(s: PreFilterState, _state: CycleState, nodeInfo: NodeInfo): MaybeStatus {
  if (!nodeInfo.node) return Status.error('node not found');
  const labels = nodeInfo.labels;
  if (!satisfyPodAffinity(s, labels)) return Status.unresolvable(ErrReasonAffinityRulesNotMatch);
  if (!satisfyPodAntiAffinity(s, labels)) return Status.unschedulable(ErrReasonAntiAffinityRulesNotMatch);
  if (!satisfyExistingPodsAntiAffinity(s, labels)) return Status.unschedulable(ErrReasonExistingAntiAffinityRulesNotMatch);
  return null;
}
