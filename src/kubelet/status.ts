// renderPodStatus: the pod's status as the kubelet reports it, from the spec, what the runtime holds,
// the last sync's waiting reasons and the probes. Pure; times come in as arguments.

import { rfc3339 } from '../api/objects.js';
import { isSidecar, restartPolicyOf, type ProbeView } from './decide.js';
import { instances, readySandbox, type ObservedContainer, type ObservedPod } from './observed.js';
import type { Container, Pod, PodCondition, PodStatus, V1ContainerStatus } from './types.js';

export interface StatusInput {
  pod: Pod;
  observed: ObservedPod;
  /** Why containers wait (from the last sync): CrashLoopBackOff, ErrImagePull, CreateContainerConfigError … */
  waiting: Map<string, { reason: string; message?: string }>;
  probes: ProbeView;
  runtimeName: string;
  hostIP: string;
  initFailed?: boolean;
  now: number;
}

const OWNED = new Set(['PodReadyToStartContainers', 'Initialized', 'ContainersReady', 'Ready']);

function terminated(c: ObservedContainer, runtimeName: string) {
  const t: Record<string, unknown> = {
    exitCode: c.exitCode,
    reason: c.reason || (c.exitCode === 0 ? 'Completed' : 'Error'),
    startedAt: c.startedAt ? rfc3339(c.startedAt) : null,
    finishedAt: rfc3339(c.finishedAt || c.createdAt),
    containerID: `${runtimeName}://${c.id}`,
  };
  if (c.message) t['message'] = c.message;
  return { terminated: t as unknown as NonNullable<V1ContainerStatus['state']>['terminated'] };
}

function containerStatus(spec: Container, input: StatusInput, sandboxId: string | undefined): V1ContainerStatus {
  const all = instances(input.observed, spec.name);
  const cur = (sandboxId ? all.find((c) => c.sandboxId === sandboxId) : undefined) ?? all[0];
  const prev = cur ? all.find((c) => c !== cur && c.restartCount < cur.restartCount && c.state === 'CONTAINER_EXITED') : undefined;
  const wait = input.waiting.get(spec.name);
  const s: V1ContainerStatus = {
    name: spec.name,
    state: {},
    lastState: {},
    ready: false,
    restartCount: cur?.restartCount ?? 0,
    image: spec.image ?? '',
    imageID: cur?.imageRef ?? '',
    started: false,
  };
  if (cur) s.containerID = `${input.runtimeName}://${cur.id}`;
  if (prev) s.lastState = terminated(prev, input.runtimeName);
  if (cur?.state === 'CONTAINER_RUNNING') {
    s.state = { running: { startedAt: rfc3339(cur.startedAt) } };
    s.started = input.probes.started(cur.id, spec);
    s.ready = input.probes.ready(cur.id, spec);
  } else if (cur?.state === 'CONTAINER_EXITED' && wait?.reason === 'CrashLoopBackOff') {
    s.state = { waiting: { reason: wait.reason, ...(wait.message ? { message: wait.message } : {}) } };
    s.lastState = terminated(cur, input.runtimeName);
  } else if (cur?.state === 'CONTAINER_EXITED' || cur?.state === 'CONTAINER_UNKNOWN') {
    s.state = terminated(cur, input.runtimeName);
  } else {
    const reason = wait?.reason ?? 'ContainerCreating';
    s.state = { waiting: { reason, ...(wait?.message ? { message: wait.message } : {}) } };
  }
  return s;
}

function isTerminated(s: V1ContainerStatus): boolean {
  return !!s.state?.terminated;
}

/** Upstream's getPhase over the regular containers. */
export function podPhase(pod: Pod, init: V1ContainerStatus[], mains: V1ContainerStatus[], initFailed: boolean, initialized: boolean): PodStatus['phase'] {
  const policy = restartPolicyOf(pod);
  if (initFailed) return 'Failed';
  if (!initialized) {
    // Init containers still to run (or crash-looping with restarts allowed).
    void init;
    return 'Pending';
  }
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of mains) {
    if (s.state?.running) running++;
    else if (s.state?.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) stopped++;
      else waiting++;
    }
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

