// Test helpers: run controllers against a real API server the way the manager does, and play
// scheduler + kubelet for daemon pods (bind to the target node, report Running and Ready, finish
// graceful deletions).

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/registry.js';
import { EventRecorder, InformerFactory, NODES, PODS, RestClient, isNotFound } from '../../client/index.js';
import type { TestServer } from '../../client/testing/server.js';
import { DEFAULT_CONTROLLER_OPTIONS, type Controller, type ControllerContext } from '../types.js';
import { targetNodeName } from './eligibility.js';

export interface Harness {
  client: RestClient;
  stop(): Promise<void>;
}

const REPO = resolve(import.meta.dirname, '../../..');

/**
 * A `k8ts server` (memory datastore) without its in-process controller manager, so the controllers
 * under test are the only ones; the scheduler runs unless `scheduler` is false.
 */
export async function startServerWithoutControllers(opts: { scheduler?: boolean } = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'k8ts-ctrl-'));
  const args = ['--import', 'tsx', join(REPO, 'src/cmd/main.ts'), 'server', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--datastore', 'memory', '--disable-controller-manager'];
  if (opts.scheduler === false) args.push('--disable-scheduler');
  const proc = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-20_000);
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

/** A Node object that looks like a healthy kubelet registered it: Ready, with room for pods. */
export async function createReadyNode(client: RestClient, name: string, spec: Node['spec'] = {}, labels: Record<string, string> = {}): Promise<void> {
  const nodes = client.resource<Node & KubeObject>(NODES);
  const created = await nodes.create(undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } }, spec });
  const now = new Date().toISOString();
  const capacity = { cpu: '4', memory: '8Gi', pods: '110' };
  await nodes.updateStatus(undefined, {
    ...created,
    status: {
      capacity,
      allocatable: capacity,
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: now, lastTransitionTime: now }],
    },
  });
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

/** The pod runs and is Ready (status written through pods/status). */
export async function markRunningReady(client: RestClient, pod: Pod): Promise<void> {
  const pods = client.resource<Pod & KubeObject>(PODS);
  const now = new Date().toISOString();
  await pods.updateStatus(pod.metadata?.namespace, {
    ...(pod as Pod & KubeObject),
    status: {
      ...pod.status,
      phase: 'Running',
      startTime: pod.status?.startTime ?? now,
      conditions: [
        { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
        { type: 'Initialized', status: 'True', lastTransitionTime: now },
        { type: 'ContainersReady', status: 'True', lastTransitionTime: now },
        { type: 'Ready', status: 'True', lastTransitionTime: now },
      ],
    },
  });
}

/**
 * One pass of a pretend kubelet (and, unless `bind` is false, scheduler) over a namespace: bind
 * pending pods to the node their affinity names, mark bound pods Running and Ready, and finish
 * graceful deletions.
 */
export async function playNodes(client: RestClient, namespace: string, opts: { bind?: boolean } = {}): Promise<void> {
  const pods = client.resource<Pod & KubeObject>(PODS);
  for (const p of (await pods.list(namespace)).items) {
    const name = p.metadata?.name ?? '';
    try {
      if (p.metadata?.deletionTimestamp) {
        await pods.delete(namespace, name, { gracePeriodSeconds: 0 });
        continue;
      }
      if (!p.spec?.nodeName) {
        if (opts.bind === false) continue;
        const node = targetNodeName(p);
        if (!node) continue;
        await pods.createSubresource(namespace, name, 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { kind: 'Node', name: node } });
        continue;
      }
      if (p.status?.phase !== 'Running') await markRunningReady(client, p);
    } catch (err) {
      if (!isNotFound(err) && (err as { code?: number }).code !== 409) throw err;
    }
  }
}
