// A container's root filesystem: the image rootfs as overlay lower layer, a per-container upper/work,
// device nodes, the pod's /etc files and the kubelet's volume dirs bind-mounted in. All mounts live in
// the host mount namespace under <containerDir>/merged and are copied into the container's private
// mount namespace when `unshare --mount` starts it.

import { existsSync, lstatSync, readlinkSync, statSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import type { Mount } from '../types.js';
import { ProcessRuntimeError, run } from './util.js';

/**
 * Resolves `path` inside `root` as the container would see it: symlinks in the rootfs are followed
 * relative to `root`, so an image's `/data -> /etc` cannot point a bind mount at the host's /etc.
 */
export function resolveInRoot(root: string, path: string): string {
  let pending = posix.normalize('/' + path).split('/').filter(Boolean);
  const done: string[] = [];
  let hops = 0;
  while (pending.length) {
    const part = pending.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      done.pop();
      continue;
    }
    const host = join(root, ...done, part);
    let isLink = false;
    try {
      isLink = lstatSync(host).isSymbolicLink();
    } catch {
      /* does not exist (yet): taken literally */
    }
    if (!isLink) {
      done.push(part);
      continue;
    }
    if (++hops > 40) throw new ProcessRuntimeError(`too many symlinks resolving ${path}`);
    const target = readlinkSync(host);
    const parts = target.split('/').filter(Boolean);
    if (target.startsWith('/')) done.length = 0;
    pending = [...parts, ...pending];
  }
  return join(root, ...done);
}

export interface RootfsLayout {
  upper: string;
  work: string;
  merged: string;
}

export function layoutOf(containerDir: string): RootfsLayout {
  return { upper: join(containerDir, 'upper'), work: join(containerDir, 'work'), merged: join(containerDir, 'merged') };
}

const DEV_NODES: [string, number, number][] = [
  ['null', 1, 3],
  ['zero', 1, 5],
  ['full', 1, 7],
  ['random', 1, 8],
  ['urandom', 1, 9],
  ['tty', 5, 0],
];

/** Mounts the overlay and populates /dev and the mount points every container needs. */
export async function mountRootfs(lower: string, l: RootfsLayout): Promise<void> {
  for (const d of [l.upper, l.work, l.merged]) await mkdir(d, { recursive: true });
  await run('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lower},upperdir=${l.upper},workdir=${l.work}`, l.merged]);
  for (const d of ['dev', 'dev/shm', 'dev/pts', 'proc', 'sys', 'tmp', 'etc']) {
    const p = resolveInRoot(l.merged, d);
    if (!existsSync(p)) await mkdir(p, { recursive: true });
  }
  const dev = resolveInRoot(l.merged, 'dev');
  const script = DEV_NODES.map(([n, maj, min]) => `[ -e ${n} ] || mknod -m 666 ${n} c ${maj} ${min}`)
    .concat(['ln -sf /proc/self/fd fd', 'ln -sf /proc/self/fd/0 stdin', 'ln -sf /proc/self/fd/1 stdout', 'ln -sf /proc/self/fd/2 stderr', 'chmod 1777 shm'])
    .join(' && ');
  await run('/bin/sh', ['-c', `cd "$1" && ${script}`, 'sh', dev]);
}

/** Bind-mounts a host file or directory at `containerPath` inside `merged` (creating the mount point). */
export async function bindMount(merged: string, m: Mount): Promise<void> {
  const target = resolveInRoot(merged, m.containerPath);
  let isDir: boolean;
  try {
    isDir = statSync(m.hostPath).isDirectory();
  } catch (err) {
    throw new ProcessRuntimeError(`mount source ${m.hostPath} for ${m.containerPath}: ${(err as Error).message}`, { cause: err });
  }
  if (isDir) {
    await mkdir(target, { recursive: true });
  } else if (!existsSync(target)) {
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, '');
  }
  await run('mount', ['--rbind', m.hostPath, target]);
  if (m.readonly) await run('mount', ['-o', 'remount,bind,ro', target]);
}

/** Mount points at or below `dir`, deepest first (from /proc/self/mountinfo). */
export async function mountsUnder(dir: string): Promise<string[]> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  const unescape = (s: string): string => s.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return info
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => !!p)
    .map(unescape)
    .filter((p) => p === dir || p.startsWith(dir + '/'))
    .sort((a, b) => b.length - a.length);
}

/** Unmounts everything under `dir` (lazily if busy) and fails rather than leave a mount behind. */
export async function unmountAll(dir: string): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const mounts = await mountsUnder(dir);
    if (mounts.length === 0) return;
    for (const m of mounts) {
      const r = await run('umount', [m], { check: false });
      if (r.code !== 0) await run('umount', ['-l', m], { check: false });
    }
  }
  const left = await mountsUnder(dir);
  if (left.length) throw new ProcessRuntimeError(`could not unmount ${left.join(', ')}`);
}

/** Removes a directory tree only once nothing is mounted inside it (never deletes through a bind mount). */
export async function removeTree(dir: string): Promise<void> {
  await unmountAll(dir);
  await rm(dir, { recursive: true, force: true });
}
