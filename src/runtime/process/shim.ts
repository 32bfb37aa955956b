// The per-container supervisor. Started detached (own session) by ProcessRuntime.startContainer, it
// outlives the kubelet: it runs the container's command line, writes its stdout/stderr to the
// CRI-format log file, and when the container ends records the exit code (and whether the cgroup's
// OOM killer fired) in <containerDir>/exit.json. Usage: node shim.js <containerDir>

import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface ShimSpec {
  argv: string[];
  env: Record<string, string>;
  logPath: string;
  /** cgroup v1 memory dir (for memory.oom_control), pids dir (to sweep leftovers). Empty without cgroups. */
  memoryCgroup: string;
  pidsCgroup: string;
}

export interface ShimStarted {
  pid: number;
  startTime: string | null;
  shimPid: number;
  startedAt: number;
}

export interface ShimExit {
  exitCode: number;
  signal: string | null;
  oomKilled: boolean;
  finishedAt: number;
  /** Set when the command could not be started at all. */
  error?: string;
}

const SIGNUM: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGTERM: 15 };

function atomicWrite(path: string, value: unknown): void {
  writeFileSync(`${path}.tmp`, JSON.stringify(value));
  renameSync(`${path}.tmp`, path);
}

function startTimeOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

// Wall-clock nanoseconds: Date.now() at start plus the monotonic clock since.
const baseNs = BigInt(Date.now()) * 1_000_000n;
const baseHr = process.hrtime.bigint();
function timestamp(): string {
  const ns = baseNs + (process.hrtime.bigint() - baseHr);
  const ms = Number(ns / 1_000_000n);
  const iso = new Date(ms).toISOString();
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return `${iso.slice(0, 19)}.${frac}Z`;
}

const MAX_LINE = 16 * 1024;

function main(): void {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('usage: shim <containerDir>\n');
    process.exit(2);
  }
  const spec = JSON.parse(readFileSync(join(dir, 'spec.json'), 'utf8')) as ShimSpec;
  for (const s of ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGPIPE'] as const) process.on(s, () => {});

  mkdirSync(dirname(spec.logPath), { recursive: true });
  const log = openSync(spec.logPath, 'a');
  const writeLine = (stream: 'stdout' | 'stderr', tag: 'F' | 'P', line: Buffer): void => {
    try {
      writeSync(log, Buffer.concat([Buffer.from(`${timestamp()} ${stream} ${tag} `), line, Buffer.from('\n')]));
    } catch {
      /* disk full or similar: keep the container running */
    }
  };
  const pending: Record<'stdout' | 'stderr', Buffer> = { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) };
  const onData = (stream: 'stdout' | 'stderr', chunk: Buffer): void => {
    let buf = Buffer.concat([pending[stream], chunk]);
    let nl: number;
    while ((nl = buf.indexOf(10)) !== -1) {
      writeLine(stream, 'F', buf.subarray(0, nl));
      buf = buf.subarray(nl + 1);
    }
    while (buf.length >= MAX_LINE) {
      writeLine(stream, 'P', buf.subarray(0, MAX_LINE));
      buf = buf.subarray(MAX_LINE);
    }
    pending[stream] = buf;
  };

  const child = spawn(spec.argv[0]!, spec.argv.slice(1), { env: spec.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let finished = false;
  const finish = async (code: number | null, signal: NodeJS.Signals | null, error?: string): Promise<void> => {
    if (finished) return;
    finished = true;
    for (const s of ['stdout', 'stderr'] as const) if (pending[s].length) writeLine(s, 'F', pending[s]);
    let oomKilled = false;
    if (spec.memoryCgroup) {
      const text = await readFile(join(spec.memoryCgroup, 'memory.oom_control'), 'utf8').catch(() => '');
      const m = /oom_kill (\d+)/.exec(text);
      oomKilled = m ? Number(m[1]) > 0 : /under_oom 1/.test(text);
    }
    const exitCode = code ?? (signal ? 128 + (SIGNUM[signal] ?? 1) : 255);
    const exit: ShimExit = { exitCode: error ? 128 : exitCode, signal, oomKilled, finishedAt: Date.now(), ...(error ? { error } : {}) };
    atomicWrite(join(dir, 'exit.json'), exit);
    process.exit(0);
  };
  child.on('error', (err) => void finish(null, null, err.message));
  child.on('spawn', () => {
    const started: ShimStarted = { pid: child.pid!, startTime: startTimeOf(child.pid!), shimPid: process.pid, startedAt: Date.now() };
    atomicWrite(join(dir, 'started.json'), started);
  });
  child.stdout!.on('data', (b: Buffer) => onData('stdout', b));
  child.stderr!.on('data', (b: Buffer) => onData('stderr', b));
  // 'close' comes once the process has exited and both pipes are drained. If something escaped the
  // pid namespace and holds a pipe open, 'exit' alone records the end a second later.
  child.on('close', (code, signal) => void finish(code, signal));
  child.on('exit', (code, signal) => {
    setTimeout(() => void finish(code, signal), 1000).unref();
  });
}

main();
