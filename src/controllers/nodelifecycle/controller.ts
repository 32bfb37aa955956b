// The node lifecycle controller: watches Nodes and their Leases (kube-node-lease/<node>), turns a
// silent node's conditions Unknown after the grace period, keeps the condition taints on nodes,
// marks the pods of a not-ready node not ready, and evicts pods from NoExecute-tainted nodes
// (the taint eviction manager, one timer per pod).

import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/registry.js';
import {
  LEASES,
  NODES,
  PODS,
  ResourceClient,
  indexByNodeName,
  isConflict,
  isNotFound,
  keyOf,
  objectOf,
  splitKey,
  type EventRecorder,
  type Lister,
} from '../../client/index.js';
import { QueueLoop } from '../common/index.js';
import type { Controller, ControllerContext } from '../types.js';
import { realClock, type Clock } from './clock.js';
import { nodeCondition, observeHealth, remainingGraceMs, staleConditions, type NodeHealth } from './health.js';
import { decideEviction, noExecuteTaints } from './eviction.js';
import { disruptionTargetConditions, podNotReadyConditions } from './pods.js';
import { reconcileTaints } from './taints.js';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
const NODE_NAME_INDEX = 'nodeName';

type NodeObj = Node & KubeObject;
type PodObj = Pod & KubeObject;
type LeaseObj = Lease & KubeObject;

export interface NodeLifecycleControllerOptions {
  clock?: Clock;
  /** How often every node is looked at again (upstream's node-monitor-period, 5 s); default min(5 s, grace/8). */
  monitorPeriodMs?: number;
  /** Overrides ctx.options.nodeMonitorGracePeriodSeconds. */
  gracePeriodSeconds?: number;
}

interface EvictionTimer {
  startedAt: number;
  fireAt: number;
  cancel: () => void;
}

export class NodeLifecycle {
  private readonly clock: Clock;
  private readonly health = new Map<string, NodeHealth>();
  private readonly timers = new Map<string, EvictionTimer>();
  private nodes!: Lister<NodeObj>;
  private pods!: Lister<PodObj>;
  private leases!: Lister<LeaseObj>;
  private nodeClient!: ResourceClient<NodeObj>;
  private podClient!: ResourceClient<PodObj>;
  private nodeEvents!: EventRecorder;
  private podEvents!: EventRecorder;
  private graceMs = 40_000;
  readonly nodeLoop: QueueLoop;
  readonly evictionLoop: QueueLoop;

  constructor(private readonly options: NodeLifecycleControllerOptions = {}) {
    this.clock = options.clock ?? realClock;
    this.nodeLoop = new QueueLoop({ name: 'node-lifecycle', sync: (key) => this.syncNode(key) });
    this.evictionLoop = new QueueLoop({ name: 'taint-eviction', sync: (key) => this.syncPod(key) });
  }

