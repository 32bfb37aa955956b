// Test harness for plugins: a snapshot built from plain nodes and pods, a fake Handle, and helpers that
// run a plugin's extension points the way the framework would (PreFilter → Filter per node; PreScore →
// Score per node → NormalizeScore). Test-only.

import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { Labels } from '../../../api/selectors/index.js';
import {
  CycleState,
  ExistingTermIndex,
  NodeInfo,
  PodInfo,
  PreFilterResult,
  Status,
  type FilterPlugin,
  type Handle,
  type NodeInfoLister,
  type NodeScore,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ScorePlugin,
} from '../../framework/index.js';

/** NodeInfos for `nodes`, with each pod placed on the node its spec.nodeName names; image states filled in. */
export function makeNodeInfos(nodes: readonly Node[], pods: readonly Pod[] = []): NodeInfo[] {
  const byName = new Map<string, NodeInfo>();
  const infos = nodes.map((n) => {
    const ni = new NodeInfo(n);
    byName.set(n.metadata!.name!, ni);
    return ni;
  });
  for (const p of pods) {
    const ni = byName.get(p.spec?.nodeName ?? '');
    if (ni) ni.addPod(p);
  }
  const numNodes = new Map<string, number>();
  for (const n of nodes) {
    const names = new Set<string>();
    for (const img of n.status?.images ?? []) for (const name of img.names ?? []) names.add(name);
    for (const name of names) numNodes.set(name, (numNodes.get(name) ?? 0) + 1);
  }
  for (const ni of infos) {
    for (const img of ni.node!.status?.images ?? []) {
      for (const name of img.names ?? []) ni.imageStates.set(name, { size: img.sizeBytes ?? 0, numNodes: numNodes.get(name) ?? 0 });
    }
  }
  return infos;
}

export class FakeLister implements NodeInfoLister {
  private readonly terms: ExistingTermIndex;
  constructor(private readonly infos: readonly NodeInfo[]) {
    this.terms = ExistingTermIndex.of(infos.flatMap((ni) => ni.podsWithAffinity));
  }
  existingTerms(): ExistingTermIndex {
    return this.terms;
  }
  list(): readonly NodeInfo[] {
    return this.infos;
  }
  get(nodeName: string): NodeInfo | undefined {
    return this.infos.find((n) => n.name === nodeName);
  }
  havePodsWithAffinity(): readonly NodeInfo[] {
    return this.infos.filter((n) => n.podsWithAffinity.length > 0);
  }
  havePodsWithRequiredAntiAffinity(): readonly NodeInfo[] {
    return this.infos.filter((n) => n.podsWithRequiredAntiAffinity.length > 0);
  }
}

export function fakeHandle(infos: readonly NodeInfo[], namespaces: Record<string, Labels> = {}): Handle {
  const lister = new FakeLister(infos);
  return {
    snapshot: () => lister,
    namespaceLabels: (ns) => namespaces[ns],
  };
}

export type AnyPlugin = Partial<PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin> & { name: string };

/** PreFilter (if any) then Filter on each node: node name → status (null for success). */
export function runFilter(
  plugin: AnyPlugin,
  pod: Pod,
  infos: readonly NodeInfo[],
  state = new CycleState(),
): { preFilter: Status | PreFilterResult | null | undefined; statuses: Map<string, Status | null> } {
  const pi = new PodInfo(pod);
  const statuses = new Map<string, Status | null>();
  let pre: Status | PreFilterResult | null | undefined = null;
  if (plugin.preFilter) {
    pre = plugin.preFilter(state, pi, infos);
    if (pre instanceof Status && !pre.isSkip() && !pre.isSuccess()) {
      for (const ni of infos) statuses.set(ni.name, pre);
      return { preFilter: pre, statuses };
    }
    if (pre instanceof Status && pre.isSkip()) {
      for (const ni of infos) statuses.set(ni.name, null);
      return { preFilter: pre, statuses };
    }
  }
  for (const ni of infos) statuses.set(ni.name, plugin.filter!(state, pi, ni) ?? null);
  return { preFilter: pre, statuses };
}

/** A status as a comparable value: null for success, else [code, ...reasons]. */
export function statusTuple(s: Status | null | undefined): null | string[] {
  if (s == null || s.isSuccess()) return null;
  return [s.code, ...s.reasons];
}

/**
 * PreScore (if any) → Score on each node → NormalizeScore (if any). Returns the final scores in node
 * order, or the PreScore status when it is Skip (all scores then 0) or an error.
 */
export function runScore(
  plugin: AnyPlugin,
  pod: Pod,
  infos: readonly NodeInfo[],
  state = new CycleState(),
): { scores: NodeScore[]; preScore: Status | null | undefined } {
  const pi = new PodInfo(pod);
  let pre: Status | null | undefined = null;
  if (plugin.preScore) {
    pre = plugin.preScore(state, pi, infos);
    if (pre && !pre.isSuccess()) return { scores: infos.map((n) => ({ name: n.name, score: 0 })), preScore: pre };
  }
  const scores: NodeScore[] = infos.map((ni) => {
    const s = plugin.score!(state, pi, ni);
    if (s instanceof Status) throw new Error(`score on ${ni.name}: ${s.toString()}`);
    return { name: ni.name, score: s };
  });
  if (plugin.normalizeScore) {
    const st = plugin.normalizeScore(state, pi, scores);
    if (st && !st.isSuccess()) throw new Error(`normalizeScore: ${st.toString()}`);
  }
  return { scores, preScore: pre };
}
