// Small helpers shared by the process runtime: running host tools, atomic JSON files, /proc lookups.

import { spawn } from 'node:child_process';
import { readFile, rename, writeFile, mkdir } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';

export class ProcessRuntimeError extends Error {
  override name = 'ProcessRuntimeError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export class NotFoundError extends ProcessRuntimeError {
  override name = 'NotFoundError';
}

export class NotImplementedError extends ProcessRuntimeError {
  override name = 'NotImplementedError';
}

export interface RunResult {
  stdout: Buffer;
  stderr: Buffer;
  /** Exit code; 128+n when killed by signal n; -1 when the deadline expired. */
  code: number;
  timedOut: boolean;
}

export interface RunOptions {
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Throw a ProcessRuntimeError on a non-zero exit (default true). */
  check?: boolean;
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGTERM: 15 };

export function signalNumber(sig: NodeJS.Signals | null | undefined): number {
  if (!sig) return 0;
  return SIGNALS[sig] ?? 1;
}

/**
 * Runs a command to completion, collecting its output. The child gets its own process group so a
 * deadline kills everything it started (nsenter/unshare forks included).
 */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    if (opts.timeoutMs !== undefined && opts.timeoutMs > 0) {
      timer = setTimeout(() => {
        timedOut = true;
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
        // Grandchildren holding the pipes open must not keep us waiting past the deadline.
        child.stdout?.destroy();
        child.stderr?.destroy();
      }, opts.timeoutMs);
    }
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => {});
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      reject(new ProcessRuntimeError(`${cmd}: ${e.message}`, { cause: e }));
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      const res: RunResult = {
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err),
        code: timedOut ? -1 : code ?? 128 + signalNumber(signal),
        timedOut,
      };
      if ((opts.check ?? true) && res.code !== 0) {
        const what = timedOut ? `timed out after ${opts.timeoutMs} ms` : `exited ${res.code}`;
        reject(new ProcessRuntimeError(`${cmd} ${args.join(' ')} ${what}: ${res.stderr.toString().trim()}`));
        return;
      }
      resolve(res);
    });
    child.stdin.end(opts.input ?? '');
  });
}

export async function readJson<T>(path: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    if (err instanceof SyntaxError) return null; // a torn write from a crashed writer
    throw err;
  }
}

let tmpCounter = 0;

/** Writes JSON atomically (temp file + rename) so a crash never leaves half a file. */
export async function writeJson(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${tmpCounter++}`;
  await writeFile(tmp, JSON.stringify(value, null, 1));
  await rename(tmp, path);
}

/** The kernel's start time of a process (field 22 of /proc/<pid>/stat), or null when it is gone. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // rest[0] is field 3 (state); field 22 is rest[19].
    if (rest[0] === 'Z') return null;
    return rest[19] ?? null;
  } catch {
    return null;
  }
}

/** True when `pid` is alive and is still the process that had `startTime` (guards against pid reuse). */
export function isAlive(pid: number, startTime?: string): boolean {
  const st = processStartTime(pid);
  if (st === null) return false;
  return startTime === undefined || st === startTime;
}

/** Direct children of a process (from /proc/<pid>/task/<pid>/children). */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** RFC 3339 with nanoseconds, as CRI log lines carry. */
export function rfc3339Nano(ms: number, nanosWithinMs = 0): string {
  const iso = new Date(ms).toISOString(); // 2024-01-02T03:04:05.678Z
  const frac = iso.slice(20, 23) + String(nanosWithinMs).padStart(6, '0');
  return `${iso.slice(0, 19)}.${frac}Z`;
}
