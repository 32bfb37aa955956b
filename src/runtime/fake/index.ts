// FakeRuntime: an in-memory ContainerRuntime for tests. Nothing runs; containers "run" until a test
// (or a scripted behaviour) makes them exit. Every call is recorded so tests can assert on them.

import { randomBytes } from 'node:crypto';
import type {
  Container,
  ContainerConfig,
  ContainerRuntime,
  ContainerState,
  ContainerStatus,
  ExecSyncResult,
  ImageInfo,
  PodSandbox,
  PodSandboxConfig,
  PodSandboxStatus,
  SandboxState,
  StreamingRequest,
} from '../types.js';

/** What a started container does: exit after `exitAfterMs` with `exitCode` (never, if undefined). */
export interface FakeBehaviour {
  exitAfterMs?: number;
  exitCode?: number;
  /** Reason reported on exit (default Completed/Error from the exit code). */
  reason?: string;
  /** Seconds a stop takes to honour SIGTERM (default 0); longer than the timeout means SIGKILL. */
  ignoreSigtermMs?: number;
}

export interface FakeCall {
  method: string;
  args: unknown[];
}

interface FakeSandbox {
  sandbox: PodSandboxStatus;
  config: PodSandboxConfig;
}

interface FakeContainer {
  status: ContainerStatus;
  config: ContainerConfig;
  timer?: NodeJS.Timeout;
}

export interface FakeRuntimeOptions {
  /** Behaviour of a container being started (default: runs until stopped). */
  behaviour?: (config: ContainerConfig, sandbox: PodSandboxConfig) => FakeBehaviour;
  /** Answers ExecSync (default: exit 0, no output). */
  exec?: (container: ContainerConfig, cmd: string[]) => ExecSyncResult | Promise<ExecSyncResult>;
  /** Images that pullImage refuses (as if the registry had none). */
  missingImages?: string[];
  /** Images present before any pull. */
  images?: string[];
}

const id = (): string => randomBytes(32).toString('hex');

export class FakeRuntime implements ContainerRuntime {
  readonly name = 'fake';
  readonly calls: FakeCall[] = [];
  readonly sandboxes = new Map<string, FakeSandbox>();
  readonly containers = new Map<string, FakeContainer>();
  readonly images = new Map<string, ImageInfo>();
  private nextIp = 2;

  constructor(public options: FakeRuntimeOptions = {}) {
    for (const i of options.images ?? []) this.addImage(i);
  }

  private record(method: string, ...args: unknown[]): void {
    this.calls.push({ method, args });
  }

  /** Calls of one method. */
  callsOf(method: string): FakeCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  addImage(ref: string): ImageInfo {
    const info: ImageInfo = { id: 'sha256:' + id(), repoTags: [ref], repoDigests: [`${ref.split(':')[0]}@sha256:${id()}`], size: 1024 };
    this.images.set(ref, info);
    return info;
  }

