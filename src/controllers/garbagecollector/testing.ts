// Test helper: run controllers against a real API server the way the manager does (shared
// informer factory, start, then informers.start() and waitForSync()).

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { EventRecorder, InformerFactory, RestClient } from '../../client/index.js';
import type { TestServer } from '../../client/testing/server.js';
import { DEFAULT_CONTROLLER_OPTIONS, type Controller, type ControllerContext, type ControllerOptions } from '../types.js';

export interface RunningControllers {
  client: RestClient;
  ctx: ControllerContext;
  stop(): Promise<void>;
}

export async function runControllers(kubeconfig: string, controllers: Controller[], options: Partial<ControllerOptions> = {}): Promise<RunningControllers> {
  const client = await RestClient.fromKubeconfig(kubeconfig, { qps: 0 });
  const informers = new InformerFactory(client);
  const ac = new AbortController();
  const ctx: ControllerContext = {
    client,
    informers,
    recorder: (component) => new EventRecorder(client, { component }),
    options: { ...DEFAULT_CONTROLLER_OPTIONS, ...options },
    signal: ac.signal,
  };
  for (const c of controllers) await c.start(ctx);
  informers.start();
  await informers.waitForSync(ac.signal);
  return {
    client,
    ctx,
    async stop() {
      ac.abort();
      await informers.stop();
      client.close();
    },
  };
}

const REPO = resolve(import.meta.dirname, '../../..');

/**
 * A `k8ts server` (from source, memory datastore) without its own scheduler and controller
 * manager, so a test sees only the controllers it runs.
 */
export async function startBareServer(): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'k8ts-ctrl-'));
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', join(REPO, 'src/cmd/main.ts'), 'server', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--datastore', 'memory', '--disable-scheduler', '--disable-controller-manager'],
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