function cond(type: string, ok: boolean, reason?: string, message?: string): PodCondition {
  const c: PodCondition = { type, status: ok ? 'True' : 'False' };
  if (!ok && reason) c.reason = reason;
  if (!ok && message) c.message = message;
  return c;
}

export function renderPodStatus(input: StatusInput): PodStatus {
  const { pod, observed } = input;
  const old = pod.status ?? {};
  const sandbox = readySandbox(observed);
  const initSpecs = pod.spec?.initContainers ?? [];
  const mainSpecs = pod.spec?.containers ?? [];
  const initStatuses = initSpecs.map((c) => containerStatus(c, input, sandbox?.id));
  const mainStatuses = mainSpecs.map((c) => containerStatus(c, input, sandbox?.id));

  let initialized = true;
  initSpecs.forEach((c, i) => {
    const s = initStatuses[i]!;
    if (isSidecar(c)) {
      if (!s.started) initialized = false;
    } else if (!(s.state?.terminated && s.state.terminated.exitCode === 0)) initialized = false;
  });
  // Once the regular containers have run, the pod stays initialized even if init records are gone.
  if (!initialized && mainStatuses.some((s) => s.containerID)) initialized = true;

  let phase = podPhase(pod, initStatuses, mainStatuses, !!input.initFailed, initialized);
  if (old.phase === 'Succeeded' || old.phase === 'Failed') phase = old.phase;
  const terminal = phase === 'Succeeded' || phase === 'Failed';

  const sidecarStatuses = initStatuses.filter((_, i) => isSidecar(initSpecs[i]!));
  const notReady = [...mainStatuses, ...sidecarStatuses].filter((s) => !s.ready).map((s) => s.name);
  const containersReady = !terminal && notReady.length === 0;
  const gates = (pod.spec?.readinessGates ?? []).filter((g) => !(old.conditions ?? []).some((c) => c.type === g.conditionType && c.status === 'True'));
  const ready = containersReady && gates.length === 0;
  const notReadyMsg = terminal ? undefined : `containers with unready status: [${notReady.join(' ')}]`;
  const notReadyReason = terminal ? 'PodCompleted' : 'ContainersNotReady';
  const uninitialized = initSpecs.filter((_, i) => {
    const s = initStatuses[i]!;
    return isSidecar(initSpecs[i]!) ? !s.started : !(s.state?.terminated?.exitCode === 0);
  });

  const conds: PodCondition[] = [
    cond('PodReadyToStartContainers', !!sandbox),
    cond('Initialized', initialized, terminal ? 'PodCompleted' : 'ContainersNotInitialized', terminal ? undefined : `containers with incomplete status: [${uninitialized.map((c) => c.name).join(' ')}]`),
    cond('Ready', ready, gates.length && containersReady ? 'ReadinessGatesNotReady' : notReadyReason, gates.length && containersReady ? `corresponding condition of pod readiness gate "${gates[0]!.conditionType}" does not exist.` : notReadyMsg),
    cond('ContainersReady', containersReady, notReadyReason, notReadyMsg),
  ];
  const nowStr = rfc3339(input.now);
  for (const c of conds) {
    const prev = (old.conditions ?? []).find((o) => o.type === c.type);
    c.lastTransitionTime = prev && prev.status === c.status ? (prev.lastTransitionTime ?? nowStr) : nowStr;
  }
  const kept = (old.conditions ?? []).filter((c) => !OWNED.has(c.type));
  const status: PodStatus = {
    ...old,
    phase,
    conditions: [...kept, ...conds],
    hostIP: input.hostIP,
    hostIPs: [{ ip: input.hostIP }],
    startTime: old.startTime ?? nowStr,
    containerStatuses: mainStatuses,
    qosClass: old.qosClass,
  };
  if (initStatuses.length) status.initContainerStatuses = initStatuses;
  else delete status.initContainerStatuses;
  const ip = pod.spec?.hostNetwork ? input.hostIP : sandbox?.ip || old.podIP;
  if (ip) {
    status.podIP = ip;
    status.podIPs = [{ ip }, ...(sandbox?.additionalIps ?? []).map((a) => ({ ip: a }))];
  }
  if (status.qosClass === undefined) delete status.qosClass;
  if (!terminal) {
    delete status.reason;
    delete status.message;
  }
  return status;
}
