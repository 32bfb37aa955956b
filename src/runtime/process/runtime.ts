// ProcessRuntime: the CRI-shaped ContainerRuntime without containerd. As root, a sandbox is a network
// namespace wired by the CNI plugins (plus pod-shared UTS and IPC namespaces) and a container is a
// process tree started by `nsenter` into those and `unshare` into fresh pid/mount namespaces, chrooted
// into an overlay rootfs and confined by cgroup v1 limits. Each container is supervised by a detached
// shim (shim.ts), so containers outlive the kubelet; all state is JSON under <dataDir>/agent/process/
// and a new ProcessRuntime on the same dataDir adopts what is running. Without root (or without cgroup
// v1) containers are plain host processes; README.md lists what isolation is lost.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
import { Cgroup, cgroupV1Available } from './cgroups.js';
import { ImageStore, type StoredImage } from './images.js';
import { type CniResult, PodNetwork, netnsPath } from './network.js';
import { bindMount, layoutOf, mountRootfs, removeTree, unmountAll } from './rootfs.js';
import type { ShimExit, ShimSpec, ShimStarted } from './shim.js';
import { StreamingServer } from './streaming.js';
import { NotFoundError, NotImplementedError, ProcessRuntimeError, childrenOf, isAlive, readJson, run, sleep, writeJson } from './util.js';

export interface ProcessRuntimeOptions {
  /** The k8ts data dir; state goes to <dataDir>/agent/process, image tars are read from <dataDir>/agent/images. */
  dataDir: string;
  /** CNI bridge device (default k8ts0). */
  bridge?: string;
  /** Pod subnet (default 10.42.0.0/24). */
  podCidr?: string;
  cniBinDir?: string;
  /** CNI network name (default k8ts). */
  networkName?: string;
  /** First path component of every cgroup this runtime makes (default k8ts). */
  cgroupRoot?: string;
  /** Prefix of netns names (default k8ts-). */
  netnsPrefix?: string;
  /** pids.max for every container (default: unlimited). */
  pidsMax?: number;
  /** 'auto' (default): isolate when root with cgroup v1; 'none': plain host processes. */
  isolation?: 'auto' | 'none';
  /** Static busybox used to build busybox/pause images when no image tar provides them. */
  busybox?: string;
}

interface SandboxRecord {
  id: string;
  config: PodSandboxConfig;
  createdAt: number;
  state: SandboxState;
  ip: string;
  hostNetwork: boolean;
  netns: string | null;
  cniResult?: CniResult;
  utsNs: string | null;
  ipcNs: string | null;
  dir: string;
}

interface ContainerRecord {
  id: string;
  sandboxId: string;
  config: ContainerConfig;
  image: string;
  imageRef: string;
  createdAt: number;
  dir: string;
  logPath: string;
  isolated: boolean;
  cgroup: string | null;
  argv: string[];
  env: Record<string, string>;
  uid?: number;
  gid?: number;
  /** Host working directory (unisolated mode only). */
  cwd?: string;
}

interface StateFile {
  version: 1;
  sandboxes: SandboxRecord[];
  containers: ContainerRecord[];
}

interface Live {
  state: ContainerState;
  started: ShimStarted | null;
  exit: ShimExit | null;
}

const newId = (): string => randomBytes(32).toString('hex');
const NSENTER = '/usr/bin/nsenter';
const UNSHARE = '/usr/bin/unshare';

function matchLabels(have: Record<string, string>, want?: Record<string, string>): boolean {
  return !want || Object.entries(want).every(([k, v]) => have[k] === v);
}

/**
 * How to start the shim: the compiled shim.js next to this file, or — when running from TypeScript
 * source — shim.ts transpiled once with esbuild (tsx's own dependency) into <root>/shim.mjs, since
 * starting node through the tsx loader costs most of a second per container.
 */
