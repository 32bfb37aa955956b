// Pieces shared by PodTopologySpread's filtering and scoring: constraints parsed from the pod (or the
// cluster defaults), node inclusion policies, and counting matching pods on a node.

import type { Node, Pod, TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import type { LabelSelector as LabelSelectorObject } from 'kubernetes-types/meta/v1.js';
import { LabelSelector, labelSelectorFromObject, requirement } from '../../../api/selectors/index.js';
import type { PodInfo } from '../../framework/index.js';
import type { RequiredNodeAffinity } from '../helper/node-affinity.js';
import { findUntoleratedTaint } from '../helper/taints.js';

export const LabelHostname = 'kubernetes.io/hostname';
export const LabelTopologyZone = 'topology.kubernetes.io/zone';

export type WhenUnsatisfiable = 'DoNotSchedule' | 'ScheduleAnyway';
export type NodeInclusionPolicy = 'Honor' | 'Ignore';

/** Upstream's system default constraints, used for pods without their own (with a selector from their owners). */
export const systemDefaultConstraints: readonly TopologySpreadConstraint[] = [
  { topologyKey: LabelHostname, whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 3 },
  { topologyKey: LabelTopologyZone, whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 5 },
];

export interface Constraint {
  maxSkew: number;
  topologyKey: string;
  selector: LabelSelector;
  minDomains: number;
  nodeAffinityPolicy: NodeInclusionPolicy;
  nodeTaintsPolicy: NodeInclusionPolicy;
}

/**
 * The constraints of `action`, parsed. matchLabelKeys add `key=<pod's value>` to the selector for the
 * keys the pod has. Throws on an invalid selector.
 */
export function filterConstraints(
  constraints: readonly TopologySpreadConstraint[],
  podLabels: Readonly<Record<string, string>> | undefined,
  action: WhenUnsatisfiable,
): Constraint[] {
  const out: Constraint[] = [];
  for (const c of constraints) {
    if (c.whenUnsatisfiable !== action) continue;
    let selector = labelSelectorFromObject(c.labelSelector);
    const extra = (c.matchLabelKeys ?? []).filter((k) => podLabels && Object.prototype.hasOwnProperty.call(podLabels, k));
    if (extra.length > 0 && !selector.matchesNothing) {
      selector = LabelSelector.of([...selector.requirements, ...extra.map((k) => requirement(k, '=', [podLabels![k]!]))]);
    }
    out.push({
      maxSkew: c.maxSkew,
      topologyKey: c.topologyKey,
      selector,
      minDomains: c.minDomains ?? 1,
      nodeAffinityPolicy: (c.nodeAffinityPolicy as NodeInclusionPolicy | undefined) ?? 'Honor',
      nodeTaintsPolicy: (c.nodeTaintsPolicy as NodeInclusionPolicy | undefined) ?? 'Ignore',
    });
  }
  return out;
}

export interface PodTopologySpreadArgs {
  /** Constraints for pods that have none of their own. Used with defaultingType 'List'. */
  defaultConstraints?: readonly TopologySpreadConstraint[];
  /** 'System' (default): upstream's systemDefaultConstraints; 'List': defaultConstraints. */
  defaultingType?: 'System' | 'List';
  /**
   * The selector default constraints use for a pod: upstream derives it from the Services,
   * ReplicationControllers, ReplicaSets and StatefulSets selecting the pod. Without it (or when it
   * returns nothing) default constraints do not apply.
   */
  defaultSelector?: (pod: Pod) => LabelSelectorObject | LabelSelector | undefined;
}

export class ConstraintSource {
  readonly systemDefaulted: boolean;
  private readonly defaults: readonly TopologySpreadConstraint[];

  constructor(private readonly args: PodTopologySpreadArgs) {
    this.systemDefaulted = (args.defaultingType ?? 'System') === 'System';
    this.defaults = this.systemDefaulted ? systemDefaultConstraints : (args.defaultConstraints ?? []);
  }

  /** The pod's constraints of `action`, or the defaults (with the pod's default selector). */
  get(pod: Pod, action: WhenUnsatisfiable): Constraint[] {
    const own = pod.spec?.topologySpreadConstraints;
    if (own && own.length > 0) return filterConstraints(own, pod.metadata?.labels, action);
    const defaults = filterConstraints(this.defaults, pod.metadata?.labels, action);
    if (defaults.length === 0 || !this.args.defaultSelector) return [];
    const s = this.args.defaultSelector(pod);
    if (s === undefined) return [];
    const selector = s instanceof LabelSelector ? s : labelSelectorFromObject(s);
    if (selector.empty() || selector.matchesNothing) return [];
    for (const c of defaults) c.selector = selector;
    return defaults;
  }
}

/** Whether the node has every topology key the constraints use. */
export function nodeHasAllTopologyKeys(node: Node, constraints: readonly Constraint[]): boolean {
  const labels = node.metadata?.labels;
  if (!labels) return constraints.length === 0;
  for (const c of constraints) if (!Object.prototype.hasOwnProperty.call(labels, c.topologyKey)) return false;
  return true;
}

/** Whether the node counts for the constraint under its nodeAffinityPolicy / nodeTaintsPolicy. */
export function matchNodeInclusionPolicies(c: Constraint, pod: Pod, node: Node, required: RequiredNodeAffinity): boolean {
  if (c.nodeAffinityPolicy === 'Honor' && !required.matches(node)) return false;
  if (c.nodeTaintsPolicy === 'Honor' && findUntoleratedTaint(node.spec?.taints, pod.spec?.tolerations)) return false;
  return true;
}

/** Pods of namespace `ns`, not terminating, matching the selector. */
export function countPodsMatchSelector(pods: readonly PodInfo[], selector: LabelSelector, ns: string): number {
  if (selector.matchesNothing) return 0;
  let n = 0;
  for (const p of pods) {
    const m = p.pod.metadata;
    if (m?.deletionTimestamp || (m?.namespace ?? '') !== ns) continue;
    if (selector.matches(m?.labels)) n++;
  }
  return n;
}
