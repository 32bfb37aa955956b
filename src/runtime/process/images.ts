// Images for the process runtime: unpacked root filesystems under <root>/<key>/rootfs, used read-only
// as overlay lower layers. Sources, in order: OCI layout tars in the agent's images dir (unpacked with
// umoci), then — for busybox and pause only — a rootfs built on the spot from the host's busybox-static.
// There is no registry client: nothing is fetched from the network.

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readdir, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ImageInfo } from '../types.js';
import { NotFoundError, ProcessRuntimeError, readJson, run, writeJson } from './util.js';

export interface ImageConfig {
  entrypoint: string[];
  cmd: string[];
  env: string[];
  workingDir: string;
  user: string;
}

export interface StoredImage {
  ref: string;
  id: string;
  rootfs: string;
  config: ImageConfig;
  size: number;
  source: string;
}

const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** `busybox` → `busybox:latest`; references with a tag or digest are kept as they are. */
export function normalizeRef(ref: string): string {
  if (ref.includes('@')) return ref;
  const lastSlash = ref.lastIndexOf('/');
  return ref.slice(lastSlash + 1).includes(':') ? ref : `${ref}:latest`;
}

function repoBase(ref: string): string {
  const noTag = ref.split('@')[0]!.replace(/:[^/:]*$/, '');
  return noTag.slice(noTag.lastIndexOf('/') + 1);
}

const keyOf = (ref: string): string => createHash('sha256').update(ref).digest('hex').slice(0, 16);

interface OciIndex {
  manifests?: { digest: string; mediaType?: string; annotations?: Record<string, string> }[];
}

export interface ImageStoreOptions {
  /** Where unpacked images live (<dataDir>/agent/process/images). */
  root: string;
  /** Where OCI layout tars are looked for (<dataDir>/agent/images). */
  importDir: string;
  busybox?: string;
  umoci?: string;
}

export class ImageStore {
  private readonly indexPath: string;
  private images = new Map<string, StoredImage>();
  private loaded = false;
  private pulling = new Map<string, Promise<StoredImage>>();

  constructor(private readonly opts: ImageStoreOptions) {
    this.indexPath = join(opts.root, 'images.json');
  }

  private async load(): Promise<void> {
    if (this.loaded) return;
    const stored = (await readJson<StoredImage[]>(this.indexPath)) ?? [];
    for (const img of stored) if (existsSync(img.rootfs)) this.images.set(img.ref, img);
    this.loaded = true;
  }

  private async save(): Promise<void> {
    await writeJson(this.indexPath, [...this.images.values()]);
  }

  async get(ref: string): Promise<StoredImage | null> {
    await this.load();
    const n = normalizeRef(ref);
    return this.images.get(n) ?? [...this.images.values()].find((i) => i.id === ref || i.id === `sha256:${ref}`) ?? null;
  }

  async list(): Promise<StoredImage[]> {
    await this.load();
    return [...this.images.values()];
  }

  static info(img: StoredImage): ImageInfo {
    return { id: img.id, repoTags: [img.ref], repoDigests: [], size: img.size };
  }

  /** Makes `ref` available locally; concurrent pulls of one ref share the work. */
  async pull(ref: string): Promise<StoredImage> {
    const have = await this.get(ref);
    if (have) return have;
    const n = normalizeRef(ref);
    let p = this.pulling.get(n);
    if (!p) {
      p = this.doPull(n).finally(() => this.pulling.delete(n));
      this.pulling.set(n, p);
    }
    return p;
  }

  async remove(ref: string): Promise<void> {
    const img = await this.get(ref);
    if (!img) return;
    this.images.delete(img.ref);
    await this.save();
    await rm(dirname(img.rootfs), { recursive: true, force: true });
  }

  private async doPull(ref: string): Promise<StoredImage> {
    const dir = join(this.opts.root, keyOf(ref));
    const fromTar = await this.findInTars(ref);
    let img: StoredImage;
    if (fromTar) {
      img = await this.unpackFromTar(ref, fromTar.tar, fromTar.tag, dir);
    } else if (repoBase(ref) === 'busybox' || repoBase(ref) === 'pause') {
      img = await this.buildBusybox(ref, dir, repoBase(ref) === 'pause');
    } else {
      throw new NotFoundError(`image ${ref} not found: no OCI layout tar in ${this.opts.importDir} provides it (the process runtime does not pull from registries)`);
    }
    this.images.set(ref, img);
    await this.save();
    return img;
  }

