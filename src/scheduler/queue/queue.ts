// The scheduling queue: an active heap (priority, then creation time), a backoff heap (by backoff
// expiry), and a pool of unschedulable pods that cluster events move back. Time is injectable so the
// behaviour is testable without waiting.

import type { Pod } from 'kubernetes-types/core/v1.js';
import { PodInfo, podKey } from '../framework/node-info.js';
import type { ClusterEvent, ClusterEventWithHint } from '../framework/types.js';
import { KeyedHeap } from './heap.js';
import { defaultPluginEvents, EventUnschedulableTimeout, eventMatches, unscheduledPodChanged } from './events.js';


/** A pod in the queue with its scheduling history. */
export interface QueuedPodInfo {
  podInfo: PodInfo;
  /** When the pod was last added to the queue (ms). */
  timestamp: number;
  /** When the pod was first added (ms). */
  initialAttemptTimestamp: number;
  /** Scheduling attempts so far. */
  attempts: number;
  /** Plugins that rejected the pod in its last attempt. */
  unschedulablePlugins: Set<string>;
  /** Monotonic insertion number (the final tie-breaker). */
  seq: number;
}

export interface QueueOptions {
  now?: () => number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** How long a pod may stay in the unschedulable pool before it is retried anyway. */
  maxUnschedulableMs?: number;
  /** Events per plugin name (from EnqueueExtensions); plugins absent here use defaultPluginEvents. */
  pluginEvents?: ReadonlyMap<string, ClusterEventWithHint[]>;
  /** Start the periodic flushes (backoff every 1 s, unschedulable every 30 s). Default true. */
  timers?: boolean;
}

function priorityOf(p: Pod): number {
  return p.spec?.priority ?? 0;
}

function creationMs(p: Pod): number {
  const t = p.metadata?.creationTimestamp;
  return t ? Date.parse(t) : 0;
}

/** Active-queue order: higher priority first, then older creation time, then first queued. */
export function activeLess(a: QueuedPodInfo, b: QueuedPodInfo): boolean {
  const pa = priorityOf(a.podInfo.pod);
  const pb = priorityOf(b.podInfo.pod);
  if (pa !== pb) return pa > pb;
  const ca = creationMs(a.podInfo.pod);
  const cb = creationMs(b.podInfo.pod);
  if (ca !== cb) return ca < cb;
  return a.seq < b.seq;
}

export class SchedulingQueue {
  private readonly now: () => number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxUnschedulableMs: number;
  private readonly pluginEvents: ReadonlyMap<string, ClusterEventWithHint[]> | undefined;

  private readonly active = new KeyedHeap<QueuedPodInfo>((q) => q.podInfo.key, activeLess);
  private readonly backoff = new KeyedHeap<QueuedPodInfo>(
    (q) => q.podInfo.key,
    (a, b) => this.backoffExpiry(a) < this.backoffExpiry(b),
  );
  private readonly unschedulable = new Map<string, QueuedPodInfo>();
  /** Pods popped and not yet done (their scheduling attempt is running). */
  private readonly inFlight = new Map<string, QueuedPodInfo>();
  private seq = 0;
  private cycle = 0;
  /** The scheduling cycle in which a move request (cluster event) last happened. */
  private moveRequestCycle = -1;
  private waiters: ((q: QueuedPodInfo | undefined) => void)[] = [];
  private closed = false;
  private readonly timers: NodeJS.Timeout[] = [];
  /** Node name → pods nominated to it by preemption. */
  private readonly nominated = new Map<string, Map<string, PodInfo>>();
  private readonly nominatedNodeOf = new Map<string, string>();

  constructor(opts: QueueOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.initialBackoffMs = opts.initialBackoffMs ?? 1000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 10_000;
    this.maxUnschedulableMs = opts.maxUnschedulableMs ?? 5 * 60_000;
    this.pluginEvents = opts.pluginEvents;
    if (opts.timers ?? true) {
      const t1 = setInterval(() => this.flushBackoffCompleted(), 1000);
      const t2 = setInterval(() => this.flushUnschedulableLeftover(), 30_000);
      t1.unref();
      t2.unref();
      this.timers.push(t1, t2);
    }
  }

  // ---- adding and popping ----

