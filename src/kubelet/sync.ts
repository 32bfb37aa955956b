// SyncPod and TerminatePod: one pass of bringing the runtime in line with a pod, and the graceful
// stop of a pod being deleted. Called by the pod workers, one pass at a time per pod.

import type { KubeObject } from '../api/registry.js';
import type { ContainerRuntime, PodSandboxConfig } from '../runtime/types.js';
import type { Backoff } from './backoff.js';
import { containerConfig, isHostNetwork, sandboxConfig, type ContainerKind, type DNSSettings } from './container-config.js';
import { backoffKey, computePodActions, type StartAction } from './decide.js';
import { renderEnv } from './env.js';
import type { PodContext } from './fieldref.js';
import { runHook } from './hooks.js';
import { ensureImage, ImagePullError } from './images.js';
import { fingerprintOf, ObservedCache, observePod, readySandbox, sandboxKey as sandboxCacheKey, type ObservedContainer, type ObservedPod, type ObservedSandbox } from './observed.js';
import type { ProbeManager } from './probes.js';
import { renderPodStatus } from './status.js';
import type { StatusManager } from './status-manager.js';
import { ContainerConfigError, type Container, type ObjectSource, type Pod, type PodStatus } from './types.js';
import { containerMounts, type VolumeManager } from './volumes/manager.js';
import { PodFiles } from './pod-files.js';
import { removeContainerAndLog } from './gc.js';
import { POD_UID } from './labels.js';

export interface SyncDeps {
  runtime: ContainerRuntime;
  runtimeName: string;
  nodeName: string;
  nodeHostname: string;
  hostIP: () => string;
  allocatable: () => PodContext['allocatable'];
  nodeMemoryBytes: number;
  logRoot: string;
  dns: DNSSettings;
  volumes: VolumeManager;
  source: ObjectSource;
  backoff: Backoff;
  probes: ProbeManager;
  status: StatusManager;
  event: (pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string) => void;
  /** Final delete (gracePeriodSeconds=0) of a pod whose containers are all stopped. */
  deletePod: (pod: Pod) => Promise<void>;
  log: (msg: string) => void;
  /** How often to measure disk emptyDirs against their sizeLimit (default 10 s). */
  sizeCheckMs?: number;
}

export interface SyncResult {
  /** When to sync again at the latest (back-off expiry), ms since the epoch. */
  wakeAt?: number;
  status?: PodStatus;
  /** The pod reached Succeeded or Failed. */
  terminal: boolean;
}

function podName(pod: Pod): string {
  return `${pod.metadata?.namespace}/${pod.metadata?.name}`;
}

function specOf(pod: Pod, name: string): Container | undefined {
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find((c) => c.name === name);
}

export class PodSyncer {
  private readonly sizeCheckedAt = new Map<string, number>();
  /** When each pod's last sandbox creation failed (the back-off runs from there). */
  private readonly sandboxFailedAt = new Map<string, number>();
  private readonly files: PodFiles;
  private readonly cache = new ObservedCache();
  /** Each pod's runtime state as its worker last observed it (PLEG fingerprint format). */
  private readonly seen = new Map<string, string>();

  constructor(private readonly d: SyncDeps) {
    this.files = new PodFiles((uid) => d.volumes.podDir(uid));
  }

  private async observe(pod: Pod): Promise<ObservedPod> {
    const uid = pod.metadata?.uid ?? '';
    const o = await observePod(this.d.runtime, uid, this.cache);
    this.seen.set(uid, fingerprintOf(o));
    this.files.addMessages(pod, o);
    return o;
  }

  /**
   * The runtime state a pod's worker last observed: a PLEG change that only repeats it needs no
   * extra pass (the worker's own sandbox and container starts show up in the next relist).
   */
  lastSeen(uid: string): string | undefined {
    return this.seen.get(uid);
  }

