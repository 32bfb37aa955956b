// Renders a simulated pod's state as a core/v1 PodStatus, as the kubelet would report it, and
// rebuilds the state from a status the simulator wrote earlier (adoption after a restart).

import type { PodBehaviour } from './behaviour.js';
import {
  containerIdFor,
  containerReady,
  imageIdFor,
  podPhase,
  started,
  type Backoff,
  type ContainerSim,
  type PodLike,
  type PodSim,
  type Termination,
  newPodSim,
} from './lifecycle.js';

type Obj = Record<string, any>;

/** Second precision, as metav1.Time. */
function time(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function parseTime(s: unknown): number | undefined {
  if (typeof s !== 'string') return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

export interface Placement {
  hostIP: string;
  /** The pod's address (the host's for hostNetwork pods); undefined until the sandbox exists. */
  podIP?: string;
}

/** Conditions the kubelet owns; others (set by the scheduler or controllers) are kept as they are. */
const OWNED = new Set(['PodReadyToStartContainers', 'Initialized', 'ContainersReady', 'Ready']);

function terminatedState(t: Termination): Obj {
  return {
    terminated: {
      exitCode: t.exitCode,
      reason: t.reason,
      startedAt: time(t.startedAt),
      finishedAt: time(t.finishedAt),
      containerID: t.containerId,
    },
  };
}

function containerStatus(pod: PodLike, sim: PodSim, c: ContainerSim, behaviour: PodBehaviour, waitingReason: string, backoff: Backoff, now: number): Obj {
  const s: Obj = {
    name: c.name,
    state: {},
    lastState: c.last ? terminatedState(c.last) : {},
    ready: containerReady(c, behaviour, sim, now),
    restartCount: c.restartCount,
    image: c.image,
    imageID: c.phase === 'creating' ? '' : imageIdFor(c.image),
    started: c.phase === 'running',
  };
  if (c.containerId) s.containerID = c.containerId;
  switch (c.phase) {
    case 'creating':
      s.state = { waiting: { reason: waitingReason } };
      break;
    case 'running':
      s.state = { running: { startedAt: time(c.startedAt!) } };
      break;
    case 'backoff': {
      const ns = pod.metadata?.namespace ?? '';
      const name = pod.metadata?.name ?? '';
      const delay = Math.max(0, Math.round(Math.min(c.backoffMs || backoff.initialMs, backoff.maxMs) / 1000));
      s.state = {
        waiting: {
          reason: 'CrashLoopBackOff',
          message: `back-off ${humanSeconds(delay)} restarting failed container=${c.name} pod=${name}_${ns}(${sim.uid})`,
        },
      };
      break;
    }
    case 'exited':
      s.state = c.terminated ? terminatedState(c.terminated) : { terminated: { exitCode: 0, reason: 'Completed' } };
      break;
  }
  return s;
}

/** 10s, 1m20s, 5m0s — Go's Duration.String() for whole seconds. */
function humanSeconds(sec: number): string {
  if (sec < 60) return `${sec}s`;
  const m = Math.floor(sec / 60);
  const s = sec % 60;
  if (m < 60) return `${m}m${s}s`;
  return `${Math.floor(m / 60)}h${m % 60}m${s}s`;
}

function condition(type: string, ok: boolean, now: number, prev: Obj | undefined, reason?: string, message?: string): Obj {
  const status = ok ? 'True' : 'False';
  const c: Obj = {
    type,
    status,
    lastProbeTime: null,
    lastTransitionTime: prev && prev.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : time(now),
  };
  if (!ok && reason) c.reason = reason;
  if (!ok && message) c.message = message;
  return c;
}

/**
 * The status to write for `pod` (its current object, whose status supplies fields the kubelet does
 * not own and the previous condition transition times).
 */
export function renderPodStatus(pod: PodLike & { status?: Obj | null }, sim: PodSim, behaviour: PodBehaviour, placement: Placement, backoff: Backoff, now: number): Obj {
  const old: Obj = pod.status ?? {};
  const oldConds: Obj[] = Array.isArray(old.conditions) ? old.conditions : [];
  const prev = (t: string) => oldConds.find((c) => c?.type === t);
  const phase = podPhase(sim, now);
  const isStarted = started(sim, now);
  const terminal = phase === 'Succeeded' || phase === 'Failed';

  const initStatuses = sim.initContainers.map((ic, i) => {
    const id = containerIdFor(sim.uid, `init/${i}/${ic.name}`, 0);
    if (!isStarted) {
      return { name: ic.name, state: { waiting: { reason: 'PodInitializing' } }, lastState: {}, ready: false, restartCount: 0, image: ic.image, imageID: '', started: false };
    }
    if (ic.sidecar && !terminal) {
      return {
        name: ic.name,
        state: { running: { startedAt: time(sim.startAt) } },
        lastState: {},
        ready: true,
        restartCount: 0,
        image: ic.image,
        imageID: imageIdFor(ic.image),
        containerID: id,
        started: true,
      };
    }
    return {
      name: ic.name,
      state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: time(sim.startAt), finishedAt: time(sim.startAt), containerID: id } },
      lastState: {},
      ready: !ic.sidecar,
      restartCount: 0,
      image: ic.image,
      imageID: imageIdFor(ic.image),
      containerID: id,
      started: false,
    };
  });

  const waitingReason = sim.initContainers.length > 0 ? 'PodInitializing' : 'ContainerCreating';
  const statuses = sim.containers.map((c) => containerStatus(pod, sim, c, behaviour, waitingReason, backoff, now));
  const unready = statuses.filter((s) => !s.ready).map((s) => s.name as string);

  const conditions: Obj[] = [];
  conditions.push(condition('PodReadyToStartContainers', isStarted && !terminal, now, prev('PodReadyToStartContainers')));
  const initialized = sim.initContainers.length === 0 || isStarted;
  conditions.push(
    condition('Initialized', initialized, now, prev('Initialized'), 'ContainersNotInitialized',
      `containers with incomplete status: [${sim.initContainers.filter((c) => !c.sidecar).map((c) => c.name).join(' ')}]`),
  );
  const containersReady = !terminal && unready.length === 0 && sim.containers.length > 0;
  const notReadyReason = terminal ? 'PodCompleted' : 'ContainersNotReady';
  const notReadyMessage = terminal ? undefined : `containers with unready status: [${unready.join(' ')}]`;
  // Readiness gates: conditions set by others must be True too.
  let gateReason: string | undefined;
  let gateMessage: string | undefined;
  for (const g of (pod.spec as Obj | undefined)?.readinessGates ?? []) {
    const cond = prev(g?.conditionType);
    if (!cond || cond.status !== 'True') {
      gateReason = 'ReadinessGatesNotReady';
      gateMessage = cond ? `readiness gate ${g.conditionType} is ${cond.status}` : `readiness gate ${g.conditionType} has no condition`;
      break;
    }
  }
  const ready = containersReady && gateReason === undefined;
  conditions.push(
    condition('Ready', ready, now, prev('Ready'), containersReady ? gateReason : notReadyReason, containersReady ? gateMessage : notReadyMessage),
  );
  conditions.push(condition('ContainersReady', containersReady, now, prev('ContainersReady'), notReadyReason, notReadyMessage));
  if (!prev('PodScheduled')) conditions.push(condition('PodScheduled', true, now, undefined));
  for (const c of oldConds) if (c && !OWNED.has(c.type)) conditions.push(c);

  const status: Obj = { ...old, phase, conditions, hostIP: placement.hostIP, hostIPs: [{ ip: placement.hostIP }] };
  status.startTime = old.startTime ?? time(sim.acceptedAt);
  if (isStarted && placement.podIP) {
    status.podIP = placement.podIP;
    status.podIPs = [{ ip: placement.podIP }];
  }
  if (initStatuses.length > 0) status.initContainerStatuses = initStatuses;
  else delete status.initContainerStatuses;
  status.containerStatuses = statuses;
  return status;
}

