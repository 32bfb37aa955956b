// The DaemonSet controller: informers (DaemonSets, pods, nodes, ControllerRevisions) → workqueue →
// sync(key). A sync claims pods and revisions, finds the current revision, carries out the plan
// (plan.ts) under expectations, trims history, and writes status.

import type { ControllerRevision, DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../api/registry.js';
import { labelSelectorFromObject, type LabelSelector } from '../../api/selectors/index.js';
import {
  DAEMON_SETS,
  NODES,
  PODS,
  isConflict,
  isNotFound,
  keyOf,
  objectOf,
  type DeletedFinalStateUnknown,
  type Lister,
  type ResourceClient,
} from '../../client/index.js';
import {
  CONTROLLER_UID_INDEX,
  Expectations,
  PodControl,
  QueueLoop,
  claimObjects,
  controllerKey,
  errorMessage,
  getControllerOf,
  indexByControllerUid,
  isPodReady,
  recheckOwner,
  slowStartBatch,
  splitKey,
} from '../common/index.js';
import { CONTROLLER_REVISIONS, POD_REVISION_LABEL, deleteControllerRevision } from '../history/index.js';
import type { Controller, ControllerContext } from '../types.js';
import { FailedPodBackoff } from './backoff.js';
import { daemonPodTemplate, nodeNameAffinity } from './eligibility.js';
import { HashCollisionError, constructHistory, revisionsToClean } from './history.js';
import { DAEMON_SET_KIND } from './kind.js';
import { computeStatus, planDaemonSet, podsByNode } from './plan.js';

type Obj<T> = T & KubeObject;
type DS = Obj<DaemonSet>;
type PodObj = Obj<Pod>;
type NodeObj = Obj<Node>;
type RevObj = Obj<ControllerRevision>;

/** At most this many creates or deletes per sync (upstream's BurstReplicas). */
export const BURST_REPLICAS = 250;

export class DaemonSetController {
  readonly expectations = new Expectations();
  readonly backoff = new FailedPodBackoff();
  readonly loop = new QueueLoop({ name: 'daemonset', sync: (key) => this.sync(key) });
  private ctx!: ControllerContext;
  private dsLister!: Lister<DS>;
  private podLister!: Lister<PodObj>;
  private nodeLister!: Lister<NodeObj>;
  private revLister!: Lister<RevObj>;
  private dsClient!: ResourceClient<DS>;
  private podClient!: ResourceClient<PodObj>;
  private revClient!: ResourceClient<RevObj>;
  private podControl!: PodControl;
  private recorder!: ReturnType<ControllerContext['recorder']>;

  start(ctx: ControllerContext): void {
    this.ctx = ctx;
    const dsInf = ctx.informers.informerFor<DS>(DAEMON_SETS);
    const podInf = ctx.informers.informerFor<PodObj>(PODS, { indexers: { [CONTROLLER_UID_INDEX]: indexByControllerUid } });
    const nodeInf = ctx.informers.informerFor<NodeObj>(NODES);
    const revInf = ctx.informers.informerFor<RevObj>(CONTROLLER_REVISIONS, { indexers: { [CONTROLLER_UID_INDEX]: indexByControllerUid } });
    this.dsLister = dsInf.lister;
    this.podLister = podInf.lister;
    this.nodeLister = nodeInf.lister;
    this.revLister = revInf.lister;
    this.dsClient = ctx.client.resource<DS>(DAEMON_SETS);
    this.podClient = ctx.client.resource<PodObj>(PODS);
    this.revClient = ctx.client.resource<RevObj>(CONTROLLER_REVISIONS);
    this.recorder = ctx.recorder('daemonset-controller');
    this.podControl = new PodControl({ client: ctx.client, recorder: this.recorder });

    dsInf.addEventHandler({
      onAdd: (ds) => this.loop.enqueue(ds),
      onUpdate: (_o, ds) => this.loop.enqueue(ds),
      onDelete: (obj) => {
        const ds = objectOf(obj);
        this.expectations.delete(controllerKey(ds));
        this.loop.enqueue(ds);
      },
    });
    podInf.addEventHandler({
      onAdd: (pod) => this.addPod(pod),
      onUpdate: (old, cur) => this.updatePod(old, cur),
      onDelete: (obj) => this.deletePod(obj),
    });
    nodeInf.addEventHandler({
      onAdd: () => this.enqueueAll(),
      onUpdate: (old, cur) => {
        if (nodeChangeMatters(old, cur)) this.enqueueAll();
      },
      onDelete: () => this.enqueueAll(),
    });
    revInf.addEventHandler({
      onAdd: (r) => this.enqueueOwner(r),
      onUpdate: (_o, r) => this.enqueueOwner(r),
      onDelete: (obj) => this.enqueueOwner(objectOf(obj)),
    });
    const gc = setInterval(() => this.backoff.gc(), 60_000);
    gc.unref();
    ctx.signal.addEventListener('abort', () => clearInterval(gc), { once: true });
    this.loop.start(ctx, [dsInf, podInf, nodeInf, revInf]);
  }

  // ── handlers ──────────────────────────────────────────────────────────────

  private enqueueAll(): void {
    for (const ds of this.dsLister.list()) this.loop.enqueue(ds);
  }

  private resolve(namespace: string | undefined, ref: OwnerReference | undefined): DS | undefined {
    if (!ref || ref.kind !== DAEMON_SET_KIND.kind) return undefined;
    const ds = this.dsLister.get(namespace, ref.name);
    return ds && ds.metadata?.uid === ref.uid ? ds : undefined;
  }

  private enqueueOwner(obj: KubeObject): void {
    const ref = getControllerOf(obj);
    if (ref) {
      const ds = this.resolve(obj.metadata?.namespace, ref);
      if (ds) this.loop.enqueue(ds);
      return;
    }
    for (const ds of this.matching(obj)) this.loop.enqueue(ds);
  }

  private matching(obj: KubeObject): DS[] {
    const out: DS[] = [];
    for (const ds of this.dsLister.listNamespace(obj.metadata?.namespace ?? '')) {
      try {
        const sel = labelSelectorFromObject(ds.spec?.selector);
        if (!sel.empty() && sel.matches(obj.metadata?.labels ?? {})) out.push(ds);
      } catch {
        // an invalid selector matches nothing
      }
    }
    return out;
  }

  private addPod(pod: PodObj): void {
    if (pod.metadata?.deletionTimestamp) return this.deletePod(pod);
    const ref = getControllerOf(pod);
    if (ref) {
      const ds = this.resolve(pod.metadata?.namespace, ref);
      if (!ds) return;
      this.expectations.creationObserved(controllerKey(ds));
      this.loop.enqueue(ds);
      return;
    }
    for (const ds of this.matching(pod)) this.loop.enqueue(ds);
  }

  private updatePod(old: PodObj, cur: PodObj): void {
    if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
    const oldRef = getControllerOf(old);
    const curRef = getControllerOf(cur);
    if (oldRef && oldRef.uid !== curRef?.uid) {
      const ds = this.resolve(old.metadata?.namespace, oldRef);
      if (ds) this.loop.enqueue(ds);
    }
    if (curRef) {
      const ds = this.resolve(cur.metadata?.namespace, curRef);
      if (!ds) return;
      this.loop.enqueue(ds);
      const minReady = ds.spec?.minReadySeconds ?? 0;
      if (minReady > 0 && !isPodReady(old) && isPodReady(cur)) this.loop.enqueueAfter(ds, minReady * 1000 + 50);
      return;
    }
    for (const ds of this.matching(cur)) this.loop.enqueue(ds);
  }

  private deletePod(obj: PodObj | DeletedFinalStateUnknown<PodObj>): void {
    const pod = objectOf(obj);
    const ds = this.resolve(pod.metadata?.namespace, getControllerOf(pod));
    if (!ds) return;
    this.expectations.deletionObserved(controllerKey(ds), keyOf(pod));
    this.loop.enqueue(ds);
  }

  // ── sync ──────────────────────────────────────────────────────────────────

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const ds = this.dsLister.get(namespace, name);
    if (!ds) {
      this.expectations.delete(key);
      return;
    }
    let selector: LabelSelector;
    try {
      selector = labelSelectorFromObject(ds.spec?.selector);
    } catch (err) {
      this.recorder.event(ds, 'Warning', 'SelectorParseError', errorMessage(err));
      return;
    }
    if (selector.empty()) {
      this.recorder.event(ds, 'Warning', 'SelectingAll', 'This daemon set is selecting all pods. A non-empty selector is required.');
      return;
    }
    if (ds.metadata?.deletionTimestamp) return;
    const ns = namespace ?? '';
    const nodes = this.nodeLister.list();
    const canAdopt = recheckOwner(() => this.dsClient.get(ns, name), ds);
    const pods = await claimObjects<PodObj>({
      owner: ds,
      kind: DAEMON_SET_KIND,
      selector,
      objects: this.podLister.listNamespace(ns),
      client: this.podClient,
      canAdopt,
    });
    const revisions = await claimObjects<RevObj>({
      owner: ds,
      kind: DAEMON_SET_KIND,
      selector,
      objects: this.revLister.listNamespace(ns),
      client: this.revClient,
      canAdopt,
    });
    let history;
    try {
      history = await constructHistory({ client: this.ctx.client, dsClient: this.dsClient, podClient: this.podClient }, ds, revisions, pods);
    } catch (err) {
      if (err instanceof HashCollisionError) return; // the status update re-queues us with the new count
      throw err;
    }
    const hash = history.current.metadata?.labels?.[POD_REVISION_LABEL] ?? '';
    const now = Date.now();
    const state = { ds, nodes, pods, hash, now, inFailedBackoff: (node: string) => this.backoff.inBackoff(`${ds.metadata?.uid}/${node}`) };

    if (this.expectations.satisfied(key)) {
      const plan = planDaemonSet(state);
      for (const node of plan.failedOn) {
        this.backoff.next(`${ds.metadata?.uid}/${node}`);
        this.recorder.event(ds, 'Warning', 'FailedDaemonPod', `Found failed daemon pod on node ${node}, will try to kill it`);
      }
      for (const node of plan.backedOff) this.loop.enqueueAfter(key, this.backoff.remaining(`${ds.metadata?.uid}/${node}`) + 10);
      await this.syncNodes(ds, key, plan.delete, plan.createOn, hash);
      if (this.expectations.satisfied(key)) {
        const all = [...podsByNode(pods, true).values()].flat();
        for (const r of revisionsToClean(ds, history.old, all)) await deleteControllerRevision(this.ctx.client, r);
      }
    }
    await this.writeStatus(ds, key, state);
  }

  /** Create pods on `createOn` and delete `toDelete`, with expectations, in slow-start batches. */
  private async syncNodes(ds: DS, key: string, toDelete: string[], createOn: string[], hash: string): Promise<void> {
    const creates = createOn.slice(0, BURST_REPLICAS);
    const deletes = toDelete.slice(0, BURST_REPLICAS);
    if (creates.length === 0 && deletes.length === 0) return;
    this.expectations.set(key, creates.length, deletes.length);
    const ns = ds.metadata?.namespace ?? '';
    const template = daemonPodTemplate(ds, hash);
    const errors: unknown[] = [];
    const deleting = Promise.all(
      deletes.map(async (podName) => {
        try {
          const deleted = await this.podControl.deletePod(ns, podName, ds);
          if (!deleted) this.expectations.deletionObserved(key, `${ns}/${podName}`);
        } catch (err) {
          this.expectations.deletionObserved(key, `${ns}/${podName}`);
          errors.push(err);
        }
      }),
    );
    const { successes, error } = await slowStartBatch(creates.length, 1, async (i) => {
      const t = structuredClone(template);
      t.spec!.affinity = nodeNameAffinity(t.spec?.affinity, creates[i]!);
      try {
        await this.podControl.createPod(t, ds, DAEMON_SET_KIND);
      } catch (err) {
        this.expectations.creationObserved(key);
        throw err;
      }
    });
    // Creates never attempted after a failing batch are not coming either.
    const attempted = error === undefined ? creates.length : Math.min(creates.length, nextBatchEnd(successes, creates.length));
    for (let i = attempted; i < creates.length; i++) this.expectations.creationObserved(key);
    if (error !== undefined) errors.push(error);
    await deleting;
    if (errors.length) throw errors[0];
  }

  private async writeStatus(ds: DS, key: string, state: Parameters<typeof computeStatus>[0]): Promise<void> {
    const { status, requeueAfterMs } = computeStatus(state);
    if (requeueAfterMs !== undefined) this.loop.enqueueAfter(key, requeueAfterMs);
    if (sameStatus(ds.status, status)) return;
    const ns = ds.metadata?.namespace ?? '';
    let cur: DS = ds;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.dsClient.updateStatus(ns, { ...cur, status: { ...status, ...(cur.status?.collisionCount !== undefined ? { collisionCount: cur.status.collisionCount } : {}) } });
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (!isConflict(err) || attempt === 2) throw err;
        cur = await this.dsClient.get(ns, ds.metadata?.name ?? '');
      }
    }
  }
}