  /** Evict a pod whose disk emptyDir outgrew its sizeLimit (upstream's eviction manager does this). */
  private async evictIfOverLimit(pod: Pod, observed: ObservedPod): Promise<PodStatus | undefined> {
    const uid = pod.metadata?.uid ?? '';
    const now = Date.now();
    if (now - (this.sizeCheckedAt.get(uid) ?? 0) < (this.d.sizeCheckMs ?? 10_000)) return undefined;
    this.sizeCheckedAt.set(uid, now);
    const over = this.d.volumes.overLimit(pod);
    if (over.length === 0) return undefined;
    const v = pod.spec?.volumes?.find((x) => x.name === over[0]);
    const message = `Usage of EmptyDir volume "${over[0]}" exceeds the limit "${v?.emptyDir?.sizeLimit}". `;
    this.d.event(pod, 'Warning', 'Evicted', message);
    await this.stopAll(pod, observed, pod.spec?.terminationGracePeriodSeconds ?? 30, true);
    const after = await observePod(this.d.runtime, uid, this.cache);
    const status = renderPodStatus({ pod, observed: after, waiting: new Map(), probes: this.d.probes, runtimeName: this.d.runtimeName, hostIP: this.d.hostIP(), now: Date.now() });
    status.phase = 'Failed';
    status.reason = 'Evicted';
    status.message = message;
    await this.d.status.set(pod, status).catch(() => undefined);
    return status;
  }

  private async withNewSandbox(pod: Pod, observed: ObservedPod, id: string, attempt: number): Promise<ObservedPod> {
    const st = await this.d.runtime.podSandboxStatus(id);
    if (!st) return this.observe(pod);
    const sb: ObservedSandbox = { id, ready: st.state === 'SANDBOX_READY', attempt, ip: st.ip, additionalIps: st.additionalIps, createdAt: st.createdAt };
    this.cache.remember(pod.metadata?.uid ?? '', sandboxCacheKey(id), st.state, sb);
    return { ...observed, sandboxes: [sb, ...observed.sandboxes] };
  }

  private ctx(pod: Pod, observed: ObservedPod): PodContext {
    const hostIP = this.d.hostIP();
    const sb = readySandbox(observed);
    const podIP = isHostNetwork(pod) ? hostIP : (sb?.ip ?? '');
    return { nodeName: this.d.nodeName, hostIP, podIP, podIPs: podIP ? [podIP, ...(sb?.additionalIps ?? [])] : [], allocatable: this.d.allocatable() };
  }

  private sandboxConfig(pod: Pod, attempt: number): PodSandboxConfig {
    return sandboxConfig(pod, { nodeName: this.d.nodeName, nodeHostname: this.d.nodeHostname, logRoot: this.d.logRoot, dns: this.d.dns, attempt });
  }

  /** One pass of SyncPod. */
  async sync(pod: Pod): Promise<SyncResult> {
    const uid = pod.metadata?.uid ?? '';
    const now = Date.now();
    let observed = await this.observe(pod);
    const waiting = new Map<string, { reason: string; message?: string }>();
    // A pod that reached Succeeded or Failed never runs again: keep everything stopped.
    const known = this.d.status.get(uid) ?? pod.status;
    if (known?.phase === 'Succeeded' || known?.phase === 'Failed') {
      if (observed.containers.some((c) => c.state === 'CONTAINER_RUNNING') || observed.sandboxes.some((s) => s.ready)) await this.stopAll(pod, observed, 0, false);
      this.d.probes.removePod(uid);
      return { status: known, terminal: true };
    }

    // Volumes first: a container never starts without its volumes.
    let volumes: Map<string, string>;
    try {
      volumes = await this.d.volumes.setUp(pod, this.ctx(pod, observed));
    } catch (err) {
      this.d.event(pod, 'Warning', 'FailedMount', `MountVolume.SetUp failed: ${(err as Error).message}`);
      if (readySandbox(observed) && observed.containers.length > 0) return this.sync2(pod, observed, waiting, this.d.volumes.paths(pod), now);
      for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) waiting.set(c.name, { reason: 'ContainerCreating' });
      const status = await this.writeStatus(pod, observed, waiting, false);
      return { wakeAt: now + 2000, status, terminal: false };
    }

