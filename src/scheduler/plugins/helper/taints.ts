// Taints and tolerations, as upstream's v1helper: whether a toleration tolerates a taint, and the first
// taint of a node that no toleration of a pod tolerates.

import type { Taint, Toleration } from 'kubernetes-types/core/v1.js';

export const TaintEffectNoSchedule = 'NoSchedule';
export const TaintEffectPreferNoSchedule = 'PreferNoSchedule';
export const TaintEffectNoExecute = 'NoExecute';
export const TaintNodeUnschedulable = 'node.kubernetes.io/unschedulable';

/**
 * An empty toleration effect matches every effect; an empty key (only meaningful with Exists) matches
 * every key; operator Equal (or empty) compares values, Exists ignores them.
 */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? '') {
    case '':
    case 'Equal':
      return (t.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

export function tolerationsTolerateTaint(tolerations: readonly Toleration[] | undefined, taint: Taint): boolean {
  for (const t of tolerations ?? []) if (toleratesTaint(t, taint)) return true;
  return false;
}

/** Taints with effect NoSchedule or NoExecute: the ones that keep a pod off a node. */
export function doNotScheduleTaint(t: Taint): boolean {
  return t.effect === TaintEffectNoSchedule || t.effect === TaintEffectNoExecute;
}

/** The first taint passing `filter` that the tolerations do not tolerate, if any. */
export function findUntoleratedTaint(
  taints: readonly Taint[] | undefined,
  tolerations: readonly Toleration[] | undefined,
  filter: (t: Taint) => boolean = doNotScheduleTaint,
): Taint | undefined {
  for (const taint of taints ?? []) {
    if (!filter(taint)) continue;
    if (!tolerationsTolerateTaint(tolerations, taint)) return taint;
  }
  return undefined;
}
