// The Deployment reconcile, pure: a Deployment and the ReplicaSets it controls (plus, for
// Recreate, their pods) in; the ReplicaSet creates/updates/deletes, events, the new status and
// when to look again out. Follows upstream's sync, rolling, recreate and progress logic.

import type { Pod } from 'kubernetes-types/core/v1.js';
import { clone, deepEqual } from '../../api/objects.js';
import { labelSelectorFromObject } from '../../api/selectors/index.js';
import { controllerRef } from '../common/index.js';
import type { Deployment, DeploymentStatus, ReplicaSet } from './types.js';
import {
  AVAILABLE,
  FOUND_NEW_RS,
  MIN_AVAILABLE,
  MIN_UNAVAILABLE,
  NEW_RS_AVAILABLE,
  NEW_RS_CREATED,
  PAUSED,
  POD_TEMPLATE_HASH_LABEL,
  PROGRESSING,
  REPLICA_FAILURE,
  RESUMED,
  REVISION_ANNOTATION,
  RS_UPDATED,
  TIMED_OUT,
  activeReplicaSets,
  byCreation,
  byRevision,
  bySizeNewer,
  bySizeOlder,
  computeHash,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  desiredReplicasAnnotation,
  equalIgnoreHash,
  getCondition,
  hasProgressDeadline,
  isRollingUpdate,
  maxReplicasAnnotation,
  maxRevision,
  maxSurge,
  maxUnavailable,
  newCondition,
  removeCondition,
  replicasOf,
  roundToInt,
  setCondition,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
  specReplicas,
  sumAvailable,
  sumReady,
  sumSpec,
  sumStatus,
} from './util.js';

export const DEPLOYMENT_KIND = { apiVersion: 'apps/v1', kind: 'Deployment' };

export type DeploymentAction =
  | { kind: 'createRS'; rs: ReplicaSet }
  | { kind: 'updateRS'; rs: ReplicaSet }
  | { kind: 'deleteRS'; rs: ReplicaSet }
  | { kind: 'event'; type: 'Normal' | 'Warning'; reason: string; message: string };

export interface DeploymentPlan {
  /** In order; stop at the first failure. */
  actions: DeploymentAction[];
  /** The revision annotation to set on the Deployment, when it changed. */
  revision?: string;
  /** The status to write through the status subresource, when it changed. */
  status?: DeploymentStatus;
  /** Look again after this long (progress deadline checks). */
  requeueAfterMs?: number;
}

export interface PlanInput {
  deployment: Deployment;
  /** The ReplicaSets the Deployment controls (after adoption). */
  replicaSets: ReplicaSet[];
  /** Pods by owning ReplicaSet UID (only Recreate looks at them). */
  podsByReplicaSet?: Map<string, Pod[]>;
  now?: number;
}

/** What one sync of a Deployment does. */
export function planDeployment(input: PlanInput): DeploymentPlan {
  return new Planner(input).run();
}

class Planner {
  private readonly d: Deployment;
  private readonly original: Deployment;
  private readonly rsList: ReplicaSet[];
  private readonly pods: Map<string, Pod[]>;
  private readonly now: number;
  private readonly plan: DeploymentPlan = { actions: [] };

  constructor(input: PlanInput) {
    this.original = input.deployment;
    this.d = clone(input.deployment);
    this.d.status ??= {};
    this.rsList = input.replicaSets.map((rs) => clone(rs));
    this.pods = input.podsByReplicaSet ?? new Map();
    this.now = input.now ?? Date.now();
  }

