// PodDisruptionBudget status, pure: the budget, its pods and the scale of their controllers in;
// currentHealthy, desiredHealthy, expectedPods, disruptionsAllowed and the DisruptionAllowed
// condition out.

import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Condition } from 'kubernetes-types/meta/v1.js';
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from 'kubernetes-types/policy/v1.js';

export const CONDITION_DISRUPTION_ALLOWED = 'DisruptionAllowed';
export const REASON_SUFFICIENT_PODS = 'SufficientPods';
export const REASON_INSUFFICIENT_PODS = 'InsufficientPods';
export const REASON_SYNC_FAILED = 'SyncFailed';
/** How long an eviction's entry in status.disruptedPods holds a pod out of the healthy count. */
export const DELETION_TIMEOUT_MS = 2 * 60_000;

/** An int-or-percent scaled against total ("50%" of 5, rounded up → 3). */
export function scaledValue(v: number | string, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) {
    if (/^\d+$/.test(v)) return Number(v);
    throw new Error(`invalid value for IntOrString: invalid value "${v}": must be an integer or percentage (e.g '5%')`);
  }
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

export const isPercent = (v: number | string | undefined): boolean => typeof v === 'string' && v.endsWith('%');

export interface Expectation {
  expectedCount: number;
  desiredHealthy: number;
}

/**
 * Expected pods and desired healthy pods. `controllerScale` is the summed scale of the pods'
 * controllers (needed only for maxUnavailable and percentage minAvailable).
 */
export function expectation(pdb: PodDisruptionBudget, podCount: number, controllerScale: () => number): Expectation {
  const spec = pdb.spec ?? {};
  if (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) {
    const expectedCount = controllerScale();
    const maxUnavailable = scaledValue(spec.maxUnavailable, expectedCount, true);
    return { expectedCount, desiredHealthy: Math.max(0, expectedCount - maxUnavailable) };
  }
  if (spec.minAvailable !== undefined && spec.minAvailable !== null) {
    if (!isPercent(spec.minAvailable)) return { expectedCount: podCount, desiredHealthy: scaledValue(spec.minAvailable, podCount, true) };
    const expectedCount = controllerScale();
    return { expectedCount, desiredHealthy: scaledValue(spec.minAvailable, expectedCount, true) };
  }
  return { expectedCount: podCount, desiredHealthy: 0 };
}

function isReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** disruptedPods entries still in force (pod present, not being deleted, entry younger than the timeout). */
export function liveDisruptedPods(pdb: PodDisruptionBudget, pods: Pod[], now: number): Record<string, string> {
  const out: Record<string, string> = {};
  const byName = new Map(pods.map((p) => [p.metadata?.name ?? '', p]));
  for (const [name, ts] of Object.entries(pdb.status?.disruptedPods ?? {})) {
    const p = byName.get(name);
    if (!p || p.metadata?.deletionTimestamp) continue;
    if (Date.parse(ts) + DELETION_TIMEOUT_MS < now) continue;
    out[name] = ts;
  }
  return out;
}

/** Ready pods not being deleted and not just evicted. */
export function countHealthy(pods: Pod[], disrupted: Record<string, string>): number {
  let n = 0;
  for (const p of pods) {
    if (p.metadata?.deletionTimestamp) continue;
    if (disrupted[p.metadata?.name ?? ''] !== undefined) continue;
    if (isReady(p)) n++;
  }
  return n;
}

function withCondition(prev: Condition[] | undefined, cond: Omit<Condition, 'lastTransitionTime'>, now: string): Condition[] {
  const others = (prev ?? []).filter((c) => c.type !== cond.type);
  const old = (prev ?? []).find((c) => c.type === cond.type);
  const lastTransitionTime = old && old.status === cond.status ? old.lastTransitionTime : now;
  return [...others, { ...cond, lastTransitionTime }];
}

/** The budget's status. `scaleOf` throws when a controller cannot be found (→ SyncFailed). */
export function pdbStatus(pdb: PodDisruptionBudget, pods: Pod[], controllerScale: () => number, now: number): PodDisruptionBudgetStatus {
  const nowStr = new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const generation = pdb.metadata?.generation ?? 0;
  let exp: Expectation;
  try {
    exp = expectation(pdb, pods.length, controllerScale);
  } catch (err) {
    return {
      ...(pdb.status ?? {}),
      observedGeneration: generation,
      disruptionsAllowed: 0,
      currentHealthy: pdb.status?.currentHealthy ?? 0,
      desiredHealthy: pdb.status?.desiredHealthy ?? 0,
      expectedPods: pdb.status?.expectedPods ?? 0,
      conditions: withCondition(
        pdb.status?.conditions,
        { type: CONDITION_DISRUPTION_ALLOWED, status: 'False', reason: REASON_SYNC_FAILED, message: err instanceof Error ? err.message : String(err), observedGeneration: generation },
        nowStr,
      ),
    };
  }
  const disrupted = liveDisruptedPods(pdb, pods, now);
  const currentHealthy = countHealthy(pods, disrupted);
  let allowed = currentHealthy - exp.desiredHealthy;
  if (exp.expectedCount <= 0 || allowed <= 0) allowed = 0;
  const status: PodDisruptionBudgetStatus = {
    observedGeneration: generation,
    disruptionsAllowed: allowed,
    currentHealthy,
    desiredHealthy: exp.desiredHealthy,
    expectedPods: exp.expectedCount,
    conditions: withCondition(
      pdb.status?.conditions,
      allowed > 0
        ? { type: CONDITION_DISRUPTION_ALLOWED, status: 'True', reason: REASON_SUFFICIENT_PODS, message: '', observedGeneration: generation }
        : { type: CONDITION_DISRUPTION_ALLOWED, status: 'False', reason: REASON_INSUFFICIENT_PODS, message: '', observedGeneration: generation },
      nowStr,
    ),
  };
  if (Object.keys(disrupted).length) status.disruptedPods = disrupted;
  return status;
}

/** Whether the status needs writing (ignores condition timestamps). */
export function statusChanged(a: PodDisruptionBudgetStatus | undefined, b: PodDisruptionBudgetStatus): boolean {
  const norm = (s: PodDisruptionBudgetStatus | undefined) =>
    JSON.stringify([
      s?.observedGeneration ?? 0,
      s?.disruptionsAllowed ?? 0,
      s?.currentHealthy ?? 0,
      s?.desiredHealthy ?? 0,
      s?.expectedPods ?? 0,
      Object.entries(s?.disruptedPods ?? {}).sort(),
      (s?.conditions ?? []).map((c) => [c.type, c.status, c.reason, c.message ?? '', c.observedGeneration ?? 0]),
    ]);
  return norm(a) !== norm(b);
}
