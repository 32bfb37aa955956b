// The ReplicaSet and ReplicationController controllers: one reconcile for both (they differ in
// resource, kind and selector shape only).

import type { Pod } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../api/registry.js';
import { labelSelectorFromMap, labelSelectorFromObject, LabelSelector } from '../../api/selectors/index.js';
import {
  PODS,
  REPLICATION_CONTROLLERS,
  REPLICA_SETS,
  isConflict,
  isNotFound,
  keyOf,
  objectOf,
  type DeletedFinalStateUnknown,
  type Lister,
  type ResourceClient,
  type ResourceRef,
} from '../../client/index.js';
import {
  CONTROLLER_UID_INDEX,
  Expectations,
  PodControl,
  QueueLoop,
  claimObjects,
  controllerKey,
  errorMessage,
  filterActivePods,
  getControllerOf,
  indexByControllerUid,
  isPodReady,
  recheckOwner,
  slowStartBatch,
  splitKey,
  type OwnerKind,
} from '../common/index.js';
import type { Controller, ControllerContext } from '../types.js';
import { calculateStatus, manageReplicas, requeueForAvailability, statusChanged, type ManageError, type ReplicaSetLike, type ReplicaSetStatus } from './reconcile.js';

export interface ReplicaSetFlavor {
  name: string;
  component: string;
  ref: ResourceRef;
  kind: OwnerKind;
  selector(rs: ReplicaSetLike): LabelSelector;
}

export const REPLICA_SET_FLAVOR: ReplicaSetFlavor = {
  name: 'replicaset',
  component: 'replicaset-controller',
  ref: REPLICA_SETS,
  kind: { apiVersion: 'apps/v1', kind: 'ReplicaSet' },
  selector: (rs) => labelSelectorFromObject(rs.spec?.selector as never),
};

export const REPLICATION_CONTROLLER_FLAVOR: ReplicaSetFlavor = {
  name: 'replicationcontroller',
  component: 'replication-controller',
  ref: REPLICATION_CONTROLLERS,
  kind: { apiVersion: 'v1', kind: 'ReplicationController' },
  selector: (rc) => {
    const m = (rc.spec?.selector ?? rc.spec?.template?.metadata?.labels) as Record<string, string> | undefined;
    return m && Object.keys(m).length ? labelSelectorFromMap(m) : LabelSelector.nothing();
  },
};

type PodObj = Pod & KubeObject;

export class ReplicaSetController {
  readonly expectations = new Expectations();
  readonly loop: QueueLoop;
  private rsLister!: Lister<ReplicaSetLike>;
  private podLister!: Lister<PodObj>;
  private rsClient!: ResourceClient<ReplicaSetLike>;
  private podControl!: PodControl;
  private ctx!: ControllerContext;

  constructor(readonly flavor: ReplicaSetFlavor) {
    this.loop = new QueueLoop({ name: flavor.name, sync: (key) => this.sync(key) });
  }

  start(ctx: ControllerContext): void {
    this.ctx = ctx;
    const rsInf = ctx.informers.informerFor<ReplicaSetLike>(this.flavor.ref);
    const podInf = ctx.informers.informerFor<PodObj>(PODS, { indexers: { [CONTROLLER_UID_INDEX]: indexByControllerUid } });
    rsInf.addIndexers({ [CONTROLLER_UID_INDEX]: indexByControllerUid });
    this.rsLister = rsInf.lister;
    this.podLister = podInf.lister;
    this.rsClient = ctx.client.resource<ReplicaSetLike>(this.flavor.ref);
    this.podControl = new PodControl({ client: ctx.client, recorder: ctx.recorder(this.flavor.component) });

    rsInf.addEventHandler({
      onAdd: (rs) => this.loop.enqueue(rs),
      onUpdate: (_old, cur) => this.loop.enqueue(cur),
      onDelete: (obj) => {
        const rs = objectOf(obj);
        this.expectations.delete(controllerKey(rs));
        this.loop.enqueue(rs);
      },
    });
    podInf.addEventHandler({
      onAdd: (pod) => this.addPod(pod),
      onUpdate: (old, cur) => this.updatePod(old, cur),
      onDelete: (obj) => this.deletePod(obj),
    });
    this.loop.start(ctx, [rsInf, podInf]);
  }

