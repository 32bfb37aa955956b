// CRI v1 over gRPC on a unix socket (containerd's), and CriRuntime: the ContainerRuntime contract
// mapped onto it. Every call carries a deadline: a hung runtime must never hang the kubelet.
// containerd 1.6 has no CRI event stream; the kubelet polls listContainers/containerStatus.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
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

/** The CRI version the kubelet announces in Version. */
export const CRI_API_VERSION = 'v1';

export class CriError extends Error {
  override name = 'CriError';
  /** The gRPC status code name, e.g. NOT_FOUND, UNAVAILABLE, DEADLINE_EXCEEDED. */
  readonly code: string;
  readonly method: string;
  constructor(method: string, code: string, message: string, options?: { cause?: unknown }) {
    super(`CRI ${method}: ${code}: ${message}`, options);
    this.method = method;
    this.code = code;
  }
}

export const isNotFound = (err: unknown): boolean =>
  err instanceof CriError && (err.code === 'NOT_FOUND' || /not found|does not exist/i.test(err.message));

// ---------------------------------------------------------------------------------------------
// Loading the .proto (it sits beside this file in src/; from dist/ we look back into src/).

function protoPath(): string {
  const here = fileURLToPath(new URL('./cri.proto', import.meta.url));
  if (existsSync(here)) return here;
  const fromDist = here.replace(/([\\/])dist[\\/]src[\\/]/, '$1src$1');
  if (existsSync(fromDist)) return fromDist;
  throw new Error(`cri.proto not found at ${here} or ${fromDist}`);
}

