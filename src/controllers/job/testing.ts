// Test helpers for the Job and CronJob controllers: run controllers against a real API server the
// way the manager does, and play kubelet by writing pod status.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/registry.js';
import { EventRecorder, InformerFactory, PODS, RestClient, isConflict } from '../../client/index.js';
import type { TestServer } from '../../client/testing/server.js';
import { DEFAULT_CONTROLLER_OPTIONS, type Controller, type ControllerContext } from '../types.js';

const REPO = resolve(import.meta.dirname, '../../..');

/**
 * `k8ts server` from source (memory datastore) without its own scheduler and controller manager:
 * the test's controllers are the only ones acting (a second Job controller would race them).
 */
export async function startServerWithoutControllers(): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'k8ts-job-'));
  const args = ['--import', 'tsx', join(REPO, 'src/cmd/main.ts'), 'server', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--datastore', 'memory'];
  const proc = spawn(process.execPath, [...args, '--disable-scheduler', '--disable-controller-manager'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-20_000)));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const line = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`server did not start in 60 s:\n${err}`)), 60_000);
    createInterface({ input: proc.stdout! }).on('line', (l) => {
      if (!l.startsWith('ready ')) return;
      clearTimeout(timer);
      res(l);
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

export interface Harness {
  client: RestClient;
  stop(): Promise<void>;
}

export async function runControllers(kubeconfig: string, controllers: Controller[]): Promise<Harness> {
  const client = await RestClient.fromKubeconfig(kubeconfig, { qps: 0 });
  const informers = new InformerFactory(client);
  const ac = new AbortController();
  const ctx: ControllerContext = {
    client,
    informers,
    recorder: (component) => new EventRecorder(client, { component }),
    options: { ...DEFAULT_CONTROLLER_OPTIONS },
    signal: ac.signal,
  };
  for (const c of controllers) await c.start(ctx);
  informers.start();
  await informers.waitForSync(ac.signal);
  return {
    client,
    async stop() {
      ac.abort();
      await informers.stop();
      client.close();
    },
  };
}

/** Play kubelet: the pod ran to the end with this exit code (0: Succeeded, else Failed). */
export async function finishPod(client: RestClient, pod: Pod, exitCode: number): Promise<void> {
  const pods = client.resource<Pod & KubeObject>(PODS);
  const now = new Date().toISOString();
  const containerStatuses = (pod.spec?.containers ?? []).map((c) => ({
    name: c.name,
    image: c.image ?? '',
    imageID: '',
    ready: false,
    restartCount: 0,
    state: { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt: now, finishedAt: now } },
  }));
  let current = pod as Pod & KubeObject;
  for (let attempt = 0; ; attempt++) {
    try {
      await pods.updateStatus(current.metadata?.namespace, {
        ...current,
        status: { ...current.status, phase: exitCode === 0 ? 'Succeeded' : 'Failed', containerStatuses },
      });
      return;
    } catch (err) {
      if (!isConflict(err) || attempt >= 5) throw err;
      current = await pods.get(current.metadata?.namespace, current.metadata!.name!);
    }
  }
}
