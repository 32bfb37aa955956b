// PodTopologySpread filtering (DoNotSchedule): per constraint, how many matching pods each topology
// domain holds, computed once per cycle, and the skew check per node.

import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { NodeInfo, StateData } from '../../framework/index.js';
import { RequiredNodeAffinity } from '../helper/node-affinity.js';
import { countPodsMatchSelector, matchNodeInclusionPolicies, nodeHasAllTopologyKeys, type Constraint } from './common.js';

/** The two domains with the fewest matching pods (enough to keep the minimum under ±1 updates). */
export class CriticalPaths {
  value0 = '';
  num0 = Number.MAX_SAFE_INTEGER;
  value1 = '';
  num1 = Number.MAX_SAFE_INTEGER;

  update(value: string, num: number): void {
    if (value === this.value0 || value === this.value1) {
      if (value === this.value0) this.num0 = num;
      else this.num1 = num;
      if (this.num0 > this.num1) {
        [this.value0, this.value1] = [this.value1, this.value0];
        [this.num0, this.num1] = [this.num1, this.num0];
      }
    } else if (num < this.num0) {
      this.value1 = this.value0;
      this.num1 = this.num0;
      this.value0 = value;
      this.num0 = num;
    } else if (num < this.num1) {
      this.value1 = value;
      this.num1 = num;
    }
  }

  clone(): CriticalPaths {
    const c = new CriticalPaths();
    c.value0 = this.value0;
    c.num0 = this.num0;
    c.value1 = this.value1;
    c.num1 = this.num1;
    return c;
  }
}

export class PreFilterState implements StateData {
  constructor(
    readonly constraints: readonly Constraint[],
    /** Per constraint: topology value → matching pods. */
    readonly counts: Map<string, number>[],
    readonly paths: CriticalPaths[],
    readonly requiredNodeAffinity: RequiredNodeAffinity,
  ) {}

  /** The global minimum the skew is measured against (0 when fewer domains than minDomains). */
  minMatchNum(i: number): number {
    const c = this.constraints[i]!;
    if (this.counts[i]!.size < c.minDomains) return 0;
    return this.paths[i]!.num0;
  }

  /** Account for `updated` (a pod of the same namespace) being added (+1) to or removed (-1) from `node`. */
  updateWithPod(updated: Pod, preemptor: Pod, node: Node | undefined, delta: number): void {
    if (!node || (updated.metadata?.namespace ?? '') !== (preemptor.metadata?.namespace ?? '')) return;
    if (!nodeHasAllTopologyKeys(node, this.constraints)) return;
    const labels = updated.metadata?.labels;
    for (let i = 0; i < this.constraints.length; i++) {
      const c = this.constraints[i]!;
      if (!c.selector.matches(labels)) continue;
      if (!matchNodeInclusionPolicies(c, preemptor, node, this.requiredNodeAffinity)) continue;
      const v = node.metadata!.labels![c.topologyKey]!;
      const n = (this.counts[i]!.get(v) ?? 0) + delta;
      this.counts[i]!.set(v, n);
      this.paths[i]!.update(v, n);
    }
  }

  clone(): PreFilterState {
    return new PreFilterState(
      this.constraints,
      this.counts.map((m) => new Map(m)),
      this.paths.map((p) => p.clone()),
      this.requiredNodeAffinity,
    );
  }
}

export function computePreFilterState(pod: Pod, constraints: readonly Constraint[], nodes: readonly NodeInfo[]): PreFilterState {
  const required = new RequiredNodeAffinity(pod);
  const ns = pod.metadata?.namespace ?? '';
  const counts = constraints.map(() => new Map<string, number>());
  for (const ni of nodes) {
    const node = ni.node;
    if (!node || !nodeHasAllTopologyKeys(node, constraints)) continue;
    const labels = node.metadata!.labels!;
    for (let i = 0; i < constraints.length; i++) {
      const c = constraints[i]!;
      if (!matchNodeInclusionPolicies(c, pod, node, required)) continue;
      const v = labels[c.topologyKey]!;
      const m = counts[i]!;
      m.set(v, (m.get(v) ?? 0) + countPodsMatchSelector(ni.pods, c.selector, ns));
    }
  }
  const paths = counts.map((m) => {
    const p = new CriticalPaths();
    for (const [v, n] of m) p.update(v, n);
    return p;
  });
  return new PreFilterState(constraints, counts, paths, required);
}