let pkgCache: grpc.GrpcObject | undefined;
function criPackage(): grpc.GrpcObject {
  if (!pkgCache) {
    const def = protoLoader.loadSync(protoPath(), { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
    pkgCache = grpc.loadPackageDefinition(def as unknown as Parameters<typeof grpc.loadPackageDefinition>[0]);
  }
  return pkgCache;
}

// ---------------------------------------------------------------------------------------------
// Wire shapes (snake_case, as proto-loader hands them over with keepCase; int64 as decimal strings).

type Int64 = string | number;
type Dict = Record<string, string>;
interface WMeta { name: string; uid: string; namespace: string; attempt: number }
interface WSandbox { id: string; metadata: WMeta | null; state: SandboxState; created_at: Int64; labels: Dict; annotations: Dict }
interface WSandboxStatus extends WSandbox {
  network: { ip: string; additional_ips: { ip: string }[] } | null;
}
interface WContainer {
  id: string;
  pod_sandbox_id: string;
  metadata: { name: string; attempt: number } | null;
  image: { image: string } | null;
  image_ref: string;
  state: ContainerState;
  created_at: Int64;
  labels: Dict;
  annotations: Dict;
}
interface WContainerStatus extends Omit<WContainer, 'pod_sandbox_id'> {
  started_at: Int64;
  finished_at: Int64;
  exit_code: number;
  reason: string;
  message: string;
  log_path: string;
}
interface WImage { id: string; repo_tags: string[]; repo_digests: string[]; size: Int64 }
export interface RuntimeCondition { type: string; status: boolean; reason: string; message: string }

/** Nanoseconds since the epoch (int64, as a decimal string) → milliseconds. 0 stays 0. */
export function nsToMs(ns: Int64 | null | undefined): number {
  if (ns === null || ns === undefined || ns === '' || ns === 0 || ns === '0') return 0;
  return Number(BigInt(ns) / 1_000_000n);
}

// ---------------------------------------------------------------------------------------------
// Our types → CRI messages

type NsMode = 'POD' | 'CONTAINER' | 'NODE';

function namespaceOptions(sandbox: PodSandboxConfig): { network: NsMode; pid: NsMode; ipc: NsMode } {
  const o = sandbox.linux?.namespaceOptions ?? {};
  return {
    network: o.network ?? 'POD',
    // The kubelet's default: each container gets its own PID namespace unless the pod shares one.
    pid: o.pid ?? 'CONTAINER',
    ipc: o.ipc ?? 'POD',
  };
}

export function toCriSandboxConfig(c: PodSandboxConfig): Record<string, unknown> {
  return {
    metadata: { name: c.metadata.name, uid: c.metadata.uid, namespace: c.metadata.namespace, attempt: c.metadata.attempt },
    hostname: c.hostname ?? '',
    log_directory: c.logDirectory,
    dns_config: c.dnsConfig ? { servers: c.dnsConfig.servers, searches: c.dnsConfig.searches, options: c.dnsConfig.options } : null,
    port_mappings: c.portMappings.map((p) => ({
      protocol: p.protocol,
      container_port: p.containerPort,
      host_port: p.hostPort,
      host_ip: p.hostIp ?? '',
    })),
    labels: c.labels,
    annotations: c.annotations,
    linux: {
      cgroup_parent: c.linux?.cgroupParent ?? '',
      security_context: {
        namespace_options: namespaceOptions(c),
        privileged: c.linux?.privileged ?? false,
      },
    },
  };
}

const stripCap = (c: string): string => c.toUpperCase().replace(/^CAP_/, '');

export function toCriContainerConfig(c: ContainerConfig, sandbox: PodSandboxConfig): Record<string, unknown> {
  const r = c.linux?.resources ?? {};
  const s = c.linux?.securityContext ?? {};
  return {
    metadata: { name: c.metadata.name, attempt: c.metadata.attempt },
    image: { image: c.image },
    command: c.command,
    args: c.args,
    working_dir: c.workingDir ?? '',
    envs: c.envs.map((e) => ({ key: e.key, value: e.value })),
    mounts: c.mounts.map((m) => ({ container_path: m.containerPath, host_path: m.hostPath, readonly: m.readonly, propagation: 'PROPAGATION_PRIVATE' })),
    labels: c.labels,
    annotations: c.annotations,
    log_path: c.logPath,
    stdin: c.stdin ?? false,
    stdin_once: c.stdinOnce ?? false,
    tty: c.tty ?? false,
    linux: {
      resources: {
        cpu_period: r.cpuPeriod ?? 0,
        cpu_quota: r.cpuQuota ?? 0,
        cpu_shares: r.cpuShares ?? 0,
        memory_limit_in_bytes: r.memoryLimitInBytes ?? 0,
        // Negative scores need CAP_SYS_RESOURCE, which root lacks on these machines.
        oom_score_adj: Math.max(0, Math.min(1000, r.oomScoreAdj ?? 0)),
      },
      security_context: {
        capabilities: s.capabilities
          ? { add_capabilities: s.capabilities.addCapabilities.map(stripCap), drop_capabilities: s.capabilities.dropCapabilities.map(stripCap) }
          : null,
        privileged: s.privileged ?? false,
        namespace_options: namespaceOptions(sandbox),
        run_as_user: s.runAsUser !== undefined ? { value: s.runAsUser } : null,
        run_as_group: s.runAsGroup !== undefined ? { value: s.runAsGroup } : null,
        readonly_rootfs: s.readonlyRootfs ?? false,
      },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// CRI messages → our types

const sandboxMeta = (m: WMeta | null): PodSandbox['metadata'] => ({
  name: m?.name ?? '',
  uid: m?.uid ?? '',
  namespace: m?.namespace ?? '',
  attempt: m?.attempt ?? 0,
});

function fromSandbox(s: WSandbox): PodSandbox {
  return {
    id: s.id,
    metadata: sandboxMeta(s.metadata),
    state: s.state,
    createdAt: nsToMs(s.created_at),
    labels: s.labels ?? {},
    annotations: s.annotations ?? {},
  };
}

function fromContainer(c: WContainer): Container {
  return {
    id: c.id,
    podSandboxId: c.pod_sandbox_id,
    metadata: { name: c.metadata?.name ?? '', attempt: c.metadata?.attempt ?? 0 },
    image: c.image?.image ?? '',
    imageRef: c.image_ref,
    state: c.state,
    createdAt: nsToMs(c.created_at),
    labels: c.labels ?? {},
    annotations: c.annotations ?? {},
  };
}

const fromImage = (i: WImage): ImageInfo => ({ id: i.id, repoTags: i.repo_tags, repoDigests: i.repo_digests, size: Number(i.size) });

// ---------------------------------------------------------------------------------------------

export interface CriTimeouts {
  /** Default deadline for a call. */
  defaultMs: number;
  runPodSandboxMs: number;
  stopPodSandboxMs: number;
  createContainerMs: number;
  pullImageMs: number;
}

export interface CriRuntimeOptions {
  timeouts?: Partial<CriTimeouts>;
  /**
   * Called before the first sandbox with a hostPort: makes the CNI config map ports (portmap).
   * Resolves true when the config changed; RunPodSandbox then waits until the runtime has loaded it.
   */
  enableHostPorts?: () => Promise<boolean>;
}

type Callback = (err: grpc.ServiceError | null, res: unknown) => void;
type UnaryMethod = (req: unknown, meta: grpc.Metadata, opts: grpc.CallOptions, cb: Callback) => grpc.ClientUnaryCall;

export class CriRuntime implements ContainerRuntime {
  readonly name = 'containerd';
  readonly socket: string;
  private readonly runtimeSvc: grpc.Client;
  private readonly imageSvc: grpc.Client;
  private readonly t: CriTimeouts;
  private readonly enableHostPorts: (() => Promise<boolean>) | undefined;
  private hostPorts: Promise<void> | undefined;
  /** Container id → its sandbox's (fixed for a container's life): ContainerStatus does not carry it. */
  private readonly sandboxOf = new Map<string, string>();

  constructor(socket: string, opts: CriRuntimeOptions = {}) {
    this.socket = socket;
    this.t = { defaultMs: 10_000, runPodSandboxMs: 120_000, stopPodSandboxMs: 60_000, createContainerMs: 60_000, pullImageMs: 300_000, ...opts.timeouts };
    this.enableHostPorts = opts.enableHostPorts;
    const v1 = (criPackage().runtime as grpc.GrpcObject).v1 as grpc.GrpcObject;
    const target = `unix://${socket}`;
    const channelOpts: grpc.ChannelOptions = {
      // containerd restarts are short: come back quickly instead of grpc's default 1 s..120 s backoff.
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 2000,
      'grpc.max_receive_message_length': 64 << 20,
    };
    const creds = grpc.credentials.createInsecure();
    const RuntimeService = v1.RuntimeService as grpc.ServiceClientConstructor;
    const ImageService = v1.ImageService as grpc.ServiceClientConstructor;
    this.runtimeSvc = new RuntimeService(target, creds, channelOpts);
    // Share one connection for both services.
    this.imageSvc = new ImageService(target, creds, { ...channelOpts, channelOverride: this.runtimeSvc.getChannel() });
  }

  private call<T>(svc: grpc.Client, method: string, req: unknown, timeoutMs = this.t.defaultMs): Promise<T> {
    const fn = (svc as unknown as Record<string, UnaryMethod>)[method];
    if (!fn) return Promise.reject(new Error(`CRI method ${method} is not in cri.proto`));
    return new Promise<T>((resolve, reject) => {
      fn.call(svc, req, new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, (err, res) => {
        if (err) {
          const code = grpc.status[err.code] ?? String(err.code);
          reject(new CriError(method, code, err.details || err.message, { cause: err }));
        } else resolve(res as T);
      });
    });
  }

  private rt<T>(method: string, req: unknown, timeoutMs?: number): Promise<T> {
    return this.call<T>(this.runtimeSvc, method, req, timeoutMs);
  }

  private img<T>(method: string, req: unknown, timeoutMs?: number): Promise<T> {
    return this.call<T>(this.imageSvc, method, req, timeoutMs);
  }

  async version(): Promise<{ runtimeName: string; runtimeVersion: string; runtimeApiVersion: string }> {
    const r = await this.rt<{ runtime_name: string; runtime_version: string; runtime_api_version: string }>('Version', { version: CRI_API_VERSION });
    return { runtimeName: r.runtime_name, runtimeVersion: r.runtime_version, runtimeApiVersion: r.runtime_api_version };
  }

  /** The runtime's conditions (RuntimeReady, NetworkReady). */
  async status(): Promise<RuntimeCondition[]> {
    const r = await this.rt<{ status: { conditions: RuntimeCondition[] } | null }>('Status', { verbose: false });
    return r.status?.conditions ?? [];
  }

  /** Polls Status until RuntimeReady and NetworkReady are true (or the deadline passes). */
  async waitReady(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer';
    for (;;) {
      try {
        const conds = await this.rt<{ status: { conditions: RuntimeCondition[] } | null }>('Status', { verbose: false }, Math.max(500, Math.min(2000, deadline - Date.now())));
        const notReady = (conds.status?.conditions ?? []).filter((c) => !c.status);
        if (conds.status && notReady.length === 0) return;
        last = notReady.map((c) => `${c.type}: ${c.reason} ${c.message}`).join('; ') || 'no conditions';
      } catch (err) {
        last = (err as Error).message;
      }
      if (Date.now() > deadline) throw new Error(`CRI runtime at ${this.socket} not ready after ${timeoutMs} ms: ${last}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  // -- sandboxes

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    if (this.enableHostPorts && config.portMappings.some((p) => p.hostPort > 0)) {
      this.hostPorts ??= this.loadHostPorts(this.enableHostPorts).catch((err: unknown) => {
        this.hostPorts = undefined;
        throw err;
      });
      await this.hostPorts;
    }
    const r = await this.rt<{ pod_sandbox_id: string }>('RunPodSandbox', { config: toCriSandboxConfig(config), runtime_handler: '' }, this.t.runPodSandboxMs);
    return r.pod_sandbox_id;
  }

  /** containerd reloads a changed CNI config asynchronously: wait until Status shows portmap in it. */
  private async loadHostPorts(enable: () => Promise<boolean>): Promise<void> {
    if (!(await enable())) return;
    const deadline = Date.now() + 10_000;
    for (;;) {
      const r = await this.rt<{ info: Record<string, string> }>('Status', { verbose: true });
      if ((r.info?.cniconfig ?? '').includes('"portmap"')) return;
      if (Date.now() > deadline) throw new CriError('RunPodSandbox', 'UNAVAILABLE', 'the CNI config with portmap (for hostPorts) was not loaded within 10 s');
      await new Promise((res) => setTimeout(res, 50));
    }
  }

  async stopPodSandbox(id: string): Promise<void> {
    try {
      await this.rt('StopPodSandbox', { pod_sandbox_id: id }, this.t.stopPodSandboxMs);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async removePodSandbox(id: string): Promise<void> {
    try {
      await this.rt('RemovePodSandbox', { pod_sandbox_id: id }, this.t.stopPodSandboxMs);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async podSandboxStatus(id: string): Promise<PodSandboxStatus | null> {
    let r: { status: WSandboxStatus | null };
    try {
      r = await this.rt('PodSandboxStatus', { pod_sandbox_id: id, verbose: false });
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
    if (!r.status) return null;
    const s = r.status;
    return {
      ...fromSandbox(s),
      ip: s.network?.ip ?? '',
      additionalIps: (s.network?.additional_ips ?? []).map((a) => a.ip),
    };
  }

  async listPodSandboxes(filter?: { state?: SandboxState; labels?: Record<string, string> }): Promise<PodSandbox[]> {
    const f = filter ? { state: filter.state ? { state: filter.state } : null, label_selector: filter.labels ?? {} } : null;
    const r = await this.rt<{ items: WSandbox[] }>('ListPodSandbox', { filter: f });
    return r.items.map(fromSandbox);
  }

  // -- containers

  async createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string> {
    const r = await this.rt<{ container_id: string }>(
      'CreateContainer',
      { pod_sandbox_id: podSandboxId, config: toCriContainerConfig(config, sandboxConfig), sandbox_config: toCriSandboxConfig(sandboxConfig) },
      this.t.createContainerMs,
    );
    this.sandboxOf.set(r.container_id, podSandboxId);
    return r.container_id;
  }

  async startContainer(id: string): Promise<void> {
    await this.rt('StartContainer', { container_id: id }, this.t.createContainerMs);
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    const t = Math.max(0, Math.floor(timeoutSeconds));
    try {
      await this.rt('StopContainer', { container_id: id, timeout: t }, t * 1000 + this.t.defaultMs);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async removeContainer(id: string): Promise<void> {
    try {
      await this.rt('RemoveContainer', { container_id: id });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    this.sandboxOf.delete(id);
  }

  async listContainers(filter?: { podSandboxId?: string; state?: ContainerState; labels?: Record<string, string> }): Promise<Container[]> {
    const f = filter
      ? { pod_sandbox_id: filter.podSandboxId ?? '', state: filter.state ? { state: filter.state } : null, label_selector: filter.labels ?? {} }
      : null;
    const r = await this.rt<{ containers: WContainer[] }>('ListContainers', { filter: f });
    // Containers removed behind our back would stay in the map: start afresh when it grows large.
    if (this.sandboxOf.size > 20_000) this.sandboxOf.clear();
    for (const c of r.containers) this.sandboxOf.set(c.id, c.pod_sandbox_id);
    return r.containers.map(fromContainer);
  }

  async containerStatus(id: string): Promise<ContainerStatus | null> {
    let r: { status: WContainerStatus | null };
    try {
      r = await this.rt('ContainerStatus', { container_id: id, verbose: false });
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
    const s = r.status;
    if (!s) return null;
    // ContainerStatus carries no sandbox id; ListContainers does (asked once per container).
    let sandboxId = this.sandboxOf.get(id);
    if (sandboxId === undefined) {
      const listed = await this.rt<{ containers: WContainer[] }>('ListContainers', { filter: { id } });
      sandboxId = listed.containers[0]?.pod_sandbox_id ?? '';
      if (sandboxId) this.sandboxOf.set(id, sandboxId);
    }
    return {
      ...fromContainer({ ...s, pod_sandbox_id: sandboxId }),
      startedAt: nsToMs(s.started_at),
      finishedAt: nsToMs(s.finished_at),
      exitCode: s.exit_code,
      reason: s.reason,
      message: s.message,
      logPath: s.log_path,
    };
  }

  // -- exec & streaming

  async execSync(id: string, cmd: string[], timeoutSeconds: number): Promise<ExecSyncResult> {
    const t = Math.max(0, Math.floor(timeoutSeconds));
    // The runtime's own timeout does not cover children that keep stdout open: our deadline does.
    const deadlineMs = (t || 60) * 1000 + 5000;
    const r = await this.rt<{ stdout: Buffer; stderr: Buffer; exit_code: number }>('ExecSync', { container_id: id, cmd, timeout: t }, deadlineMs);
    return { stdout: Buffer.from(r.stdout ?? []), stderr: Buffer.from(r.stderr ?? []), exitCode: r.exit_code };
  }

  async exec(req: StreamingRequest & { cmd: string[] }): Promise<string> {
    const r = await this.rt<{ url: string }>('Exec', {
      container_id: req.containerId,
      cmd: req.cmd,
      tty: req.tty,
      stdin: req.stdin,
      stdout: req.stdout,
      // With a tty, stderr is merged into stdout; CRI rejects asking for both.
      stderr: req.tty ? false : req.stderr,
    });
    return r.url;
  }

  async attach(req: StreamingRequest): Promise<string> {
    const r = await this.rt<{ url: string }>('Attach', {
      container_id: req.containerId,
      stdin: req.stdin,
      tty: req.tty,
      stdout: req.stdout,
      stderr: req.tty ? false : req.stderr,
    });
    return r.url;
  }

  async portForward(podSandboxId: string, ports: number[]): Promise<string> {
    const r = await this.rt<{ url: string }>('PortForward', { pod_sandbox_id: podSandboxId, port: ports });
    return r.url;
  }

  // -- images

  async pullImage(image: string): Promise<string> {
    const r = await this.img<{ image_ref: string }>('PullImage', { image: { image }, auth: null, sandbox_config: null }, this.t.pullImageMs);
    return r.image_ref;
  }

  async imageStatus(image: string): Promise<ImageInfo | null> {
    try {
      const r = await this.img<{ image: WImage | null }>('ImageStatus', { image: { image }, verbose: false });
      return r.image && r.image.id ? fromImage(r.image) : null;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async listImages(): Promise<ImageInfo[]> {
    const r = await this.img<{ images: WImage[] }>('ListImages', { filter: null });
    return r.images.map(fromImage);
  }

  async removeImage(image: string): Promise<void> {
    try {
      await this.img('RemoveImage', { image: { image } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async close(): Promise<void> {
    this.imageSvc.close();
    this.runtimeSvc.close();
  }
}
