// Pod volumes on disk under `<root>/<pod uid>/volumes/<plugin>/<name>`: emptyDir (disk, or tmpfs for
// medium Memory when root), hostPath (with its type checks), and the API-backed kinds written
// atomically (and rewritten on resync so ConfigMap/Secret changes reach the files).

import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Quantity } from '../../api/strategies/quantity.js';
import type { Mount } from '../../runtime/types.js';
import type { PodContext } from '../fieldref.js';
import type { Container, ObjectSource, Pod, Volume } from '../types.js';
import { writeAtomic } from './atomic-writer.js';
import { isProjectedKind, renderVolume } from './render.js';

const run = promisify(execFile);

export class VolumeError extends Error {
  override name = 'VolumeError';
}

export function pluginDir(v: Volume): string {
  if (v.emptyDir) return 'kubernetes.io~empty-dir';
  if (v.configMap) return 'kubernetes.io~configmap';
  if (v.secret) return 'kubernetes.io~secret';
  if (v.downwardAPI) return 'kubernetes.io~downward-api';
  if (v.projected) return 'kubernetes.io~projected';
  return 'kubernetes.io~other';
}

export interface VolumeManagerOptions {
  /** `<data-dir>/agent/pods`. */
  root: string;
  source: ObjectSource;
  /** Mount tmpfs for medium Memory (default: when running as root). */
  tmpfs?: boolean;
}

function hostPathCheck(path: string, type: string): void {
  const st = (() => {
    try {
      return statSync(path);
    } catch {
      return undefined;
    }
  })();
  switch (type) {
    case 'DirectoryOrCreate':
      if (!st) mkdirSync(path, { recursive: true, mode: 0o755 });
      else if (!st.isDirectory()) throw new VolumeError(`hostPath ${path} exists and is not a directory`);
      return;
    case 'FileOrCreate':
      if (!st) {
        mkdirSync(join(path, '..'), { recursive: true });
        writeFileSync(path, '', { mode: 0o644 });
      } else if (!st.isFile()) throw new VolumeError(`hostPath ${path} exists and is not a file`);
      return;
    case 'Directory':
      if (!st?.isDirectory()) throw new VolumeError(`hostPath type check failed: ${path} is not a directory`);
      return;
    case 'File':
      if (!st?.isFile()) throw new VolumeError(`hostPath type check failed: ${path} is not a file`);
      return;
    case 'Socket':
      if (!st?.isSocket()) throw new VolumeError(`hostPath type check failed: ${path} is not a socket`);
      return;
    case 'CharDevice':
      if (!st?.isCharacterDevice()) throw new VolumeError(`hostPath type check failed: ${path} is not a character device`);
      return;
    case 'BlockDevice':
      if (!st?.isBlockDevice()) throw new VolumeError(`hostPath type check failed: ${path} is not a block device`);
      return;
    default:
      return;
  }
}

export class VolumeManager {
  private readonly tmpfs: boolean;
  private readonly mounted = new Set<string>();

  constructor(private readonly options: VolumeManagerOptions) {
    this.tmpfs = options.tmpfs ?? process.getuid?.() === 0;
  }

  podDir(uid: string): string {
    return join(this.options.root, uid);
  }

  volumePath(uid: string, v: Volume): string {
    if (v.hostPath) return v.hostPath.path;
    return join(this.podDir(uid), 'volumes', pluginDir(v), v.name);
  }

  /** Create or refresh every volume of the pod; returns volume name → host path. */
  async setUp(pod: Pod, ctx: PodContext): Promise<Map<string, string>> {
    const uid = pod.metadata?.uid ?? '';
    const out = new Map<string, string>();
    for (const v of pod.spec?.volumes ?? []) {
      const path = this.volumePath(uid, v);
      if (v.hostPath) hostPathCheck(path, v.hostPath.type ?? '');
      else if (v.emptyDir) await this.emptyDir(path, v);
      else if (isProjectedKind(v)) writeAtomic(path, await renderVolume(pod, v, ctx, this.options.source));
      else throw new VolumeError(`volume ${v.name}: unsupported volume type`);
      out.set(v.name, path);
    }
    return out;
  }

