// Test support: a throwaway containerd with the offline images, and a cleanup that leaves nothing
// behind (pods, shims, mounts, the CNI bridge, the data dir) even when a test failed half-way.
// Each instance gets its own bridge and /24 so parallel suites do not collide.

import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildImageTars } from '../images/build.js';
import type { CriRuntime } from './client.js';
import type { ContainerdHandle } from './containerd.js';
import { startContainerdRuntime } from './index.js';
import { removeMasquerade } from '../masquerade.js';

const run = promisify(execFile);

function onPath(bin: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Why a real-containerd test cannot run here, or undefined when it can. */
export function containerdSkipReason(): string | undefined {
  if (process.platform !== 'linux') return 'containerd tests need Linux';
  if (process.getuid?.() !== 0) return 'containerd tests need root';
  for (const bin of ['containerd', 'ctr', 'runc', 'containerd-shim-runc-v2', 'umoci']) {
    if (!onPath(bin)) return `${bin} is not installed (apt-get install containerd runc containernetworking-plugins busybox-static umoci)`;
  }
  if (!existsSync('/usr/lib/cni/bridge')) return 'CNI plugins are not installed (apt-get install containernetworking-plugins)';
  if (!existsSync('/bin/busybox')) return 'busybox-static is not installed';
  return undefined;
}

export interface TestContainerd {
  dataDir: string;
  podCidr: string;
  bridge: string;
  containerd: ContainerdHandle;
  runtime: CriRuntime;
  /** Image names imported at start. */
  imported: string[];
  /** Removes every pod, stops containerd, kills stray shims, unmounts, deletes the bridge and the dir. */
  cleanup(): Promise<void>;
}

export async function startTestContainerd(): Promise<TestContainerd> {
  // Short paths: the socket must fit in a unix socket address.
  const dataDir = await mkdtemp(join(tmpdir(), 'k8ts-cd-'));
  const tag = Math.random().toString(16).slice(2, 8);
  const bridge = `k8tst${tag}`;
  const podCidr = `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 256)}.0/24`;
  const partial: { dataDir: string; bridge: string; podCidr: string; containerd?: ContainerdHandle; runtime?: CriRuntime } = { dataDir, bridge, podCidr };
  let imported: string[];
  try {
    const imagesDir = join(dataDir, 'agent', 'images');
    // Only busybox is offered: the pause image must be built and imported by importImages itself.
    const tars = await buildImageTars(imagesDir);
    await rm(tars.pause);
    const started = await startContainerdRuntime({ dataDir, podCidr, bridge, imagesDir });
    partial.containerd = started.containerd;
    partial.runtime = started.runtime;
    imported = started.imported;
  } catch (err) {
    await cleanupContainerd(partial);
    throw err;
  }
  // cleanup() reads the fields when it runs: a test may swap in a restarted containerd.
  const t: TestContainerd = {
    dataDir,
    podCidr,
    bridge,
    containerd: partial.containerd,
    runtime: partial.runtime,
    imported,
    cleanup: () => cleanupContainerd(t),
  };
  return t;
}

async function shimPids(socket: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmd = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    const argv = cmd.split('\0');
    const i = argv.indexOf('-address');
    if (argv[0]?.includes('containerd-shim') && i >= 0 && argv[i + 1] === socket) pids.push(Number(entry));
  }
  return pids;
}

export async function cleanupContainerd(t: {
  dataDir: string;
  bridge?: string;
  podCidr?: string;
  containerd?: ContainerdHandle;
  runtime?: CriRuntime;
}): Promise<void> {
  const socket = t.containerd?.socket ?? join(t.dataDir, 'agent', 'containerd', 'containerd.sock');
  if (t.runtime && t.containerd?.pid()) {
    try {
      for (const s of await t.runtime.listPodSandboxes()) {
        await t.runtime.stopPodSandbox(s.id).catch(() => {});
        await t.runtime.removePodSandbox(s.id).catch(() => {});
      }
    } catch {
      // containerd is gone: the shims are handled below.
    }
  }
  await t.runtime?.close();
  await t.containerd?.stop();
  // Shims of pods we could not remove through CRI: their containers die with them.
  for (const pid of await shimPids(socket)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  // Mounts under the data dir (rootfs overlays, netns bind mounts), deepest first.
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  const mounts = mountinfo
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((m) => m === t.dataDir || m.startsWith(t.dataDir + '/'))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) await run('umount', ['-l', m]).catch(() => {});
  if (t.bridge) await run('ip', ['link', 'del', t.bridge]).catch(() => {});
  if (t.bridge && t.podCidr) await removeMasquerade(t.podCidr, t.bridge).catch(() => {});
  await rm(t.dataDir, { recursive: true, force: true }).catch(() => {});
}
