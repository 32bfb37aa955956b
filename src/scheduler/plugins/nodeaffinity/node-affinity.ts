// NodeAffinity. Filter: spec.nodeSelector AND the required node affinity terms (plus a scheduler-enforced
// selector, if configured). PreFilter narrows the candidate nodes when every term pins metadata.name.
// Score: the sum of the weights of the preferred terms a node matches, normalised to 0..100.

import type { NodeAffinity as NodeAffinityObject } from 'kubernetes-types/core/v1.js';
import type {
  ClusterEventWithHint,
  CycleState,
  EnqueueExtensions,
  FilterPlugin,
  MaybeStatus,
  NodeInfo,
  NodeScore,
  PodInfo,
  PreFilterPlugin,
  PreScorePlugin,
  ScorePlugin,
  StateData,
} from '../../framework/index.js';
import { ActionType, PreFilterResult, Status } from '../../framework/index.js';
import { ObjectNameField, ParsedNodeSelector, PreferredSchedulingTerms, RequiredNodeAffinity } from '../helper/node-affinity.js';
import { defaultNormalizeScore } from '../helper/normalize-score.js';

export const Name = 'NodeAffinity';
export const ErrReasonPod = "node(s) didn't match Pod's node affinity/selector";
export const ErrReasonEnforced = "node(s) didn't match scheduler-enforced node affinity";
export const ErrReasonConflict = 'pod affinity terms conflict';

const preFilterStateKey = 'PreFilter' + Name;
const preScoreStateKey = 'PreScore' + Name;

export interface NodeAffinityArgs {
  /** Node affinity every pod of the profile must also satisfy (upstream's NodeAffinityArgs.addedAffinity). */
  addedAffinity?: NodeAffinityObject;
}

interface PreFilterState extends StateData {
  required: RequiredNodeAffinity;
}

interface PreScoreState extends StateData {
  preferred: PreferredSchedulingTerms | undefined;
}

export class NodeAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  readonly name = Name;
  private readonly addedNodeSelector: ParsedNodeSelector | undefined;
  private readonly addedPrefTerms: PreferredSchedulingTerms | undefined;

  constructor(args: NodeAffinityArgs = {}) {
    const added = args.addedAffinity;
    const req = added?.requiredDuringSchedulingIgnoredDuringExecution;
    if (req) this.addedNodeSelector = new ParsedNodeSelector(req);
    const pref = added?.preferredDuringSchedulingIgnoredDuringExecution;
    if (pref && pref.length > 0) this.addedPrefTerms = new PreferredSchedulingTerms(pref);
  }

  preFilter(state: CycleState, pod: PodInfo): Status | PreFilterResult | null {
    const spec = pod.pod.spec;
    const required = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    if (!required && !this.addedNodeSelector && !spec?.nodeSelector) return Status.skip();
    const s: PreFilterState = { required: new RequiredNodeAffinity(pod.pod) };
    state.write(preFilterStateKey, s);
    if (!required || this.addedNodeSelector) return null;

    // When every term names nodes (matchFields metadata.name In …), only those nodes can match.
    let nodeNames: Set<string> | undefined;
    for (const term of required.nodeSelectorTerms ?? []) {
      let termNames: Set<string> | undefined;
      for (const f of term.matchFields ?? []) {
        if (f.key !== ObjectNameField || f.operator !== 'In') continue;
        const vals = new Set(f.values ?? []);
        termNames = termNames === undefined ? vals : new Set([...termNames].filter((n) => vals.has(n)));
      }
      if (termNames === undefined) return null; // this term admits any node name; terms are ORed
      nodeNames ??= new Set();
      for (const n of termNames) nodeNames.add(n);
    }
    if (nodeNames !== undefined && nodeNames.size === 0) return Status.unresolvable(ErrReasonConflict);
    if (nodeNames !== undefined) return new PreFilterResult(nodeNames);
    return null;
  }

  filter(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): MaybeStatus {
    const node = nodeInfo.node;
    if (!node) return Status.error('node not found');
    if (this.addedNodeSelector && !this.addedNodeSelector.matches(node)) return Status.unresolvable(ErrReasonEnforced);
    const s = state.read<PreFilterState>(preFilterStateKey) ?? { required: new RequiredNodeAffinity(pod.pod) };
    return s.required.matches(node) ? null : Status.unresolvable(ErrReasonPod);
  }

  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): MaybeStatus {
    if (nodes.length === 0) return null;
    let preferred: PreferredSchedulingTerms | undefined;
    try {
      preferred = podPreferredTerms(pod);
    } catch (e) {
      return Status.error(e as Error);
    }
    if (!preferred && !this.addedPrefTerms) return Status.skip();
    const s: PreScoreState = { preferred };
    state.write(preScoreStateKey, s);
    return null;
  }

  score(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): number | Status {
    const node = nodeInfo.node;
    if (!node) return Status.error('node not found');
    let count = this.addedPrefTerms ? this.addedPrefTerms.score(node) : 0;
    let s = state.read<PreScoreState>(preScoreStateKey);
    if (!s) {
      try {
        s = { preferred: podPreferredTerms(pod) };
      } catch (e) {
        return Status.error(e as Error);
      }
    }
    if (s.preferred) count += s.preferred.score(node);
    return count;
  }

  normalizeScore(_state: CycleState, _pod: PodInfo, scores: NodeScore[]): MaybeStatus {
    defaultNormalizeScore(scores, false);
    return null;
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [
      { event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeLabel } },
      { event: { resource: 'UnscheduledPod', actionType: ActionType.UpdateOther } },
    ];
  }
}

function podPreferredTerms(pod: PodInfo): PreferredSchedulingTerms | undefined {
  const pref = pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
  if (!pref || pref.length === 0) return undefined;
  return new PreferredSchedulingTerms(pref);
}
