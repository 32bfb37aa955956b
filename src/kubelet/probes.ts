// The probe manager: one timer loop per (running container, probe kind). Startup gates the other
// two; a changed result asks the pod's worker to sync again.

import type { ContainerRuntime } from '../runtime/types.js';
import type { ProbeView } from './decide.js';
import type { ObservedContainer } from './observed.js';
import { applyProbe, initialState, probeTiming, type ProbeKind, type ProbeState } from './probe-state.js';
import { runProbe } from './probe-run.js';
import type { Container, Pod, Probe } from './types.js';

interface Worker {
  kind: ProbeKind;
  containerId: string;
  state: ProbeState;
  timer?: NodeJS.Timeout;
  stopped: boolean;
}

export interface ProbeEvent {
  pod: Pod;
  container: string;
  kind: ProbeKind;
  message: string;
}

export class ProbeManager implements ProbeView {
  private readonly workers = new Map<string, Worker>();
  /** Pod uid → container ids that have probe workers. */
  private readonly byPod = new Map<string, Set<string>>();

  constructor(
    private readonly runtime: ContainerRuntime,
    private readonly onChange: (podUid: string) => void,
    private readonly onFailure: (e: ProbeEvent) => void = () => {},
  ) {}

  private key(id: string, kind: ProbeKind): string {
    return `${id}/${kind}`;
  }

  private probeOf(c: Container, kind: ProbeKind): Probe | undefined {
    return kind === 'startup' ? c.startupProbe : kind === 'liveness' ? c.livenessProbe : c.readinessProbe;
  }

  /** Keep workers for the running containers of this pod; drop the rest. */
  sync(pod: Pod, running: ObservedContainer[], podIP: string): void {
    const uid = pod.metadata?.uid ?? '';
    const specs = new Map<string, Container>();
    for (const c of [...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'), ...(pod.spec?.containers ?? [])]) specs.set(c.name, c);
    const keep = new Set<string>();
    for (const inst of running) {
      const c = specs.get(inst.name);
      if (!c || inst.state !== 'CONTAINER_RUNNING') continue;
      keep.add(inst.id);
      for (const kind of ['startup', 'liveness', 'readiness'] as const) {
        const probe = this.probeOf(c, kind);
        if (!probe) continue;
        const k = this.key(inst.id, kind);
        if (this.workers.has(k)) continue;
        const w: Worker = { kind, containerId: inst.id, state: initialState(kind), stopped: false };
        this.workers.set(k, w);
        this.schedule(w, pod, c, probe, podIP, Math.max(0, inst.startedAt + probeTiming(probe).initialDelayMs - Date.now()));
      }
    }
    const prev = this.byPod.get(uid) ?? new Set();
    for (const id of prev) if (!keep.has(id)) this.removeContainer(id);
    this.byPod.set(uid, keep);
  }

  private schedule(w: Worker, pod: Pod, c: Container, probe: Probe, podIP: string, delay: number): void {
    if (w.stopped) return;
    w.timer = setTimeout(() => void this.tick(w, pod, c, probe, podIP), delay);
    w.timer.unref();
  }

  private async tick(w: Worker, pod: Pod, c: Container, probe: Probe, podIP: string): Promise<void> {
    if (w.stopped) return;
    const t = probeTiming(probe);
    // Liveness and readiness wait for the startup probe.
    if (w.kind !== 'startup' && !this.started(w.containerId, c)) return this.schedule(w, pod, c, probe, podIP, t.periodMs);
    const out = await runProbe(probe, { runtime: this.runtime, containerId: w.containerId, container: c, podIP, timeoutSeconds: t.timeoutSeconds });
    if (w.stopped) return;
    const before = w.state.result;
    w.state = applyProbe(w.state, out.ok, t, out.message);
    if (!out.ok) this.onFailure({ pod, container: c.name, kind: w.kind, message: out.message });
    if (w.state.result !== before) this.onChange(pod.metadata?.uid ?? '');
    // A startup probe is done once it succeeds; a failed liveness/startup result waits for the restart.
    if (w.kind === 'startup' && w.state.result === 'success') return;
    if (w.kind !== 'readiness' && w.state.result === 'failure') return;
    this.schedule(w, pod, c, probe, podIP, t.periodMs);
  }

  private removeContainer(id: string): void {
    for (const kind of ['startup', 'liveness', 'readiness'] as const) {
      const w = this.workers.get(this.key(id, kind));
      if (!w) continue;
      w.stopped = true;
      if (w.timer) clearTimeout(w.timer);
      this.workers.delete(this.key(id, kind));
    }
  }

  removePod(uid: string): void {
    for (const id of this.byPod.get(uid) ?? []) this.removeContainer(id);
    this.byPod.delete(uid);
  }

  result(id: string, kind: ProbeKind): ProbeState | undefined {
    return this.workers.get(this.key(id, kind))?.state;
  }

  started(id: string, c?: Container): boolean {
    const s = this.result(id, 'startup');
    if (!s) return !c?.startupProbe;
    return s.result === 'success';
  }

  /** Ready per the readiness probe (true without one), once started. */
  ready(id: string, c?: Container): boolean {
    if (!this.started(id, c)) return false;
    const s = this.result(id, 'readiness');
    if (!s) return !c?.readinessProbe;
    return s.result === 'success';
  }

  mustRestart(id: string): { reason: string; message: string } | undefined {
    if (this.result(id, 'startup')?.result === 'failure') return { reason: 'Unhealthy', message: 'failed startup probe, will be restarted' };
    if (this.result(id, 'liveness')?.result === 'failure') return { reason: 'Unhealthy', message: 'failed liveness probe, will be restarted' };
    return undefined;
  }

  stop(): void {
    for (const w of this.workers.values()) {
      w.stopped = true;
      if (w.timer) clearTimeout(w.timer);
    }
    this.workers.clear();
    this.byPod.clear();
  }
}
