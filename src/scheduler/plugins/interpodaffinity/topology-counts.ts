// Counts (or weights) per topology pair (topologyKey, value), kept as key → value → number so that a
// node is checked with one lookup per topology key. Zero entries are removed, so `isEmpty()` means
// "nothing anywhere".

import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { Labels } from '../../../api/selectors/index.js';
import type { AffinityTerm } from '../../framework/index.js';

export class TopologyCounts {
  readonly byKey = new Map<string, Map<string, number>>();

  /** Add `delta`; with `keepZero` an entry that sums to 0 stays (scoring keeps matched-but-cancelled pairs). */
  add(key: string, value: string, delta: number, keepZero = false): void {
    let m = this.byKey.get(key);
    if (!m) this.byKey.set(key, (m = new Map()));
    const n = (m.get(value) ?? 0) + delta;
    if (n === 0 && !keepZero) {
      m.delete(value);
      if (m.size === 0) this.byKey.delete(key);
    } else {
      m.set(value, n);
    }
  }

  get(key: string, value: string): number {
    return this.byKey.get(key)?.get(value) ?? 0;
  }

  isEmpty(): boolean {
    return this.byKey.size === 0;
  }

  /** Whether any pair of the node's labels has a positive count. */
  anyPositiveOn(nodeLabels: Labels): boolean {
    for (const [key, m] of this.byKey) {
      const v = nodeLabels[key];
      if (v !== undefined && (m.get(v) ?? 0) > 0) return true;
    }
    return false;
  }

  merge(o: TopologyCounts, keepZero = false): void {
    for (const [k, m] of o.byKey) for (const [v, n] of m) this.add(k, v, n, keepZero);
  }

  clone(): TopologyCounts {
    const c = new TopologyCounts();
    for (const [k, m] of this.byKey) c.byKey.set(k, new Map(m));
    return c;
  }

  /** For each term `target` matches, add `delta` to the pair of the term's key on `node`. */
  addAntiAffinityTerms(target: Pod, targetNsLabels: Labels | undefined, node: Node, terms: readonly AffinityTerm[], delta: number): void {
    const labels = node.metadata?.labels;
    if (!labels) return;
    for (const t of terms) {
      if (!t.matches(target, targetNsLabels)) continue;
      const v = labels[t.topologyKey];
      if (v !== undefined) this.add(t.topologyKey, v, delta);
    }
  }

  /** If `target` matches all the terms, add `delta` to the pair of each term's key on `node`. */
  addAffinityTerms(target: Pod, targetNsLabels: Labels | undefined, node: Node, terms: readonly AffinityTerm[], delta: number): void {
    const labels = node.metadata?.labels;
    if (!labels || !matchesAllTerms(terms, target, targetNsLabels)) return;
    for (const t of terms) {
      const v = labels[t.topologyKey];
      if (v !== undefined) this.add(t.topologyKey, v, delta);
    }
  }
}

/** True when there are terms and `pod` matches every one. */
export function matchesAllTerms(terms: readonly AffinityTerm[], pod: Pod, nsLabels: Labels | undefined): boolean {
  if (terms.length === 0) return false;
  for (const t of terms) if (!t.matches(pod, nsLabels)) return false;
  return true;
}
