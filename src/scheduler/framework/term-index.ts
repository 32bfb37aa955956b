// Which namespaces the existing pods' affinity terms can select. InterPodAffinity must look at every
// existing pod whose required anti-affinity (Filter) or affinity/preferred terms (Score) might select
// the incoming pod; a term selects only pods in its namespaces (unless it has a namespaceSelector), so
// counting terms per namespace lets a pod in a namespace no term reaches skip those scans entirely.

import type { AffinityTerm, PodInfo } from './node-info.js';

/** Terms per namespace they can select; a term with a namespaceSelector counts for every namespace. */
export class NamespaceTermCounts {
  private readonly byNamespace = new Map<string, number>();
  private anyNamespace = 0;

  add(term: AffinityTerm, delta: number): void {
    if (term.hasNamespaceSelector) {
      this.anyNamespace += delta;
      return;
    }
    for (const ns of term.namespaces) {
      const n = (this.byNamespace.get(ns) ?? 0) + delta;
      if (n === 0) this.byNamespace.delete(ns);
      else this.byNamespace.set(ns, n);
    }
  }

  /** Whether some term might select a pod of `namespace`. */
  mayMatch(namespace: string): boolean {
    return this.anyNamespace > 0 || this.byNamespace.has(namespace);
  }

  copyFrom(o: NamespaceTermCounts): void {
    this.byNamespace.clear();
    for (const [k, v] of o.byNamespace) this.byNamespace.set(k, v);
    this.anyNamespace = o.anyNamespace;
  }
}

/** The namespace reach of the affinity terms of all pods placed on nodes. */
export class ExistingTermIndex {
  /** Required anti-affinity terms (existing pods' anti-affinity against an incoming pod: Filter). */
  readonly requiredAntiAffinity = new NamespaceTermCounts();
  /** Required affinity and preferred (anti-)affinity terms (they add to an incoming pod's scores). */
  readonly scoring = new NamespaceTermCounts();
  /** Changes with every update, so a snapshot copies the index only when it moved. */
  version = 0;

  addPod(pi: PodInfo, delta: 1 | -1): void {
    if (!pi.hasAffinity()) return;
    for (const t of pi.requiredAntiAffinityTerms) this.requiredAntiAffinity.add(t, delta);
    for (const t of pi.requiredAffinityTerms) this.scoring.add(t, delta);
    for (const w of pi.preferredAffinityTerms) this.scoring.add(w.term, delta);
    for (const w of pi.preferredAntiAffinityTerms) this.scoring.add(w.term, delta);
    this.version++;
  }

  copyFrom(o: ExistingTermIndex): void {
    this.requiredAntiAffinity.copyFrom(o.requiredAntiAffinity);
    this.scoring.copyFrom(o.scoring);
    this.version = o.version;
  }

  static of(pods: Iterable<PodInfo>): ExistingTermIndex {
    const idx = new ExistingTermIndex();
    for (const p of pods) idx.addPod(p, 1);
    return idx;
  }
}
