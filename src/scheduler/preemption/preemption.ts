// DefaultPreemption (PostFilter): when a pod fits nowhere, find nodes where evicting lower-priority
// pods makes it fit, keep as many of those pods as possible (most important first), pick the node
// whose victims matter least, evict them and nominate the node. The dry run is pure; evicting is
// delegated to the caller's `evict`.

import type { Pod } from 'kubernetes-types/core/v1.js';
import type { NodeInfo, PodInfo } from '../framework/node-info.js';
import type { Framework } from '../framework/runtime.js';
import { CycleState, Status, type NodeInfoLister, type NodeToStatus, type PostFilterPlugin, type PostFilterResult } from '../framework/types.js';
import { fitErrorMessage } from '../fit-error.js';

export const PREEMPTION_NOT_HELPFUL = 'Preemption is not helpful for scheduling';
export const NO_VICTIMS = 'No preemption victims found for incoming pod';

export function podPriority(p: Pod): number {
  return p.spec?.priority ?? 0;
}

function startMs(p: Pod): number {
  const t = p.status?.startTime ?? p.metadata?.creationTimestamp;
  return t ? Date.parse(t) : 0;
}

/** Upstream's MoreImportantPod: higher priority, then earlier start. */
export function moreImportant(a: Pod, b: Pod): boolean {
  const pa = podPriority(a);
  const pb = podPriority(b);
  if (pa !== pb) return pa > pb;
  return startMs(a) < startMs(b);
}

export interface Candidate {
  nodeName: string;
  victims: PodInfo[];
  numPDBViolations: number;
}

/**
 * Victims on one node: remove every lower-priority pod; if the pod then fits, add them back most
 * important first while it still fits. Returns undefined (with the reason) when preemption here
 * cannot help.
 */
export function selectVictimsOnNode(
  fw: Framework,
  state: CycleState,
  pod: PodInfo,
  nodeInfo: NodeInfo,
): { victims: PodInfo[]; status?: undefined } | { victims?: undefined; status: Status } {
  const ni = nodeInfo.clone();
  const prio = podPriority(pod.pod);
  const potential: PodInfo[] = [];
  for (const p of ni.pods) if (podPriority(p.pod) < prio) potential.push(p);
  if (potential.length === 0) return { status: Status.unresolvable(NO_VICTIMS) };
  for (const p of potential) {
    ni.removePod(p);
    const s = fw.runPreFilterExtensionRemovePod(state, pod, p, ni);
    if (s) return { status: s };
  }
  const fits = (): Status | null => fw.runFilterPluginsWithNominatedPods(state, pod, ni);
  const first = fits();
  if (first) return { status: first };
  potential.sort((a, b) => (moreImportant(a.pod, b.pod) ? -1 : moreImportant(b.pod, a.pod) ? 1 : 0));
  const victims: PodInfo[] = [];
  for (const p of potential) {
    ni.addPod(p);
    const s = fw.runPreFilterExtensionAddPod(state, pod, p, ni);
    if (s) return { status: s };
    if (fits() == null) continue; // reprieved
    ni.removePod(p);
    fw.runPreFilterExtensionRemovePod(state, pod, p, ni);
    victims.push(p);
  }
  return { victims };
}

/** Upstream's candidate order: fewest PDB violations, lowest highest-victim priority, lowest priority sum, fewest victims, latest start of the top victims. */
export function pickOneNode(candidates: readonly Candidate[]): Candidate | undefined {
  if (candidates.length === 0) return undefined;
  const highest = (c: Candidate) => (c.victims.length ? Math.max(...c.victims.map((v) => podPriority(v.pod))) : -Infinity);
  // Shift so negative priorities still sum sensibly (as upstream adds MaxInt32+1).
  const sum = (c: Candidate) => c.victims.reduce((s, v) => s + podPriority(v.pod) + 2 ** 31, 0);
  const earliestTopStart = (c: Candidate) => {
    const h = highest(c);
    let m = Infinity;
    for (const v of c.victims) if (podPriority(v.pod) === h) m = Math.min(m, startMs(v.pod));
    return m;
  };
  const criteria: ((c: Candidate) => number)[] = [
    (c) => c.numPDBViolations,
    highest,
    sum,
    (c) => c.victims.length,
    (c) => -earliestTopStart(c),
  ];
  let pool = [...candidates];
  for (const f of criteria) {
    const min = Math.min(...pool.map(f));
    pool = pool.filter((c) => f(c) === min);
    if (pool.length === 1) break;
  }
  return pool[0];
}

