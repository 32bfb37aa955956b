// What `kubectl get pods` shows in READY, STATUS and RESTARTS, worked out from spec and status the way
// upstream's pod printer does: init progress ("Init:1/3"), waiting/terminated reasons
// ("CrashLoopBackOff", "Completed", "ExitCode:1"), "Terminating", and restarts with "(5m ago)".

import type { Container, ContainerStatus, Pod } from 'kubernetes-types/core/v1.js';
import { humanDuration } from '../../duration.js';

export interface PodSummary {
  ready: string;
  status: string;
  restarts: string;
}

/** Reason the node controller gives pods on a node that stopped reporting. */
const NODE_LOST = 'NodeLost';

const isSidecar = (c: Container | undefined): boolean => c?.restartPolicy === 'Always';

function hasCondition(pod: Pod, type: string): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

function lastTerminated(cs: ContainerStatus): number {
  const at = cs.lastState?.terminated?.finishedAt;
  if (!at) return 0;
  const t = Date.parse(at);
  return Number.isNaN(t) ? 0 : t;
}

function terminatedReason(prefix: string, t: { reason?: string; signal?: number; exitCode: number }): string {
  if (t.reason) return prefix + t.reason;
  if (t.signal) return `${prefix}Signal:${t.signal}`;
  return `${prefix}ExitCode:${t.exitCode ?? 0}`;
}

export function podSummary(pod: Pod, now: number): PodSummary {
  const spec = pod.spec;
  const status = pod.status ?? {};
  const phase = status.phase ?? '';
  let reason: string = status.reason || phase;

  if ((status.conditions ?? []).some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) {
    reason = 'SchedulingGated';
  }

  const initSpecs = new Map<string, Container>();
  for (const c of spec?.initContainers ?? []) initSpecs.set(c.name, c);
  const total = (spec?.containers ?? []).length + [...initSpecs.values()].filter(isSidecar).length;
  let ready = 0;

  let restarts = 0;
  let lastRestart = 0;
  let sidecarRestarts = 0;
  let lastSidecarRestart = 0;

  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i]!;
    const sidecar = isSidecar(initSpecs.get(cs.name));
    restarts += cs.restartCount ?? 0;
    lastRestart = Math.max(lastRestart, lastTerminated(cs));
    if (sidecar) {
      sidecarRestarts += cs.restartCount ?? 0;
      lastSidecarRestart = Math.max(lastSidecarRestart, lastTerminated(cs));
    }
    const terminated = cs.state?.terminated;
    const waiting = cs.state?.waiting;
    if (terminated && (terminated.exitCode ?? 0) === 0) continue;
    if (sidecar && cs.started === true) {
      if (cs.ready) ready++;
      continue;
    }
    if (terminated) {
      reason = terminatedReason('Init:', terminated);
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${(spec?.initContainers ?? []).length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || hasCondition(pod, 'Initialized')) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i]!;
      restarts += cs.restartCount ?? 0;
      lastRestart = Math.max(lastRestart, lastTerminated(cs));
      const waiting = cs.state?.waiting;
      const terminated = cs.state?.terminated;
      if (waiting?.reason) reason = waiting.reason;
      else if (terminated) reason = terminatedReason('', terminated);
      else if (cs.ready && cs.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    // A finished container next to running ones: the pod is still running.
    if (reason === 'Completed' && hasRunning) reason = hasCondition(pod, 'Ready') ? 'Running' : 'NotReady';
  }

  if (pod.metadata?.deletionTimestamp) {
    if (status.reason === NODE_LOST) reason = 'Unknown';
    else if (phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';
  }

  let restartsText = String(restarts);
  if (restarts !== 0 && lastRestart !== 0) restartsText = `${restarts} (${humanDuration(now - lastRestart)} ago)`;

  return { ready: `${ready}/${total}`, status: reason, restarts: restartsText };
}

/** READINESS GATES: "<true>/<gates>" or "<none>". */
export function readinessGates(pod: Pod): string {
  const gates = pod.spec?.readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  const conds = pod.status?.conditions ?? [];
  let met = 0;
  for (const g of gates) {
    const c = conds.find((c) => c.type === g.conditionType);
    if (c?.status === 'True') met++;
  }
  return `${met}/${gates.length}`;
}
