// Test helpers: a real API server process (run from source with tsx, memory datastore), and a
// TCP proxy that tests can cut to break connections.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const REPO = resolve(import.meta.dirname, '../../..');

export interface TestServer {
  url: string;
  kubeconfig: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

/**
 * A bare API server by default (`k8ts apiserver`: no scheduler or controllers racing the test);
 * `scheduler: true` adds the scheduler (`k8ts server --disable-controller-manager`), so only the
 * controllers a test runs act; `components: true` runs the whole control plane (`k8ts server`).
 */
export async function startTestServer(opts: { components?: boolean; scheduler?: boolean; extraArgs?: string[] } = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'k8ts-client-'));
  const proc = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(REPO, 'src/cmd/main.ts'),
      ...(opts.components ? ['server'] : opts.scheduler ? ['server', '--disable-controller-manager'] : ['apiserver']),
      '--data-dir',
      dataDir,
      '--listen',
      '127.0.0.1:0',
      '--datastore',
      'memory',
      ...(opts.extraArgs ?? []),
    ],
    { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-50_000);
  });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const line = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`server did not start in 60 s:\n${err}`)), 60_000);
    createInterface({ input: proc.stdout! }).on('line', (l) => {
      if (l.startsWith('ready ')) {
        clearTimeout(timer);
        res(l);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      rej(new Error(`server exited before ready:\n${err}`));
    });
  });
  const [, url, kubeconfig] = line.split(' ');
  return {
    url: url!,
    kubeconfig: kubeconfig!,
    proc,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGINT');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface CuttableProxy {
  url: string;
  /** Destroy open connections and refuse new ones until restore(). */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

/** A TCP proxy in front of `targetUrl` (https://host:port). */
export async function startProxy(targetUrl: string): Promise<CuttableProxy> {
  const target = new URL(targetUrl);
  const sockets = new Set<net.Socket>();
  let down = false;
  const server = net.createServer((client) => {
    if (down) return client.destroy();
    const upstream = net.connect(Number(target.port), target.hostname);
    sockets.add(client);
    sockets.add(upstream);
    const cleanup = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', cleanup).on('close', cleanup);
    upstream.on('error', cleanup).on('close', cleanup);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const proxy: CuttableProxy = {
    url: `${target.protocol}//127.0.0.1:${port}`,
    cut() {
      down = true;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    restore() {
      down = false;
    },
    async close() {
      proxy.cut();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  return proxy;
}

/** Poll `cond` until true (default 10 s). */
/**
 * Poll `fn` (every 100 ms) until it returns something other than undefined, and return that. With
 * `retryErrors` a throwing `fn` is polled again (the last error is reported on timeout); otherwise
 * the error ends the wait.
 */
export async function waitForValue<T>(what: string, fn: () => Promise<T | undefined>, opts: { timeoutMs?: number; retryErrors?: boolean } = {}): Promise<T> {
  const end = Date.now() + (opts.timeoutMs ?? 15_000);
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      if (!opts.retryErrors) throw err;
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function eventually(cond: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