  start(ctx: ControllerContext): void {
    this.graceMs = (this.options.gracePeriodSeconds ?? ctx.options.nodeMonitorGracePeriodSeconds) * 1000;
    const period = this.options.monitorPeriodMs ?? Math.max(100, Math.min(5000, this.graceMs / 8));
    this.nodeClient = new ResourceClient<NodeObj>(ctx.client, NODES);
    this.podClient = new ResourceClient<PodObj>(ctx.client, PODS);
    this.nodeEvents = ctx.recorder('node-controller');
    this.podEvents = ctx.recorder('taint-eviction-controller');

    const nodeInf = ctx.informers.informerFor<NodeObj>(NODES);
    const podInf = ctx.informers.informerFor<PodObj>(PODS, { indexers: { [NODE_NAME_INDEX]: indexByNodeName } });
    const leaseInf = ctx.informers.informerFor<LeaseObj>(LEASES, { namespace: NODE_LEASE_NAMESPACE });
    this.nodes = nodeInf.lister;
    this.pods = podInf.lister;
    this.leases = leaseInf.lister;

    nodeInf.addEventHandler({
      onAdd: (n) => this.nodeLoop.enqueueKey(keyOf(n)),
      onUpdate: (old, n) => {
        this.nodeLoop.enqueueKey(keyOf(n));
        if (old !== n && JSON.stringify(noExecuteTaints(old.spec?.taints)) !== JSON.stringify(noExecuteTaints(n.spec?.taints))) this.enqueuePodsOn(keyOf(n));
      },
      onDelete: (n) => {
        const name = keyOf(objectOf(n));
        this.health.delete(name);
        this.enqueuePodsOn(name);
      },
    });
    leaseInf.addEventHandler({
      onAdd: (l) => this.nodeLoop.enqueueKey(l.metadata?.name ?? ''),
      onUpdate: (_o, l) => this.nodeLoop.enqueueKey(l.metadata?.name ?? ''),
    });
    podInf.addEventHandler({
      onAdd: (p) => this.podChanged(p),
      onUpdate: (_o, p) => this.podChanged(p),
      onDelete: (p) => this.cancelTimer(keyOf(objectOf(p))),
    });

    // Every node is looked at again each period, so a node nobody writes to still goes Unknown.
    const tick = () => {
      if (ctx.signal.aborted) return;
      for (const n of this.nodes.list()) this.nodeLoop.enqueueKey(keyOf(n));
      cancelTick = this.clock.after(period, tick);
    };
    let cancelTick = this.clock.after(period, tick);
    ctx.signal.addEventListener(
      'abort',
      () => {
        cancelTick();
        for (const k of [...this.timers.keys()]) this.cancelTimer(k);
      },
      { once: true },
    );
    this.nodeLoop.start(ctx, [nodeInf, podInf, leaseInf]);
    this.evictionLoop.start(ctx, [nodeInf, podInf]);
  }

  private podChanged(p: PodObj): void {
    const nodeName = p.spec?.nodeName;
    if (!nodeName) return;
    this.evictionLoop.enqueueKey(keyOf(p));
    // A ready pod on a node that is not Ready is marked not ready by the node's sync.
    const node = this.nodes?.get(undefined, nodeName);
    const ready = node && nodeCondition(node, 'Ready');
    if (ready && ready.status !== 'True' && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) this.nodeLoop.enqueueKey(nodeName);
  }

  private enqueuePodsOn(nodeName: string): void {
    for (const p of this.pods.byIndex(NODE_NAME_INDEX, nodeName)) this.evictionLoop.enqueueKey(keyOf(p));
  }

  // ---- node health, conditions and taints ----

