// The simulated pod's state machine: containers start, become ready, exit, restart with the
// kubelet's crash-loop back-off, and stop on deletion. Pure and clock-free: every function takes
// `now` (ms since the epoch), so the same code serves one node or thousands, and the kubelet's
// `simulated` runtime can reuse it.
//
// Times inside the state are exact event times (a restart happens at `restartAt`, not when we
// happened to look), so a late `advance` replays what would have happened in between.

import { createHash } from 'node:crypto';
import type { PodBehaviour } from './behaviour.js';

export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

export interface Backoff {
  initialMs: number;
  maxMs: number;
}

export interface Termination {
  exitCode: number;
  reason: string;
  startedAt: number;
  finishedAt: number;
  containerId: string;
}

export type ContainerPhase =
  /** Not started yet (the pod's start delay). */
  | 'creating'
  | 'running'
  /** Exited and waiting out the back-off before restarting. */
  | 'backoff'
  /** Exited for good (restart policy, or the pod is being deleted). */
  | 'exited';

export interface ContainerSim {
  name: string;
  image: string;
  phase: ContainerPhase;
  restartCount: number;
  /** Current (running) or latest container instance. */
  containerId?: string;
  startedAt?: number;
  /** phase 'backoff': when it restarts. */
  restartAt?: number;
  /** phase 'exited': how it ended. */
  terminated?: Termination;
  /** The previous instance's end (lastState). */
  last?: Termination;
  /** The kubelet's per-container back-off entry: current delay (0: none) and when it was last bumped. */
  backoffMs: number;
  backoffUpdatedAt: number;
}

export interface PodSim {
  uid: string;
  /** When the simulator accepted the pod (status.startTime). */
  acceptedAt: number;
  /** When the sandbox is up and containers start. */
  startAt: number;
  restartPolicy: RestartPolicy;
  containers: ContainerSim[];
  /** Init containers: done at startAt (restartable "sidecar" ones keep running). */
  initContainers: { name: string; image: string; sidecar: boolean }[];
  /** When containers are stopped because the pod is being deleted. */
  stopAt?: number;
}

interface ContainerSpec {
  name?: string;
  image?: string;
  restartPolicy?: string;
}

/** The parts of a pod the state machine reads. */
export interface PodLike {
  metadata?: { uid?: string; name?: string; namespace?: string; annotations?: Record<string, string> | null } | null;
  spec?: { containers?: ContainerSpec[] | null; initContainers?: ContainerSpec[] | null; restartPolicy?: string | null } | null;
}

export function restartPolicyOf(pod: PodLike): RestartPolicy {
  const p = pod.spec?.restartPolicy;
  return p === 'OnFailure' || p === 'Never' ? p : 'Always';
}

/** `sim://` and 64 hex digits, stable for (pod, container, instance). */
export function containerIdFor(uid: string, name: string, instance: number): string {
  return 'sim://' + createHash('sha256').update(`${uid}/${name}/${instance}`).digest('hex');
}

/** A plausible repo@sha256 image ID for an image reference. */
export function imageIdFor(image: string): string {
  const at = image.indexOf('@');
  if (at >= 0) return image;
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  const repo = colon > slash ? image.slice(0, colon) : image;
  return `${repo}@sha256:${createHash('sha256').update(image).digest('hex')}`;
}

/** A fresh simulation for a pod first seen at `now`. */
export function newPodSim(pod: PodLike, behaviour: PodBehaviour, now: number): PodSim {
  const uid = pod.metadata?.uid ?? '';
  return {
    uid,
    acceptedAt: now,
    startAt: now + behaviour.startAfterMs,
    restartPolicy: restartPolicyOf(pod),
    containers: (pod.spec?.containers ?? []).map((c) => ({
      name: c.name ?? '',
      image: c.image ?? '',
      phase: 'creating',
      restartCount: 0,
      backoffMs: 0,
      backoffUpdatedAt: 0,
    })),
    initContainers: (pod.spec?.initContainers ?? []).map((c) => ({
      name: c.name ?? '',
      image: c.image ?? '',
      sidecar: c.restartPolicy === 'Always',
    })),
  };
}

/** Asks the containers to stop at `at` (pod deletion); the earliest request wins. */
export function requestStop(sim: PodSim, at: number): void {
  if (sim.stopAt === undefined || at < sim.stopAt) sim.stopAt = at;
}

function start(sim: PodSim, c: ContainerSim, at: number): void {
  c.phase = 'running';
  c.startedAt = at;
  c.containerId = containerIdFor(sim.uid, c.name, c.restartCount);
  c.restartAt = undefined;
}

function exited(c: ContainerSim, exitCode: number, at: number): Termination {
  return {
    exitCode,
    reason: exitCode === 0 ? 'Completed' : 'Error',
    startedAt: c.startedAt ?? at,
    finishedAt: at,
    containerId: c.containerId ?? '',
  };
}

