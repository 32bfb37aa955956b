// Starts the API server (in a child process) on a fresh temp data dir, with its own etcd when the
// backend is etcd, and gives back an admin client for it.

import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadKubeconfig, type LoadedKubeconfig } from '../../src/apiserver/authn/kubeconfig.js';
import { startEtcd, type RunningEtcd } from './etcd.js';
import { onExit } from './cleanup.js';
import type { ChildMessage, ServerStats } from './server-ipc.js';

export type Backend = 'memory' | 'sqlite' | 'etcd';
export const BACKENDS: Backend[] = ['memory', 'sqlite', 'etcd'];

export interface BenchServer {
  backend: Backend;
  url: string;
  creds: LoadedKubeconfig;
  stats(): Promise<ServerStats>;
  stop(): Promise<void>;
}

const CHILD = fileURLToPath(new URL('./server-child.js', import.meta.url));

export async function startBenchServer(backend: Backend): Promise<BenchServer> {
  const dataDir = await mkdtemp(join(tmpdir(), `k8ts-bench-${backend}-`));
  let etcd: RunningEtcd | undefined;
  let child: ChildProcess | undefined;
  let unregister = () => {};
  const cleanup = async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child!.once('exit', () => r()));
      child.send({ type: 'close' });
      const t = setTimeout(() => child!.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    }
    unregister();
    await etcd?.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    if (backend === 'etcd') etcd = await startEtcd();
    const datastore = etcd ? etcd.datastore : backend;
    // K8TS_BENCH_CPU_PROF=DIR: the server child writes a V8 CPU profile into DIR when it exits.
    const profDir = process.env.K8TS_BENCH_CPU_PROF;
    const execArgv = profDir ? [...process.execArgv, '--cpu-prof', `--cpu-prof-dir=${profDir}`] : process.execArgv;
    child = fork(CHILD, [dataDir, datastore], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
    const c = child;
    unregister = onExit(() => c.kill('SIGKILL'));
    const ready = await new Promise<{ url: string; kubeconfigPath: string }>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('API server did not start within 60s')), 60_000);
      c.on('message', (m: ChildMessage) => {
        if (m.type === 'ready') {
          clearTimeout(t);
          resolve(m);
        }
      });
      c.once('exit', (code) => {
        clearTimeout(t);
        reject(new Error(`API server exited during start (code ${code})`));
      });
    });
    const creds = await loadKubeconfig(ready.kubeconfigPath);
    return {
      backend,
      url: ready.url,
      creds,
      stats: () =>
        new Promise<ServerStats>((resolve) => {
          const on = (m: ChildMessage) => {
            if (m.type !== 'stats') return;
            c.off('message', on);
            resolve(m);
          };
          c.on('message', on);
          c.send({ type: 'stats' });
        }),
      stop: cleanup,
    };
  } catch (e) {
    await cleanup();
    throw e;
  }
}