  /** The tar in importDir whose index.json names `ref` (org.opencontainers.image.ref.name, full or tag only). */
  private async findInTars(ref: string): Promise<{ tar: string; tag: string } | null> {
    let names: string[];
    try {
      names = (await readdir(this.opts.importDir)).filter((f) => f.endsWith('.tar')).sort();
    } catch {
      return null;
    }
    for (const f of names) {
      const tar = join(this.opts.importDir, f);
      for (const member of ['index.json', './index.json']) {
        const res = await run('tar', ['-xOf', tar, member], { check: false, timeoutMs: 30_000 });
        if (res.code !== 0) continue;
        let index: OciIndex;
        try {
          index = JSON.parse(res.stdout.toString()) as OciIndex;
        } catch {
          break;
        }
        for (const m of index.manifests ?? []) {
          const name = m.annotations?.['org.opencontainers.image.ref.name'];
          if (!name) continue;
          if (name === ref || normalizeRef(name) === ref || `${ref.split(':')[0]}:${name}` === ref) return { tar, tag: name };
        }
        break;
      }
    }
    return null;
  }

  private async unpackFromTar(ref: string, tar: string, tag: string, dir: string): Promise<StoredImage> {
    await mkdir(this.opts.root, { recursive: true });
    const work = await mkdtemp(join(this.opts.root, '.unpack-'));
    try {
      const layout = join(work, 'oci');
      await mkdir(layout);
      await run('tar', ['-xf', tar, '-C', layout], { timeoutMs: 120_000 });
      const bundle = join(work, 'bundle');
      await run(this.opts.umoci ?? 'umoci', ['unpack', '--image', `${layout}:${tag}`, bundle], { timeoutMs: 120_000 });
      const config = await readOciConfig(layout, tag);
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      await rename(join(bundle, 'rootfs'), join(dir, 'rootfs'));
      return { ref, id: config.id, rootfs: join(dir, 'rootfs'), config: config.config, size: config.size, source: tar };
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  private async buildBusybox(ref: string, dir: string, pause: boolean): Promise<StoredImage> {
    const busybox = this.opts.busybox ?? '/bin/busybox';
    if (!existsSync(busybox)) throw new NotFoundError(`image ${ref}: no image tar provides it and ${busybox} is missing (apt-get install busybox-static)`);
    const tmp = `${dir}.tmp-${process.pid}`;
    await rm(tmp, { recursive: true, force: true });
    const rootfs = join(tmp, 'rootfs');
    for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'etc', 'tmp', 'root', 'home', 'var/www', 'proc', 'sys', 'dev', 'run']) {
      await mkdir(join(rootfs, d), { recursive: true });
    }
    await chmod(join(rootfs, 'tmp'), 0o1777);
    await copyFile(busybox, join(rootfs, 'bin/busybox'));
    await chmod(join(rootfs, 'bin/busybox'), 0o755);
    const applets = (await run(busybox, ['--list-full'])).stdout.toString().split('\n').map((s) => s.trim()).filter(Boolean);
    for (const rel of applets) {
      if (rel === 'bin/busybox') continue;
      await mkdir(dirname(join(rootfs, rel)), { recursive: true });
      await symlink('/bin/busybox', join(rootfs, rel)).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'EEXIST') throw e;
      });
    }
    await writeFile(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n');
    await writeFile(join(rootfs, 'etc/group'), 'root:x:0:\nnobody:x:65534:\n');
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
    const config: ImageConfig = pause
      ? { entrypoint: ['sleep', 'infinity'], cmd: [], env: [DEFAULT_PATH], workingDir: '/', user: '' }
      : { entrypoint: [], cmd: ['sh', '-c', "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done"], env: [DEFAULT_PATH], workingDir: '/', user: '' };
    const size = (await stat(busybox)).size;
    const id = 'sha256:' + createHash('sha256').update(JSON.stringify({ ref, config, size })).digest('hex');
    return { ref, id, rootfs: join(dir, 'rootfs'), config, size, source: busybox };
  }
}

/** Reads the image config (entrypoint, cmd, env, …) of `tag` from an OCI layout. */
async function readOciConfig(layout: string, tag: string): Promise<{ id: string; config: ImageConfig; size: number }> {
  const blob = (digest: string): string => join(layout, 'blobs', ...digest.split(':'));
  const index = await readJson<OciIndex>(join(layout, 'index.json'));
  const desc = index?.manifests?.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag);
  if (!desc) throw new ProcessRuntimeError(`tag ${tag} not in ${layout}`);
  const manifest = await readJson<{ config: { digest: string }; layers: { size: number }[] }>(blob(desc.digest));
  if (!manifest) throw new ProcessRuntimeError(`manifest ${desc.digest} missing`);
  const cfg = await readJson<{ config?: { Entrypoint?: string[] | null; Cmd?: string[] | null; Env?: string[] | null; WorkingDir?: string; User?: string } }>(
    blob(manifest.config.digest),
  );
  const c = cfg?.config ?? {};
  return {
    id: manifest.config.digest,
    size: manifest.layers.reduce((s, l) => s + l.size, 0),
    config: { entrypoint: c.Entrypoint ?? [], cmd: c.Cmd ?? [], env: c.Env ?? [DEFAULT_PATH], workingDir: c.WorkingDir || '/', user: c.User ?? '' },
  };
}
