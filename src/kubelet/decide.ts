// computePodActions: the pure heart of SyncPod. From the pod spec, what the runtime holds, the
// crash-loop back-off and the probe results, decide what to create, start and kill — nothing else.

import type { Backoff } from './backoff.js';
import { containerHash, type ContainerKind } from './container-config.js';
import { instances, readySandbox, type ObservedContainer, type ObservedPod } from './observed.js';
import type { Container, Pod } from './types.js';

export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

export function restartPolicyOf(pod: Pod): RestartPolicy {
  const p = pod.spec?.restartPolicy;
  return p === 'OnFailure' || p === 'Never' ? p : 'Always';
}

export function isSidecar(c: Container): boolean {
  return c.restartPolicy === 'Always';
}

export function backoffKey(uid: string, name: string): string {
  return `${uid}/${name}`;
}

/** What the probes say about a running container instance (by container id). */
export interface ProbeView {
  /** Liveness or startup probe has failed: the container must be restarted. */
  mustRestart(id: string): { reason: string; message: string } | undefined;
  /** Startup probe passed (or there is none). */
  started(id: string, c: Container): boolean;
  /** Readiness probe passed (or there is none), once started. */
  ready(id: string, c: Container): boolean;
}

export const NO_PROBES: ProbeView = { mustRestart: () => undefined, started: () => true, ready: () => true };

export interface StartAction {
  container: Container;
  kind: ContainerKind;
  restartCount: number;
  /** Restart after an exit (counts toward back-off). */
  restart: boolean;
}

export interface KillAction {
  id: string;
  name: string;
  reason: string;
  message: string;
}

export interface PodActions {
  /** Stop these sandboxes (not ready, or superseded) and everything in them. */
  killSandboxes: string[];
  createSandbox: boolean;
  sandboxAttempt: number;
  start: StartAction[];
  kill: KillAction[];
  /** Containers that wait, and why (CrashLoopBackOff, PodInitializing …). */
  waiting: Map<string, { reason: string; message?: string }>;
  /** When to look again because a back-off runs out (ms since the epoch). */
  wakeAt?: number;
  /** A regular init container failed under restartPolicy Never: the pod has failed. */
  initFailed: boolean;
}

function shouldRestart(policy: RestartPolicy, exitCode: number): boolean {
  return policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0);
}

export function computePodActions(pod: Pod, observed: ObservedPod, backoff: Backoff, probes: ProbeView, now: number): PodActions {
  const uid = pod.metadata?.uid ?? '';
  const policy = restartPolicyOf(pod);
  const inits = pod.spec?.initContainers ?? [];
  const mains = pod.spec?.containers ?? [];
  const actions: PodActions = { killSandboxes: [], createSandbox: false, sandboxAttempt: 0, start: [], kill: [], waiting: new Map(), initFailed: false };
  const sandbox = readySandbox(observed);
  for (const s of observed.sandboxes) if (s.id !== sandbox?.id && s.ready) actions.killSandboxes.push(s.id);
  const nextCount = (name: string): number => {
    const all = instances(observed, name);
    return all.length ? all[0]!.restartCount + 1 : 0;
  };

  if (!sandbox) {
    const anyRan = observed.containers.length > 0;
    if (policy === 'Never' && anyRan) return actions; // a Never pod whose sandbox died stays as it ended
    actions.createSandbox = true;
    actions.sandboxAttempt = observed.sandboxes.length ? Math.max(...observed.sandboxes.map((s) => s.attempt)) + 1 : 0;
    // Everything starts over in the new sandbox: the first init container, or all containers.
    const firstInit = inits[0];
    if (firstInit) actions.start.push({ container: firstInit, kind: isSidecar(firstInit) ? 'sidecar' : 'init', restartCount: nextCount(firstInit.name), restart: false });
    else for (const c of mains) actions.start.push({ container: c, kind: 'regular', restartCount: nextCount(c.name), restart: false });
    for (const c of mains) actions.waiting.set(c.name, { reason: firstInit ? 'PodInitializing' : 'ContainerCreating' });
    return actions;
  }

  // Only instances in the current sandbox describe the present.
  const current = (name: string): ObservedContainer | undefined => instances(observed, name).find((c) => c.sandboxId === sandbox.id);

  /** Decide for one container that should be running; returns whether it is running (and started). */
  const keepRunning = (c: Container, kind: ContainerKind, restartable: boolean): 'running' | 'starting' | 'exited-ok' | 'failed' => {
    const inst = current(c.name);
    if (!inst) {
      actions.start.push({ container: c, kind, restartCount: nextCount(c.name), restart: false });
      return 'starting';
    }
    if (inst.state === 'CONTAINER_RUNNING' || inst.state === 'CONTAINER_CREATED') {
      const must = inst.state === 'CONTAINER_RUNNING' ? probes.mustRestart(inst.id) : undefined;
      if (must) {
        actions.kill.push({ id: inst.id, name: c.name, ...must });
        return 'starting';
      }
      if (inst.hash && inst.hash !== containerHash(c)) {
        actions.kill.push({ id: inst.id, name: c.name, reason: 'SpecChanged', message: `Container ${c.name} definition changed, will be restarted` });
        return 'starting';
      }
      if (inst.state === 'CONTAINER_CREATED') {
        actions.start.push({ container: c, kind, restartCount: inst.restartCount, restart: false });
        return 'starting';
      }
      return probes.started(inst.id, c) ? 'running' : 'starting';
    }
    // Exited (or unknown).
    const ok = inst.state === 'CONTAINER_EXITED' && inst.exitCode === 0;
    const wants = restartable ? true : kind === 'init' ? !ok && policy !== 'Never' : shouldRestart(policy, inst.exitCode);
    if (!wants) return ok ? 'exited-ok' : 'failed';
    const key = backoffKey(uid, c.name);
    const b = backoff.inBackoff(key, inst.finishedAt || now, now);
    if (b.waiting) {
      actions.waiting.set(c.name, {
        reason: 'CrashLoopBackOff',
        message: `back-off ${Math.round(b.delayMs / 1000)}s restarting failed container=${c.name} pod=${pod.metadata?.name}_${pod.metadata?.namespace}(${uid})`,
      });
      actions.wakeAt = Math.min(actions.wakeAt ?? Infinity, b.until);
      return 'starting';
    }
    actions.start.push({ container: c, kind, restartCount: inst.restartCount + 1, restart: true });
    return 'starting';
  };

  // Init containers, in order: regular ones must exit 0 before the next; sidecars must be started.
  for (const c of inits) {
    const sidecar = isSidecar(c);
    const r = keepRunning(c, sidecar ? 'sidecar' : 'init', sidecar);
    if (sidecar) {
      if (r === 'running') continue;
      for (const m of mains) actions.waiting.set(m.name, { reason: 'PodInitializing' });
      return actions;
    }
    if (r === 'exited-ok') continue;
    if (r === 'failed') {
      actions.initFailed = true;
      return actions;
    }
    for (const m of mains) if (!actions.waiting.has(m.name)) actions.waiting.set(m.name, { reason: 'PodInitializing' });
    return actions;
  }

  for (const c of mains) keepRunning(c, 'regular', false);
  return actions;
}
