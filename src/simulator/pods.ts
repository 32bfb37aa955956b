// Drives the pods bound to simulated nodes: one informer for all bound pods (indexed by
// spec.nodeName), one workqueue, and the pure state machine in lifecycle.ts. Each reconcile plays
// the pod's due events, writes the status through pods/status when it changed, finishes deletions,
// and requeues the pod for its next event.

import { deepEqual } from '../api/objects.js';
import type { KubeObject } from '../api/registry.js';
import {
  EventRecorder,
  ExponentialFailureRateLimiter,
  indexByNodeName,
  isConflict,
  isNotFound,
  keyOf,
  objectOf,
  PODS,
  runWorkers,
  SharedInformer,
  WorkQueue,
  type RestClient,
} from '../client/index.js';
import { podBehaviour, type PodBehaviour } from './behaviour.js';
import type { SimNode } from './fleet.js';
import { advance, finished, requestStop, started, type Backoff, type PodSim } from './lifecycle.js';
import { adoptPodSim, renderPodStatus } from './status.js';

type Obj = Record<string, any>;
type Pod = KubeObject & { spec?: Obj; status?: Obj };

export const NODE_NAME_INDEX = 'spec.nodeName';

export interface PodDriverConfig {
  /** The simulated node a pod is bound to, or undefined when it is not ours. */
  node(name: string): SimNode | undefined;
  backoff: Backoff;
  workers: number;
  recorder?: EventRecorder;
  log: (msg: string) => void;
}

interface Tracked {
  key: string;
  sim: PodSim;
  behaviour: PodBehaviour;
  /** The annotations the behaviour was parsed from (re-parsed when they change). */
  annotations: string;
  /** The object our last write returned; newer than the cache until the watch catches up. */
  latest?: Pod;
  warned: boolean;
}

function rvNum(o: KubeObject | undefined): number {
  const n = Number(o?.metadata?.resourceVersion);
  return Number.isFinite(n) ? n : -1;
}

/** The cache's objects are shared: never mutate them (renderPodStatus builds new objects). */
export class PodDriver {
  readonly informer: SharedInformer<Pod>;
  private readonly queue: WorkQueue<string>;
  private readonly tracked = new Map<string, Tracked>(); // by uid
  private workers: Promise<void> | undefined;
  private readonly api;
  readonly stats = { statusWrites: 0, conflicts: 0, deletes: 0 };

  constructor(
    client: RestClient,
    private readonly cfg: PodDriverConfig,
  ) {
    this.api = client.resource<Pod>(PODS);
    this.informer = new SharedInformer<Pod>(client, PODS, {
      fieldSelector: 'spec.nodeName!=',
      indexers: { [NODE_NAME_INDEX]: indexByNodeName },
      onError: (e) => cfg.log(`pod informer: ${e instanceof Error ? e.message : String(e)}`),
    });
    this.queue = new WorkQueue<string>({ rateLimiter: new ExponentialFailureRateLimiter<string>(5, 30_000), name: 'sim-pods' });
    this.informer.addEventHandler({
      onAdd: (p) => this.enqueue(p),
      onUpdate: (_o, p) => this.enqueue(p),
      onDelete: (d) => {
        const p = objectOf(d);
        this.forget(p);
      },
    });
  }

  /** Pods (from the cache) bound to one node. */
  podsOn(nodeName: string): Pod[] {
    return this.informer.indexer.byIndex(NODE_NAME_INDEX, nodeName);
  }

  async start(signal?: AbortSignal): Promise<void> {
    this.informer.start();
    await this.informer.waitForSync(signal);
    this.workers = runWorkers(this.queue, this.cfg.workers, (key) => this.reconcile(key), {
      onError: (key, err) => {
        if (isConflict(err)) this.stats.conflicts++;
        else this.cfg.log(`pod ${key}: ${err instanceof Error ? err.message : String(err)}`);
      },
    });
  }

  async stop(): Promise<void> {
    this.queue.shutDown();
    await this.informer.stop();
    await this.workers;
  }

  private enqueue(p: Pod): void {
    const node = p.spec?.nodeName;
    if (typeof node === 'string' && this.cfg.node(node)) this.queue.add(keyOf(p));
  }

  private forget(p: Pod): void {
    const uid = p.metadata?.uid;
    if (!uid) return;
    this.tracked.delete(uid);
    const node = this.cfg.node(String(p.spec?.nodeName ?? ''));
    node?.ips.release(uid);
  }

