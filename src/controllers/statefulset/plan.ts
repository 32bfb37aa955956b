// The StatefulSet reconcile, pure (upstream's updateStatefulSet): place pods by ordinal, create
// missing ones (OrderedReady: one at a time, each Running and Ready before the next; Parallel: all),
// replace failed ones, scale down from the highest ordinal, keep identity, storage and claim owner
// references right, and roll updates from the highest ordinal down to the partition. The result is
// an ordered list of phases of actions and the status they lead to; controller.ts carries them out.

import type { StatefulSet, StatefulSetStatus } from 'kubernetes-types/apps/v1.js';
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import { isPodAvailable, isPodReady } from '../common/index.js';
import {
  claimOwnerMatchesSetAndPod,
  claimOwnerRefs,
  claimsFor,
  getOrdinal,
  getPodRevision,
  identityMatches,
  inOrdinalRange,
  newVersionedPod,
  podClaimIsStale,
  replicasOf,
  startOrdinal,
  storageMatches,
  updateIdentity,
} from './identity.js';

export type StatefulSetAction =
  /** Create the missing claims, then the pod. */
  | { type: 'create'; pod: Pod; claims: PersistentVolumeClaim[] }
  /** Create claims a pending pod is missing. */
  | { type: 'createClaims'; pod: Pod; claims: PersistentVolumeClaim[] }
  | { type: 'delete'; pod: Pod; reason: 'failed' | 'scale-down' | 'update' }
  /** Restore the pod's identity labels (the pod as it should be). */
  | { type: 'updatePod'; pod: Pod }
  /** Set a claim's owner references for the retention policy. */
  | { type: 'updateClaim'; claim: PersistentVolumeClaim };

export interface StatefulSetState {
  set: StatefulSet;
  /** The set as of its current and update revisions (ApplyRevision). */
  currentSet: StatefulSet;
  updateSet: StatefulSet;
  currentRevision: string;
  updateRevision: string;
  collisionCount: number;
  /** Pods the set controls. */
  pods: Pod[];
  /** Existing claims by name. */
  claims: (name: string) => PersistentVolumeClaim | undefined;
  now: number;
}

export interface StatefulSetPlan {
  /**
   * Phases in order: the caller runs a phase's actions (in order for OrderedReady, concurrently
   * for Parallel) and stops after a phase with a failure.
   */
  phases: StatefulSetAction[][];
  status: StatefulSetStatus;
  /** The pods in ordinal order that should exist (new ones not yet created), for tests and logs. */
  replicas: Pod[];
  condemned: Pod[];
}

const isCreated = (p: Pod) => !!p.status?.phase;
const isFailed = (p: Pod) => p.status?.phase === 'Failed';
const isSucceeded = (p: Pod) => p.status?.phase === 'Succeeded';
const isPending = (p: Pod) => p.status?.phase === 'Pending';
const isTerminating = (p: Pod) => !!p.metadata?.deletionTimestamp;
const isRunningAndReady = (p: Pod) => p.status?.phase === 'Running' && isPodReady(p);

export function allowsBurst(set: StatefulSet): boolean {
  return set.spec?.podManagementPolicy === 'Parallel';
}

interface ReplicaCounts {
  replicas: number;
  readyReplicas: number;
  availableReplicas: number;
  currentReplicas: number;
  updatedReplicas: number;
}

function countReplicas(pods: readonly Pod[], minReadySeconds: number, currentRevision: string, updateRevision: string, now: number): ReplicaCounts {
  const c: ReplicaCounts = { replicas: 0, readyReplicas: 0, availableReplicas: 0, currentReplicas: 0, updatedReplicas: 0 };
  for (const p of pods) {
    if (isCreated(p)) c.replicas++;
    if (isRunningAndReady(p)) {
      c.readyReplicas++;
      if (isPodAvailable(p, minReadySeconds, now)) c.availableReplicas++;
    }
    if (isCreated(p) && !isTerminating(p)) {
      const rev = getPodRevision(p);
      if (rev === currentRevision) c.currentReplicas++;
      if (rev === updateRevision) c.updatedReplicas++;
    }
  }
  return c;
}

