// Atomic volume updates, the way projected files reach running containers: the payload goes into a
// fresh hidden timestamped directory, `..data` is swapped to it with one rename, and each visible
// top-level name is a symlink through `..data`. Readers see the old set or the new one, never a mix.

import { createHash } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';

export interface FileContent {
  data: Buffer;
  /** Permission bits (default 0o644). */
  mode?: number;
}

export type Payload = Map<string, FileContent>;

const DATA = '..data';

function validatePath(p: string): void {
  const n = normalize(p);
  if (!p || p.startsWith('/') || n.split(sep).includes('..') || n.startsWith('..')) throw new Error(`invalid path ${JSON.stringify(p)} in volume payload`);
}

function current(dir: string): Payload | undefined {
  const data = join(dir, DATA);
  if (!existsSync(data)) return undefined;
  const out: Payload = new Map();
  const walk = (rel: string): void => {
    for (const e of readdirSync(join(data, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else {
        const full = join(data, r);
        out.set(r, { data: readFileSync(full), mode: statSync(full).mode & 0o7777 });
      }
    }
  };
  walk('');
  return out;
}

function same(a: Payload, b: Payload): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const o = b.get(k);
    if (!o || !o.data.equals(v.data) || (o.mode ?? 0o644) !== (v.mode ?? 0o644)) return false;
  }
  return true;
}

/** A short digest of a payload, for logs and tests. */
export function payloadDigest(p: Payload): string {
  const h = createHash('sha256');
  for (const k of [...p.keys()].sort()) h.update(k).update('\0').update(p.get(k)!.data).update(String(p.get(k)!.mode ?? 0o644));
  return h.digest('hex').slice(0, 12);
}

/** Write `payload` into `dir` atomically; returns whether anything changed. */
export function writeAtomic(dir: string, payload: Payload): boolean {
  for (const p of payload.keys()) validatePath(p);
  mkdirSync(dir, { recursive: true });
  const old = current(dir);
  if (old && same(old, payload)) return false;
  const stamp = new Date().toISOString().replace(/[-:]/g, '_').replace('T', '_').replace(/\..*$/, '');
  const tsDir = mkdtempSync(join(dir, `..${stamp}.`));
  for (const [rel, f] of payload) {
    const full = join(tsDir, rel);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, f.data);
    chmodSync(full, f.mode ?? 0o644);
  }
  chmodSync(tsDir, 0o755);
  const oldTarget = existsSync(join(dir, DATA)) ? readlinkSync(join(dir, DATA)) : undefined;
  const tmp = join(dir, `${DATA}_tmp`);
  rmSync(tmp, { force: true });
  symlinkSync(tsDir.slice(dir.length + 1), tmp);
  renameSync(tmp, join(dir, DATA));
  const tops = new Set([...payload.keys()].map((p) => p.split('/')[0]!));
  for (const t of tops) {
    const link = join(dir, t);
    if (!lstatSafe(link)) symlinkSync(join(DATA, t), link);
  }
  for (const e of readdirSync(dir)) {
    if (e.startsWith('..')) continue;
    if (!tops.has(e)) rmSync(join(dir, e), { force: true, recursive: true });
  }
  if (oldTarget && oldTarget !== tsDir.slice(dir.length + 1)) rmSync(join(dir, oldTarget), { recursive: true, force: true });
  return true;
}

function lstatSafe(p: string) {
  try {
    return lstatSync(p);
  } catch {
    return undefined;
  }
}