async function shimCommand(root: string): Promise<string[]> {
  const here = fileURLToPath(import.meta.url);
  const ext = extname(here);
  const shim = join(dirname(here), `shim${ext}`);
  if (ext !== '.ts') return [process.execPath, shim];
  const out = join(root, 'shim.mjs');
  const source = await readFile(shim, 'utf8');
  const esbuild = await import('esbuild');
  const { code } = await esbuild.transform(source, { loader: 'ts', format: 'esm', target: 'node20' });
  const current = await readFile(out, 'utf8').catch(() => '');
  if (current !== code) {
    await mkdir(root, { recursive: true });
    await writeFile(`${out}.tmp-${process.pid}`, code);
    await rename(`${out}.tmp-${process.pid}`, out);
  }
  return [process.execPath, out];
}

export class ProcessRuntime implements ContainerRuntime {
  readonly name = 'process';
  readonly root: string;
  readonly isolated: boolean;
  readonly images: ImageStore;
  private readonly network: PodNetwork;
  private readonly statePath: string;
  private readonly cgroupRoot: string;
  private readonly netnsPrefix: string;
  private sandboxes = new Map<string, SandboxRecord>();
  private containers = new Map<string, ContainerRecord>();
  private loaded: Promise<void> | null = null;
  private saving: Promise<void> = Promise.resolve();
  private streaming: StreamingServer | null = null;
  private shim: Promise<string[]> | null = null;

  constructor(readonly opts: ProcessRuntimeOptions) {
    this.root = join(opts.dataDir, 'agent', 'process');
    this.statePath = join(this.root, 'state.json');
    this.cgroupRoot = opts.cgroupRoot ?? 'k8ts';
    this.netnsPrefix = opts.netnsPrefix ?? 'k8ts-';
    this.isolated = opts.isolation !== 'none' && process.getuid?.() === 0 && cgroupV1Available();
    this.images = new ImageStore({
      root: join(this.root, 'images'),
      importDir: join(opts.dataDir, 'agent', 'images'),
      ...(opts.busybox ? { busybox: opts.busybox } : {}),
    });
    this.network = new PodNetwork({
      bridge: opts.bridge ?? 'k8ts0',
      subnet: opts.podCidr ?? '10.42.0.0/24',
      cniBinDir: opts.cniBinDir ?? '/usr/lib/cni',
      ipamDir: join(this.root, 'cni', 'ipam'),
      name: opts.networkName ?? 'k8ts',
    });
  }

  // ---- state ----

  private load(): Promise<void> {
    this.loaded ??= (async () => {
      const s = await readJson<StateFile>(this.statePath);
      for (const sb of s?.sandboxes ?? []) this.sandboxes.set(sb.id, sb);
      for (const c of s?.containers ?? []) this.containers.set(c.id, c);
    })();
    return this.loaded;
  }

  private save(): Promise<void> {
    const snapshot: StateFile = { version: 1, sandboxes: [...this.sandboxes.values()], containers: [...this.containers.values()] };
    this.saving = this.saving.catch(() => {}).then(() => writeJson(this.statePath, snapshot));
    return this.saving;
  }

  private async sandbox(id: string): Promise<SandboxRecord> {
    await this.load();
    const sb = this.sandboxes.get(id);
    if (!sb) throw new NotFoundError(`pod sandbox ${id} not found`);
    return sb;
  }

  private async container(id: string): Promise<ContainerRecord> {
    await this.load();
    const c = this.containers.get(id);
    if (!c) throw new NotFoundError(`container ${id} not found`);
    return c;
  }

  private async live(c: ContainerRecord): Promise<Live> {
    const started = await readJson<ShimStarted>(join(c.dir, 'started.json'));
    const exit = await readJson<ShimExit>(join(c.dir, 'exit.json'));
    if (exit) return { state: 'CONTAINER_EXITED', started, exit };
    if (!started) return { state: 'CONTAINER_CREATED', started, exit };
    // The shim alive means the container is running or its exit is being recorded right now.
    if (isAlive(started.pid, started.startTime ?? undefined) || isAlive(started.shimPid)) return { state: 'CONTAINER_RUNNING', started, exit };
    // Both gone without a record (the shim was killed): the exit code is lost.
    return { state: 'CONTAINER_EXITED', started, exit: { exitCode: 255, signal: null, oomKilled: false, finishedAt: Date.now(), error: 'supervisor lost' } };
  }

  // ---- runtime ----