  async syncNode(name: string): Promise<void> {
    let node = this.nodes.get(undefined, name);
    if (!node) {
      this.health.delete(name);
      return;
    }
    const now = this.clock.now();
    const lease = this.leases.get(NODE_LEASE_NAMESPACE, name);
    const health = observeHealth(this.health.get(name), node, lease, now);
    this.health.set(name, health);
    const wasReady = nodeCondition(node, 'Ready')?.status;

    const conditions = staleConditions(node, health, now, this.graceMs);
    if (conditions) {
      node = await this.writeStatus(node, conditions);
      if (wasReady === 'True') {
        this.nodeEvents.event(node, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
      }
    }

    const taints = reconcileTaints(node, now);
    if (taints) node = await this.writeTaints(node, taints);

    const ready = nodeCondition(node, 'Ready');
    if (ready && ready.status !== 'True') await this.markPodsNotReady(name);

    const left = remainingGraceMs(health, now, this.graceMs);
    if (left >= 0) this.nodeLoop.enqueueAfter(name, left + 50);
  }

  private async writeStatus(node: NodeObj, conditions: NonNullable<Node['status']>['conditions']): Promise<NodeObj> {
    try {
      return await this.nodeClient.updateStatus(undefined, { ...node, status: { ...node.status, conditions } } as NodeObj);
    } catch (err) {
      if (!isConflict(err)) throw err;
      // The kubelet wrote in between: look again at the fresh object on the next sync.
      throw new Error(`node ${keyOf(node)} changed while being marked Unknown; retrying`, { cause: err });
    }
  }

  private async writeTaints(node: NodeObj, taints: NonNullable<Node['spec']>['taints']): Promise<NodeObj> {
    let cur = node;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.nodeClient.update(undefined, { ...cur, spec: { ...cur.spec, taints } } as NodeObj);
      } catch (err) {
        if (!isConflict(err) || attempt >= 2) throw err;
        cur = await this.nodeClient.get(undefined, keyOf(node));
        const again = reconcileTaints(cur, this.clock.now());
        if (!again) return cur;
        taints = again;
      }
    }
  }

  private async markPodsNotReady(nodeName: string): Promise<void> {
    const errors: unknown[] = [];
    for (const pod of this.pods.byIndex(NODE_NAME_INDEX, nodeName)) {
      const conditions = podNotReadyConditions(pod, this.clock.now());
      if (!conditions) continue;
      try {
        await this.podClient.updateStatus(pod.metadata?.namespace, { ...pod, status: { ...pod.status, conditions } } as PodObj);
        this.podEvents.event(pod, 'Warning', 'NodeNotReady', 'Node is not ready');
      } catch (err) {
        // A conflict means the pod changed: its update event brings us back here.
        if (!isNotFound(err) && !isConflict(err)) errors.push(err);
      }
    }
    if (errors.length) throw new Error(`marking pods on ${nodeName} not ready: ${errors.length} failed`, { cause: errors[0] });
  }

  // ---- taint-based eviction ----

  async syncPod(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const pod = this.pods.get(namespace, name);
    const nodeName = pod?.spec?.nodeName;
    const node = nodeName ? this.nodes.get(undefined, nodeName) : undefined;
    if (!pod || pod.metadata?.deletionTimestamp || !node) {
      this.cancelTimer(key);
      return;
    }
    const now = this.clock.now();
    const timer = this.timers.get(key);
    const d = decideEviction(pod, node.spec?.taints ?? [], now, timer?.startedAt);
    if (d.kind === 'none') {
      if (timer) {
        this.cancelTimer(key);
        this.podEvents.event(pod, 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${key}`);
      }
      return;
    }
    if (d.kind === 'wait') {
      if (timer && timer.fireAt === d.fireAt) return;
      timer?.cancel();
      const cancel = this.clock.after(d.fireAt - now, () => this.evictionLoop.enqueueKey(key));
      this.timers.set(key, { startedAt: d.startedAt, fireAt: d.fireAt, cancel });
      return;
    }
    this.cancelTimer(key);
    await this.evict(pod);
  }

  private async evict(pod: PodObj): Promise<void> {
    const key = keyOf(pod);
    this.podEvents.event(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`);
    const conditions = disruptionTargetConditions(pod, this.clock.now());
    if (conditions) {
      try {
        await this.podClient.updateStatus(pod.metadata?.namespace, { ...pod, status: { ...pod.status, conditions } } as PodObj);
      } catch (err) {
        if (isNotFound(err)) return;
        // A stale copy: the deletion below still goes ahead.
      }
    }
    try {
      await this.podClient.delete(pod.metadata?.namespace, pod.metadata?.name ?? '', pod.metadata?.uid ? { preconditions: { uid: pod.metadata.uid } } : {});
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  private cancelTimer(key: string): void {
    const t = this.timers.get(key);
    if (!t) return;
    t.cancel();
    this.timers.delete(key);
  }

  /** Pods with a pending eviction timer (tests, debugging). */
  pendingEvictions(): Map<string, { startedAt: number; fireAt: number }> {
    return new Map([...this.timers].map(([k, t]) => [k, { startedAt: t.startedAt, fireAt: t.fireAt }]));
  }
}

export function newNodeLifecycleController(options: NodeLifecycleControllerOptions = {}): Controller & { instance(): NodeLifecycle | undefined } {
  let current: NodeLifecycle | undefined;
  return {
    name: 'node-lifecycle',
    start(ctx: ControllerContext) {
      current = new NodeLifecycle(options);
      current.start(ctx);
    },
    instance: () => current,
  };
}

/** The node lifecycle controller with upstream's defaults (grace period from the manager's options). */
export const nodeLifecycleController: Controller = newNodeLifecycleController();
