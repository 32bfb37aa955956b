// The StatefulSet controller: informers (StatefulSets, pods, ControllerRevisions, PVCs) → workqueue
// → sync(key). A sync claims revisions and pods, finds the current and update revisions, carries
// out the plan (plan.ts) phase by phase, writes status and trims history.

import type { ControllerRevision, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../api/registry.js';
import { labelSelectorFromObject, type LabelSelector } from '../../api/selectors/index.js';
import {
  PERSISTENT_VOLUME_CLAIMS,
  PODS,
  STATEFUL_SETS,
  isAlreadyExists,
  isConflict,
  isNotFound,
  objectOf,
  type EventRecorder,
  type Lister,
  type ResourceClient,
} from '../../client/index.js';
import {
  CONTROLLER_UID_INDEX,
  QueueLoop,
  claimObjects,
  errorMessage,
  getControllerOf,
  indexByControllerUid,
  isPodReady,
  recheckOwner,
  splitKey,
} from '../common/index.js';
import { CONTROLLER_REVISIONS, applyRevision, deleteControllerRevision } from '../history/index.js';
import type { Controller, ControllerContext } from '../types.js';
import { STATEFUL_SET_KIND, isMemberOf } from './identity.js';
import { allowsBurst, completeRollingUpdate, planStatefulSet, statusChanged, type StatefulSetAction } from './plan.js';
import { getStatefulSetRevisions, revisionsToDelete } from './revisions.js';

type Obj<T> = T & KubeObject;
type STS = Obj<StatefulSet>;
type PodObj = Obj<Pod>;
type RevObj = Obj<ControllerRevision>;
type PVC = Obj<PersistentVolumeClaim>;

export class StatefulSetController {
  readonly loop = new QueueLoop({ name: 'statefulset', sync: (key) => this.sync(key) });
  private ctx!: ControllerContext;
  private setLister!: Lister<STS>;
  private podLister!: Lister<PodObj>;
  private revLister!: Lister<RevObj>;
  private pvcLister!: Lister<PVC>;
  private setClient!: ResourceClient<STS>;
  private podClient!: ResourceClient<PodObj>;
  private revClient!: ResourceClient<RevObj>;
  private pvcClient!: ResourceClient<PVC>;
  private recorder!: EventRecorder;

  start(ctx: ControllerContext): void {
    this.ctx = ctx;
    const setInf = ctx.informers.informerFor<STS>(STATEFUL_SETS);
    const podInf = ctx.informers.informerFor<PodObj>(PODS, { indexers: { [CONTROLLER_UID_INDEX]: indexByControllerUid } });
    const revInf = ctx.informers.informerFor<RevObj>(CONTROLLER_REVISIONS, { indexers: { [CONTROLLER_UID_INDEX]: indexByControllerUid } });
    const pvcInf = ctx.informers.informerFor<PVC>(PERSISTENT_VOLUME_CLAIMS);
    this.setLister = setInf.lister;
    this.podLister = podInf.lister;
    this.revLister = revInf.lister;
    this.pvcLister = pvcInf.lister;
    this.setClient = ctx.client.resource<STS>(STATEFUL_SETS);
    this.podClient = ctx.client.resource<PodObj>(PODS);
    this.revClient = ctx.client.resource<RevObj>(CONTROLLER_REVISIONS);
    this.pvcClient = ctx.client.resource<PVC>(PERSISTENT_VOLUME_CLAIMS);
    this.recorder = ctx.recorder('statefulset-controller');

    setInf.addEventHandler({
      onAdd: (s) => this.loop.enqueue(s),
      onUpdate: (_o, s) => this.loop.enqueue(s),
      onDelete: (obj) => this.loop.enqueue(objectOf(obj)),
    });
    podInf.addEventHandler({
      onAdd: (p) => this.enqueueFor(p),
      onUpdate: (old, cur) => {
        if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
        const oldRef = getControllerOf(old);
        if (oldRef && oldRef.uid !== getControllerOf(cur)?.uid) this.enqueueFor(old);
        this.enqueueFor(cur);
        const set = this.resolve(cur.metadata?.namespace, getControllerOf(cur));
        const minReady = set?.spec?.minReadySeconds ?? 0;
        if (set && minReady > 0 && !isPodReady(old) && isPodReady(cur)) this.loop.enqueueAfter(set, minReady * 1000 + 50);
      },
      onDelete: (obj) => this.enqueueFor(objectOf(obj)),
    });
    revInf.addEventHandler({
      onAdd: (r) => this.enqueueFor(r),
      onUpdate: (_o, r) => this.enqueueFor(r),
      onDelete: (obj) => this.enqueueFor(objectOf(obj)),
    });
    // A claim left by an earlier pod blocks re-creation until it is gone.
    pvcInf.addEventHandler({
      onUpdate: (_o, c) => this.enqueueFor(c, true),
      onDelete: (obj) => this.enqueueFor(objectOf(obj), true),
    });
    this.loop.start(ctx, [setInf, podInf, revInf, pvcInf]);
  }

  private resolve(namespace: string | undefined, ref: OwnerReference | undefined): STS | undefined {
    if (!ref || ref.kind !== STATEFUL_SET_KIND.kind) return undefined;
    const s = this.setLister.get(namespace, ref.name);
    return s && s.metadata?.uid === ref.uid ? s : undefined;
  }

  /** Enqueue the object's controller, or (orphans, claims) every set whose selector matches it. */
  private enqueueFor(obj: KubeObject, bySelector = false): void {
    const ref = getControllerOf(obj);
    const owner = this.resolve(obj.metadata?.namespace, ref);
    if (owner) this.loop.enqueue(owner);
    if (ref && !bySelector) return;
    for (const s of this.setLister.listNamespace(obj.metadata?.namespace ?? '')) {
      try {
        const sel = labelSelectorFromObject(s.spec?.selector);
        if (!sel.empty() && sel.matches(obj.metadata?.labels ?? {})) this.loop.enqueue(s);
      } catch {
        // an invalid selector matches nothing
      }
    }
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const set = this.setLister.get(namespace, name);
    if (!set) return;
    const ns = namespace ?? '';
    let selector: LabelSelector;
    try {
      selector = labelSelectorFromObject(set.spec?.selector);
    } catch (err) {
      this.recorder.event(set, 'Warning', 'SelectorParseError', errorMessage(err));
      return;
    }
    const canAdopt = recheckOwner(() => this.setClient.get(ns, name), set);
    const revisions = await claimObjects<RevObj>({ owner: set, kind: STATEFUL_SET_KIND, selector, objects: this.revLister.listNamespace(ns), client: this.revClient, canAdopt });
    const pods = await claimObjects<PodObj>({
      owner: set,
      kind: STATEFUL_SET_KIND,
      selector,
      objects: this.podLister.listNamespace(ns).filter((p) => isMemberOf(set, p)),
      client: this.podClient,
      canAdopt,
    });
    const { current, update, collisionCount } = await getStatefulSetRevisions(this.ctx.client, set, revisions);
    const plan = planStatefulSet({
      set,
      currentSet: applyRevision(set, current),
      updateSet: applyRevision(set, update),
      currentRevision: current.metadata?.name ?? '',
      updateRevision: update.metadata?.name ?? '',
      collisionCount,
      pods,
      claims: (claim) => this.pvcLister.get(ns, claim),
      now: Date.now(),
    });

    let failure: unknown;
    for (const phase of plan.phases) {
      failure = await this.runPhase(set, phase, !allowsBurst(set));
      if (failure !== undefined) break;
    }
    const status = completeRollingUpdate(set, plan.status);
    if (statusChanged(set, status)) await this.writeStatus(set, status);
    const minReady = set.spec?.minReadySeconds ?? 0;
    if (minReady > 0 && (status.readyReplicas ?? 0) !== (status.availableReplicas ?? 0)) this.loop.enqueueAfter(key, minReady * 1000);
    if (failure !== undefined) throw failure;

    const all = revisions.some((r) => r.metadata?.name === update.metadata?.name) ? revisions : [...revisions, update];
    for (const r of revisionsToDelete(set, pods, all, status.currentRevision ?? '', status.updateRevision ?? '')) await deleteControllerRevision(this.ctx.client, r);
  }

  /** Run one phase: in order, stopping at a failure (OrderedReady), or all at once (Parallel). */
  private async runPhase(set: STS, actions: StatefulSetAction[], ordered: boolean): Promise<unknown> {
    if (ordered) {
      for (const a of actions) {
        try {
          await this.run(set, a);
        } catch (err) {
          return err;
        }
      }
      return undefined;
    }
    const results = await Promise.allSettled(actions.map((a) => this.run(set, a)));
    for (const r of results) if (r.status === 'rejected') return r.reason;
    return undefined;
  }

  private async run(set: STS, a: StatefulSetAction): Promise<void> {
    const ns = set.metadata?.namespace ?? '';
    const setName = set.metadata?.name ?? '';
    switch (a.type) {
      case 'create':
      case 'createClaims': {
        const podName = a.pod.metadata?.name ?? '';
        for (const claim of a.claims) {
          try {
            await this.pvcClient.create(ns, claim as PVC);
            this.recorder.event(set, 'Normal', 'SuccessfulCreate', `create Claim ${claim.metadata?.name} Pod ${podName} in StatefulSet ${setName} success`);
          } catch (err) {
            if (isAlreadyExists(err)) continue;
            this.recorder.event(set, 'Warning', 'FailedCreate', `create Claim ${claim.metadata?.name} for Pod ${podName} in StatefulSet ${setName} failed error: ${errorMessage(err)}`);
            throw err;
          }
        }
        if (a.type === 'createClaims') return;
        try {
          await this.podClient.create(ns, a.pod as PodObj);
          this.recorder.event(set, 'Normal', 'SuccessfulCreate', `create Pod ${podName} in StatefulSet ${setName} successful`);
        } catch (err) {
          if (isAlreadyExists(err)) return;
          this.recorder.event(set, 'Warning', 'FailedCreate', `create Pod ${podName} in StatefulSet ${setName} failed error: ${errorMessage(err)}`);
          throw err;
        }
        return;
      }
      case 'delete': {
        const podName = a.pod.metadata?.name ?? '';
        try {
          await this.podClient.delete(ns, podName, { preconditions: { uid: a.pod.metadata?.uid ?? '' } });
          this.recorder.event(set, 'Normal', 'SuccessfulDelete', `delete Pod ${podName} in StatefulSet ${setName} successful`);
        } catch (err) {
          if (isNotFound(err) || isConflict(err)) return;
          this.recorder.event(set, 'Warning', 'FailedDelete', `delete Pod ${podName} in StatefulSet ${setName} failed error: ${errorMessage(err)}`);
          throw err;
        }
        return;
      }
      case 'updatePod': {
        const podName = a.pod.metadata?.name ?? '';
        await this.podClient.patch(ns, podName, { metadata: { labels: a.pod.metadata?.labels ?? {}, resourceVersion: a.pod.metadata?.resourceVersion } }, 'merge');
        return;
      }
      case 'updateClaim': {
        const c = a.claim;
        try {
          await this.pvcClient.patch(ns, c.metadata?.name ?? '', { metadata: { ownerReferences: c.metadata?.ownerReferences ?? [], resourceVersion: c.metadata?.resourceVersion } }, 'merge');
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
        return;
      }
    }
  }

  private async writeStatus(set: STS, status: NonNullable<StatefulSet['status']>): Promise<void> {
    const ns = set.metadata?.namespace ?? '';
    let cur: STS = set;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.setClient.updateStatus(ns, { ...cur, status: { ...(cur.status ?? {}), ...status } } as STS);
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (!isConflict(err) || attempt === 2) throw err;
        cur = await this.setClient.get(ns, set.metadata?.name ?? '');
      }
    }
  }
}

export const statefulSetController: Controller = {
  name: 'statefulset',
  start(ctx: ControllerContext) {
    new StatefulSetController().start(ctx);
  },
};