  // ── handlers ──────────────────────────────────────────────────────────────

  private resolve(namespace: string | undefined, ref: OwnerReference | undefined): ReplicaSetLike | undefined {
    if (!ref || ref.kind !== this.flavor.kind.kind) return undefined;
    const rs = this.rsLister.get(namespace, ref.name);
    return rs && rs.metadata?.uid === ref.uid ? rs : undefined;
  }

  /** Every owner of this flavor whose selector matches an orphan pod. */
  private matchingOwners(pod: PodObj): ReplicaSetLike[] {
    const out: ReplicaSetLike[] = [];
    for (const rs of this.rsLister.listNamespace(pod.metadata?.namespace ?? '')) {
      let sel: LabelSelector;
      try {
        sel = this.flavor.selector(rs);
      } catch {
        continue;
      }
      if (!sel.empty() && sel.matches(pod.metadata?.labels ?? {})) out.push(rs);
    }
    return out;
  }

  private addPod(pod: PodObj): void {
    if (pod.metadata?.deletionTimestamp) return this.deletePod(pod);
    const ref = getControllerOf(pod);
    if (ref) {
      const rs = this.resolve(pod.metadata?.namespace, ref);
      if (!rs) return;
      this.expectations.creationObserved(controllerKey(rs));
      this.loop.enqueue(rs);
      return;
    }
    for (const rs of this.matchingOwners(pod)) this.loop.enqueue(rs);
  }

