// The scheduling loop: informer events feed the queue and the cache; each cycle pops a pod, updates
// the snapshot, filters, (preempts,) scores, assumes the pod on the chosen node and binds it
// asynchronously. All API writes go through SchedulerApi so the loop runs against fakes in tests.

import type { Namespace, Node, Pod, ReplicationController, Service } from 'kubernetes-types/core/v1.js';
import type { ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Labels } from '../api/selectors/index.js';
import { SchedulerCache } from './cache/cache.js';
import { OwnerSelectors, type OwnerKind } from './default-selector.js';
import { Snapshot } from './cache/snapshot.js';
import { FitError, ErrNoNodesAvailable } from './fit-error.js';
import { PodInfo, podKey } from './framework/node-info.js';
import { Framework, PluginMetrics } from './framework/runtime.js';
import { CycleState, Status, type BindPlugin, type ClusterEventWithHint, type Handle, type NodeInfoLister, type PluginsFactory, type ProfilePlugins } from './framework/types.js';
import { DefaultPreemption } from './preemption/preemption.js';
import { SchedulingQueue, type QueuedPodInfo } from './queue/queue.js';
import { assignedPodUpdateActions, EventAssignedPodAdd, EventAssignedPodDelete, EventNodeAdd, nodeUpdateActions } from './queue/events.js';
import { ActionType } from './framework/types.js';

export const DefaultSchedulerName = 'default-scheduler';

