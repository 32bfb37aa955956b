// End-to-end harness: starts a real `k8ts server` process and drives it with the real kubectl.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

export const REPO = resolve(import.meta.dirname, '../..');
export const K8TS_BIN = join(REPO, 'bin/k8ts.js');
export const KUBECTL_DIR = '/usr/lib/google-cloud-sdk/bin';

export interface ServerProcess {
  url: string;
  kubeconfig: string;
  dataDir: string;
  proc: ChildProcess;
  stderr: () => string;
  /** SIGINT and wait for exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL, as a crash. */
  kill9(): Promise<void>;
  /** Stop and delete the data directory. */
  cleanup(): Promise<void>;
}

export interface StartOptions {
  datastore?: string;
  dataDir?: string;
  listen?: string;
  /** More `k8ts server` flags. */
  extraArgs?: string[];
}

export function newDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'k8ts-e2e-'));
}

export async function startServer(opts: StartOptions = {}): Promise<ServerProcess> {
  const dataDir = opts.dataDir ?? newDataDir();
  const proc = spawn(
    process.execPath,
    [K8TS_BIN, 'server', '--data-dir', dataDir, '--listen', opts.listen ?? '127.0.0.1:0', '--datastore', opts.datastore ?? 'sqlite', ...(opts.extraArgs ?? [])],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    if (err.length > 200_000) err = err.slice(-100_000);
  });
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const ready = await new Promise<string>((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 60s:\n${err}`)), 60_000);
    const rl = createInterface({ input: proc.stdout! });
    rl.on('line', (line) => {
      if (line.startsWith('ready ')) {
        clearTimeout(timer);
        resolveReady(line);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before ready:\n${err}`));
    });
  });
  const [, url, kubeconfig] = ready.split(' ');
  const server: ServerProcess = {
    url: url!,
    kubeconfig: kubeconfig!,
    dataDir,
    proc,
    stderr: () => err,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill('SIGINT');
      return exited;
    },
    async kill9() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGKILL');
      await exited;
    },
    async cleanup() {
      await server.stop();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface KubectlOptions {
  input?: string;
  /** Minor version of a specific kubectl (27…33); default: the dispatcher /usr/bin/kubectl. */
  minor?: number;
  timeoutMs?: number;
}

/** Runs kubectl synchronously against the server. */
export function kubectl(server: Pick<ServerProcess, 'kubeconfig'>, args: string[], opts: KubectlOptions = {}): KubectlResult {
  const bin = opts.minor ? join(KUBECTL_DIR, `kubectl.1.${opts.minor}`) : 'kubectl';
  const r = spawnSync(bin, ['--kubeconfig', server.kubeconfig, ...args], {
    input: opts.input,
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 60_000,
    env: { ...process.env, KUBECONFIG: server.kubeconfig, HOME: process.env.HOME ?? '/root' },
  });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Like kubectl() but throws with both streams when the command fails. */
export function kubectlOk(server: Pick<ServerProcess, 'kubeconfig'>, args: string[], opts: KubectlOptions = {}): string {
  const r = kubectl(server, args, opts);
  if (r.code !== 0) {
    throw new Error(`kubectl ${args.join(' ')} failed (${r.code}):\n${r.stderr}\n${r.stdout}`);
  }
  return r.stdout;
}

/** Starts kubectl in the background (for `get -w`); collects its output. */
export function kubectlBackground(server: Pick<ServerProcess, 'kubeconfig'>, args: string[]): { proc: ChildProcess; output: () => string } {
  const proc = spawn('kubectl', ['--kubeconfig', server.kubeconfig, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return { proc, output: () => out };
}

export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
