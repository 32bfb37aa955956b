// The Deployment controller: informers on Deployments, ReplicaSets and Pods → one workqueue of
// Deployment keys → sync: claim ReplicaSets, plan (plan.ts), apply the plan.

import type { Pod } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../api/registry.js';
import { labelSelectorFromObject } from '../../api/selectors/index.js';
import {
  DEPLOYMENTS,
  PODS,
  REPLICA_SETS,
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
  recheckOwner,
  splitKey,
} from '../common/index.js';
import type { Controller, ControllerContext } from '../types.js';
import { DEPLOYMENT_KIND, planDeployment, type DeploymentPlan } from './plan.js';
import type { Deployment, ReplicaSet } from './types.js';
import { FAILED_RS_CREATE, PROGRESSING, REVISION_ANNOTATION, equalIgnoreHash, getCondition, hasProgressDeadline, newCondition, setCondition } from './util.js';

type PodObj = Pod & KubeObject;

export class DeploymentController {
  readonly loop: QueueLoop;
  private dLister!: Lister<Deployment>;
  private rsLister!: Lister<ReplicaSet>;
  private podLister!: Lister<PodObj>;
  private deployments!: ResourceClient<Deployment>;
  private replicaSets!: ResourceClient<ReplicaSet>;
  private recorder!: EventRecorder;

  constructor() {
    // upstream's maxRetries for deployments is 15
    this.loop = new QueueLoop({ name: 'deployment', sync: (key) => this.sync(key), maxRetries: 15 });
  }

