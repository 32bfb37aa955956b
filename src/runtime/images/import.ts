// Air-gapped images: `<data-dir>/agent/images/*.tar` (OCI layout or docker-archive tars) are imported
// into containerd's CRI namespace at start with `ctr`, and the pause image is made present (built
// locally when missing), so nothing needs the internet. After the import, images are managed through
// CRI only: deleting them with ctr leaves CRI's cache stale.

import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ContainerRuntime } from '../types.js';
import { PAUSE_IMAGE, buildImageTars } from './build.js';

const run = promisify(execFile);

/** The containerd namespace CRI uses. */
export const CRI_NAMESPACE = 'k8s.io';

export class ImageImportError extends Error {
  override name = 'ImageImportError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export interface ImportOptions {
  /** Default `ctr` from PATH (Debian's containerd package ships it). */
  ctr?: string;
  /** Build and import localhost/pause:1 when it is missing. Default true. */
  ensurePause?: boolean;
  pauseImage?: string;
  /** When given, wait until CRI reports every imported image (≤ 5 s). */
  runtime?: Pick<ContainerRuntime, 'imageStatus'>;
}

async function ctr(bin: string, socket: string, args: string[], timeoutMs = 120_000): Promise<string> {
  try {
    const { stdout, stderr } = await run(bin, ['-n', CRI_NAMESPACE, '-a', socket, ...args], { maxBuffer: 16 << 20, timeout: timeoutMs });
    return stdout + stderr;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new ImageImportError(`${bin} is not installed (Debian: apt-get install containerd)`, { cause: err });
    throw new ImageImportError(`ctr ${args.join(' ')} failed: ${(e.stderr ?? e.message).trim()}`, { cause: err });
  }
}

/** Imports one image tar; returns the image names it held. */
export async function importImageTar(containerd: { socket: string }, tarPath: string, opts: Pick<ImportOptions, 'ctr'> = {}): Promise<string[]> {
  const out = await ctr(opts.ctr ?? 'ctr', containerd.socket, ['images', 'import', tarPath]);
  // ctr prints "unpacking <name> (sha256:…)...done" per image.
  const names = [...out.matchAll(/unpacking (\S+) \(sha256:/g)].map((m) => m[1]!);
  return names;
}

/** The image names containerd's CRI namespace holds. */
export async function listContainerdImages(containerd: { socket: string }, opts: Pick<ImportOptions, 'ctr'> = {}): Promise<string[]> {
  const out = await ctr(opts.ctr ?? 'ctr', containerd.socket, ['images', 'ls', '-q']);
  return out.split('\n').map((l) => l.trim()).filter(Boolean);
}

/**
 * Imports every `*.tar` in `dir` (missing dir: nothing to import), then makes sure the pause image
 * exists. Returns the names imported (including a pause image built here).
 */
export async function importImages(containerd: { socket: string }, dir: string, opts: ImportOptions = {}): Promise<string[]> {
  const pause = opts.pauseImage ?? PAUSE_IMAGE;
  let files: string[] = [];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.tar')).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const imported: string[] = [];
  for (const f of files) imported.push(...(await importImageTar(containerd, join(dir, f), opts)));

  if (opts.ensurePause !== false && !(await listContainerdImages(containerd, opts)).includes(pause)) {
    if (pause !== PAUSE_IMAGE) throw new ImageImportError(`sandbox image ${pause} is not present and cannot be built here`);
    const work = await mkdtemp(join(tmpdir(), 'k8ts-pause-'));
    try {
      const tars = await buildImageTars(work);
      imported.push(...(await importImageTar(containerd, tars.pause, opts)));
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  if (opts.runtime) {
    const deadline = Date.now() + 5000;
    for (const name of imported) {
      while (!(await opts.runtime.imageStatus(name))) {
        if (Date.now() > deadline) throw new ImageImportError(`imported ${name}, but CRI does not report it`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }
  return imported;
}