  run(): DeploymentPlan {
    const d = this.d;
    let selectsAll = false;
    try {
      selectsAll = labelSelectorFromObject(d.spec?.selector).empty() && !!d.spec?.selector;
    } catch {
      selectsAll = false;
    }
    if (selectsAll) {
      this.event('Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status!.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) d.status!.observedGeneration = d.metadata?.generation ?? 0;
      return this.finish();
    }
    if (d.metadata?.deletionTimestamp) {
      const [newRS, oldRSs] = this.getAllAndSyncRevision(false);
      this.syncDeploymentStatus([...oldRSs, newRS], newRS);
      return this.finish();
    }
    this.checkPausedConditions();
    if (d.spec?.paused || this.isScalingEvent()) {
      this.sync();
      return this.finish();
    }
    if (isRollingUpdate(d)) this.rolloutRolling();
    else this.rolloutRecreate();
    return this.finish();
  }

  private finish(): DeploymentPlan {
    if (!deepEqual(this.original.status ?? {}, this.d.status ?? {})) this.plan.status = this.d.status!;
    return this.plan;
  }

  private event(type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.plan.actions.push({ kind: 'event', type, reason, message });
  }

  // ── revisions and the new ReplicaSet ─────────────────────────────────────

  private findNewReplicaSet(): ReplicaSet | undefined {
    return [...this.rsList].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec?.template, this.d.spec?.template));
  }

  private getAllAndSyncRevision(create: boolean): [ReplicaSet | undefined, ReplicaSet[]] {
    const existing = this.findNewReplicaSet();
    const old = this.rsList.filter((rs) => rs !== existing);
    return [this.getNewReplicaSet(existing, old, create), old];
  }

  private setDeploymentRevision(revision: string): void {
    const a = (this.d.metadata ??= {}).annotations ?? {};
    if (a[REVISION_ANNOTATION] !== revision) {
      this.d.metadata.annotations = { ...a, [REVISION_ANNOTATION]: revision };
      this.plan.revision = revision;
    }
  }

  private getNewReplicaSet(existing: ReplicaSet | undefined, old: ReplicaSet[], create: boolean): ReplicaSet | undefined {
    const d = this.d;
    const newRevision = maxRevision(old) + 1;
    if (existing) {
      const annotationsChanged = setNewReplicaSetAnnotations(d, existing, newRevision, true);
      const minReady = d.spec?.minReadySeconds ?? 0;
      if (annotationsChanged || (existing.spec?.minReadySeconds ?? 0) !== minReady) {
        (existing.spec ??= {}).minReadySeconds = minReady;
        this.plan.actions.push({ kind: 'updateRS', rs: clone(existing) });
      }
      this.setDeploymentRevision(existing.metadata?.annotations?.[REVISION_ANNOTATION] ?? String(newRevision));
      if (hasProgressDeadline(d) && !getCondition(d.status, PROGRESSING)) {
        setCondition(d.status!, newCondition(PROGRESSING, 'True', FOUND_NEW_RS, `Found new replica set "${existing.metadata?.name}"`, this.now));
      }
      return existing;
    }
    if (!create) return undefined;
    const hash = computeHash(d.spec?.template, d.status?.collisionCount);
    const template = clone(d.spec?.template ?? {});
    template.metadata ??= {};
    template.metadata.labels = { ...(template.metadata.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
    const selector = clone(d.spec?.selector ?? {});
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
    const name = `${d.metadata?.name}-${hash}`;
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name,
        namespace: d.metadata?.namespace ?? 'default',
        labels: { ...template.metadata.labels },
        ownerReferences: [controllerRef(d, DEPLOYMENT_KIND)],
        creationTimestamp: new Date(this.now).toISOString(),
      },
      spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
    };
    rs.spec!.replicas = this.newRSNewReplicas(old, rs);
    setNewReplicaSetAnnotations(d, rs, newRevision, false);
    const toCreate = clone(rs);
    delete toCreate.metadata!.creationTimestamp;
    this.plan.actions.push({ kind: 'createRS', rs: toCreate });
    if (specReplicas(rs) > 0) this.event('Normal', 'ScalingReplicaSet', `Scaled up replica set ${name} from 0 to ${specReplicas(rs)}`);
    this.rsList.push(rs);
    this.setDeploymentRevision(String(newRevision));
    if (hasProgressDeadline(d)) {
      setCondition(d.status!, newCondition(PROGRESSING, 'True', NEW_RS_CREATED, `Created new replica set "${name}"`, this.now));
    }
    return rs;
  }

  /** How many replicas the new ReplicaSet may have now (upstream's NewRSNewReplicas). */
  private newRSNewReplicas(all: ReplicaSet[], newRS: ReplicaSet): number {
    const d = this.d;
    if (!isRollingUpdate(d)) return replicasOf(d);
    const surge = maxSurge(d);
    const current = sumSpec(all.includes(newRS) ? all : [...all, newRS]);
    const maxTotal = replicasOf(d) + surge;
    if (current >= maxTotal) return specReplicas(newRS);
    const up = Math.min(maxTotal - current, replicasOf(d) - specReplicas(newRS));
    return specReplicas(newRS) + up;
  }

  // ── scaling ──────────────────────────────────────────────────────────────

  private scaleReplicaSet(rs: ReplicaSet, newScale: number, op: string): boolean {
    const d = this.d;
    const oldScale = specReplicas(rs);
    const sizeChanged = oldScale !== newScale;
    const annChanged = setReplicasAnnotations(rs, replicasOf(d), replicasOf(d) + maxSurge(d));
    if (!sizeChanged && !annChanged) return false;
    (rs.spec ??= {}).replicas = newScale;
    this.plan.actions.push({ kind: 'updateRS', rs: clone(rs) });
    if (sizeChanged) this.event('Normal', 'ScalingReplicaSet', `Scaled ${op} replica set ${rs.metadata?.name} from ${oldScale} to ${newScale}`);
    return sizeChanged;
  }

  private scaleAndRecord(rs: ReplicaSet, newScale: number): boolean {
    if (specReplicas(rs) === newScale) return false;
    return this.scaleReplicaSet(rs, newScale, specReplicas(rs) < newScale ? 'up' : 'down');
  }

  private isScalingEvent(): boolean {
    const [newRS, oldRSs] = this.getAllAndSyncRevision(false);
    for (const rs of activeReplicaSets([...oldRSs, newRS])) {
      const desired = desiredReplicasAnnotation(rs);
      if (desired === undefined) continue;
      if (desired !== replicasOf(this.d)) return true;
    }
    return false;
  }

  /** The one active ReplicaSet, or the newest when none is active (upstream's FindActiveOrLatest). */
  private activeOrLatest(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): ReplicaSet | undefined {
    if (!newRS && oldRSs.length === 0) return undefined;
    const sorted = [...oldRSs].sort(byCreation).reverse();
    const active = activeReplicaSets([newRS, ...sorted]);
    if (active.length === 0) return newRS ?? sorted[0];
    if (active.length === 1) return active[0];
    return undefined;
  }

  private isSaturated(newRS: ReplicaSet | undefined): boolean {
    if (!newRS) return false;
    const want = replicasOf(this.d);
    return specReplicas(newRS) === want && desiredReplicasAnnotation(newRS) === want && (newRS.status?.availableReplicas ?? 0) === want;
  }

  /** Scale to spec.replicas, proportionally across ReplicaSets during a rollout. */
  private scale(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): void {
    const d = this.d;
    const target = this.activeOrLatest(newRS, oldRSs);
    if (target) {
      if (specReplicas(target) !== replicasOf(d)) this.scaleAndRecord(target, replicasOf(d));
      return;
    }
    if (this.isSaturated(newRS)) {
      for (const old of activeReplicaSets(oldRSs)) this.scaleAndRecord(old, 0);
      return;
    }
    if (!isRollingUpdate(d)) return;
    const all = activeReplicaSets([...oldRSs, newRS]);
    const allReplicas = sumSpec(all);
    const allowed = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0;
    const toAdd = allowed - allReplicas;
    let op = '';
    if (toAdd > 0) {
      all.sort(bySizeNewer);
      op = 'up';
    } else if (toAdd < 0) {
      all.sort(bySizeOlder);
      op = 'down';
    }
    let added = 0;
    const sizes = new Map<ReplicaSet, number>();
    for (const rs of all) {
      if (toAdd !== 0) {
        const p = this.proportion(rs, toAdd, added);
        sizes.set(rs, specReplicas(rs) + p);
        added += p;
      } else sizes.set(rs, specReplicas(rs));
    }
    if (toAdd !== 0 && all.length > 0) {
      const leftover = toAdd - added;
      const first = all[0]!;
      sizes.set(first, Math.max(0, sizes.get(first)! + leftover));
    }
    for (const rs of all) this.scaleReplicaSet(rs, sizes.get(rs)!, op);
  }

  private proportion(rs: ReplicaSet, toAdd: number, added: number): number {
    if (specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
    const fraction = this.fraction(rs);
    const allowed = toAdd - added;
    return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
  }

  private fraction(rs: ReplicaSet): number {
    const d = this.d;
    if (replicasOf(d) === 0) return -specReplicas(rs);
    const deploymentReplicas = replicasOf(d) + maxSurge(d);
    const annotated = maxReplicasAnnotation(rs) ?? d.status?.replicas ?? 0;
    if (!annotated) return 0;
    return roundToInt((specReplicas(rs) * deploymentReplicas) / annotated) - specReplicas(rs);
  }

  /** Scaling and clean-up without rolling out (paused, or a scaling event). */
  private sync(): void {
    const [newRS, oldRSs] = this.getAllAndSyncRevision(false);
    this.scale(newRS, oldRSs);
    if (this.d.spec?.paused) this.cleanup(oldRSs);
    this.syncDeploymentStatus([...oldRSs, newRS], newRS);
  }

  private checkPausedConditions(): void {
    const d = this.d;
    if (!hasProgressDeadline(d)) return;
    const cond = getCondition(d.status, PROGRESSING);
    if (cond?.reason === TIMED_OUT) return;
    const pausedExists = cond?.reason === PAUSED;
    if (d.spec?.paused && !pausedExists) setCondition(d.status!, newCondition(PROGRESSING, 'Unknown', PAUSED, 'Deployment is paused', this.now));
    else if (!d.spec?.paused && pausedExists) setCondition(d.status!, newCondition(PROGRESSING, 'Unknown', RESUMED, 'Deployment is resumed', this.now));
  }

  // ── rolling update ───────────────────────────────────────────────────────

  private rolloutRolling(): void {
    const [newRS, oldRSs] = this.getAllAndSyncRevision(true);
    const all = [...oldRSs, newRS];
    if (this.reconcileNewReplicaSet(all, newRS!)) return this.syncRolloutStatus(all, newRS);
    if (this.reconcileOldReplicaSets(all, activeReplicaSets(oldRSs), newRS!)) return this.syncRolloutStatus(all, newRS);
    if (deploymentComplete(this.d, this.d.status!)) this.cleanup(oldRSs);
    this.syncRolloutStatus(all, newRS);
  }

  private reconcileNewReplicaSet(all: Array<ReplicaSet | undefined>, newRS: ReplicaSet): boolean {
    const want = replicasOf(this.d);
    if (specReplicas(newRS) === want) return false;
    if (specReplicas(newRS) > want) return this.scaleAndRecord(newRS, want);
    const n = this.newRSNewReplicas(all.filter((x): x is ReplicaSet => !!x), newRS);
    return this.scaleAndRecord(newRS, n);
  }

  private reconcileOldReplicaSets(all: Array<ReplicaSet | undefined>, oldRSs: ReplicaSet[], newRS: ReplicaSet): boolean {
    if (sumSpec(oldRSs) === 0) return false;
    const d = this.d;
    const allPods = sumSpec(all);
    const minAvailable = replicasOf(d) - maxUnavailable(d);
    const newUnavailable = specReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
    const maxScaledDown = allPods - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return false;
    const cleaned = this.cleanupUnhealthyReplicas(oldRSs, maxScaledDown);
    const scaledDown = this.scaleDownOldForRollingUpdate([...oldRSs, newRS], oldRSs);
    return cleaned + scaledDown > 0;
  }

  /** Scale down old ReplicaSets' unavailable replicas first (they cost no availability). */
  private cleanupUnhealthyReplicas(oldRSs: ReplicaSet[], maxCleanup: number): number {
    let total = 0;
    for (const rs of [...oldRSs].sort(byCreation)) {
      if (total >= maxCleanup) break;
      const want = specReplicas(rs);
      const available = rs.status?.availableReplicas ?? 0;
      if (want === 0 || want === available) continue;
      const n = Math.min(maxCleanup - total, want - available);
      this.scaleReplicaSet(rs, want - n, 'down');
      total += n;
    }
    return total;
  }

  private scaleDownOldForRollingUpdate(all: ReplicaSet[], oldRSs: ReplicaSet[]): number {
    const d = this.d;
    const minAvailable = replicasOf(d) - maxUnavailable(d);
    const available = sumAvailable(all);
    if (available <= minAvailable) return 0;
    const totalToScale = available - minAvailable;
    let total = 0;
    for (const rs of [...oldRSs].sort(byCreation)) {
      if (total >= totalToScale) break;
      if (specReplicas(rs) === 0) continue;
      const n = Math.min(specReplicas(rs), totalToScale - total);
      this.scaleReplicaSet(rs, specReplicas(rs) - n, 'down');
      total += n;
    }
    return total;
  }

  // ── recreate ─────────────────────────────────────────────────────────────

  private rolloutRecreate(): void {
    let [newRS, oldRSs] = this.getAllAndSyncRevision(false);
    let all = [...oldRSs, newRS];
    let scaledDown = false;
    for (const rs of activeReplicaSets(oldRSs)) if (this.scaleAndRecord(rs, 0)) scaledDown = true;
    if (scaledDown) return this.syncRolloutStatus(all, newRS);
    if (this.oldPodsRunning(newRS, oldRSs)) return this.syncRolloutStatus(all, newRS);
    if (!newRS) {
      [newRS, oldRSs] = this.getAllAndSyncRevision(true);
      all = [...oldRSs, newRS];
    }
    this.scaleAndRecord(newRS!, replicasOf(this.d));
    if (deploymentComplete(this.d, this.d.status!)) this.cleanup(oldRSs);
    this.syncRolloutStatus(all, newRS);
  }

  private oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): boolean {
    if (sumStatus(oldRSs) > 0) return true;
    for (const [uid, pods] of this.pods) {
      if (newRS && newRS.metadata?.uid === uid) continue;
      for (const p of pods) {
        const phase = p.status?.phase;
        if (phase === 'Failed' || phase === 'Succeeded') continue;
        return true;
      }
    }
    return false;
  }

  // ── clean-up ─────────────────────────────────────────────────────────────

  /** Delete the oldest fully scaled-down ReplicaSets beyond revisionHistoryLimit. */
  private cleanup(oldRSs: ReplicaSet[]): void {
    const limit = this.d.spec?.revisionHistoryLimit;
    if (limit === undefined || limit === null) return;
    const cleanable = oldRSs.filter((rs) => !rs.metadata?.deletionTimestamp);
    const diff = cleanable.length - limit;
    if (diff <= 0) return;
    cleanable.sort(byRevision);
    for (let i = 0; i < diff; i++) {
      const rs = cleanable[i]!;
      if ((rs.status?.replicas ?? 0) !== 0 || specReplicas(rs) !== 0 || (rs.metadata?.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
      this.plan.actions.push({ kind: 'deleteRS', rs });
    }
  }

  // ── status ───────────────────────────────────────────────────────────────

  private calculateStatus(all: Array<ReplicaSet | undefined>, newRS: ReplicaSet | undefined): DeploymentStatus {
    const d = this.d;
    const available = sumAvailable(all);
    const total = sumSpec(all);
    const status: DeploymentStatus = {
      observedGeneration: d.metadata?.generation ?? 0,
      replicas: sumStatus(all),
      updatedReplicas: sumStatus([newRS]),
      readyReplicas: sumReady(all),
      availableReplicas: available,
      unavailableReplicas: Math.max(0, total - available),
      ...(d.status?.collisionCount !== undefined ? { collisionCount: d.status.collisionCount } : {}),
    };
    if (d.status?.conditions?.length) status.conditions = d.status.conditions.map((c) => ({ ...c }));
    if (available >= replicasOf(d) - maxUnavailable(d)) setCondition(status, newCondition(AVAILABLE, 'True', MIN_AVAILABLE, 'Deployment has minimum availability.', this.now));
    else setCondition(status, newCondition(AVAILABLE, 'False', MIN_UNAVAILABLE, 'Deployment does not have minimum availability.', this.now));
    return status;
  }

  private syncDeploymentStatus(all: Array<ReplicaSet | undefined>, newRS: ReplicaSet | undefined): void {
    this.d.status = this.calculateStatus(all, newRS);
  }

  private syncRolloutStatus(all: Array<ReplicaSet | undefined>, newRS: ReplicaSet | undefined): void {
    const d = this.d;
    const s = this.calculateStatus(all, newRS);
    if (!hasProgressDeadline(d)) removeCondition(s, PROGRESSING);
    const cur = getCondition(s, PROGRESSING);
    const complete = s.replicas === s.updatedReplicas && cur?.reason === NEW_RS_AVAILABLE;
    if (hasProgressDeadline(d) && !complete) {
      if (deploymentComplete(d, s)) {
        const msg = newRS ? `ReplicaSet "${newRS.metadata?.name}" has successfully progressed.` : `Deployment "${d.metadata?.name}" has successfully progressed.`;
        setCondition(s, newCondition(PROGRESSING, 'True', NEW_RS_AVAILABLE, msg, this.now));
      } else if (deploymentProgressing(d, s)) {
        const msg = newRS ? `ReplicaSet "${newRS.metadata?.name}" is progressing.` : `Deployment "${d.metadata?.name}" is progressing.`;
        const cond = newCondition(PROGRESSING, 'True', RS_UPDATED, msg, this.now);
        if (cur?.status === 'True') cond.lastTransitionTime = cur.lastTransitionTime;
        removeCondition(s, PROGRESSING);
        setCondition(s, cond);
      } else if (deploymentTimedOut(d, s, this.now)) {
        const msg = newRS ? `ReplicaSet "${newRS.metadata?.name}" has timed out progressing.` : `Deployment "${d.metadata?.name}" has timed out progressing.`;
        setCondition(s, newCondition(PROGRESSING, 'False', TIMED_OUT, msg, this.now));
      }
    }
    const failure = all.map((rs) => rs?.status?.conditions?.find((c) => c.type === REPLICA_FAILURE)).find((c) => c);
    if (failure) {
      setCondition(s, { type: REPLICA_FAILURE, status: failure.status, lastUpdateTime: failure.lastTransitionTime ?? '', lastTransitionTime: failure.lastTransitionTime ?? '', reason: failure.reason ?? '', message: failure.message ?? '' });
    } else removeCondition(s, REPLICA_FAILURE);
    if (deepEqual(d.status, s)) {
      this.requeueStuck(s);
      return;
    }
    d.status = s;
  }

  /** When a rollout could pass its deadline without any event, look again then. */
  private requeueStuck(s: DeploymentStatus): void {
    const d = this.d;
    const cur = getCondition(s, PROGRESSING);
    if (!hasProgressDeadline(d) || !cur) return;
    if (deploymentComplete(d, s) || cur.reason === TIMED_OUT) return;
    const from = Date.parse(cur.lastUpdateTime ?? '');
    if (Number.isNaN(from)) return;
    const after = from + d.spec!.progressDeadlineSeconds! * 1000 - this.now;
    this.plan.requeueAfterMs = Math.max(after, 1000);
  }
}