function terminationFrom(t: Obj | undefined): Termination | undefined {
  if (!t || typeof t !== 'object') return undefined;
  return {
    exitCode: typeof t.exitCode === 'number' ? t.exitCode : 0,
    reason: typeof t.reason === 'string' ? t.reason : 'Completed',
    startedAt: parseTime(t.startedAt) ?? 0,
    finishedAt: parseTime(t.finishedAt) ?? 0,
    containerId: typeof t.containerID === 'string' ? t.containerID : '',
  };
}

/**
 * Rebuilds the simulation of a pod whose status the simulator (or an earlier run of it) wrote, so a
 * restarted simulator continues where it left off instead of restarting containers. Returns a fresh
 * simulation when the status carries nothing to adopt.
 */
export function adoptPodSim(pod: PodLike & { status?: Obj | null }, behaviour: PodBehaviour, backoff: Backoff, now: number): PodSim {
  const sim = newPodSim(pod, behaviour, now);
  const st: Obj = pod.status ?? {};
  const cs: Obj[] = Array.isArray(st.containerStatuses) ? st.containerStatuses : [];
  const ours = cs.some((c) => typeof c?.containerID === 'string' && c.containerID.startsWith('sim://'));
  if (!ours) return sim;
  const startTime = parseTime(st.startTime) ?? now;
  sim.acceptedAt = startTime;
  sim.startAt = startTime;
  for (const c of sim.containers) {
    const s = cs.find((x) => x?.name === c.name);
    if (!s) {
      c.phase = 'running';
      c.startedAt = now;
      continue;
    }
    c.restartCount = typeof s.restartCount === 'number' ? s.restartCount : 0;
    c.containerId = typeof s.containerID === 'string' ? s.containerID : undefined;
    c.last = terminationFrom(s.lastState?.terminated);
    if (c.restartCount > 0) {
      c.backoffMs = Math.min(backoff.initialMs * 2 ** (c.restartCount - 1), backoff.maxMs);
      c.backoffUpdatedAt = now;
    }
    const state: Obj = s.state ?? {};
    if (state.running) {
      c.phase = 'running';
      c.startedAt = parseTime(state.running.startedAt) ?? now;
    } else if (state.terminated) {
      c.phase = 'exited';
      c.terminated = terminationFrom(state.terminated);
    } else if (state.waiting?.reason === 'CrashLoopBackOff') {
      c.phase = 'backoff';
      c.restartAt = now;
    } else {
      c.phase = 'creating';
      sim.startAt = now;
    }
  }
  return sim;
}