  start(ctx: ControllerContext): void {
    const dInf = ctx.informers.informerFor<Deployment>(DEPLOYMENTS);
    const rsInf = ctx.informers.informerFor<ReplicaSet>(REPLICA_SETS, { indexers: { [CONTROLLER_UID_INDEX]: indexByControllerUid } });
    const podInf = ctx.informers.informerFor<PodObj>(PODS, { indexers: { [CONTROLLER_UID_INDEX]: indexByControllerUid } });
    this.dLister = dInf.lister;
    this.rsLister = rsInf.lister;
    this.podLister = podInf.lister;
    this.deployments = ctx.client.resource<Deployment>(DEPLOYMENTS);
    this.replicaSets = ctx.client.resource<ReplicaSet>(REPLICA_SETS);
    this.recorder = ctx.recorder('deployment-controller');

    dInf.addEventHandler({
      onAdd: (d) => this.loop.enqueue(d),
      onUpdate: (_o, d) => this.loop.enqueue(d),
      onDelete: (d) => this.loop.enqueue(objectOf(d)),
    });
    rsInf.addEventHandler({
      onAdd: (rs) => this.onReplicaSet(rs),
      onUpdate: (old, cur) => {
        if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
        const oldRef = getControllerOf(old);
        const curRef = getControllerOf(cur);
        if (oldRef && oldRef.uid !== curRef?.uid) {
          const d = this.resolve(old.metadata?.namespace, oldRef);
          if (d) this.loop.enqueue(d);
        }
        if (curRef) return this.onReplicaSet(cur);
        const labelsChanged = JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {});
        if (labelsChanged || oldRef) for (const d of this.matchingDeployments(cur)) this.loop.enqueue(d);
      },
      onDelete: (obj) => {
        const rs = objectOf(obj);
        const d = this.resolve(rs.metadata?.namespace, getControllerOf(rs));
        if (d) this.loop.enqueue(d);
      },
    });
    podInf.addEventHandler({
      // Recreate waits for old pods to be gone: look again when one goes.
      onDelete: (obj) => {
        const pod = objectOf(obj);
        const rsRef = getControllerOf(pod);
        if (!rsRef || rsRef.kind !== 'ReplicaSet') return;
        const rs = this.rsLister.get(pod.metadata?.namespace, rsRef.name);
        if (!rs || rs.metadata?.uid !== rsRef.uid) return;
        const d = this.resolve(rs.metadata?.namespace, getControllerOf(rs));
        if (d && d.spec?.strategy?.type === 'Recreate') this.loop.enqueue(d);
      },
    });
    this.loop.start(ctx, [dInf, rsInf, podInf]);
  }

  private resolve(namespace: string | undefined, ref: OwnerReference | undefined): Deployment | undefined {
    if (!ref || ref.kind !== 'Deployment') return undefined;
    const d = this.dLister.get(namespace, ref.name);
    return d && d.metadata?.uid === ref.uid ? d : undefined;
  }

  private onReplicaSet(rs: ReplicaSet): void {
    const ref = getControllerOf(rs);
    if (ref) {
      const d = this.resolve(rs.metadata?.namespace, ref);
      if (d) this.loop.enqueue(d);
      return;
    }
    for (const d of this.matchingDeployments(rs)) this.loop.enqueue(d);
  }

  private matchingDeployments(rs: ReplicaSet): Deployment[] {
    return this.dLister.listNamespace(rs.metadata?.namespace ?? '').filter((d) => {
      try {
        const sel = labelSelectorFromObject(d.spec?.selector);
        return !sel.empty() && sel.matches(rs.metadata?.labels ?? {});
      } catch {
        return false;
      }
    });
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const d = this.dLister.get(namespace, name);
    if (!d) return;
    let selector;
    try {
      selector = labelSelectorFromObject(d.spec?.selector);
    } catch (err) {
      console.error(`deployment: ${key}: invalid selector: ${errorMessage(err)}`);
      return;
    }
    const uid = d.metadata?.uid ?? '';
    const candidates = this.rsLister
      .listNamespace(namespace ?? '')
      .filter((rs) => getControllerOf(rs)?.uid === uid || (!getControllerOf(rs) && !selector.empty() && selector.matches(rs.metadata?.labels ?? {})));
    const rsList = selector.empty()
      ? candidates.filter((rs) => getControllerOf(rs)?.uid === uid)
      : await claimObjects<ReplicaSet>({
          owner: d,
          kind: DEPLOYMENT_KIND,
          selector,
          objects: candidates,
          client: this.replicaSets,
          canAdopt: recheckOwner(() => this.deployments.get(namespace, name), d),
        });
    const podsByReplicaSet = new Map<string, Pod[]>();
    if (d.spec?.strategy?.type === 'Recreate') {
      for (const rs of rsList) {
        const rsUid = rs.metadata?.uid;
        if (rsUid) podsByReplicaSet.set(rsUid, this.podLister.byIndex(CONTROLLER_UID_INDEX, rsUid));
      }
    }
    const plan = planDeployment({ deployment: d, replicaSets: rsList, podsByReplicaSet });
    await this.apply(d, plan);
  }

  /** Carry out a plan: ReplicaSet writes in order, then the revision annotation and the status. */
  async apply(d: Deployment, plan: DeploymentPlan): Promise<void> {
    const ns = d.metadata?.namespace;
    const created = new Map<string, ReplicaSet>();
    for (const a of plan.actions) {
      switch (a.kind) {
        case 'event':
          this.recorder.event(d, a.type, a.reason, a.message);
          break;
        case 'createRS': {
          try {
            const rs = await this.replicaSets.create(ns, a.rs);
            created.set(rs.metadata!.name!, rs);
          } catch (err) {
            await this.onCreateFailed(d, a.rs, err);
            return;
          }
          break;
        }
        case 'updateRS': {
          const rs = a.rs;
          const fresh = created.get(rs.metadata?.name ?? '');
          if (fresh) rs.metadata = { ...rs.metadata, resourceVersion: fresh.metadata?.resourceVersion };
          const updated = await this.replicaSets.update(ns, rs);
          if (fresh) created.set(updated.metadata!.name!, updated);
          break;
        }
        case 'deleteRS':
          try {
            await this.replicaSets.delete(ns, a.rs.metadata!.name!, { preconditions: { uid: a.rs.metadata!.uid! } });
          } catch (err) {
            if (!isNotFound(err)) throw err;
          }
          break;
      }
    }
    let cur: Deployment = d;
    if (plan.revision !== undefined && d.metadata?.annotations?.[REVISION_ANNOTATION] !== plan.revision) {
      cur = await this.deployments.patch(ns, d.metadata!.name!, { metadata: { annotations: { [REVISION_ANNOTATION]: plan.revision } } }, 'merge');
      if (cur.metadata?.generation !== d.metadata?.generation) return; // the spec changed meanwhile; the update event requeues
    }
    if (plan.status) await this.writeStatus(cur, plan.status);
    if (plan.requeueAfterMs !== undefined) this.loop.enqueueAfter(d, plan.requeueAfterMs);
  }

  private async writeStatus(d: Deployment, status: Deployment['status']): Promise<void> {
    try {
      await this.deployments.updateStatus(d.metadata?.namespace, { ...d, status: status! });
    } catch (err) {
      if (isNotFound(err)) return;
      if (isConflict(err)) {
        // the informer will bring the newer object and requeue
        this.loop.enqueueRateLimited(d);
        return;
      }
      throw err;
    }
  }

  /** A failed ReplicaSet create: a hash collision bumps collisionCount; other errors set Progressing False. */
  private async onCreateFailed(d: Deployment, rs: ReplicaSet, err: unknown): Promise<void> {
    const ns = d.metadata?.namespace;
    if (isAlreadyExists(err)) {
      let existing: ReplicaSet | undefined;
      try {
        existing = await this.replicaSets.get(ns, rs.metadata!.name!);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      if (existing && getControllerOf(existing)?.uid === d.metadata?.uid && equalIgnoreHash(existing.spec?.template, d.spec?.template)) {
        this.loop.enqueueKey(`${ns}/${d.metadata?.name}`); // ours after all: the cache lagged
        return;
      }
      const status = structuredClone(d.status ?? {});
      status.collisionCount = (status.collisionCount ?? 0) + 1;
      await this.writeStatus(d, status);
      throw new Error(`found a hash collision for deployment "${d.metadata?.name}" - bumping collisionCount (${d.status?.collisionCount ?? 0}->${status.collisionCount}) to resolve it`);
    }
    if (hasProgressDeadline(d)) {
      const status = structuredClone(d.status ?? {});
      const msg = `Failed to create new replica set "${rs.metadata?.name}": ${errorMessage(err)}`;
      if (getCondition(status, PROGRESSING)?.reason !== FAILED_RS_CREATE) {
        setCondition(status, newCondition(PROGRESSING, 'False', FAILED_RS_CREATE, msg, Date.now()));
        await this.writeStatus(d, status);
      }
      this.recorder.event(d, 'Warning', FAILED_RS_CREATE, msg);
    }
    throw err;
  }
}

/** The Deployment controller. */
export function deploymentController(): Controller {
  const c = new DeploymentController();
  return { name: 'deployment', start: (ctx) => c.start(ctx) };
}