    const evicted = await this.evictIfOverLimit(pod, observed);
    if (evicted) return { status: evicted, terminal: true };
    return this.sync2(pod, observed, waiting, volumes, now);
  }

  private async sync2(pod: Pod, observed: ObservedPod, waiting: Map<string, { reason: string; message?: string }>, volumes: Map<string, string>, now: number): Promise<SyncResult> {
    const uid = pod.metadata?.uid ?? '';
    const actions = computePodActions(pod, observed, this.d.backoff, this.d.probes, now);
    for (const [k, v] of actions.waiting) {
      waiting.set(k, v);
      if (v.reason === 'CrashLoopBackOff') this.d.event(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${k} in pod ${pod.metadata?.name}_${pod.metadata?.namespace}(${uid})`);
    }

    for (const sid of actions.killSandboxes) await this.killSandbox(pod, observed, sid);
    for (const k of actions.kill) {
      const c = specOf(pod, k.name);
      this.d.event(pod, 'Normal', 'Killing', `Container ${k.name} ${k.message}`);
      await this.stopContainer(pod, observed, k.id, c, pod.spec?.terminationGracePeriodSeconds ?? 30);
    }

    if (actions.createSandbox) {
      // A failing sandbox (e.g. a broken network set-up) is retried with the crash-loop back-off,
      // not on every sync: each attempt costs the runtime a network namespace and mounts.
      const sandboxKey = `${uid}/sandbox`;
      const gate = this.d.backoff.inBackoff(sandboxKey, this.sandboxFailedAt.get(uid) ?? 0, now);
      if (gate.waiting) {
        const status = await this.writeStatus(pod, observed, waiting, false);
        return { wakeAt: gate.until, status, terminal: false };
      }
      const killed = actions.killSandboxes.length > 0 || observed.sandboxes.some((s) => s.ready);
      for (const s of observed.sandboxes) if (s.ready) await this.killSandbox(pod, observed, s.id);
      const cfg = this.sandboxConfig(pod, actions.sandboxAttempt);
      let sandboxId: string;
      try {
        sandboxId = await this.d.runtime.runPodSandbox(cfg);
      } catch (err) {
        this.d.event(pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${(err as Error).message}`);
        this.d.backoff.next(sandboxKey, now);
        this.sandboxFailedAt.set(uid, now);
        await this.removeEmptyDeadSandboxes(pod);
        const status = await this.writeStatus(pod, observed, waiting, false);
        return { wakeAt: now + this.d.backoff.delay(sandboxKey, now), status, terminal: false };
      }
      this.d.backoff.forgetPrefix(sandboxKey);
      this.sandboxFailedAt.delete(uid);
      // Only the new sandbox changed, unless others were just stopped: one status call, not a full look.
      observed = killed ? await this.observe(pod) : await this.withNewSandbox(pod, observed, sandboxId, cfg.metadata.attempt);
    }

    const sandbox = readySandbox(observed);
    let wakeAt = actions.wakeAt;
    if (sandbox) {
      const sbConfig = this.sandboxConfig(pod, sandbox.attempt);
      const ctx = this.ctx(pod, observed);
      for (const s of actions.start) {
        const r = await this.startContainer(pod, observed, s, sandbox.id, sbConfig, ctx, volumes, now);
        if (r) {
          waiting.set(s.container.name, r);
          if (r.wakeAt) wakeAt = Math.min(wakeAt ?? Infinity, r.wakeAt);
        }
      }
    }

    observed = await this.observe(pod);
    const sb = readySandbox(observed);
    this.d.probes.sync(pod, sb ? observed.containers.filter((c) => c.sandboxId === sb.id) : [], this.ctx(pod, observed).podIP);
    const status = await this.writeStatus(pod, observed, waiting, actions.initFailed);
    const terminal = status.phase === 'Succeeded' || status.phase === 'Failed';
    if (terminal) await this.stopAll(pod, observed, 0, false);
    return { ...(wakeAt !== undefined ? { wakeAt } : {}), status, terminal };
  }

  private async writeStatus(pod: Pod, observed: ObservedPod, waiting: Map<string, { reason: string; message?: string }>, initFailed: boolean): Promise<PodStatus> {
    const status = renderPodStatus({
      pod,
      observed,
      waiting,
      probes: this.d.probes,
      runtimeName: this.d.runtimeName,
      hostIP: this.d.hostIP(),
      initFailed,
      now: Date.now(),
    });
    await this.d.status.set(pod, status).catch(() => undefined);
    return status;
  }

  /** Pull, configure, create and start one container; a waiting reason when it could not. */
  private async startContainer(
    pod: Pod,
    observed: ObservedPod,
    s: StartAction,
    sandboxId: string,
    sbConfig: PodSandboxConfig,
    ctx: PodContext,
    volumes: Map<string, string>,
    now: number,
  ): Promise<{ reason: string; message?: string; wakeAt?: number } | undefined> {
    const uid = pod.metadata?.uid ?? '';
    const c = s.container;
    const pullKey = backoffKey(uid, c.name) + '/pull';
    const pb = this.d.backoff.inBackoff(pullKey, now, now);
    if (pb.waiting) {
      this.d.event(pod, 'Normal', 'BackOff', `Back-off pulling image "${c.image}"`);
      return { reason: 'ImagePullBackOff', message: `Back-off pulling image "${c.image}"`, wakeAt: pb.until };
    }
    try {
      const t0 = Date.now();
      if (await ensureImage(this.d.runtime, c, () => this.d.event(pod, 'Normal', 'Pulling', `Pulling image "${c.image}"`))) this.d.event(pod, 'Normal', 'Pulled', `Successfully pulled image "${c.image}" in ${Date.now() - t0}ms`);
    } catch (err) {
      const e = err as ImagePullError;
      this.d.backoff.next(pullKey, Date.now());
      this.d.event(pod, 'Warning', 'Failed', e.message);
      return { reason: e.reason ?? 'ErrImagePull', message: e.message, wakeAt: Date.now() + this.d.backoff.delay(pullKey, Date.now()) };
    }
    let config;
    try {
      const env = await renderEnv(pod, c, ctx, this.d.source);
      config = containerConfig(pod, c, {
        nodeName: this.d.nodeName,
        kind: s.kind,
        restartCount: s.restartCount,
        env,
        mounts: [...containerMounts(c, volumes), ...this.files.mounts(pod, c, s.restartCount, ctx.podIP, sbConfig.hostname ?? '')],
        nodeMemoryBytes: this.d.nodeMemoryBytes,
      });
    } catch (err) {
      const msg = (err as Error).message;
      this.d.event(pod, 'Warning', 'Failed', `Error: ${msg}`);
      return { reason: err instanceof ContainerConfigError ? 'CreateContainerConfigError' : 'CreateContainerError', message: msg, wakeAt: Date.now() + 2000 };
    }
    if (s.restart) this.d.backoff.next(backoffKey(uid, c.name), Date.now());
    let id: string;
    try {
      id = await this.d.runtime.createContainer(sandboxId, config, sbConfig);
      this.d.event(pod, 'Normal', 'Created', `Created container ${c.name}`);
      await this.d.runtime.startContainer(id);
      this.d.event(pod, 'Normal', 'Started', `Started container ${c.name}`);
    } catch (err) {
      const msg = (err as Error).message;
      this.d.event(pod, 'Warning', 'Failed', `Error: ${msg}`);
      return { reason: 'CreateContainerError', message: msg, wakeAt: Date.now() + 2000 };
    }
    await this.pruneInstances(observed, c.name);
    const post = c.lifecycle?.postStart;
    if (post) {
      const err = await runHook(post, { runtime: this.d.runtime, containerId: id, container: c, podIP: ctx.podIP, timeoutSeconds: pod.spec?.terminationGracePeriodSeconds ?? 30 });
      if (err) {
        this.d.event(pod, 'Warning', 'FailedPostStartHook', err);
        await this.d.runtime.stopContainer(id, 2).catch(() => undefined);
      }
    }
    return undefined;
  }

  /** Keep the newest two instances of a container (current and previous, for `logs --previous`). */
  private async pruneInstances(observed: ObservedPod, name: string): Promise<void> {
    const old = observed.containers.filter((c) => c.name === name && c.state === 'CONTAINER_EXITED');
    for (const c of old.slice(1)) await removeContainerAndLog(this.d.runtime, c.id).catch(() => undefined);
  }

  /** preStop (bounded by the grace period), then StopContainer with what is left of it. */
  private async stopContainer(pod: Pod, observed: ObservedPod, id: string, c: Container | undefined, graceSeconds: number): Promise<void> {
    const start = Date.now();
    const inst = observed.containers.find((x) => x.id === id);
    if (c?.lifecycle?.preStop && inst?.state === 'CONTAINER_RUNNING' && graceSeconds > 0) {
      const sb = observed.sandboxes.find((s) => s.id === inst.sandboxId);
      const err = await runHook(c.lifecycle.preStop, { runtime: this.d.runtime, containerId: id, container: c, podIP: sb?.ip || this.d.hostIP(), timeoutSeconds: graceSeconds });
      if (err) this.d.event(pod, 'Warning', 'FailedPreStopHook', `PreStopHook failed: ${err}`);
    }
    const left = Math.max(graceSeconds - Math.floor((Date.now() - start) / 1000), graceSeconds > 0 ? 2 : 0);
    await this.d.runtime.stopContainer(id, left).catch((err) => this.d.log(`stop container ${id}: ${(err as Error).message}`));
  }

  /**
   * A failed RunPodSandbox may leave a not-ready sandbox behind (with its network namespace and
   * mounts); those without containers hold nothing worth keeping, so they are removed at once.
   */
  private async removeEmptyDeadSandboxes(pod: Pod): Promise<void> {
    const uid = pod.metadata?.uid ?? '';
    const sandboxes = await this.d.runtime.listPodSandboxes({ state: 'SANDBOX_NOTREADY', labels: { [POD_UID]: uid } }).catch(() => []);
    for (const sb of sandboxes) {
      const containers = await this.d.runtime.listContainers({ podSandboxId: sb.id }).catch(() => [{}]);
      if (containers.length > 0) continue;
      await this.d.runtime.stopPodSandbox(sb.id).catch(() => undefined);
      await this.d.runtime.removePodSandbox(sb.id).catch(() => undefined);
    }
  }

  private async killSandbox(pod: Pod, observed: ObservedPod, sid: string): Promise<void> {
    const running = observed.containers.filter((c) => c.sandboxId === sid && c.state === 'CONTAINER_RUNNING');
    await Promise.all(running.map((c) => this.stopContainer(pod, observed, c.id, specOf(pod, c.name), 0)));
    await this.d.runtime.stopPodSandbox(sid).catch(() => undefined);
  }

  /** Stop every running container (regular ones first, then sidecars), then the sandboxes. */
  private async stopAll(pod: Pod, observed: ObservedPod, graceSeconds: number, hooks: boolean): Promise<void> {
    const running = observed.containers.filter((c) => c.state === 'CONTAINER_RUNNING' || c.state === 'CONTAINER_CREATED');
    const stop = (cs: ObservedContainer[]) =>
      Promise.all(cs.map((c) => this.stopContainer(pod, hooks ? observed : { ...observed, containers: [] }, c.id, specOf(pod, c.name), graceSeconds)));
    await stop(running.filter((c) => c.kind !== 'sidecar'));
    await stop(running.filter((c) => c.kind === 'sidecar').reverse());
    for (const s of observed.sandboxes) if (s.ready) await this.d.runtime.stopPodSandbox(s.id).catch(() => undefined);
  }

  /**
   * Graceful termination of a pod being deleted (or gone from the API): preStop hooks and SIGTERM
   * within the grace period, then the final delete and removal of everything in the runtime.
   */
  async terminate(pod: Pod, opts: { inApi: boolean; graceSeconds?: number }): Promise<void> {
    const uid = pod.metadata?.uid ?? '';
    const grace = opts.graceSeconds ?? pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
    let observed = await this.observe(pod);
    if (observed.containers.some((c) => c.state === 'CONTAINER_RUNNING')) {
      for (const c of observed.containers.filter((x) => x.state === 'CONTAINER_RUNNING')) this.d.event(pod, 'Normal', 'Killing', `Stopping container ${c.name}`);
    }
    await this.stopAll(pod, observed, grace, true);
    this.d.probes.removePod(uid);
    if (opts.inApi) {
      observed = await this.observe(pod);
      const status = renderPodStatus({
        pod,
        observed,
        waiting: new Map(),
        probes: this.d.probes,
        runtimeName: this.d.runtimeName,
        hostIP: this.d.hostIP(),
        now: Date.now(),
      });
      // A deleted pod ends in a terminal phase: Succeeded only if every container exited 0.
      if (status.phase !== 'Succeeded' && status.phase !== 'Failed') {
        const all = [...(status.containerStatuses ?? [])];
        status.phase = all.length > 0 && all.every((s) => s.state?.terminated?.exitCode === 0) ? 'Succeeded' : 'Failed';
      }
      await this.d.status.set(pod, status).catch(() => undefined);
      await this.remove(uid);
      await this.d.deletePod(pod);
    } else {
      await this.remove(uid);
    }
    this.d.log(`pod ${podName(pod)} terminated`);
  }

  /** Remove a pod's containers, sandboxes and volumes (after it is gone). */
  async remove(uid: string): Promise<void> {
    const observed = await observePod(this.d.runtime, uid, this.cache);
    for (const c of observed.containers) {
      if (c.state === 'CONTAINER_RUNNING') await this.d.runtime.stopContainer(c.id, 0).catch(() => undefined);
      await this.d.runtime.removeContainer(c.id).catch(() => undefined);
    }
    for (const s of observed.sandboxes) {
      await this.d.runtime.stopPodSandbox(s.id).catch(() => undefined);
      await this.d.runtime.removePodSandbox(s.id).catch(() => undefined);
    }
    await this.d.volumes.tearDown(uid);
    this.d.backoff.forgetPrefix(uid + '/');
    this.sizeCheckedAt.delete(uid);
    this.d.probes.removePod(uid);
    this.d.status.forget(uid);
    this.cache.forget(uid);
    this.seen.delete(uid);
  }
}

export type { ContainerKind, KubeObject };