/** Claims of the pod whose owner references do not follow the retention policy, fixed. */
function claimFixes(set: StatefulSet, pod: Pod, existing: StatefulSetState['claims']): PersistentVolumeClaim[] {
  const out: PersistentVolumeClaim[] = [];
  for (const want of claimsFor(set, getOrdinal(pod)).values()) {
    const claim = existing(want.metadata!.name!);
    if (!claim || claimOwnerMatchesSetAndPod(claim, set, pod)) continue;
    const fixed = structuredClone(claim);
    fixed.metadata!.ownerReferences = claimOwnerRefs(claim, set, pod);
    out.push(fixed);
  }
  return out;
}

/** Claims of the pod that do not exist yet (with the owner references the policy wants). */
function missingClaims(set: StatefulSet, pod: Pod, existing: StatefulSetState['claims']): PersistentVolumeClaim[] {
  const out: PersistentVolumeClaim[] = [];
  for (const claim of claimsFor(set, getOrdinal(pod)).values()) {
    if (existing(claim.metadata!.name!)) continue;
    const refs = claimOwnerRefs(claim, set, pod);
    if (refs.length) claim.metadata!.ownerReferences = refs;
    out.push(claim);
  }
  return out;
}

export function planStatefulSet(s: StatefulSetState): StatefulSetPlan {
  const { set, currentSet, updateSet, currentRevision, updateRevision, now } = s;
  const minReady = set.spec?.minReadySeconds ?? 0;
  const available = (p: Pod) => isRunningAndReady(p) && isPodAvailable(p, minReady, now);
  const unavailable = (p: Pod) => !available(p) || isTerminating(p);
  const start = startOrdinal(set);
  const count = replicasOf(set);
  const monotonic = !allowsBurst(set);

  // Place pods: in range by ordinal, the rest condemned (highest ordinal first).
  const replicas: (Pod | undefined)[] = new Array(count).fill(undefined);
  const condemned: Pod[] = [];
  for (const p of s.pods) {
    const ord = getOrdinal(p);
    if (inOrdinalRange(ord, set)) replicas[ord - start] = p;
    else if (ord >= 0) condemned.push(p);
  }
  for (let i = 0; i < count; i++) replicas[i] ??= newVersionedPod(currentSet, updateSet, currentRevision, updateRevision, start + i);
  const live = replicas as Pod[];
  condemned.sort((a, b) => getOrdinal(b) - getOrdinal(a));

  let firstUnhealthy: Pod | undefined;
  for (const p of live) if (!firstUnhealthy && unavailable(p)) firstUnhealthy = p;
  for (let i = condemned.length - 1; i >= 0; i--) if (!firstUnhealthy && unavailable(condemned[i]!)) firstUnhealthy = condemned[i];

  const counts = countReplicas([...live, ...condemned], minReady, currentRevision, updateRevision, now);
  const status: StatefulSetStatus = {
    ...(set.status ?? { replicas: 0 }),
    observedGeneration: set.metadata?.generation ?? 0,
    currentRevision,
    updateRevision,
    collisionCount: s.collisionCount,
    ...counts,
  };
  const plan: StatefulSetPlan = { phases: [], status, replicas: live, condemned };
  if (set.metadata?.deletionTimestamp) return plan;

  // 1. Living replicas.
  const phase1: StatefulSetAction[] = [];
  plan.phases.push(phase1);
  let exit = false;
  for (const pod of live) {
    let blocked = false;
    if (isFailed(pod) || isSucceeded(pod)) {
      if (!isTerminating(pod)) phase1.push({ type: 'delete', pod, reason: 'failed' });
      blocked = true;
    } else if (!isCreated(pod)) {
      if (podClaimIsStale(updateSet, pod, s.claims)) blocked = true;
      else {
        phase1.push({ type: 'create', pod, claims: missingClaims(updateSet, pod, s.claims) });
        blocked = monotonic;
      }
    } else {
      if (isPending(pod)) {
        const missing = missingClaims(updateSet, pod, s.claims);
        if (missing.length) phase1.push({ type: 'createClaims', pod, claims: missing });
      }
      if (monotonic && (isTerminating(pod) || !isRunningAndReady(pod) || !available(pod))) blocked = true;
      else {
        if (!identityMatches(set, pod)) {
          const fixed = structuredClone(pod);
          updateIdentity(set, fixed);
          phase1.push({ type: 'updatePod', pod: fixed });
        }
        if (!storageMatches(set, pod)) {
          const missing = missingClaims(updateSet, pod, s.claims);
          if (missing.length) phase1.push({ type: 'createClaims', pod, claims: missing });
        }
        for (const claim of claimFixes(updateSet, pod, s.claims)) phase1.push({ type: 'updateClaim', claim });
      }
    }
    if (blocked && monotonic) {
      exit = true;
      break;
    }
  }
  if (exit) return plan;

  // 2. Claims of condemned pods get the owner references the policy wants before the pods go.
  const phase2: StatefulSetAction[] = [];
  plan.phases.push(phase2);
  for (const pod of condemned) for (const claim of claimFixes(updateSet, pod, s.claims)) phase2.push({ type: 'updateClaim', claim });

  // 3. Scale down, highest ordinal first; OrderedReady waits for each to go and for predecessors to be healthy.
  const phase3: StatefulSetAction[] = [];
  plan.phases.push(phase3);
  for (const pod of condemned) {
    if (isTerminating(pod)) {
      if (monotonic) return plan;
      continue;
    }
    if (monotonic && pod !== firstUnhealthy && (!isRunningAndReady(pod) || !available(pod))) return plan;
    phase3.push({ type: 'delete', pod, reason: 'scale-down' });
    if (monotonic) return plan;
  }

  if (set.spec?.updateStrategy?.type === 'OnDelete') return plan;

  // 4. Rolling update: replace the highest-ordinal pod not at the update revision, down to the partition.
  const phase4: StatefulSetAction[] = [];
  plan.phases.push(phase4);
  const partition = set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
  for (let i = live.length - 1; i >= Math.max(0, partition); i--) {
    const pod = live[i]!;
    if (getPodRevision(pod) !== updateRevision && !isTerminating(pod)) {
      phase4.push({ type: 'delete', pod, reason: 'update' });
      status.currentReplicas = Math.max(0, (status.currentReplicas ?? 0) - 1);
      return plan;
    }
    if (unavailable(pod)) return plan;
  }
  return plan;
}

