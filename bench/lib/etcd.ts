// A throwaway single-member etcd on loopback with free ports and a temp data dir.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { get } from 'node:http';
import { freePort } from './ports.js';
import { onExit } from './cleanup.js';

export const ETCD_BIN = process.env['ETCD_BIN'] ?? '/usr/bin/etcd';

export interface RunningEtcd {
  /** `etcd://127.0.0.1:P`, for `--datastore`. */
  datastore: string;
  clientUrl: string;
  stop(): Promise<void>;
}

export async function startEtcd(): Promise<RunningEtcd> {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-bench-etcd-'));
  const clientPort = await freePort();
  let peerPort = await freePort();
  while (peerPort === clientPort) peerPort = await freePort();
  const clientUrl = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const child: ChildProcess = spawn(
    ETCD_BIN,
    [
      '--name', 'default',
      '--data-dir', dir,
      '--listen-client-urls', clientUrl,
      '--advertise-client-urls', clientUrl,
      '--listen-peer-urls', peerUrl,
      '--initial-advertise-peer-urls', peerUrl,
      '--initial-cluster', `default=${peerUrl}`,
      '--log-level', 'error',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const unregister = onExit(() => child.kill('SIGKILL'));
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
    unregister();
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`etcd exited with code ${child.exitCode}: ${stderr}`);
    }
    if (await healthy(clientUrl)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`etcd did not become healthy within 20s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { datastore: `etcd://127.0.0.1:${clientPort}`, clientUrl, stop };
}

function healthy(clientUrl: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = get(`${clientUrl}/health`, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(res.statusCode === 200 && body.includes('true')));
    });
    req.on('error', () => resolve(false));
    req.setTimeout(1000, () => req.destroy());
  });
}
