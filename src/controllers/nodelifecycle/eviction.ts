// Taint-based eviction decisions (upstream's taint eviction controller), pure: a pod on a node
// with NoExecute taints it does not tolerate goes at once; one that tolerates them all for a
// limited time goes when the shortest tolerationSeconds has run out, counted from when the
// controller first saw the pod under those taints.

import type { Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js';

export function toleratesTaint(tol: Toleration, taint: Taint): boolean {
  if (tol.effect && tol.effect !== taint.effect) return false;
  if (tol.operator === 'Exists') return !tol.key || tol.key === taint.key;
  // Equal (the default)
  return (tol.key ?? '') === taint.key && (tol.value ?? '') === (taint.value ?? '');
}

/** Whether every taint is tolerated, and the tolerations used (the first match for each taint). */
export function matchingTolerations(taints: Taint[], tolerations: Toleration[]): { all: boolean; used: Toleration[] } {
  const used: Toleration[] = [];
  for (const taint of taints) {
    const t = tolerations.find((x) => toleratesTaint(x, taint));
    if (!t) return { all: false, used: [] };
    used.push(t);
  }
  return { all: true, used };
}

/** The shortest tolerationSeconds in ms: 0 when none or any ≤ 0, -1 when all tolerate forever. */
export function minTolerationMs(used: Toleration[]): number {
  if (used.length === 0) return 0;
  let min = Infinity;
  for (const t of used) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
    if (t.tolerationSeconds <= 0) return 0;
    min = Math.min(min, t.tolerationSeconds);
  }
  return min === Infinity ? -1 : min * 1000;
}

export function noExecuteTaints(taints: Taint[] | undefined): Taint[] {
  return (taints ?? []).filter((t) => t.effect === 'NoExecute');
}

export type EvictionDecision =
  | { kind: 'none' }
  | { kind: 'delete' }
  | { kind: 'wait'; startedAt: number; fireAt: number };

/**
 * What to do with one pod given its node's NoExecute taints. `startedAt` is when an eviction
 * timer for the pod was started, if one runs.
 */
export function decideEviction(pod: Pod, taints: Taint[], now: number, startedAt?: number): EvictionDecision {
  const ne = noExecuteTaints(taints);
  if (ne.length === 0) return { kind: 'none' };
  const { all, used } = matchingTolerations(ne, pod.spec?.tolerations ?? []);
  if (!all) return { kind: 'delete' };
  const min = minTolerationMs(used);
  if (min < 0) return { kind: 'none' };
  const start = startedAt ?? now;
  const fireAt = start + min;
  if (fireAt <= now) return { kind: 'delete' };
  return { kind: 'wait', startedAt: start, fireAt };
}