function wantsRestart(policy: RestartPolicy, exitCode: number): boolean {
  return policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0);
}

/**
 * The kubelet's back-off: the first restart is immediate and arms a 10 s delay; each later exit
 * waits out the current delay, which then doubles up to the cap. An entry untouched for twice the
 * cap is forgotten (so a container that ran for a long while restarts at once again).
 * Returns the restart time for an exit at `ts`.
 */
function restartTime(c: ContainerSim, ts: number, b: Backoff): number {
  const fresh = c.backoffMs === 0 || ts - c.backoffUpdatedAt > 2 * b.maxMs;
  if (fresh) {
    c.backoffMs = b.initialMs;
    c.backoffUpdatedAt = ts;
    return ts;
  }
  return ts + c.backoffMs;
}

function bumpBackoff(c: ContainerSim, at: number, b: Backoff): void {
  c.backoffMs = Math.min(c.backoffMs * 2, b.maxMs);
  c.backoffUpdatedAt = at;
}

/**
 * Plays every event due at or before `now`. Returns the time of the next event (a start, ready,
 * exit, restart or stop), or undefined when nothing more will happen by itself.
 */
export function advance(sim: PodSim, behaviour: PodBehaviour, backoff: Backoff, now: number): number | undefined {
  let next: number | undefined;
  const at = (t: number | undefined) => {
    if (t !== undefined && t > now && (next === undefined || t < next)) next = t;
  };
  const stopAt = sim.stopAt;
  for (const c of sim.containers) {
    const b = behaviour.container(c.name);
    // Each pass plays one transition; a container can go through many (a crash loop replayed late).
    for (let guard = 0; guard < 10_000; guard++) {
      if (c.phase === 'creating') {
        if (stopAt !== undefined && stopAt <= sim.startAt) {
          // Deleted before it ever started: nothing runs.
          if (stopAt <= now) break;
          at(stopAt);
          break;
        }
        if (sim.startAt <= now) {
          start(sim, c, sim.startAt);
          continue;
        }
        at(sim.startAt);
        break;
      }
      if (c.phase === 'running') {
        const exitAt = b.exitAfterMs !== undefined ? c.startedAt! + b.exitAfterMs : undefined;
        if (stopAt !== undefined && (exitAt === undefined || stopAt <= exitAt)) {
          if (stopAt <= now) {
            // Stopped on request: a well-behaved process exits 0 on SIGTERM.
            c.terminated = exited(c, 0, Math.max(stopAt, c.startedAt!));
            c.phase = 'exited';
            continue;
          }
          at(stopAt);
          at(c.startedAt! + b.readyAfterMs);
          break;
        }
        if (exitAt !== undefined && exitAt <= now) {
          const t = exited(c, b.exitCode, exitAt);
          if (wantsRestart(sim.restartPolicy, b.exitCode)) {
            c.last = t;
            c.phase = 'backoff';
            c.restartAt = restartTime(c, exitAt, backoff);
          } else {
            c.terminated = t;
            c.phase = 'exited';
          }
          continue;
        }
        at(exitAt);
        at(c.startedAt! + b.readyAfterMs);
        break;
      }
      if (c.phase === 'backoff') {
        if (stopAt !== undefined && stopAt <= c.restartAt!) {
          if (stopAt <= now) {
            c.terminated = c.last;
            c.phase = 'exited';
            continue;
          }
          at(stopAt);
          break;
        }
        if (c.restartAt! <= now) {
          const when = c.restartAt!;
          // Leaving back-off bumps the delay, except for the immediate first restart that armed it.
          if (when !== c.backoffUpdatedAt) bumpBackoff(c, when, backoff);
          c.restartCount++;
          start(sim, c, when);
          continue;
        }
        at(c.restartAt);
        break;
      }
      break; // exited
    }
  }
  return next;
}

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

export function started(sim: PodSim, now: number): boolean {
  return sim.containers.length === 0 ? sim.startAt <= now : sim.containers.some((c) => c.phase !== 'creating');
}

/** True once every container has stopped for good (or never started and never will). */
export function finished(sim: PodSim, now: number): boolean {
  return sim.containers.every(
    (c) => c.phase === 'exited' || (c.phase === 'creating' && sim.stopAt !== undefined && sim.stopAt <= now),
  );
}

export function podPhase(sim: PodSim, now: number): PodPhase {
  if (!started(sim, now)) return 'Pending';
  if (sim.containers.length > 0 && sim.containers.every((c) => c.phase === 'exited')) {
    return sim.containers.some((c) => (c.terminated?.exitCode ?? 0) !== 0) ? 'Failed' : 'Succeeded';
  }
  return 'Running';
}

export function containerReady(c: ContainerSim, behaviour: PodBehaviour, sim: PodSim, now: number): boolean {
  if (c.phase !== 'running') return false;
  if (sim.stopAt !== undefined && sim.stopAt <= now) return false;
  return c.startedAt! + behaviour.container(c.name).readyAfterMs <= now;
}