/** A rolling update is done when every replica is updated and ready: the update revision becomes current. */
export function completeRollingUpdate(set: StatefulSet, status: StatefulSetStatus): StatefulSetStatus {
  const n = replicasOf(set);
  if ((set.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate' && status.updatedReplicas === n && status.readyReplicas === n && status.replicas === n) {
    return { ...status, currentReplicas: status.updatedReplicas, currentRevision: status.updateRevision };
  }
  return status;
}

/** The status differs from what the set shows (upstream's inconsistentStatus). */
export function statusChanged(set: StatefulSet, status: StatefulSetStatus): boolean {
  const cur = set.status;
  return (
    (status.observedGeneration ?? 0) > (cur?.observedGeneration ?? 0) ||
    status.replicas !== (cur?.replicas ?? 0) ||
    (status.currentReplicas ?? 0) !== (cur?.currentReplicas ?? 0) ||
    (status.readyReplicas ?? 0) !== (cur?.readyReplicas ?? 0) ||
    (status.updatedReplicas ?? 0) !== (cur?.updatedReplicas ?? 0) ||
    (status.availableReplicas ?? 0) !== (cur?.availableReplicas ?? 0) ||
    (status.currentRevision ?? '') !== (cur?.currentRevision ?? '') ||
    (status.updateRevision ?? '') !== (cur?.updateRevision ?? '') ||
    (status.collisionCount ?? 0) !== (cur?.collisionCount ?? 0)
  );
}
