// Which pods a ReplicaSet deletes first when scaling down (upstream's ActivePodsWithRanks order):
// unassigned before assigned; Pending before Unknown before Running; not-ready before ready; lower
// pod-deletion-cost first; more pods of the same workload on the node first; more recently ready
// first; more restarts first; newer before older. Times compare on a log2 scale so pods of similar
// age are treated alike and the later keys decide.

import type { Pod } from 'kubernetes-types/core/v1.js';
import { isPodReady, podReadySince } from '../common/index.js';

export const POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

const PHASE_ORDER: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function phaseOrdinal(p: Pod): number {
  return PHASE_ORDER[p.status?.phase ?? 'Pending'] ?? 3;
}

function deletionCost(p: Pod): number {
  const v = p.metadata?.annotations?.[POD_DELETION_COST];
  if (v === undefined) return 0;
  const n = Number(v);
  return Number.isInteger(n) ? n : 0;
}

function maxRestarts(p: Pod): number {
  let m = 0;
  for (const s of p.status?.containerStatuses ?? []) m = Math.max(m, s.restartCount ?? 0);
  return m;
}

/** floor(log2(seconds since t)), so durations within the same power of two compare equal. */
function logBucket(t: number | undefined, now: number): number {
  if (t === undefined) return -Infinity;
  const secs = Math.max(0, (now - t) / 1000);
  return secs < 1 ? 0 : Math.floor(Math.log2(secs)) + 1;
}

export interface RankedPod {
  pod: Pod;
  /** Pods of the same workload on this pod's node (more: delete first). */
  rank: number;
}

/** Negative when `a` should be deleted before `b`. */
export function compareForDeletion(a: RankedPod, b: RankedPod, now: number): number {
  const pa = a.pod;
  const pb = b.pod;
  const na = pa.spec?.nodeName ?? '';
  const nb = pb.spec?.nodeName ?? '';
  if (na !== nb && (na === '' || nb === '')) return na === '' ? -1 : 1;
  const phase = phaseOrdinal(pa) - phaseOrdinal(pb);
  if (phase) return phase;
  const ra = isPodReady(pa);
  const rb = isPodReady(pb);
  if (ra !== rb) return ra ? 1 : -1;
  const cost = deletionCost(pa) - deletionCost(pb);
  if (cost) return cost;
  if (a.rank !== b.rank) return b.rank - a.rank;
  if (ra && rb) {
    // more recently ready (younger bucket) first
    const ba = logBucket(podReadySince(pa), now);
    const bb = logBucket(podReadySince(pb), now);
    if (ba !== bb) return ba - bb;
  }
  const restarts = maxRestarts(pb) - maxRestarts(pa);
  if (restarts) return restarts;
  const ca = logBucket(created(pa), now);
  const cb = logBucket(created(pb), now);
  if (ca !== cb) return ca - cb;
  return 0;
}

function created(p: Pod): number | undefined {
  const t = p.metadata?.creationTimestamp ? Date.parse(p.metadata.creationTimestamp) : NaN;
  return Number.isNaN(t) ? undefined : t;
}

/**
 * The `count` pods to delete out of `pods`, ranked against `related` (the active pods of every
 * ReplicaSet of the same owner, used to prefer nodes running several of them).
 */
export function podsToDelete(pods: Pod[], related: Pod[], count: number, now: number = Date.now()): Pod[] {
  if (count >= pods.length) return [...pods];
  const onNode = new Map<string, number>();
  for (const p of related) {
    const n = p.spec?.nodeName;
    if (n) onNode.set(n, (onNode.get(n) ?? 0) + 1);
  }
  const ranked: RankedPod[] = pods.map((pod) => ({ pod, rank: onNode.get(pod.spec?.nodeName ?? '') ?? 0 }));
  ranked.sort((a, b) => compareForDeletion(a, b, now));
  return ranked.slice(0, count).map((r) => r.pod);
}
