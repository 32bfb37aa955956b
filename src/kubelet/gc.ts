// Container garbage collection, as upstream's kubelet does it: exited containers beyond the newest
// one per (pod, container name) — that one backs `kubectl logs --previous` and lastState — all exited
// containers of pods that no longer exist, then not-ready sandboxes left without containers (except a
// live pod's newest), then the log directories of pods that are gone. Only through the runtime
// interface, and nothing running is touched: stopping is the pod workers' job.

import { readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Container, ContainerRuntime, PodSandbox } from '../runtime/types.js';
import { CONTAINER_NAME, MANAGED_BY, POD_UID, restartCountOf } from './labels.js';

export interface GcPolicy {
  /** Exited instances kept per (pod, container name) of a live pod (upstream's default: 1). */
  maxPerPodContainer: number;
  /** Created-but-never-started (or unknown) containers younger than this may be starting: left alone. */
  minAgeMs: number;
}

export const DEFAULT_GC_POLICY: GcPolicy = { maxPerPodContainer: 1, minAgeMs: 60_000 };

export interface GcPlan {
  containers: string[];
  sandboxes: string[];
}

/** Pure: what to remove, from one list of the node's sandboxes and containers. */
export function planGc(sandboxes: PodSandbox[], containers: Container[], live: (uid: string) => boolean, now: number, policy: GcPolicy = DEFAULT_GC_POLICY): GcPlan {
  const evictable = containers.filter(
    (c) => c.state === 'CONTAINER_EXITED' || ((c.state === 'CONTAINER_CREATED' || c.state === 'CONTAINER_UNKNOWN') && now - c.createdAt >= policy.minAgeMs),
  );
  const groups = new Map<string, Container[]>();
  for (const c of evictable) {
    const key = `${c.labels[POD_UID] ?? ''}/${c.labels[CONTAINER_NAME] ?? c.metadata.name}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(c);
  }
  const removeContainers = new Set<string>();
  for (const g of groups.values()) {
    const uid = g[0]!.labels[POD_UID] ?? '';
    const keep = uid && live(uid) ? policy.maxPerPodContainer : 0;
    g.sort((a, b) => restartCountOf(b) - restartCountOf(a) || b.createdAt - a.createdAt);
    for (const c of g.slice(keep)) removeContainers.add(c.id);
  }
  // Sandboxes that still hold a container after this pass stay.
  const occupied = new Set(containers.filter((c) => !removeContainers.has(c.id)).map((c) => c.podSandboxId));
  const newest = new Map<string, PodSandbox>();
  for (const s of sandboxes) {
    const uid = s.labels[POD_UID] ?? '';
    const n = newest.get(uid);
    if (!n || s.createdAt > n.createdAt || (s.createdAt === n.createdAt && s.metadata.attempt > n.metadata.attempt)) newest.set(uid, s);
  }
  const removeSandboxes = sandboxes
    .filter((s) => s.state !== 'SANDBOX_READY' && !occupied.has(s.id))
    .filter((s) => {
      const uid = s.labels[POD_UID] ?? '';
      return !uid || !live(uid) || newest.get(uid)?.id !== s.id;
    })
    .map((s) => s.id);
  return { containers: [...removeContainers], sandboxes: removeSandboxes };
}

/** RemoveContainer, then its log file: the runtime leaves it (upstream's kubelet removes it too). */
export async function removeContainerAndLog(rt: ContainerRuntime, id: string): Promise<void> {
  const logPath = (await rt.containerStatus(id).catch(() => null))?.logPath;
  await rt.removeContainer(id);
  if (logPath) await rm(logPath, { force: true });
}

export interface ContainerGcOptions {
  runtime: ContainerRuntime;
  nodeName: string;
  /** Pods this kubelet still knows (API, static manifests, workers still terminating). */
  liveUids: () => Set<string>;
  /** `<logRoot>/<namespace>_<name>_<uid>/`: directories of pods that are gone are removed. */
  logRoot?: string;
  policy?: GcPolicy;
  log?: (msg: string) => void;
}

export interface GcResult {
  containers: number;
  sandboxes: number;
  logDirs: number;
}

export class ContainerGC {
  private timer: NodeJS.Timeout | undefined;
  private soonTimer: NodeJS.Timeout | undefined;
  private running: Promise<GcResult> | undefined;
  private again = false;
  /** Passes done (tests and metrics). */
  passes = 0;

  constructor(private readonly o: ContainerGcOptions) {}

  /** One pass; a call during a pass runs one more pass after it. */
  async collect(): Promise<GcResult> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      let r: GcResult;
      do {
        this.again = false;
        r = await this.pass();
      } while (this.again);
      return r;
    })().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<GcResult> {
    const rt = this.o.runtime;
    const log = this.o.log ?? (() => {});
    const labels = { [MANAGED_BY]: this.o.nodeName };
    const [sandboxes, containers] = await Promise.all([rt.listPodSandboxes({ labels }), rt.listContainers({ labels })]);
    const live = this.o.liveUids();
    const plan = planGc(sandboxes, containers, (uid) => live.has(uid), Date.now(), this.o.policy);
    const result: GcResult = { containers: 0, sandboxes: 0, logDirs: 0 };
    for (const id of plan.containers) {
      try {
        await removeContainerAndLog(rt, id);
        result.containers++;
      } catch (err) {
        log(`gc: remove container ${id}: ${(err as Error).message}`);
      }
    }
    const removed = new Set<string>();
    for (const id of plan.sandboxes) {
      try {
        await rt.stopPodSandbox(id);
        await rt.removePodSandbox(id);
        removed.add(id);
        result.sandboxes++;
      } catch (err) {
        log(`gc: remove sandbox ${id}: ${(err as Error).message}`);
      }
    }
    if (this.o.logRoot) {
      const withSandbox = new Set(sandboxes.filter((s) => !removed.has(s.id)).map((s) => s.labels[POD_UID]));
      let dirs: string[] = [];
      try {
        dirs = readdirSync(this.o.logRoot);
      } catch {
        /* no logs yet */
      }
      for (const d of dirs) {
        const uid = d.slice(d.lastIndexOf('_') + 1);
        if (!uid || live.has(uid) || withSandbox.has(uid)) continue;
        await rm(join(this.o.logRoot, d), { recursive: true, force: true }).catch(() => undefined);
        result.logDirs++;
      }
    }
    this.passes++;
    if (result.containers || result.sandboxes || result.logDirs) log(`gc: removed ${result.containers} containers, ${result.sandboxes} sandboxes, ${result.logDirs} pod log directories`);
    return result;
  }

  /** Collect every periodMs (upstream: every minute). */
  start(periodMs: number): void {
    this.timer = setInterval(() => void this.collect().catch((err) => this.o.log?.(`gc: ${(err as Error).message}`)), periodMs);
    this.timer.unref();
  }

  /** Collect shortly (a pod was just removed); calls close together make one pass. */
  soon(delayMs = 1000): void {
    if (this.soonTimer) return;
    this.soonTimer = setTimeout(() => {
      this.soonTimer = undefined;
      void this.collect().catch((err) => this.o.log?.(`gc: ${(err as Error).message}`));
    }, delayMs);
    this.soonTimer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.soonTimer) clearTimeout(this.soonTimer);
  }
}