  /** Volume name → host path, without touching the disk (for pods already set up). */
  paths(pod: Pod): Map<string, string> {
    const uid = pod.metadata?.uid ?? '';
    return new Map((pod.spec?.volumes ?? []).map((v) => [v.name, this.volumePath(uid, v)]));
  }

  /** Rewrite the API-backed volumes (ConfigMap/Secret changes); errors are returned, not thrown. */
  async refresh(pod: Pod, ctx: PodContext): Promise<Error[]> {
    const uid = pod.metadata?.uid ?? '';
    const errs: Error[] = [];
    for (const v of pod.spec?.volumes ?? []) {
      if (!isProjectedKind(v)) continue;
      const path = this.volumePath(uid, v);
      if (!existsSync(path)) continue;
      try {
        writeAtomic(path, await renderVolume(pod, v, ctx, this.options.source));
      } catch (err) {
        errs.push(err as Error);
      }
    }
    return errs;
  }

  private async emptyDir(path: string, v: Volume): Promise<void> {
    const fresh = !existsSync(path);
    mkdirSync(path, { recursive: true, mode: 0o777 });
    if (fresh) await import('node:fs/promises').then((f) => f.chmod(path, 0o777));
    if (v.emptyDir?.medium === 'Memory' && this.tmpfs && !this.mounted.has(path)) {
      const opts = ['mode=0777'];
      if (v.emptyDir.sizeLimit) opts.push(`size=${Quantity.parse(String(v.emptyDir.sizeLimit)).value()}`);
      if (!(await isMountPoint(path))) await run('mount', ['-t', 'tmpfs', '-o', opts.join(','), 'tmpfs', path]);
      this.mounted.add(path);
    }
  }

  /** Bytes used by disk emptyDirs over their sizeLimit: the names of the offending volumes. */
  overLimit(pod: Pod): string[] {
    const uid = pod.metadata?.uid ?? '';
    const over: string[] = [];
    for (const v of pod.spec?.volumes ?? []) {
      if (!v.emptyDir?.sizeLimit || v.emptyDir.medium === 'Memory') continue;
      const limit = Quantity.parse(String(v.emptyDir.sizeLimit)).value();
      if (duBytes(this.volumePath(uid, v)) > limit) over.push(v.name);
    }
    return over;
  }

  /** Unmount and remove everything of the pod. */
  async tearDown(uid: string): Promise<void> {
    const dir = this.podDir(uid);
    const ed = join(dir, 'volumes', 'kubernetes.io~empty-dir');
    if (existsSync(ed)) {
      for (const name of readdirSync(ed)) {
        const p = join(ed, name);
        if (this.mounted.has(p) || (this.tmpfs && (await isMountPoint(p)))) {
          await run('umount', [p]).catch(() => undefined);
          this.mounted.delete(p);
        }
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }

  /** Pod uids with a directory here (for cleaning up after pods that went away). */
  knownPods(): string[] {
    return existsSync(this.options.root) ? readdirSync(this.options.root) : [];
  }
}

async function isMountPoint(p: string): Promise<boolean> {
  try {
    const a = statSync(p);
    const b = statSync(join(p, '..'));
    return a.dev !== b.dev;
  } catch {
    return false;
  }
}

function duBytes(p: string): number {
  let total = 0;
  const walk = (d: string): void => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const full = join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile()) total += lstatSync(full).size;
    }
  };
  walk(p);
  return total;
}

/** The container's mounts from its volumeMounts (subPath inside the volume). */
export function containerMounts(c: Container, volumes: Map<string, string>): Mount[] {
  const out: Mount[] = [];
  for (const m of c.volumeMounts ?? []) {
    const base = volumes.get(m.name);
    if (base === undefined) throw new VolumeError(`volume ${m.name} not found for mount ${m.mountPath}`);
    const sub = m.subPath ?? '';
    if (sub.split('/').includes('..') || sub.startsWith('/')) throw new VolumeError(`invalid subPath ${sub}`);
    const hostPath = sub ? join(base, sub) : base;
    if (sub && !existsSync(hostPath)) mkdirSync(hostPath, { recursive: true });
    out.push({ containerPath: m.mountPath, hostPath, readonly: !!m.readOnly });
  }
  return out;
}