  private updatePod(old: PodObj, cur: PodObj): void {
    if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
    const labelsChanged = JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {});
    if (cur.metadata?.deletionTimestamp && !old.metadata?.deletionTimestamp) {
      // A graceful delete: count it as observed now so replacements start at once.
      this.deletePod(cur);
      if (labelsChanged) this.deletePod(old);
      return;
    }
    const curRef = getControllerOf(cur);
    const oldRef = getControllerOf(old);
    const refChanged = curRef?.uid !== oldRef?.uid;
    if (refChanged && oldRef) {
      const rs = this.resolve(old.metadata?.namespace, oldRef);
      if (rs) this.loop.enqueue(rs);
    }
    if (curRef) {
      const rs = this.resolve(cur.metadata?.namespace, curRef);
      if (!rs) return;
      this.loop.enqueue(rs);
      const minReady = rs.spec?.minReadySeconds ?? 0;
      if (minReady > 0 && !isPodReady(old) && isPodReady(cur)) this.loop.enqueueAfter(rs, minReady * 1000 + 50);
      return;
    }
    if (labelsChanged || refChanged) for (const rs of this.matchingOwners(cur)) this.loop.enqueue(rs);
  }

  private deletePod(obj: PodObj | DeletedFinalStateUnknown<PodObj>): void {
    const pod = objectOf(obj);
    const rs = this.resolve(pod.metadata?.namespace, getControllerOf(pod));
    if (!rs) return;
    const key = controllerKey(rs);
    this.expectations.deletionObserved(key, keyOf(pod));
    this.loop.enqueue(rs);
  }

  // ── sync ──────────────────────────────────────────────────────────────────

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const rs = this.rsLister.get(namespace, name);
    if (!rs) {
      this.expectations.delete(key);
      return;
    }
    const needsSync = this.expectations.satisfied(key);
    let selector: LabelSelector;
    try {
      selector = this.flavor.selector(rs);
    } catch (err) {
      console.error(`${this.flavor.name}: ${key}: invalid selector: ${errorMessage(err)}`);
      return;
    }
    const uid = rs.metadata?.uid ?? '';
    const candidates = filterActivePods(
      this.podLister.listNamespace(namespace ?? '').filter((p) => getControllerOf(p)?.uid === uid || (!getControllerOf(p) && selector.matches(p.metadata?.labels ?? {}))),
    );
    const pods = await claimObjects<PodObj>({
      owner: rs,
      kind: this.flavor.kind,
      selector,
      objects: candidates as PodObj[],
      client: this.podControl.pods,
      canAdopt: recheckOwner(() => this.rsClient.get(namespace, name), rs),
    });

    let manageErr: ManageError | undefined;
    let thrown: unknown;
    if (needsSync && !rs.metadata?.deletionTimestamp) {
      try {
        manageErr = await this.manage(key, rs, pods);
      } catch (err) {
        thrown = err;
      }
    }
    const status = calculateStatus(rs, pods, manageErr);
    const updated = await this.updateStatus(rs, status);
    const after = requeueForAvailability(updated, status);
    if (!manageErr && after !== undefined) this.loop.enqueueAfter(key, after);
    if (thrown) throw thrown;
    if (manageErr) throw new Error(manageErr.message);
  }

  private relatedPods(rs: ReplicaSetLike, own: Pod[]): Pod[] {
    const ownerRef = getControllerOf(rs);
    if (!ownerRef) return own;
    const out: Pod[] = [];
    for (const sibling of this.rsLister.byIndex(CONTROLLER_UID_INDEX, ownerRef.uid)) {
      const uid = sibling.metadata?.uid;
      if (uid) out.push(...filterActivePods(this.podLister.byIndex(CONTROLLER_UID_INDEX, uid)));
    }
    return out;
  }

  /** Create or delete toward spec.replicas; returns the failure to report in status, if any. */
  private async manage(key: string, rs: ReplicaSetLike, pods: PodObj[]): Promise<ManageError | undefined> {
    const decision = manageReplicas(rs, pods, this.relatedPods(rs, pods));
    if (decision.action === 'create') {
      const n = decision.count;
      this.expectations.expectCreations(key, n);
      const template = rs.spec?.template ?? {};
      const res = await slowStartBatch(n, 1, async () => {
        await this.podControl.createPod(template as never, rs, this.flavor.kind);
      });
      for (let i = res.successes; i < n; i++) this.expectations.creationObserved(key);
      if (res.error) return { reason: 'FailedCreate', message: errorMessage(res.error) };
    } else if (decision.action === 'delete') {
      const keys = decision.pods.map((p) => keyOf(p as PodObj));
      this.expectations.expectDeletions(key, keys);
      const results = await Promise.allSettled(
        decision.pods.map(async (p) => {
          const deleted = await this.podControl.deletePod(p.metadata!.namespace!, p.metadata!.name!, rs).catch((err: unknown) => {
            this.expectations.deletionObserved(key, keyOf(p as PodObj));
            throw err;
          });
          if (!deleted) this.expectations.deletionObserved(key, keyOf(p as PodObj));
        }),
      );
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) return { reason: 'FailedDelete', message: errorMessage((failed as PromiseRejectedResult).reason) };
    }
    return undefined;
  }

  private async updateStatus(rs: ReplicaSetLike, status: ReplicaSetStatus): Promise<ReplicaSetLike> {
    if (!statusChanged(rs, status)) return rs;
    const ns = rs.metadata?.namespace;
    let target: ReplicaSetLike = rs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.rsClient.updateStatus(ns, { ...target, status: { ...status, observedGeneration: target.metadata?.generation ?? 0 } });
      } catch (err) {
        if (isNotFound(err)) return rs;
        if (!isConflict(err) || attempt >= 1) throw err;
        target = await this.rsClient.get(ns, rs.metadata!.name!);
      }
    }
  }
}

/** The ReplicaSet controller. */
export function replicaSetController(): Controller {
  const c = new ReplicaSetController(REPLICA_SET_FLAVOR);
  return { name: 'replicaset', start: (ctx) => c.start(ctx) };
}

/** The ReplicationController controller ("replicationcontroller" upstream). */
export function replicationControllerController(): Controller {
  const c = new ReplicaSetController(REPLICATION_CONTROLLER_FLAVOR);
  return { name: 'replicationcontroller', start: (ctx) => c.start(ctx) };
}
