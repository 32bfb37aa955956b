// A throwaway single-member etcd on 127.0.0.1 (free client and peer ports, a temp data dir), for
// tests. stop() kills it and removes the data; restart() kills it and starts it again on the same
// data and ports (to test reconnects).

import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ETCD_BIN = process.env['ETCD_BIN'] ?? '/usr/bin/etcd';

export interface LocalEtcd {
  /** `host:port` of the client endpoint. */
  endpoint: string;
  /** `etcd://host:port`, the datastore string openStore takes. */
  datastore: string;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

interface Running {
  child: ChildProcessByStdio<null, null, Readable>;
  exited: Promise<void>;
  stderr: () => string;
}

function spawnEtcd(dataDir: string, clientUrl: string, peerUrl: string): Running {
  const child = spawn(
    ETCD_BIN,
    [
      '--name', 'k8ts-test',
      '--data-dir', dataDir,
      '--listen-client-urls', clientUrl,
      '--advertise-client-urls', clientUrl,
      '--listen-peer-urls', peerUrl,
      '--initial-advertise-peer-urls', peerUrl,
      '--initial-cluster', `k8ts-test=${peerUrl}`,
      '--log-level', 'error',
      '--logger', 'zap',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, exited, stderr: () => stderr };
}

async function kill(r: Running): Promise<void> {
  if (r.child.exitCode === null && r.child.signalCode === null) {
    r.child.kill('SIGKILL');
    await r.exited;
  }
}

/** Wait until /health answers; give up after 20 s or if the process dies. */
async function waitHealthy(r: Running, clientUrl: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (r.child.exitCode !== null) throw new Error(`etcd exited early: ${r.stderr()}`);
    try {
      const res = await fetch(`${clientUrl}/health`);
      if (res.ok && ((await res.json()) as { health?: string }).health === 'true') return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`etcd did not become healthy: ${r.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function startLocalEtcd(): Promise<LocalEtcd> {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-etcd-'));
  const clientPort = await freePort();
  let peerPort = await freePort();
  while (peerPort === clientPort) peerPort = await freePort();
  const clientUrl = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const dataDir = join(dir, 'data');

  let running = spawnEtcd(dataDir, clientUrl, peerUrl);
  const killOnExit = () => running.child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const stop = async () => {
    process.off('exit', killOnExit);
    await kill(running);
    await rm(dir, { recursive: true, force: true });
  };
  const restart = async () => {
    await kill(running);
    running = spawnEtcd(dataDir, clientUrl, peerUrl);
    await waitHealthy(running, clientUrl);
  };

  try {
    await waitHealthy(running, clientUrl);
  } catch (err) {
    await stop();
    throw err;
  }
  const endpoint = `127.0.0.1:${clientPort}`;
  return { endpoint, datastore: `etcd://${endpoint}`, restart, stop };
}