/** How many creates a failing slow-start run attempted: batches of 1, 2, 4 … up to the failing one. */
function nextBatchEnd(successes: number, total: number): number {
  let done = 0;
  let batch = 1;
  while (done < total) {
    const end = done + Math.min(batch, total - done);
    if (end > successes) return end;
    done = end;
    batch *= 2;
  }
  return total;
}

const STATUS_FIELDS = [
  'currentNumberScheduled',
  'desiredNumberScheduled',
  'numberMisscheduled',
  'numberReady',
  'updatedNumberScheduled',
  'numberAvailable',
  'numberUnavailable',
  'observedGeneration',
] as const;

function sameStatus(a: DaemonSet['status'], b: DaemonSet['status']): boolean {
  for (const f of STATUS_FIELDS) if ((a?.[f] ?? 0) !== (b?.[f] ?? 0)) return false;
  return true;
}

/** Node changes that can change where daemon pods belong: labels, taints, unschedulable. */
function nodeChangeMatters(old: Node, cur: Node): boolean {
  if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return false;
  return (
    JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {}) ||
    JSON.stringify(old.spec?.taints ?? []) !== JSON.stringify(cur.spec?.taints ?? []) ||
    !!old.spec?.unschedulable !== !!cur.spec?.unschedulable
  );
}

export const daemonSetController: Controller = {
  name: 'daemonset',
  start(ctx: ControllerContext) {
    new DaemonSetController().start(ctx);
  },
};