  async version() {
    return { runtimeName: 'fake', runtimeVersion: '1.0.0', runtimeApiVersion: 'v1' };
  }

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    this.record('runPodSandbox', config);
    const sid = id();
    const hostNet = config.linux?.namespaceOptions?.network === 'NODE';
    this.sandboxes.set(sid, {
      config,
      sandbox: {
        id: sid,
        metadata: { ...config.metadata },
        state: 'SANDBOX_READY',
        createdAt: Date.now(),
        labels: { ...config.labels },
        annotations: { ...config.annotations },
        ip: hostNet ? '' : `10.88.${Math.floor(this.nextIp / 250)}.${(this.nextIp++ % 250) + 2}`,
        additionalIps: [],
      },
    });
    return sid;
  }

  async stopPodSandbox(sid: string): Promise<void> {
    this.record('stopPodSandbox', sid);
    const s = this.sandboxes.get(sid);
    if (!s) return;
    for (const c of this.containers.values()) if (c.status.podSandboxId === sid) this.exit(c, 137, 'Error');
    s.sandbox.state = 'SANDBOX_NOTREADY';
  }

  async removePodSandbox(sid: string): Promise<void> {
    this.record('removePodSandbox', sid);
    for (const [cid, c] of this.containers) {
      if (c.status.podSandboxId === sid) {
        if (c.timer) clearTimeout(c.timer);
        this.containers.delete(cid);
      }
    }
    this.sandboxes.delete(sid);
  }

  async podSandboxStatus(sid: string): Promise<PodSandboxStatus | null> {
    this.record('podSandboxStatus', sid);
    const s = this.sandboxes.get(sid);
    return s ? structuredClone(s.sandbox) : null;
  }

  async listPodSandboxes(filter: { state?: SandboxState; labels?: Record<string, string> } = {}): Promise<PodSandbox[]> {
    this.record('listPodSandboxes', filter);
    const out: PodSandbox[] = [];
    for (const { sandbox } of this.sandboxes.values()) {
      if (filter.state && sandbox.state !== filter.state) continue;
      if (!matches(sandbox.labels, filter.labels)) continue;
      const { ip: _ip, additionalIps: _a, ...rest } = sandbox;
      out.push(structuredClone(rest));
    }
    return out;
  }

  async createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string> {
    this.record('createContainer', podSandboxId, config);
    const s = this.sandboxes.get(podSandboxId);
    if (!s || s.sandbox.state !== 'SANDBOX_READY') throw new Error(`sandbox ${podSandboxId} is not ready`);
    const image = this.images.get(config.image);
    if (!image) throw new Error(`image ${config.image} not present`);
    const cid = id();
    this.containers.set(cid, {
      config,
      status: {
        id: cid,
        podSandboxId,
        metadata: { ...config.metadata },
        image: config.image,
        imageRef: image.id,
        state: 'CONTAINER_CREATED',
        createdAt: Date.now(),
        labels: { ...config.labels },
        annotations: { ...config.annotations },
        startedAt: 0,
        finishedAt: 0,
        exitCode: 0,
        reason: '',
        message: '',
        logPath: `${sandboxConfig.logDirectory}/${config.logPath}`,
      },
    });
    return cid;
  }

  async startContainer(cid: string): Promise<void> {
    this.record('startContainer', cid);
    const c = this.containers.get(cid);
    if (!c) throw new Error(`container ${cid} not found`);
    if (c.status.state !== 'CONTAINER_CREATED') throw new Error(`container ${cid} is ${c.status.state}`);
    c.status.state = 'CONTAINER_RUNNING';
    c.status.startedAt = Date.now();
    const sb = this.sandboxes.get(c.status.podSandboxId)!;
    const b = this.options.behaviour?.(c.config, sb.config) ?? {};
    if (b.exitAfterMs !== undefined) {
      const code = b.exitCode ?? 0;
      c.timer = setTimeout(() => this.exit(c, code, b.reason), b.exitAfterMs);
      c.timer.unref();
    }
  }

  /** Make a running container exit now (a test's crash, OOM kill …). */
  exitContainer(cid: string, exitCode: number, reason?: string): void {
    const c = this.containers.get(cid);
    if (c) this.exit(c, exitCode, reason);
  }

  private exit(c: FakeContainer, exitCode: number, reason?: string): void {
    if (c.status.state !== 'CONTAINER_RUNNING') return;
    if (c.timer) clearTimeout(c.timer);
    c.status.state = 'CONTAINER_EXITED';
    c.status.exitCode = exitCode;
    c.status.finishedAt = Date.now();
    c.status.reason = reason ?? (exitCode === 0 ? 'Completed' : 'Error');
  }

  async stopContainer(cid: string, timeoutSeconds: number): Promise<void> {
    this.record('stopContainer', cid, timeoutSeconds);
    const c = this.containers.get(cid);
    if (!c) return;
    if (c.status.state === 'CONTAINER_CREATED') {
      c.status.state = 'CONTAINER_EXITED';
      c.status.finishedAt = Date.now();
      return;
    }
    const sb = this.sandboxes.get(c.status.podSandboxId);
    const b = sb ? (this.options.behaviour?.(c.config, sb.config) ?? {}) : {};
    const wait = Math.min(b.ignoreSigtermMs ?? 0, timeoutSeconds * 1000);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    this.exit(c, (b.ignoreSigtermMs ?? 0) > timeoutSeconds * 1000 ? 137 : 143, 'Error');
  }

  async removeContainer(cid: string): Promise<void> {
    this.record('removeContainer', cid);
    const c = this.containers.get(cid);
    if (c?.timer) clearTimeout(c.timer);
    this.containers.delete(cid);
  }

  async listContainers(filter: { podSandboxId?: string; state?: ContainerState; labels?: Record<string, string> } = {}): Promise<Container[]> {
    this.record('listContainers', filter);
    const out: Container[] = [];
    for (const { status } of this.containers.values()) {
      if (filter.podSandboxId && status.podSandboxId !== filter.podSandboxId) continue;
      if (filter.state && status.state !== filter.state) continue;
      if (!matches(status.labels, filter.labels)) continue;
      const { startedAt: _s, finishedAt: _f, exitCode: _e, reason: _r, message: _m, logPath: _l, ...rest } = status;
      out.push(structuredClone(rest));
    }
    return out;
  }

  async containerStatus(cid: string): Promise<ContainerStatus | null> {
    this.record('containerStatus', cid);
    const c = this.containers.get(cid);
    return c ? structuredClone(c.status) : null;
  }

  async execSync(cid: string, cmd: string[], _timeoutSeconds: number): Promise<ExecSyncResult> {
    this.record('execSync', cid, cmd);
    const c = this.containers.get(cid);
    if (!c || c.status.state !== 'CONTAINER_RUNNING') throw new Error(`container ${cid} is not running`);
    return (await this.options.exec?.(c.config, cmd)) ?? { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), exitCode: 0 };
  }

  async exec(req: StreamingRequest & { cmd: string[] }): Promise<string> {
    return `http://fake.invalid/exec/${req.containerId}`;
  }

  async attach(req: StreamingRequest): Promise<string> {
    return `http://fake.invalid/attach/${req.containerId}`;
  }

  async portForward(podSandboxId: string, _ports: number[]): Promise<string> {
    return `http://fake.invalid/portforward/${podSandboxId}`;
  }

  async pullImage(image: string): Promise<string> {
    this.record('pullImage', image);
    if (this.options.missingImages?.includes(image)) throw new Error(`failed to resolve reference "${image}": not found`);
    return (this.images.get(image) ?? this.addImage(image)).id;
  }

  async imageStatus(image: string): Promise<ImageInfo | null> {
    return this.images.get(image) ?? null;
  }

  async listImages(): Promise<ImageInfo[]> {
    return [...this.images.values()];
  }

  async removeImage(image: string): Promise<void> {
    this.images.delete(image);
  }

  async close(): Promise<void> {
    for (const c of this.containers.values()) if (c.timer) clearTimeout(c.timer);
  }

  /** Containers of one pod (by the kubelet's pod-uid label), running or not. */
  containersOfPod(uid: string, labelKey: string): ContainerStatus[] {
    return [...this.containers.values()].filter((c) => c.status.labels[labelKey] === uid).map((c) => c.status);
  }
}

function matches(labels: Record<string, string>, want?: Record<string, string>): boolean {
  if (!want) return true;
  for (const [k, v] of Object.entries(want)) if (labels[k] !== v) return false;
  return true;
}