  /** A new pending pod. */
  add(pod: Pod): void {
    const key = podKey(pod);
    if (this.inFlight.has(key)) return;
    this.backoff.delete(key);
    this.unschedulable.delete(key);
    const now = this.now();
    const existing = this.active.get(key);
    const q: QueuedPodInfo = existing
      ? { ...existing, podInfo: new PodInfo(pod) }
      : { podInfo: new PodInfo(pod), timestamp: now, initialAttemptTimestamp: now, attempts: 0, unschedulablePlugins: new Set(), seq: ++this.seq };
    this.pushActive(q);
    this.updateNominated(pod);
  }

  /** The pending pod changed. */
  update(oldPod: Pod | undefined, newPod: Pod): void {
    const key = podKey(newPod);
    const fresh = (q: QueuedPodInfo): QueuedPodInfo => ({ ...q, podInfo: new PodInfo(newPod) });
    this.updateNominated(newPod);
    const inActive = this.active.get(key);
    if (inActive) return this.active.push(fresh(inActive));
    const inBackoff = this.backoff.get(key);
    if (inBackoff) return this.backoff.push(fresh(inBackoff));
    const inPool = this.unschedulable.get(key);
    if (inPool) {
      const q = fresh(inPool);
      if (!oldPod || unscheduledPodChanged(oldPod, newPod)) {
        this.unschedulable.delete(key);
        if (this.isBackingOff(q)) this.backoff.push(q);
        else this.pushActive(q);
      } else {
        this.unschedulable.set(key, q);
      }
      return;
    }
    const flying = this.inFlight.get(key);
    if (flying) {
      flying.podInfo = new PodInfo(newPod);
      return;
    }
    this.add(newPod);
  }

  delete(pod: Pod): void {
    const key = podKey(pod);
    this.active.delete(key);
    this.backoff.delete(key);
    this.unschedulable.delete(key);
    this.deleteNominated(key);
  }

  /** The next pod to schedule; waits while the active queue is empty. Undefined once closed. */
  pop(): Promise<QueuedPodInfo | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    const q = this.popNow();
    if (q) return Promise.resolve(q);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Pop without waiting (undefined when the active queue is empty). */
  popNow(): QueuedPodInfo | undefined {
    const q = this.active.pop();
    if (!q) return undefined;
    q.attempts++;
    this.cycle++;
    this.inFlight.set(q.podInfo.key, q);
    return q;
  }

  /** The number of the latest scheduling cycle (incremented by each pop). */
  schedulingCycle(): number {
    return this.cycle;
  }

  /** The attempt for a popped pod ended (scheduled, requeued or dropped). */
  done(key: string): void {
    this.inFlight.delete(key);
  }

  /**
   * Requeue a pod whose attempt failed. Unschedulable pods go to the pool unless a cluster event
   * happened during their cycle (then to backoff); errors go to backoff.
   */
  addUnschedulable(q: QueuedPodInfo, podSchedulingCycle: number, opts: { error?: boolean } = {}): void {
    const key = q.podInfo.key;
    this.inFlight.delete(key);
    if (this.active.has(key) || this.backoff.has(key) || this.unschedulable.has(key)) return;
    q.timestamp = this.now();
    if (opts.error || this.moveRequestCycle >= podSchedulingCycle) this.backoff.push(q);
    else this.unschedulable.set(key, q);
  }

  // ---- cluster events ----

  /** Move the unschedulable pods that `event` may help to backoff or active. */
  moveAllToActiveOrBackoff(event: ClusterEvent, oldObj?: unknown, newObj?: unknown): void {
    const moved: QueuedPodInfo[] = [];
    for (const q of this.unschedulable.values()) {
      if (event === EventUnschedulableTimeout || this.podMatchesEvent(q, event, oldObj, newObj)) moved.push(q);
    }
    this.movePods(moved);
    this.moveRequestCycle = this.cycle;
  }

  private movePods(list: QueuedPodInfo[]): void {
    for (const q of list) {
      this.unschedulable.delete(q.podInfo.key);
      if (this.isBackingOff(q)) this.backoff.push(q);
      else this.pushActive(q);
    }
  }