  private async reconcile(key: string): Promise<void> {
    const cached = this.informer.indexer.getByKey(key);
    if (!cached) return;
    const uid = cached.metadata?.uid ?? '';
    const node = this.cfg.node(String(cached.spec?.nodeName ?? ''));
    if (!node || !uid) return;
    const now = Date.now();

    let t = this.tracked.get(uid);
    const annotations = JSON.stringify(cached.metadata?.annotations ?? {});
    if (t && t.annotations !== annotations) {
      t.behaviour = podBehaviour(cached.metadata?.annotations);
      t.annotations = annotations;
    }
    const pod: Pod = t?.latest && rvNum(t.latest) > rvNum(cached) ? t.latest : cached;
    if (!t) {
      const behaviour = podBehaviour(pod.metadata?.annotations);
      const sim = adoptPodSim(pod, behaviour, this.cfg.backoff, now);
      t = { key, sim, behaviour, annotations, warned: false };
      this.tracked.set(uid, t);
      const ip = pod.status?.podIP;
      if (typeof ip === 'string' && !pod.spec?.hostNetwork) node.ips.adopt(uid, ip);
    }
    for (const c of pod.spec?.containers ?? []) t.behaviour.container(String(c?.name ?? ''));
    if (t.behaviour.errors.length > 0 && !t.warned) {
      t.warned = true;
      this.cfg.recorder?.event(pod, 'Warning', 'SimulatorAnnotation', t.behaviour.errors.join('; '));
    }

    const deletion = pod.metadata?.deletionTimestamp;
    if (deletion) {
      const grace = Number(pod.metadata?.deletionGracePeriodSeconds ?? 30);
      requestStop(t.sim, now + Math.min(t.behaviour.terminateAfterMs, Math.max(0, grace) * 1000));
    }
    const before = t.sim.containers.map((c) => c.phase + c.restartCount).join();
    const next = advance(t.sim, t.behaviour, this.cfg.backoff, now);
    this.recordTransitions(pod, t, before);

    const isStarted = started(t.sim, now);
    const podIP = !isStarted ? undefined : pod.spec?.hostNetwork ? node.internalIP : node.ips.allocate(uid);
    const status = renderPodStatus(pod, t.sim, t.behaviour, { hostIP: node.internalIP, podIP }, this.cfg.backoff, now);

    if (deletion && finished(t.sim, now)) {
      if (isStarted && !sameStatus(pod.status, status)) {
        try {
          await this.writeStatus(t, pod, status);
        } catch (e) {
          if (!isNotFound(e) && !isConflict(e)) throw e;
        }
      }
      try {
        await this.api.delete(pod.metadata?.namespace, pod.metadata?.name ?? '', { gracePeriodSeconds: 0, preconditions: { uid } });
        this.stats.deletes++;
      } catch (e) {
        // Gone already, or a new pod with the same name (precondition failed): nothing left to do.
        if (!isNotFound(e) && !isConflict(e)) throw e;
      }
      this.forget(pod);
      return;
    }

    if (!sameStatus(pod.status, status)) await this.writeStatus(t, pod, status);
    if (next !== undefined) this.queue.addAfter(key, Math.max(1, next - Date.now()));
  }

  private async writeStatus(t: Tracked, pod: Pod, status: Obj): Promise<void> {
    try {
      t.latest = await this.api.updateStatus(pod.metadata?.namespace, { ...pod, status } as Pod);
      this.stats.statusWrites++;
    } catch (e) {
      // Our copy is stale: drop it and retry from the cache (the watch brings the newer object).
      t.latest = undefined;
      throw e;
    }
  }

  private recordTransitions(pod: Pod, t: Tracked, before: string): void {
    const r = this.cfg.recorder;
    if (!r) return;
    const after = t.sim.containers.map((c) => c.phase + c.restartCount).join();
    if (after === before) return;
    const prev = before.split(',');
    t.sim.containers.forEach((c, i) => {
      if (prev[i] === c.phase + c.restartCount) return;
      if (c.phase === 'running') r.event(pod, 'Normal', 'Started', `Started container ${c.name}`);
      else if (c.phase === 'backoff') r.event(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${pod.metadata?.name}_${pod.metadata?.namespace}(${t.sim.uid})`);
      else if (c.phase === 'exited' && t.sim.stopAt !== undefined) r.event(pod, 'Normal', 'Killing', `Stopping container ${c.name}`);
    });
  }
}

/** Status equality ignoring key order and absent-vs-undefined (what a write would change). */
function sameStatus(a: unknown, b: unknown): boolean {
  return deepEqual(a ?? {}, b ?? {});
}