/** The API writes the scheduler makes. */
export interface SchedulerApi {
  /** POST pods/<name>/binding. */
  bind(pod: Pod, nodeName: string): Promise<void>;
  /** Graceful DELETE of a preemption victim. */
  deletePod(pod: Pod): Promise<void>;
  /** Merge `status` fields into the pod's status (conditions by type, nominatedNodeName). */
  patchPodStatus(pod: Pod, status: PodStatusPatch): Promise<void>;
  event(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

export interface PodStatusPatch {
  condition?: { type: string; status: string; reason?: string; message?: string };
  /** A node name, or null to clear. */
  nominatedNodeName?: string | null;
}

export interface SchedulerOptions {
  api: SchedulerApi;
  schedulerName?: string;
  /**
   * Builds the profile's filter/score plugins (see profile.ts for the default set). DefaultPreemption
   * is added as PostFilter and DefaultBinder as Bind unless the factory sets those points.
   */
  plugins?: PluginsFactory;
  /** Add DefaultPreemption when the factory gives no PostFilter (default true). */
  preemption?: boolean;
  percentageOfNodesToScore?: number;
  metrics?: PluginMetrics;
  /** Queue timings (tests). */
  queueTimers?: boolean;
  now?: () => number;
  onError?: (err: unknown) => void;
}

function isAssigned(p: Pod): boolean {
  return !!p.spec?.nodeName;
}

function isTerminal(p: Pod): boolean {
  return p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
}

function podRef(p: Pod): string {
  return `${p.metadata?.namespace}/${p.metadata?.name}`;
}

export class Scheduler {
  readonly schedulerName: string;
  readonly queue: SchedulingQueue;
  readonly cache: SchedulerCache;
  readonly framework: Framework;
  readonly snapshot = new Snapshot();
  readonly metrics: PluginMetrics | undefined;
  private readonly api: SchedulerApi;
  private readonly onError: (err: unknown) => void;
  /** Pending pods of this scheduler, as last seen. */
  private readonly pending = new Map<string, Pod>();
  private readonly namespaces = new Map<string, Labels>();
  /** Services, RCs, ReplicaSets, StatefulSets: the default topology spreading selector of a pod. */
  readonly owners = new OwnerSelectors();
  private readonly bindings = new Set<Promise<void>>();
  private readonly timers: NodeJS.Timeout[] = [];
  /** Counters for benchmarks and tests. */
  readonly stats = { attempts: 0, scheduled: 0, bound: 0, unschedulable: 0, errors: 0, bindFailures: 0 };

  constructor(opts: SchedulerOptions) {
    this.api = opts.api;
    this.schedulerName = opts.schedulerName ?? DefaultSchedulerName;
    this.onError = opts.onError ?? ((e) => console.error('scheduler:', e));
    this.metrics = opts.metrics;
    this.cache = new SchedulerCache(opts.now ? { now: opts.now } : {});
    const handle: Handle = {
      snapshot: (): NodeInfoLister => this.snapshot,
      namespaceLabels: (ns) => this.namespaces.get(ns),
      defaultSelector: (pod) => this.owners.defaultSelector(pod),
    };
    let fw: Framework | undefined;
    const preemption = new DefaultPreemption({
      framework: () => fw!,
      snapshot: () => this.snapshot,
      evict: (victim, preemptor, nodeName) => this.evict(victim, preemptor, nodeName),
      nominatedPodsForNode: (n) => this.queue.nominatedPodsForNode(n),
      clearNomination: async (p) => {
        this.queue.setNominated(p, undefined);
        await this.api.patchPodStatus(p.pod, { nominatedNodeName: null }).catch(this.onError);
      },
    });
    const plugins: ProfilePlugins = { ...(opts.plugins?.(handle) ?? {}) };
    if (!plugins.postFilter && opts.preemption !== false) plugins.postFilter = [preemption];
    if (!plugins.bind?.length) plugins.bind = [new DefaultBinder(this.api)];
    this.framework = fw = new Framework(plugins, {
      profileName: this.schedulerName,
      ...(opts.percentageOfNodesToScore !== undefined ? { percentageOfNodesToScore: opts.percentageOfNodesToScore } : {}),
      ...(opts.metrics ? { metrics: opts.metrics } : {}),
      nominator: {
        hasNominatedPods: () => this.queue.hasNominatedPods(),
        nominatedPodsForNode: (n) => this.queue.nominatedPodsForNode(n),
      },
    });
    this.queue = new SchedulingQueue({
      pluginEvents: collectPluginEvents(plugins),
      timers: opts.queueTimers ?? true,
      ...(opts.now ? { now: opts.now } : {}),
    });
  }

  // ---- informer event handlers ----

  /** Whether this scheduler is responsible for the pending pod. */
  responsibleFor(p: Pod): boolean {
    return (p.spec?.schedulerName ?? DefaultSchedulerName) === this.schedulerName;
  }

  onPodAdd(p: Pod): void {
    if (isAssigned(p)) {
      if (isTerminal(p)) return;
      this.cache.addPod(p);
      this.queue.moveAllToActiveOrBackoff(EventAssignedPodAdd, undefined, p);
    } else if (this.responsibleFor(p) && !isTerminal(p)) {
      this.pending.set(podKey(p), p);
      this.queue.add(p);
    }
  }

  onPodUpdate(old: Pod, p: Pod): void {
    const key = podKey(p);
    if (isAssigned(p)) {
      if (!isAssigned(old)) {
        // Bound (by us or someone else): leave the queue, confirm in the cache.
        this.pending.delete(key);
        this.queue.delete(p);
      }
      if (isTerminal(p)) {
        this.cache.removePod(p);
        this.queue.moveAllToActiveOrBackoff(EventAssignedPodDelete, old, undefined);
        return;
      }
      if (!isAssigned(old)) {
        this.cache.addPod(p);
        this.queue.moveAllToActiveOrBackoff(EventAssignedPodAdd, undefined, p);
      } else {
        this.cache.updatePod(old, p);
        this.queue.moveAllToActiveOrBackoff({ resource: 'Pod', actionType: assignedPodUpdateActions(old, p) }, old, p);
      }
      return;
    }
    if (!this.responsibleFor(p) || isTerminal(p) || p.metadata?.deletionTimestamp) {
      this.pending.delete(key);
      this.queue.delete(p);
      return;
    }
    this.pending.set(key, p);
    this.queue.update(old, p);
  }

  onPodDelete(p: Pod): void {
    const key = podKey(p);
    if (isAssigned(p)) {
      this.cache.removePod(p);
      this.queue.moveAllToActiveOrBackoff(EventAssignedPodDelete, p, undefined);
      return;
    }
    this.pending.delete(key);
    this.queue.delete(p);
    // A bind may be in flight; the assumed pod goes once it fails or expires.
  }

  onNodeAdd(n: Node): void {
    this.cache.addNode(n);
    this.queue.moveAllToActiveOrBackoff(EventNodeAdd, undefined, n);
  }

  onNodeUpdate(old: Node, n: Node): void {
    this.cache.updateNode(old, n);
    const actions = nodeUpdateActions(old, n);
    if (actions) this.queue.moveAllToActiveOrBackoff({ resource: 'Node', actionType: actions }, old, n);
  }

  onNodeDelete(n: Node): void {
    this.cache.removeNode(n);
  }

  onNamespace(ns: Namespace, deleted = false): void {
    const name = ns.metadata?.name ?? '';
    if (deleted) this.namespaces.delete(name);
    else {
      const had = this.namespaces.get(name);
      this.namespaces.set(name, ns.metadata?.labels ?? {});
      if (had && JSON.stringify(had) !== JSON.stringify(ns.metadata?.labels ?? {})) {
        this.queue.moveAllToActiveOrBackoff({ resource: 'Namespace', actionType: ActionType.UpdateOther });
      }
    }
  }

  /** A Service, ReplicationController, ReplicaSet or StatefulSet was added, changed or deleted. */
  onOwner(kind: OwnerKind, obj: Service | ReplicationController | ReplicaSet | StatefulSet, deleted = false): void {
    if (deleted) this.owners.delete(kind, obj);
    else this.owners.set(kind, obj);
  }

  // ---- the loop ----

  /** Schedule pods until `signal` aborts or the queue closes. */
  async run(signal?: AbortSignal): Promise<void> {
    const t = setInterval(() => this.cache.cleanupExpiredAssumedPods(), 1000);
    t.unref();
    this.timers.push(t);
    const onAbort = () => this.queue.close();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        if (signal?.aborted) break;
        const q = await this.queue.pop();
        if (!q) break;
        try {
          await this.scheduleOne(q);
        } catch (e) {
          this.onError(e);
        }
        // Let I/O (informer events, binding responses) run between cycles.
        await new Promise<void>((r) => setImmediate(r));
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Stop timers and the queue, and wait for bindings in flight. */
  async stop(): Promise<void> {
    this.queue.close();
    for (const t of this.timers) clearInterval(t);
    await this.waitForBindings();
  }

  async waitForBindings(): Promise<void> {
    while (this.bindings.size > 0) await Promise.allSettled([...this.bindings]);
  }

  /** One scheduling cycle for a popped pod; the binding cycle continues asynchronously. */
  async scheduleOne(q: QueuedPodInfo): Promise<void> {
    const key = q.podInfo.key;
    const current = this.pending.get(key);
    if (!current || current.metadata?.deletionTimestamp || this.cache.isAssumed(key)) {
      this.queue.done(key);
      return;
    }
    this.stats.attempts++;
    const podInfo = q.podInfo;
    const cycle = this.queue.schedulingCycle();
    const fw = this.framework;
    fw.beginCycle();
    const state = new CycleState();
    this.cache.updateSnapshot(this.snapshot);

    let host: string | undefined;
    if (this.snapshot.numNodes() === 0) {
      return this.failed(q, cycle, new FitError({ numAllNodes: 0, statuses: new Map(), preFilterMessage: ErrNoNodesAvailable }, new Set()));
    }
    const r = fw.findNodesThatFitPod(state, podInfo, this.snapshot);
    if (r.error) return this.failed(q, cycle, r.error);
    if (r.feasible.length === 0) {
      const diag = { numAllNodes: this.snapshot.numNodes(), statuses: r.statuses, ...(r.preFilterMessage ? { preFilterMessage: r.preFilterMessage } : {}) };
      let nominated: string | undefined;
      if (fw.plugins.postFilter.length > 0) {
        const pf = await fw.runPostFilterPlugins(state, podInfo, r.statuses);
        if (pf.status && pf.status.code === 'Error') return this.failed(q, cycle, pf.status);
        if (pf.status?.message()) Object.assign(diag, { postFilterMessage: pf.status.message() });
        nominated = pf.nominatedNodeName;
      }
      return this.failed(q, cycle, new FitError(diag, r.unschedulablePlugins), nominated);
    }
    if (r.feasible.length === 1) {
      host = r.feasible[0]!.name;
    } else {
      const ps = fw.runPreScorePlugins(state, podInfo, r.feasible);
      if (ps) return this.failed(q, cycle, ps);
      const scores = fw.runScorePlugins(state, podInfo, r.feasible);
      if (scores instanceof Status) return this.failed(q, cycle, scores);
      host = fw.selectHost(scores)!;
    }

    // Assume: the cache counts the pod on `host` from now on.
    const assumedPod: Pod = { ...podInfo.pod, spec: { ...podInfo.pod.spec!, nodeName: host } };
    const assumed = new PodInfo(assumedPod);
    this.cache.assumePod(assumed, host);
    // Counted on its node by the cache now; a nomination would count it twice.
    this.queue.setNominated(podInfo, undefined);
    const rs = fw.runReservePluginsReserve(state, assumed, host);
    if (rs) {
      fw.runReservePluginsUnreserve(state, assumed, host);
      this.cache.forgetPod(key);
      return this.failed(q, cycle, rs);
    }
    this.stats.scheduled++;
    const p = this.bindingCycle(state, q, assumed, host, cycle).finally(() => this.bindings.delete(p));
    this.bindings.add(p);
  }

  private async bindingCycle(state: CycleState, q: QueuedPodInfo, assumed: PodInfo, host: string, cycle: number): Promise<void> {
    const fw = this.framework;
    const key = assumed.key;
    try {
      const s = (await fw.runPermitPlugins(state, assumed, host)) ?? (await fw.runPreBindPlugins(state, assumed, host)) ?? (await fw.runBindPlugins(state, assumed, host));
      if (s) throw new BindError(s);
      this.cache.finishBinding(key);
      this.stats.bound++;
      this.queue.done(key);
      fw.runPostBindPlugins(state, assumed, host);
      this.api.event(q.podInfo.pod, 'Normal', 'Scheduled', `Successfully assigned ${podRef(q.podInfo.pod)} to ${host}`);
    } catch (e) {
      this.stats.bindFailures++;
      fw.runReservePluginsUnreserve(state, assumed, host);
      this.cache.forgetPod(key);
      // The forgotten pod's resources are free again.
      this.queue.moveAllToActiveOrBackoff(EventAssignedPodDelete);
      const st = e instanceof BindError ? e.status : Status.error(e instanceof Error ? e : String(e));
      await this.failed(q, cycle, st);
    }
  }

  /** Requeue a pod whose attempt failed, and tell the user why. */
  private async failed(q: QueuedPodInfo, cycle: number, err: FitError | Status, nominatedNodeName?: string): Promise<void> {
    const pod = q.podInfo.pod;
    const key = q.podInfo.key;
    const fit = err instanceof FitError;
    const rejected = fit || err.isRejected();
    if (fit) {
      this.stats.unschedulable++;
      q.unschedulablePlugins = err.unschedulablePlugins;
    } else if (rejected) {
      this.stats.unschedulable++;
      q.unschedulablePlugins = new Set(err.plugin ? [err.plugin] : []);
    } else {
      this.stats.errors++;
    }
    const message = fit ? err.message : err.message() || err.code;
    if (nominatedNodeName) this.queue.setNominated(q.podInfo, nominatedNodeName);
    // Requeue only if the pod is still pending and ours.
    if (this.pending.has(key)) this.queue.addUnschedulable(q, cycle, { error: !rejected });
    else this.queue.done(key);

    this.api.event(pod, 'Warning', 'FailedScheduling', message);
    const patch: PodStatusPatch = {
      condition: { type: 'PodScheduled', status: 'False', reason: rejected ? 'Unschedulable' : 'SchedulerError', message },
    };
    if (nominatedNodeName) patch.nominatedNodeName = nominatedNodeName;
    const existing = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    const same = existing && existing.status === 'False' && existing.reason === patch.condition!.reason && existing.message === message;
    if (!same || nominatedNodeName) {
      try {
        await this.api.patchPodStatus(pod, patch);
      } catch (e) {
        this.onError(e);
      }
    }
  }

  private async evict(victim: Pod, preemptor: Pod, nodeName: string): Promise<void> {
    await this.api.deletePod(victim);
    this.api.event(victim, 'Normal', 'Preempted', `Preempted by pod ${preemptor.metadata?.uid ?? podRef(preemptor)} on node ${nodeName}`);
  }
}

/** Binds through the pods/binding subresource. */
export class DefaultBinder implements BindPlugin {
  readonly name = 'DefaultBinder';
  constructor(private readonly api: SchedulerApi) {}
  async bind(_state: CycleState, pod: PodInfo, nodeName: string): Promise<Status | null> {
    await this.api.bind(pod.pod, nodeName);
    return null;
  }
}

class BindError extends Error {
  override name = 'BindError';
  constructor(readonly status: Status) {
    super(status.message());
  }
}

/** Events declared by plugins implementing EnqueueExtensions, by plugin name. */
function collectPluginEvents(p: ProfilePlugins): Map<string, ClusterEventWithHint[]> {
  const out = new Map<string, ClusterEventWithHint[]>();
  const all = [...(p.preFilter ?? []), ...(p.filter ?? []), ...(p.reserve ?? []), ...(p.permit ?? []), ...(p.preBind ?? [])];
  for (const pl of all) {
    const ext = pl as unknown as { eventsToRegister?: () => ClusterEventWithHint[] };
    if (typeof ext.eventsToRegister === 'function' && !out.has(pl.name)) out.set(pl.name, ext.eventsToRegister());
  }
  return out;
}