  private podMatchesEvent(q: QueuedPodInfo, event: ClusterEvent, oldObj: unknown, newObj: unknown): boolean {
    if (q.unschedulablePlugins.size === 0) return true;
    for (const plugin of q.unschedulablePlugins) {
      const regs = this.pluginEvents?.get(plugin) ?? defaultPluginEvents[plugin];
      if (!regs) return true; // unknown plugin: be conservative
      for (const r of regs) {
        if (!eventMatches(r.event, event)) continue;
        if (!r.queueingHint || r.queueingHint(q.podInfo.pod, oldObj, newObj) === 'Queue') return true;
      }
    }
    return false;
  }

  // ---- time-driven moves ----

  /** The backoff for a pod: initial × 2^(attempts-1), capped. */
  backoffDuration(q: QueuedPodInfo): number {
    let d = this.initialBackoffMs;
    for (let i = 1; i < q.attempts; i++) {
      d *= 2;
      if (d >= this.maxBackoffMs) return this.maxBackoffMs;
    }
    return Math.min(d, this.maxBackoffMs);
  }

  backoffExpiry(q: QueuedPodInfo): number {
    return q.timestamp + this.backoffDuration(q);
  }

  isBackingOff(q: QueuedPodInfo): boolean {
    return q.attempts > 0 && this.backoffExpiry(q) > this.now();
  }

  /** Move pods whose backoff expired to the active queue. */
  flushBackoffCompleted(): void {
    const now = this.now();
    for (;;) {
      const top = this.backoff.peek();
      if (!top || this.backoffExpiry(top) > now) break;
      this.backoff.pop();
      this.pushActive(top);
    }
  }

  /** Retry pods that stayed unschedulable longer than maxUnschedulableMs. */
  flushUnschedulableLeftover(): void {
    const now = this.now();
    const old: QueuedPodInfo[] = [];
    for (const q of this.unschedulable.values()) if (now - q.timestamp > this.maxUnschedulableMs) old.push(q);
    this.movePods(old);
  }

  // ---- nominated pods (preemption) ----

  /** Record that `pod` is nominated to `nodeName` (or clear with undefined). */
  setNominated(podInfo: PodInfo, nodeName: string | undefined): void {
    this.deleteNominated(podInfo.key);
    if (!nodeName) return;
    let m = this.nominated.get(nodeName);
    if (!m) this.nominated.set(nodeName, (m = new Map()));
    m.set(podInfo.key, podInfo);
    this.nominatedNodeOf.set(podInfo.key, nodeName);
  }

  nominatedPodsForNode(nodeName: string): PodInfo[] {
    const m = this.nominated.get(nodeName);
    return m ? [...m.values()] : [];
  }

  hasNominatedPods(): boolean {
    return this.nominated.size > 0;
  }

  private updateNominated(pod: Pod): void {
    const n = pod.status?.nominatedNodeName;
    if (n) this.setNominated(new PodInfo(pod), n);
  }

  private deleteNominated(key: string): void {
    const n = this.nominatedNodeOf.get(key);
    if (n === undefined) return;
    this.nominatedNodeOf.delete(key);
    const m = this.nominated.get(n);
    m?.delete(key);
    if (m && m.size === 0) this.nominated.delete(n);
  }

  // ---- plumbing ----

  private pushActive(q: QueuedPodInfo): void {
    const w = this.waiters.shift();
    if (w && this.active.size === 0) {
      q.attempts++;
      this.cycle++;
      this.inFlight.set(q.podInfo.key, q);
      w(q);
      return;
    }
    this.active.push(q);
    if (w) w(this.popNow());
  }

  /** Counts per sub-queue (for metrics and tests). */
  stats(): { active: number; backoff: number; unschedulable: number; inFlight: number } {
    return { active: this.active.size, backoff: this.backoff.size, unschedulable: this.unschedulable.size, inFlight: this.inFlight.size };
  }

  /** Where a pod is: 'active' | 'backoff' | 'unschedulable' | 'inFlight' | undefined. */
  whereIs(key: string): 'active' | 'backoff' | 'unschedulable' | 'inFlight' | undefined {
    if (this.active.has(key)) return 'active';
    if (this.backoff.has(key)) return 'backoff';
    if (this.unschedulable.has(key)) return 'unschedulable';
    if (this.inFlight.has(key)) return 'inFlight';
    return undefined;
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    for (const w of this.waiters.splice(0)) w(undefined);
  }
}

