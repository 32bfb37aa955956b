// The container runtime contract the kubelet speaks: CRI v1, shaped as TypeScript. Implementations:
// cri/ (containerd over CRI gRPC — the normal path), process/ (host processes), simulated/.
// Times are milliseconds since the epoch; ids are the runtime's.

export interface KeyValue {
  key: string;
  value: string;
}

export interface PortMapping {
  protocol: 'TCP' | 'UDP' | 'SCTP';
  containerPort: number;
  hostPort: number;
  hostIp?: string;
}

export interface PodSandboxConfig {
  metadata: { name: string; uid: string; namespace: string; attempt: number };
  hostname?: string;
  /** Directory holding this pod's container logs (`<logDirectory>/<container>/<n>.log`). */
  logDirectory: string;
  dnsConfig?: { servers: string[]; searches: string[]; options: string[] };
  portMappings: PortMapping[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  linux?: {
    cgroupParent?: string;
    /** NODE for hostNetwork/hostPID/hostIPC pods, POD otherwise. */
    namespaceOptions?: { network?: 'POD' | 'NODE'; pid?: 'POD' | 'CONTAINER' | 'NODE'; ipc?: 'POD' | 'NODE' };
    privileged?: boolean;
  };
}

export interface Mount {
  containerPath: string;
  hostPath: string;
  readonly: boolean;
}

export interface ContainerConfig {
  metadata: { name: string; attempt: number };
  image: string;
  command: string[];
  args: string[];
  workingDir?: string;
  envs: KeyValue[];
  mounts: Mount[];
  /** Relative to the sandbox's logDirectory. */
  logPath: string;
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  linux?: {
    resources?: { cpuShares?: number; cpuQuota?: number; cpuPeriod?: number; memoryLimitInBytes?: number; oomScoreAdj?: number };
    securityContext?: {
      runAsUser?: number;
      runAsGroup?: number;
      readonlyRootfs?: boolean;
      privileged?: boolean;
      capabilities?: { addCapabilities: string[]; dropCapabilities: string[] };
    };
  };
}

export type SandboxState = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';
export type ContainerState = 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';

export interface PodSandbox {
  id: string;
  metadata: PodSandboxConfig['metadata'];
  state: SandboxState;
  createdAt: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface PodSandboxStatus extends PodSandbox {
  /** The pod IP (empty for host-network pods). */
  ip: string;
  additionalIps: string[];
}

export interface Container {
  id: string;
  podSandboxId: string;
  metadata: ContainerConfig['metadata'];
  image: string;
  imageRef: string;
  state: ContainerState;
  createdAt: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface ContainerStatus extends Container {
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  /** e.g. "OOMKilled", "Completed", "Error". */
  reason: string;
  message: string;
  /** Absolute path of the CRI-format log file. */
  logPath: string;
}

export interface ImageInfo {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: number;
}

export interface ExecSyncResult {
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number;
}

/** Streaming calls answer with a URL on the runtime's streaming server, as CRI does. */
export interface StreamingRequest {
  containerId: string;
  cmd?: string[];
  tty: boolean;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
}

export interface ContainerRuntime {
  readonly name: string;
  version(): Promise<{ runtimeName: string; runtimeVersion: string; runtimeApiVersion: string }>;

  runPodSandbox(config: PodSandboxConfig): Promise<string>;
  stopPodSandbox(id: string): Promise<void>;
  removePodSandbox(id: string): Promise<void>;
  podSandboxStatus(id: string): Promise<PodSandboxStatus | null>;
  listPodSandboxes(filter?: { state?: SandboxState; labels?: Record<string, string> }): Promise<PodSandbox[]>;

  createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** SIGTERM, then SIGKILL after timeoutSeconds. */
  stopContainer(id: string, timeoutSeconds: number): Promise<void>;
  removeContainer(id: string): Promise<void>;
  listContainers(filter?: { podSandboxId?: string; state?: ContainerState; labels?: Record<string, string> }): Promise<Container[]>;
  containerStatus(id: string): Promise<ContainerStatus | null>;

  execSync(id: string, cmd: string[], timeoutSeconds: number): Promise<ExecSyncResult>;
  /** A URL on the runtime's streaming server for exec/attach/port-forward (CRI semantics). */
  exec(req: StreamingRequest & { cmd: string[] }): Promise<string>;
  attach(req: StreamingRequest): Promise<string>;
  portForward(podSandboxId: string, ports: number[]): Promise<string>;

  pullImage(image: string): Promise<string>;
  imageStatus(image: string): Promise<ImageInfo | null>;
  listImages(): Promise<ImageInfo[]>;
  removeImage(image: string): Promise<void>;

  close(): Promise<void>;
}
