// Pods on a node that stopped reporting: their Ready condition goes False (upstream's
// MarkPodsNotReady), and the condition put on a pod before the taint manager deletes it. Pure.

import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import { rfc3339 } from './clock.js';

/** The pod's conditions with Ready set False, or undefined when Ready is absent or already not True. */
export function podNotReadyConditions(pod: Pod, now: number): PodCondition[] | undefined {
  const conds = pod.status?.conditions ?? [];
  const ready = conds.find((c) => c.type === 'Ready');
  if (!ready || ready.status === 'False') return undefined;
  return conds.map((c) => (c.type === 'Ready' ? { ...c, status: 'False', lastTransitionTime: rfc3339(now) } : c));
}

export const DISRUPTION_TARGET = 'DisruptionTarget';
export const REASON_TAINT_EVICTION = 'DeletionByTaintManager';
export const MESSAGE_TAINT_EVICTION = 'Taint manager: deleting due to NoExecute taint';

/** The pod's conditions with DisruptionTarget=True added (undefined when already there). */
export function disruptionTargetConditions(pod: Pod, now: number): PodCondition[] | undefined {
  const conds = pod.status?.conditions ?? [];
  const existing = conds.find((c) => c.type === DISRUPTION_TARGET);
  if (existing?.status === 'True') return undefined;
  const cond: PodCondition = { type: DISRUPTION_TARGET, status: 'True', reason: REASON_TAINT_EVICTION, message: MESSAGE_TAINT_EVICTION, lastTransitionTime: rfc3339(now) };
  return [...conds.filter((c) => c.type !== DISRUPTION_TARGET), cond];
}
