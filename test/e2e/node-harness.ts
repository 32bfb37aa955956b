// Helpers for tests and benchmarks that bring up a whole node (`k8ts up` as a child process): one such
// node at a time on a machine (the default pod CIDR and its bridge are shared), free ports, and
// removing whatever a data directory leaves running or mounted.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function readFileSafe(p: string): string {
  try {
    return readFileSync(p, 'utf8').trim();
  } catch {
    return '';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A free TCP port (e.g. for `k8ts up --kubelet-port`). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, () => {
      const port = (srv.address() as AddressInfo).port;
      srv.close(() => resolvePort(port));
    });
  });
}

// ---- one `k8ts up` at a time on this machine ---------------------------------------------------

/** Taken by every test file and benchmark that runs `k8ts up` with the default pod CIDR (bridge k8ts0). */
export const UP_LOCK = '/tmp/k8ts-up-e2e.lock';

/** Take the lock (a directory holding the owner's pid); a lock whose owner died is taken over. */
export async function acquireUpLock(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(UP_LOCK);
      writeFileSync(join(UP_LOCK, 'pid'), String(process.pid));
      return;
    } catch {
      const holder = Number(readFileSafe(join(UP_LOCK, 'pid')));
      if (holder > 0 && !alive(holder)) rmSync(UP_LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`another k8ts up (pid ${holder}) holds ${UP_LOCK}`);
      await sleep(500);
    }
  }
}

export function releaseUpLock(): void {
  if (readFileSafe(join(UP_LOCK, 'pid')) !== String(process.pid)) return;
  rmSync(join(UP_LOCK, 'pid'), { force: true });
  try {
    rmdirSync(UP_LOCK);
  } catch {
    /* gone */
  }
}

// ---- `k8ts up` as a child process ------------------------------------------------------------

export interface Up {
  proc: ChildProcess;
  url: string;
  kubeconfig: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/**
 * Spawn `bin up <args>` and wait for its `ready <url> <kubeconfig>` line. If it exits or is not
 * ready in time, it is killed and the error carries the end of its stderr.
 */
export async function startUp(bin: string, args: string[], readyTimeoutMs = 90_000): Promise<Up> {
  const proc = spawn(process.execPath, [bin, 'up', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    if (err.length > 400_000) err = err.slice(-200_000);
  });
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  try {
    const line = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`k8ts up not ready in ${readyTimeoutMs / 1000} s:\n${err.slice(-5000)}`)), readyTimeoutMs);
      createInterface({ input: proc.stdout! }).on('line', (l) => {
        if (l.startsWith('ready ')) {
          clearTimeout(timer);
          resolve(l);
        }
      });
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`k8ts up exited with ${code} before ready:\n${err.slice(-5000)}`));
      });
    });
    const [, url, kubeconfig] = line.split(' ');
    return { proc, url: url!, kubeconfig: kubeconfig!, stderr: () => err, exited };
  } catch (e) {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    throw e;
  }
}

/** Send `signal` (SIGKILL after `killAfterMs`) and wait for the exit; resolves with the exit code. */
export async function stopUp(up: Up | undefined, signal: NodeJS.Signals, killAfterMs = 30_000): Promise<number | null> {
  if (!up || up.proc.exitCode !== null || up.proc.signalCode !== null) return up?.proc.exitCode ?? null;
  up.proc.kill(signal);
  const t = setTimeout(() => up.proc.kill('SIGKILL'), killAfterMs);
  const code = await up.exited;
  clearTimeout(t);
  return code;
}

// ---- what a data dir leaves running ------------------------------------------------------------

/** containerd daemons and shims of this data dir (by their command lines), and their pids. */
export function containerdProcesses(dataDir: string): Array<{ pid: number; cmd: string; kind: 'daemon' | 'shim' }> {
  const found: Array<{ pid: number; cmd: string; kind: 'daemon' | 'shim' }> = [];
  const sock = join(dataDir, 'agent', 'containerd', 'containerd.sock');
  const config = join(dataDir, 'agent', 'containerd', 'config.toml');
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const argv = readFileSafe(`/proc/${e}/cmdline`).split('\0');
    const isDaemon = argv.includes(config);
    const isShim = (argv[0] ?? '').includes('containerd-shim') && argv[argv.indexOf('-address') + 1] === sock;
    if (isDaemon || isShim) found.push({ pid: Number(e), cmd: argv.join(' ').trim(), kind: isDaemon ? 'daemon' : 'shim' });
  }
  return found;
}

export function killPids(procs: Array<{ pid: number }>): void {
  for (const { pid } of procs) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

/** Lazily unmount everything mounted at or below `dir`, deepest first. */
export function unmountUnder(dir: string): void {
  const mounts = readFileSafe('/proc/self/mountinfo')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((m) => m === dir || m.startsWith(dir + '/'))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) {
    try {
      execFileSync('umount', ['-l', m], { stdio: 'ignore' });
    } catch {
      /* not mounted */
    }
  }
}

/** Kill the data dir's containerd and shims, then unmount what is left under it. */
export function killAndUnmount(dataDir: string): void {
  killPids(containerdProcesses(dataDir));
  unmountUnder(dataDir);
}
