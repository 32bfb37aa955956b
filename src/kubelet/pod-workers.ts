// Pod workers: one serial loop per pod. Updates coalesce (a pod is never synced by two passes at
// once); each pass is level-triggered and followed by a periodic resync or an earlier wake-up
// (back-off expiry, probe change, informer update).

import { isStaticPod } from './static-pods.js';
import type { PodSyncer } from './sync.js';
import type { Pod } from './types.js';

interface Worker {
  uid: string;
  pod: Pod;
  /** Gone from the API (deleted without us seeing the final state, or force-deleted). */
  gone: boolean;
  running: boolean;
  pending: boolean;
  timer?: NodeJS.Timeout;
  terminal: boolean;
  done: boolean;
}

/** Whether an update changes what a sync would do (spec, deletion, labels/annotations for the downward API). */
export function needsSync(a: Pod, b: Pod): boolean {
  const am = a.metadata ?? {};
  const bm = b.metadata ?? {};
  if (am.deletionTimestamp !== bm.deletionTimestamp || am.deletionGracePeriodSeconds !== bm.deletionGracePeriodSeconds) return true;
  if (JSON.stringify(am.labels ?? {}) !== JSON.stringify(bm.labels ?? {}) || JSON.stringify(am.annotations ?? {}) !== JSON.stringify(bm.annotations ?? {})) return true;
  if (JSON.stringify(a.spec) !== JSON.stringify(b.spec)) return true;
  // Readiness gates are conditions others set.
  const gates = (p: Pod) => JSON.stringify((p.status?.conditions ?? []).filter((c) => (p.spec?.readinessGates ?? []).some((g) => g.conditionType === c.type)));
  return gates(a) !== gates(b);
}

export interface PodWorkersOptions {
  /** Resync every pod this often (default 10 s; the PLEG triggers syncs on runtime changes). */
  resyncMs?: number;
  log?: (msg: string) => void;
  /** A pod finished terminating and its worker is gone. */
  onTerminated?: (uid: string) => void;
}

export class PodWorkers {
  private readonly workers = new Map<string, Worker>();
  /** Pods already terminated and cleaned up: late informer events about them are ignored. */
  private readonly finished = new Map<string, number>();
  private stopped = false;
  private readonly resyncMs: number;
  private readonly log: (msg: string) => void;
  private readonly onTerminated: (uid: string) => void;
  /** Completed sync passes (tests and metrics). */
  syncs = 0;

  constructor(
    private readonly syncer: PodSyncer,
    opts: PodWorkersOptions = {},
  ) {
    this.resyncMs = opts.resyncMs ?? 10_000;
    this.log = opts.log ?? (() => {});
    this.onTerminated = opts.onTerminated ?? (() => {});
  }

  /** The pod as the API has it now. */
  update(pod: Pod): void {
    const uid = pod.metadata?.uid ?? '';
    if (!uid || this.stopped) return;
    if (this.finished.has(uid)) {
      if (!isStaticPod(pod)) return;
      this.finished.delete(uid);
    }
    let w = this.workers.get(uid);
    if (!w) {
      w = { uid, pod, gone: false, running: false, pending: false, terminal: false, done: false };
      this.workers.set(uid, w);
    }
    if (w.done) return;
    const prev = w.pod;
    w.pod = pod;
    // Our own status writes come back as updates: only what the kubelet acts on wakes the worker.
    if (prev !== pod && !needsSync(prev, pod) && (w.running || w.timer)) return;
    this.trigger(uid);
  }

  /** The pod is gone from the API. */
  remove(pod: Pod): void {
    const uid = pod.metadata?.uid ?? '';
    if (this.finished.has(uid)) return;
    const w = this.workers.get(uid);
    if (!w) {
      this.workers.set(uid, { uid, pod, gone: true, running: false, pending: false, terminal: false, done: false });
    } else {
      w.gone = true;
    }
    this.trigger(uid);
  }

  has(uid: string): boolean {
    return this.workers.has(uid);
  }

  uids(): string[] {
    return [...this.workers.keys()];
  }

  trigger(uid: string): void {
    const w = this.workers.get(uid);
    if (!w || this.stopped) return;
    if (w.timer) clearTimeout(w.timer);
    w.timer = undefined;
    if (w.running) {
      w.pending = true;
      return;
    }
    void this.run(w);
  }

  private async run(w: Worker): Promise<void> {
    w.running = true;
    let wakeAt: number | undefined;
    do {
      w.pending = false;
      try {
        const pod = w.pod;
        if (w.gone || pod.metadata?.deletionTimestamp) {
          await this.syncer.terminate(pod, { inApi: !w.gone });
          w.done = true;
          this.workers.delete(w.uid);
          this.finished.set(w.uid, Date.now());
          if (this.finished.size > 10_000) this.finished.delete(this.finished.keys().next().value!);
          this.onTerminated(w.uid);
        } else {
          const r = await this.syncer.sync(pod);
          wakeAt = r.wakeAt;
          w.terminal = r.terminal;
        }
      } catch (err) {
        this.log(`sync pod ${w.pod.metadata?.namespace}/${w.pod.metadata?.name}: ${(err as Error).stack ?? err}`);
      }
      this.syncs++;
    } while (w.pending && !w.done && !this.stopped);
    w.running = false;
    if (w.done || this.stopped) return;
    // Terminal pods only need a slow resync (deletion arrives as an update).
    const period = w.terminal ? this.resyncMs * 10 : this.resyncMs;
    const delay = Math.max(10, Math.min(period, wakeAt !== undefined ? wakeAt - Date.now() + 5 : period));
    w.timer = setTimeout(() => this.trigger(w.uid), delay);
    w.timer.unref();
  }

  /** Stop scheduling; passes in flight finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const w of this.workers.values()) if (w.timer) clearTimeout(w.timer);
    const end = Date.now() + 5000;
    while ([...this.workers.values()].some((w) => w.running) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  }
}
