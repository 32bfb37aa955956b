// The ReplicaSet / ReplicationController reconcile, pure: objects in, decisions out.

import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/registry.js';
import { rfc3339 } from '../../api/objects.js';
import { labelSelectorFromMap } from '../../api/selectors/index.js';
import { isPodAvailable, isPodReady } from '../common/index.js';
import { podsToDelete } from './ranking.js';

/** Upstream's burstReplicas: at most this many creates or deletes per sync. */
export const BURST_REPLICAS = 500;

export interface ReplicaSetCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface ReplicaSetStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: ReplicaSetCondition[];
}

/** What a ReplicaSet and a ReplicationController share. */
export interface ReplicaSetLike extends KubeObject {
  spec?: {
    replicas?: number;
    minReadySeconds?: number;
    selector?: unknown;
    template?: { metadata?: { labels?: Record<string, string> }; spec?: unknown } | null;
  };
  status?: ReplicaSetStatus;
}

export type ReplicaDecision = { action: 'none' } | { action: 'create'; count: number } | { action: 'delete'; pods: Pod[] };

/** How many pods to create, or which to delete, to reach spec.replicas. */
export function manageReplicas(rs: ReplicaSetLike, activePods: Pod[], relatedPods: Pod[] = activePods, now: number = Date.now()): ReplicaDecision {
  const want = rs.spec?.replicas ?? 1;
  const diff = activePods.length - want;
  if (diff < 0) return { action: 'create', count: Math.min(-diff, BURST_REPLICAS) };
  if (diff > 0) return { action: 'delete', pods: podsToDelete(activePods, relatedPods, Math.min(diff, BURST_REPLICAS), now) };
  return { action: 'none' };
}

export interface ManageError {
  /** 'FailedCreate' or 'FailedDelete'. */
  reason: string;
  message: string;
}

/** The status the pods describe (upstream's calculateStatus), conditions updated for `err`. */
export function calculateStatus(rs: ReplicaSetLike, activePods: Pod[], err: ManageError | undefined, now: number = Date.now()): ReplicaSetStatus {
  const templateLabels = labelSelectorFromMap(rs.spec?.template?.metadata?.labels ?? {});
  const minReady = rs.spec?.minReadySeconds ?? 0;
  let fully = 0;
  let ready = 0;
  let available = 0;
  for (const p of activePods) {
    if (templateLabels.matches(p.metadata?.labels ?? {})) fully++;
    if (isPodReady(p)) {
      ready++;
      if (isPodAvailable(p, minReady, now)) available++;
    }
  }
  const status: ReplicaSetStatus = {
    replicas: activePods.length,
    fullyLabeledReplicas: fully,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: rs.metadata?.generation ?? 0,
  };
  let conditions = (rs.status?.conditions ?? []).map((c) => ({ ...c }));
  const failure = conditions.find((c) => c.type === 'ReplicaFailure');
  if (err && !failure) {
    conditions.push({ type: 'ReplicaFailure', status: 'True', lastTransitionTime: rfc3339(now), reason: err.reason, message: err.message });
  } else if (!err && failure) {
    conditions = conditions.filter((c) => c.type !== 'ReplicaFailure');
  }
  if (conditions.length) status.conditions = conditions;
  return status;
}

/** True when `next` differs from what the object already reports. */
export function statusChanged(rs: ReplicaSetLike, next: ReplicaSetStatus): boolean {
  const cur = rs.status ?? { replicas: 0 };
  return (
    (cur.replicas ?? 0) !== next.replicas ||
    (cur.fullyLabeledReplicas ?? 0) !== (next.fullyLabeledReplicas ?? 0) ||
    (cur.readyReplicas ?? 0) !== (next.readyReplicas ?? 0) ||
    (cur.availableReplicas ?? 0) !== (next.availableReplicas ?? 0) ||
    (cur.observedGeneration ?? 0) !== (next.observedGeneration ?? 0) ||
    JSON.stringify(cur.conditions ?? []) !== JSON.stringify(next.conditions ?? [])
  );
}

/**
 * When to look again so availableReplicas catches up with minReadySeconds: all ready but not all
 * available yet → after minReadySeconds (ms), else undefined.
 */
export function requeueForAvailability(rs: ReplicaSetLike, status: ReplicaSetStatus): number | undefined {
  const minReady = rs.spec?.minReadySeconds ?? 0;
  const want = rs.spec?.replicas ?? 1;
  if (minReady > 0 && status.readyReplicas === want && status.availableReplicas !== want) return minReady * 1000;
  return undefined;
}