export interface PreemptionDeps {
  framework: () => Framework;
  snapshot: () => NodeInfoLister;
  /** Delete a victim (graceful) and record the Preempted event. */
  evict(victim: Pod, preemptor: Pod, nodeName: string): Promise<void>;
  /** Lower-priority pods nominated to a node lose their nomination (optional). */
  clearNomination?(pod: PodInfo): Promise<void>;
  nominatedPodsForNode?(nodeName: string): PodInfo[];
  /** Whether a lower-priority pod on the nominated node is still terminating. */
}

export class DefaultPreemption implements PostFilterPlugin {
  readonly name = 'DefaultPreemption';
  constructor(private readonly deps: PreemptionDeps) {}

  /** Whether the pod may preempt at all; a message when not. */
  eligible(pod: PodInfo): string | undefined {
    if (pod.pod.spec?.preemptionPolicy === 'Never') return 'not eligible due to preemptionPolicy=Never.';
    const nominated = pod.pod.status?.nominatedNodeName;
    if (nominated) {
      const ni = this.deps.snapshot().get(nominated);
      const prio = podPriority(pod.pod);
      if (ni?.pods.some((p) => p.pod.metadata?.deletionTimestamp && podPriority(p.pod) < prio)) {
        return 'not eligible due to a terminating pod on the nominated node.';
      }
    }
    return undefined;
  }

  /** Dry run over all nodes where preemption might help. */
  findCandidates(state: CycleState, pod: PodInfo, statuses: NodeToStatus): { candidates: Candidate[]; diagnosis: NodeToStatus; numAll: number } {
    const fw = this.deps.framework();
    const all = this.deps.snapshot().list();
    const diagnosis: NodeToStatus = new Map();
    const candidates: Candidate[] = [];
    for (const ni of all) {
      const st = statuses.get(ni.name);
      if (st?.code === 'UnschedulableAndUnresolvable') {
        diagnosis.set(ni.name, Status.unresolvable(PREEMPTION_NOT_HELPFUL));
        continue;
      }
      if (!st) continue; // the node passed filtering (not expected here)
      const s = state.clone();
      s.preemption = true;
      const r = selectVictimsOnNode(fw, s, pod, ni);
      if (r.victims && r.victims.length > 0) candidates.push({ nodeName: ni.name, victims: r.victims, numPDBViolations: 0 });
      else if (r.status) diagnosis.set(ni.name, r.status);
      else diagnosis.set(ni.name, Status.unschedulable(NO_VICTIMS));
    }
    return { candidates, diagnosis, numAll: all.length };
  }

  async postFilter(state: CycleState, pod: PodInfo, statuses: NodeToStatus): Promise<PostFilterResult> {
    const notEligible = this.eligible(pod);
    if (notEligible) return { status: Status.unresolvable(notEligible) };
    const { candidates, diagnosis, numAll } = this.findCandidates(state, pod, statuses);
    const best = pickOneNode(candidates);
    if (!best) {
      const msg = `preemption: ${fitErrorMessage({ numAllNodes: numAll, statuses: diagnosis })}`;
      return { status: Status.unschedulable(msg) };
    }
    await Promise.all(best.victims.map((v) => this.deps.evict(v.pod, pod.pod, best.nodeName)));
    if (this.deps.nominatedPodsForNode && this.deps.clearNomination) {
      const prio = podPriority(pod.pod);
      for (const p of this.deps.nominatedPodsForNode(best.nodeName)) {
        if (p.key !== pod.key && podPriority(p.pod) < prio) await this.deps.clearNomination(p);
      }
    }
    return { status: null, nominatedNodeName: best.nodeName };
  }
}
