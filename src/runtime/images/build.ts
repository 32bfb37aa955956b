// Offline test images, built without Docker or a network: Debian's busybox-static as the whole
// userland, packed into an OCI image layout with umoci.
//
//   localhost/busybox:1  no entrypoint (like the public busybox image, so `kubectl run … -- sh -c x`
//                        runs `sh -c x`); the default command idles until SIGTERM (so a bare
//                        `kubectl create deployment --image=localhost/busybox:1` stays Running).
//   localhost/pause:1    the same layer; entrypoint `sleep infinity`. containerd kills sandboxes
//                        with SIGKILL, so the sleeper needs no signal handling of its own.
//
// scripts/build-test-image.sh does the same in plain shell for air-gapped machines.

import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, rm, symlink, writeFile, copyFile, chmod, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const BUSYBOX_IMAGE = 'localhost/busybox:1';
export const PAUSE_IMAGE = 'localhost/pause:1';

/** The default command of the busybox image: idle, and exit 0 on SIGTERM/SIGINT. */
export const BUSYBOX_DEFAULT_CMD = ['sh', '-c', "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done"];

const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export class ImageBuildError extends Error {
  override name = 'ImageBuildError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export interface BuildOptions {
  /** The static busybox binary to use (default /bin/busybox, from busybox-static). */
  busybox?: string;
  /** The umoci binary (default `umoci` from PATH). */
  umoci?: string;
}

async function tool(bin: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(bin, args, { maxBuffer: 16 << 20 });
    return stdout;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') {
      throw new ImageBuildError(`${bin} is not installed (Debian: apt-get install busybox-static umoci)`, { cause: err });
    }
    throw new ImageBuildError(`${bin} ${args.join(' ')} failed: ${(e.stderr ?? e.message).trim()}`, { cause: err });
  }
}

/** Lays out a minimal root filesystem around a static busybox: applet symlinks, passwd/group, empty mount points. */
async function populateRootfs(rootfs: string, busybox: string): Promise<void> {
  // The binary must be static: nothing else (no libc) goes into the image.
  const file = await tool('file', ['-L', busybox]).catch(() => '');
  if (file && !/statically linked|static-pie/.test(file)) {
    throw new ImageBuildError(`${busybox} is not statically linked (install busybox-static)`);
  }
  for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'etc', 'tmp', 'root', 'home', 'var/www', 'proc', 'sys', 'dev', 'run']) {
    await mkdir(join(rootfs, d), { recursive: true });
  }
  await chmod(join(rootfs, 'tmp'), 0o1777);
  await copyFile(busybox, join(rootfs, 'bin/busybox'));
  await chmod(join(rootfs, 'bin/busybox'), 0o755);
  // Equivalent to `busybox --install -s` run inside the rootfs, without needing chroot (or root).
  const applets = (await tool(busybox, ['--list-full'])).split('\n').map((l) => l.trim()).filter(Boolean);
  for (const rel of applets) {
    if (rel === 'bin/busybox') continue;
    const p = join(rootfs, rel);
    await mkdir(dirname(p), { recursive: true });
    await symlink('/bin/busybox', p).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
  }
  await writeFile(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n');
  await writeFile(join(rootfs, 'etc/group'), 'root:x:0:\nnobody:x:65534:\n');
  await writeFile(join(rootfs, 'var/www/index.html'), 'k8ts busybox\n');
}

/**
 * Builds an OCI image layout at `layoutDir` (created; must not exist or be empty) holding two tags that
 * share one layer: `localhost/busybox:1` and `localhost/pause:1`. Takes well under a second.
 */
export async function buildBusyboxImage(layoutDir: string, opts: BuildOptions = {}): Promise<{ layout: string; images: string[] }> {
  const busybox = opts.busybox ?? '/bin/busybox';
  const umoci = opts.umoci ?? 'umoci';
  const rootless = process.getuid?.() !== 0 ? ['--rootless'] : [];
  const work = await mkdtemp(join(tmpdir(), 'k8ts-image-'));
  try {
    await mkdir(dirname(layoutDir), { recursive: true });
    await rm(layoutDir, { recursive: true, force: true });
    await tool(umoci, ['init', '--layout', layoutDir]);
    const base = `${layoutDir}:${BUSYBOX_IMAGE}`;
    await tool(umoci, ['new', '--image', base]);
    const bundle = join(work, 'bundle');
    await tool(umoci, ['unpack', ...rootless, '--image', base, bundle]);
    await populateRootfs(join(bundle, 'rootfs'), busybox);
    await tool(umoci, ['repack', '--image', base, bundle]);
    const common = ['--config.env', PATH_ENV, '--config.workingdir', '/', '--os', 'linux', '--author', 'k8ts'];
    await tool(umoci, [
      'config', '--no-history', '--image', base, ...common,
      ...BUSYBOX_DEFAULT_CMD.flatMap((a) => ['--config.cmd', a]),
    ]);
    await tool(umoci, [
      'config', '--no-history', '--image', base, '--tag', PAUSE_IMAGE, ...common,
      '--clear', 'config.cmd', '--clear', 'config.entrypoint',
      '--config.entrypoint', 'sleep', '--config.entrypoint', 'infinity',
    ]);
    await tool(umoci, ['gc', '--layout', layoutDir]);
    return { layout: layoutDir, images: [BUSYBOX_IMAGE, PAUSE_IMAGE] };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Writes the OCI layout at `layoutDir`, keeping only `keep` tags, as an uncompressed tar at `tarPath`. */
async function layoutTar(layoutDir: string, keep: string[], tarPath: string, umoci: string): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'k8ts-image-tar-'));
  try {
    const copy = join(work, 'oci');
    await cp(layoutDir, copy, { recursive: true });
    const tags = (await tool(umoci, ['ls', '--layout', copy])).split('\n').map((l) => l.trim()).filter(Boolean);
    for (const t of tags) if (!keep.includes(t)) await tool(umoci, ['rm', '--image', `${copy}:${t}`]);
    await tool(umoci, ['gc', '--layout', copy]);
    await mkdir(dirname(tarPath), { recursive: true });
    const tmp = `${tarPath}.tmp-${process.pid}`;
    await tool('tar', ['-C', copy, '-cf', tmp, '.']);
    await tool('mv', ['-f', tmp, tarPath]);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Builds `<outDir>/busybox.tar` (localhost/busybox:1) and `<outDir>/pause.tar` (localhost/pause:1):
 * OCI layout tars that `ctr images import` (and k8ts at start, from `<data-dir>/agent/images/`) accept.
 */
export async function buildImageTars(outDir: string, opts: BuildOptions = {}): Promise<{ busybox: string; pause: string }> {
  const umoci = opts.umoci ?? 'umoci';
  const work = await mkdtemp(join(tmpdir(), 'k8ts-images-'));
  try {
    const layout = join(work, 'oci');
    await buildBusyboxImage(layout, opts);
    const busybox = join(outDir, 'busybox.tar');
    const pause = join(outDir, 'pause.tar');
    await layoutTar(layout, [BUSYBOX_IMAGE], busybox, umoci);
    await layoutTar(layout, [PAUSE_IMAGE], pause, umoci);
    return { busybox, pause };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