  async version(): Promise<{ runtimeName: string; runtimeVersion: string; runtimeApiVersion: string }> {
    return { runtimeName: 'k8ts-process', runtimeVersion: '0.1.0', runtimeApiVersion: 'v1' };
  }

  // ---- sandboxes ----

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    await this.load();
    const id = newId();
    const dir = join(this.root, 'sandboxes', id);
    await mkdir(dir, { recursive: true });
    const hostNetwork = config.linux?.namespaceOptions?.network === 'NODE';
    const rec: SandboxRecord = { id, config, createdAt: Date.now(), state: 'SANDBOX_READY', ip: '', hostNetwork, netns: null, utsNs: null, ipcNs: null, dir };
    const hostname = (hostNetwork ? (await readFile('/etc/hostname', 'utf8').catch(() => 'localhost')).trim() : config.hostname || config.metadata.name).slice(0, 63);
    try {
      if (this.isolated) {
        const nsArgs: string[] = [];
        if (!hostNetwork) {
          rec.utsNs = join(dir, 'ns-uts');
          nsArgs.push(`--uts=${rec.utsNs}`);
        }
        if (config.linux?.namespaceOptions?.ipc !== 'NODE') {
          rec.ipcNs = join(dir, 'ns-ipc');
          nsArgs.push(`--ipc=${rec.ipcNs}`);
        }
        for (const f of [rec.utsNs, rec.ipcNs]) if (f) await writeFile(f, '');
        if (nsArgs.length) await run(UNSHARE, [...nsArgs, '--', rec.utsNs ? 'hostname' : 'true', ...(rec.utsNs ? [hostname] : [])]);
        if (!hostNetwork) {
          rec.netns = `${this.netnsPrefix}${id.slice(0, 12)}`;
          // Recorded before set-up so a crash part-way still lets remove clean up.
          this.sandboxes.set(id, rec);
          await this.save();
          const { result, ip } = await this.network.setUp(rec.netns, id, config.metadata, config.portMappings);
          rec.cniResult = result;
          rec.ip = ip;
        }
      }
      const dns = config.dnsConfig;
      const resolv = dns && (dns.servers.length || dns.searches.length)
        ? [
            ...dns.servers.map((s) => `nameserver ${s}`),
            ...(dns.searches.length ? [`search ${dns.searches.join(' ')}`] : []),
            ...(dns.options.length ? [`options ${dns.options.join(' ')}`] : []),
          ].join('\n') + '\n'
        : await readFile('/etc/resolv.conf', 'utf8').catch(() => '');
      await writeFile(join(dir, 'resolv.conf'), resolv);
      await writeFile(
        join(dir, 'hosts'),
        `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n${rec.ip ? `${rec.ip}\t${hostname}\n` : ''}`,
      );
      await writeFile(join(dir, 'hostname'), hostname + '\n');
      await mkdir(config.logDirectory, { recursive: true });
      this.sandboxes.set(id, rec);
      await this.save();
      return id;
    } catch (err) {
      await this.destroySandbox(rec).catch(() => {});
      this.sandboxes.delete(id);
      await this.save();
      throw err;
    }
  }

  async stopPodSandbox(id: string): Promise<void> {
    const sb = await this.sandbox(id);
    for (const c of this.containers.values()) if (c.sandboxId === id) await this.stopContainer(c.id, 0);
    if (sb.netns) await this.network.tearDown(sb.netns, id, sb.config.metadata, sb.cniResult, sb.config.portMappings);
    sb.state = 'SANDBOX_NOTREADY';
    await this.save();
  }

  async removePodSandbox(id: string): Promise<void> {
    await this.load();
    const sb = this.sandboxes.get(id);
    if (!sb) return;
    for (const c of [...this.containers.values()]) if (c.sandboxId === id) await this.removeContainer(c.id);
    await this.destroySandbox(sb);
    this.sandboxes.delete(id);
    await this.save();
  }

  /** Undoes everything runPodSandbox may have done; idempotent. */
  private async destroySandbox(sb: SandboxRecord): Promise<void> {
    if (sb.netns && existsSync(netnsPath(sb.netns))) {
      await this.network.tearDown(sb.netns, sb.id, sb.config.metadata, sb.cniResult, sb.config.portMappings);
    }
    if (this.isolated) {
      const pod = new Cgroup(`${this.cgroupRoot}/${sb.id}`);
      if (pod.exists()) await pod.remove();
    }
    await removeTree(sb.dir);
  }

  async podSandboxStatus(id: string): Promise<PodSandboxStatus | null> {
    await this.load();
    const sb = this.sandboxes.get(id);
    if (!sb) return null;
    return { ...this.sandboxView(sb), ip: sb.state === 'SANDBOX_READY' ? sb.ip : '', additionalIps: [] };
  }

  private sandboxView(sb: SandboxRecord): PodSandbox {
    return { id: sb.id, metadata: sb.config.metadata, state: sb.state, createdAt: sb.createdAt, labels: sb.config.labels, annotations: sb.config.annotations };
  }

  async listPodSandboxes(filter?: { state?: SandboxState; labels?: Record<string, string> }): Promise<PodSandbox[]> {
    await this.load();
    return [...this.sandboxes.values()]
      .filter((sb) => (!filter?.state || sb.state === filter.state) && matchLabels(sb.config.labels, filter?.labels))
      .map((sb) => this.sandboxView(sb));
  }

  // ---- containers ----

  async createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string> {
    const sb = await this.sandbox(podSandboxId);
    if (sb.state !== 'SANDBOX_READY') throw new ProcessRuntimeError(`pod sandbox ${podSandboxId} is not ready`);
    const image: StoredImage = await this.images.pull(config.image);
    const id = newId();
    const dir = join(this.root, 'containers', id);
    await mkdir(dir, { recursive: true });
    const logDirectory = sandboxConfig.logDirectory || sb.config.logDirectory;
    const rec: ContainerRecord = {
      id,
      sandboxId: podSandboxId,
      config,
      image: config.image,
      imageRef: image.id,
      createdAt: Date.now(),
      dir,
      logPath: join(logDirectory, config.logPath),
      isolated: this.isolated,
      cgroup: null,
      argv: [],
      env: {},
    };
    // Command line: CRI's command replaces the entrypoint, args replace the image's cmd.
    const cmd = config.command.length ? [...config.command, ...config.args] : [...image.config.entrypoint, ...(config.args.length ? config.args : image.config.cmd)];
    if (cmd.length === 0) throw new ProcessRuntimeError(`container ${config.metadata.name}: no command and image ${config.image} has none`);
    const env: Record<string, string> = {};
    for (const kv of image.config.env) {
      const eq = kv.indexOf('=');
      if (eq > 0) env[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
    for (const { key, value } of config.envs) env[key] = value;
    env.PATH ??= '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
    env.HOSTNAME ??= (await readFile(join(sb.dir, 'hostname'), 'utf8').catch(() => '')).trim();
    rec.env = env;
    const sec = config.linux?.securityContext;
    const [imgUser, imgGroup] = image.config.user.split(':');
    const uid = sec?.runAsUser ?? (imgUser && /^\d+$/.test(imgUser) ? Number(imgUser) : undefined);
    const gid = sec?.runAsGroup ?? (imgGroup && /^\d+$/.test(imgGroup) ? Number(imgGroup) : uid !== undefined ? 0 : undefined);
    if (uid !== undefined) rec.uid = uid;
    if (gid !== undefined) rec.gid = gid;
    const workingDir = config.workingDir || image.config.workingDir || '/';

    this.containers.set(id, rec);
    await this.save();
    try {
      if (this.isolated) {
        const layout = layoutOf(dir);
        await mountRootfs(image.rootfs, layout);
        for (const f of ['hosts', 'resolv.conf', 'hostname']) {
          if (!config.mounts.some((m) => m.containerPath === `/etc/${f}`)) await bindMount(layout.merged, { hostPath: join(sb.dir, f), containerPath: `/etc/${f}`, readonly: false });
        }
        const mounts = [...config.mounts].sort((a, b) => a.containerPath.split('/').length - b.containerPath.split('/').length);
        for (const m of mounts) await bindMount(layout.merged, m);
        if (sec?.readonlyRootfs) await run('mount', ['-o', 'remount,ro', layout.merged]);
        const cg = new Cgroup(`${this.cgroupRoot}/${sb.id}/${id}`);
        const res = config.linux?.resources;
        await cg.create({
          ...(res?.memoryLimitInBytes ? { memoryLimitInBytes: res.memoryLimitInBytes } : {}),
          ...(res?.cpuShares ? { cpuShares: res.cpuShares } : {}),
          ...(res?.cpuQuota ? { cpuQuota: res.cpuQuota } : {}),
          ...(res?.cpuPeriod ? { cpuPeriod: res.cpuPeriod } : {}),
          ...(this.opts.pidsMax ? { pidsMax: this.opts.pidsMax } : {}),
        });
        rec.cgroup = cg.relPath;
        const joinCgroup = cg.procsFiles().map((f) => `echo $$ > ${f}`).join(' && ');
        const nsenterArgs = [sb.netns ? `--net=${netnsPath(sb.netns)}` : '', sb.utsNs ? `--uts=${sb.utsNs}` : '', sb.ipcNs ? `--ipc=${sb.ipcNs}` : ''].filter(Boolean);
        rec.argv = [
          '/bin/sh', '-c', `${joinCgroup} && exec "$@"`, 'k8ts-init',
          ...(nsenterArgs.length ? [NSENTER, ...nsenterArgs, '--'] : []),
          UNSHARE, '--pid', '--fork', '--kill-child', '--mount', '--mount-proc',
          ...(sb.utsNs ? [] : ['--uts']), ...(sb.ipcNs ? [] : ['--ipc']),
          `--root=${layout.merged}`, `--wd=${workingDir}`,
          ...(uid !== undefined ? ['--setuid', String(uid)] : []),
          ...(gid !== undefined ? ['--setgid', String(gid)] : []),
          '--', ...cmd,
        ];
      } else {
        // No isolation: the image's files are not used as a root; the command runs on the host.
        rec.cwd = config.workingDir && existsSync(config.workingDir) ? config.workingDir : dir;
        rec.argv = [...cmd];
      }
      await this.save();
      return id;
    } catch (err) {
      await this.removeContainer(id).catch(() => {});
      throw err;
    }
  }

  async startContainer(id: string): Promise<void> {
    const c = await this.container(id);
    const live = await this.live(c);
    if (live.state !== 'CONTAINER_CREATED') throw new ProcessRuntimeError(`container ${id} is ${live.state}, not CONTAINER_CREATED`);
    const cg = c.cgroup ? new Cgroup(c.cgroup) : null;
    let argv = c.argv;
    if (!c.isolated) argv = ['/bin/sh', '-c', `cd "$1" && shift && exec "$@"`, 'k8ts-init', c.cwd ?? c.dir, ...argv];
    const spec: ShimSpec = { argv, env: c.env, logPath: c.logPath, memoryCgroup: cg ? cg.dir('memory') : '', pidsCgroup: cg ? cg.dir('pids') : '' };
    await writeJson(join(c.dir, 'spec.json'), spec);
    this.shim ??= shimCommand(this.root);
    const [bin, ...args] = await this.shim;
    const shim = spawn(bin!, [...args, c.dir], { detached: true, stdio: 'ignore', cwd: c.dir });
    shim.unref();
    // Wait for the shim to report the container started (or failed to).
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const l = await this.live(c);
      if (l.exit?.error) throw new ProcessRuntimeError(`container ${id} failed to start: ${l.exit.error}`);
      if (l.state !== 'CONTAINER_CREATED') return;
      if (shim.exitCode !== null) throw new ProcessRuntimeError(`container ${id}: supervisor exited ${shim.exitCode} before starting it`);
      await sleep(5);
    }
    throw new ProcessRuntimeError(`container ${id} did not start within 15 s`);
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    const c = await this.container(id);
    let l = await this.live(c);
    if (l.state !== 'CONTAINER_RUNNING' || !l.started) return;
    const pid = l.started.pid;
    const signal = (sig: NodeJS.Signals): void => {
      try {
        process.kill(-pid, sig);
      } catch {
        /* gone */
      }
    };
    const waitExit = async (ms: number): Promise<boolean> => {
      const end = Date.now() + ms;
      for (;;) {
        l = await this.live(c);
        if (l.state === 'CONTAINER_EXITED') return true;
        if (Date.now() >= end) return false;
        await sleep(20);
      }
    };
    if (timeoutSeconds > 0) {
      // SIGTERM goes to the container's PID 1 only: `unshare` blocks it, and a pending SIGTERM would
      // be re-raised over the real exit status when it unblocks.
      const init = c.isolated ? await this.initPid(pid, 1000) : undefined;
      if (init) {
        try {
          process.kill(init, 'SIGTERM');
        } catch {
          /* gone */
        }
      } else signal('SIGTERM');
      if (await waitExit(timeoutSeconds * 1000)) return;
    }
    // PID 1 of a pid namespace ignores signals it has no handler for, so escalate to the whole group
    // and anything else left in the container's cgroup.
    signal('SIGKILL');
    if (c.cgroup) await new Cgroup(c.cgroup).killAll();
    if (await waitExit(5000)) return;
    throw new ProcessRuntimeError(`container ${id} did not exit after SIGKILL`);
  }

  async removeContainer(id: string): Promise<void> {
    await this.load();
    const c = this.containers.get(id);
    if (!c) return;
    const l = await this.live(c);
    if (l.state === 'CONTAINER_RUNNING') await this.stopContainer(id, 0);
    if (c.cgroup) {
      const cg = new Cgroup(c.cgroup);
      if (cg.exists()) await cg.remove();
    }
    await unmountAll(c.dir);
    await rm(c.dir, { recursive: true, force: true });
    this.containers.delete(id);
    await this.save();
  }

  private containerView(c: ContainerRecord, l: Live): Container {
    return {
      id: c.id,
      podSandboxId: c.sandboxId,
      metadata: c.config.metadata,
      image: c.image,
      imageRef: c.imageRef,
      state: l.state,
      createdAt: c.createdAt,
      labels: c.config.labels,
      annotations: c.config.annotations,
    };
  }

  async listContainers(filter?: { podSandboxId?: string; state?: ContainerState; labels?: Record<string, string> }): Promise<Container[]> {
    await this.load();
    const out: Container[] = [];
    for (const c of this.containers.values()) {
      if (filter?.podSandboxId && c.sandboxId !== filter.podSandboxId) continue;
      if (!matchLabels(c.config.labels, filter?.labels)) continue;
      const l = await this.live(c);
      if (filter?.state && l.state !== filter.state) continue;
      out.push(this.containerView(c, l));
    }
    return out;
  }

  async containerStatus(id: string): Promise<ContainerStatus | null> {
    await this.load();
    const c = this.containers.get(id);
    if (!c) return null;
    const l = await this.live(c);
    let exitCode = 0;
    let reason = '';
    let message = '';
    if (l.exit) {
      if (l.exit.oomKilled) {
        exitCode = 137;
        reason = 'OOMKilled';
      } else {
        exitCode = l.exit.exitCode;
        reason = exitCode === 0 ? 'Completed' : 'Error';
      }
      if (l.exit.error) {
        reason = l.exit.error === 'supervisor lost' ? 'Unknown' : 'StartError';
        message = l.exit.error;
      }
    }
    return {
      ...this.containerView(c, l),
      startedAt: l.started?.startedAt ?? 0,
      finishedAt: l.exit?.finishedAt ?? 0,
      exitCode,
      reason,
      message,
      logPath: c.logPath,
    };
  }

  // ---- exec ----

  /** The command line that runs `cmd` inside a running container's namespaces, root and cgroup. */
  async execArgv(id: string, cmd: string[]): Promise<{ argv: string[]; env: Record<string, string>; cwd: string }> {
    const c = await this.container(id);
    const l = await this.live(c);
    if (l.state !== 'CONTAINER_RUNNING' || !l.started) throw new ProcessRuntimeError(`container ${id} is not running`);
    if (cmd.length === 0) throw new ProcessRuntimeError('exec: empty command');
    if (!c.isolated) return { argv: cmd, env: c.env, cwd: c.cwd ?? c.dir };
    // started.pid is `unshare` in the host pid namespace; its one child is the container's PID 1.
    const init = await this.initPid(l.started.pid, 2000);
    if (!init) throw new ProcessRuntimeError(`container ${id}: init process not found`);
    const joinCgroup = c.cgroup ? new Cgroup(c.cgroup).procsFiles().map((f) => `echo $$ > ${f}`).join(' && ') + ' && ' : '';
    const argv = [
      '/bin/sh', '-c', `${joinCgroup}exec "$@"`, 'k8ts-exec',
      NSENTER, '-t', String(init), '-m', '-u', '-i', '-n', '-p', '-r', '-w',
      ...(c.uid !== undefined ? ['-S', String(c.uid)] : []),
      ...(c.gid !== undefined ? ['-G', String(c.gid)] : []),
      '--', ...cmd,
    ];
    return { argv, env: c.env, cwd: '/' };
  }

  /** The container's PID 1 (host pid): the one child of `unshare`, which forks right after starting. */
  private async initPid(unsharePid: number, waitMs: number): Promise<number | undefined> {
    const end = Date.now() + waitMs;
    for (;;) {
      const init = childrenOf(unsharePid)[0];
      if (init || Date.now() >= end || !isAlive(unsharePid)) return init;
      await sleep(5);
    }
  }

  async execSync(id: string, cmd: string[], timeoutSeconds: number): Promise<ExecSyncResult> {
    const { argv, env, cwd } = await this.execArgv(id, cmd);
    const timeoutMs = (timeoutSeconds > 0 ? timeoutSeconds : 3600) * 1000;
    const wrapped = ['/bin/sh', '-c', 'cd "$1" && shift && exec "$@"', 'k8ts-exec', cwd, ...argv];
    const res = await run(wrapped[0]!, wrapped.slice(1), { env, timeoutMs, check: false });
    if (res.timedOut) throw new ProcessRuntimeError(`exec in ${id} timed out after ${timeoutSeconds} s`);
    return { stdout: res.stdout, stderr: res.stderr, exitCode: res.code };
  }

  private async streamingServer(): Promise<StreamingServer> {
    if (!this.streaming) {
      this.streaming = new StreamingServer((id, cmd) => this.execArgv(id, cmd));
      await this.streaming.listen();
    }
    return this.streaming;
  }

  async exec(req: StreamingRequest & { cmd: string[] }): Promise<string> {
    await this.execArgv(req.containerId, req.cmd); // fail now if the container is not running
    return (await this.streamingServer()).register({ kind: 'exec', ...req });
  }

  /** Not implemented: the shim owns the container's stdio and does not (yet) expose it. */
  async attach(req: StreamingRequest): Promise<string> {
    await this.container(req.containerId);
    throw new NotImplementedError('attach is not implemented by the process runtime (use logs -f and exec)');
  }

  async portForward(podSandboxId: string, ports: number[]): Promise<string> {
    const sb = await this.sandbox(podSandboxId);
    return (await this.streamingServer()).register({ kind: 'portforward', podIp: sb.hostNetwork || !sb.ip ? '127.0.0.1' : sb.ip, ports });
  }

  // ---- images ----

  async pullImage(image: string): Promise<string> {
    return (await this.images.pull(image)).id;
  }

  async imageStatus(image: string): Promise<ImageInfo | null> {
    const img = await this.images.get(image);
    return img ? ImageStore.info(img) : null;
  }

  async listImages(): Promise<ImageInfo[]> {
    return (await this.images.list()).map((i) => ImageStore.info(i));
  }

  async removeImage(image: string): Promise<void> {
    const img = await this.images.get(image);
    if (!img) return;
    await this.load();
    for (const c of this.containers.values()) {
      if (c.imageRef === img.id && c.isolated) throw new ProcessRuntimeError(`image ${image} is in use by container ${c.id}`);
    }
    await this.images.remove(image);
  }

  /** Closes the streaming server. Containers keep running (a new ProcessRuntime adopts them). */
  async close(): Promise<void> {
    await this.saving.catch(() => {});
    await this.streaming?.close();
    this.streaming = null;
  }
}
