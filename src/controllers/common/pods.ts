// Pod predicates shared by the workload controllers: active, ready, available.

import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js';

/** Not terminal (Succeeded/Failed) and not being deleted: a pod a controller still counts. */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata?.deletionTimestamp;
}

/** The active pods of a list (upstream's FilterActivePods). */
export function filterActivePods(pods: Pod[]): Pod[] {
  return pods.filter(isPodActive);
}

export function podCondition(pod: Pod, type: string): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === type);
}

/** The Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return podCondition(pod, 'Ready')?.status === 'True';
}

/** When the pod last became Ready (ms since epoch), or undefined when not ready. */
export function podReadySince(pod: Pod): number | undefined {
  const c = podCondition(pod, 'Ready');
  if (c?.status !== 'True') return undefined;
  const t = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
  return Number.isNaN(t) ? undefined : t;
}

/**
 * Ready for at least `minReadySeconds` as of `now` (ms). With minReadySeconds 0 a ready pod is
 * available at once; a ready pod without a transition time counts as available.
 */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number = Date.now()): boolean {
  if (!isPodReady(pod)) return false;
  if (!minReadySeconds) return true;
  const since = podReadySince(pod);
  if (since === undefined) return true;
  return since + minReadySeconds * 1000 <= now;
}

/** Sum of container restart counts (what deletion ranking compares). */
export function podRestarts(pod: Pod): number {
  let n = 0;
  for (const s of pod.status?.containerStatuses ?? []) n += s.restartCount ?? 0;
  return n;
}
