// The kubelet on real containerd (CRI) against a real API server: Running with a pod IP, crash-loop,
// liveness restart, ConfigMap volume updates, OOM kill, adoption after a restart, graceful delete.
// Skipped where containerd cannot run (not root, packages missing).

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { KubeObject } from '../api/registry.js';
import { CONFIGMAPS, PODS, RestClient, isNotFound } from '../client/index.js';
import { eventually, startTestServer, type TestServer } from '../client/testing/server.js';
import { BUSYBOX_IMAGE } from '../runtime/images/build.js';
import { containerdSkipReason, startTestContainerd, type TestContainerd } from '../runtime/cri/testing.js';
import { POD_UID } from './labels.js';
import { startKubelet, type Kubelet } from './kubelet.js';
import type { Pod } from './types.js';

const skip = containerdSkipReason();
const NODE = 'cd-node';
let server: TestServer;
let client: RestClient;
let cd: TestContainerd;
let kubelet: Kubelet;
let dataDir: string;

const opts = () => ({ client, runtime: cd.runtime, nodeName: NODE, dataDir, podResyncMs: 200, backoff: { initialMs: 500, maxMs: 2000 }, objectCacheMs: 200, log: () => {} });

before(async () => {
  if (skip) return;
  [server, cd] = await Promise.all([startTestServer(), startTestContainerd()]);
  client = await RestClient.fromKubeconfig(server.kubeconfig);
  dataDir = mkdtempSync(join(tmpdir(), 'k8ts-kcd-'));
  kubelet = await startKubelet(opts());
});

after(async () => {
  if (skip) return;
  await kubelet?.stop();
  await cd?.cleanup();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const pods = () => client.resource<KubeObject>(PODS);
async function getPod(name: string): Promise<Pod | undefined> {
  try {
    return (await pods().get('default', name)) as Pod;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}
function pod(name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { nodeName: NODE, terminationGracePeriodSeconds: 5, ...spec } };
}
const bb = (name: string, script: string, extra: Record<string, unknown> = {}) => ({ name, image: BUSYBOX_IMAGE, imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', script], ...extra });

test('a busybox pod goes Running with a pod IP; a ConfigMap volume follows updates', { skip }, async () => {
  await client.resource<KubeObject>(CONFIGMAPS).create('default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web-cfg' }, data: { msg: 'one' } });
  await pods().create(
    'default',
    pod('web', {
      containers: [bb('c', 'echo started; exec sleep 3600', { env: [{ name: 'ME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }], volumeMounts: [{ name: 'cfg', mountPath: '/cfg' }] })],
      volumes: [{ name: 'cfg', configMap: { name: 'web-cfg' } }],
    }),
  );
  await eventually(async () => (await getPod('web'))?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true, 30_000, 'web Ready');
  const p = (await getPod('web'))!;
  const prefix = cd.podCidr.split('.').slice(0, 3).join('.');
  assert.ok(p.status?.podIP?.startsWith(prefix + '.'), `pod IP ${p.status?.podIP} in ${cd.podCidr}`);
  const cid = p.status!.containerStatuses![0]!.containerID!.replace('containerd://', '');
  assert.match(p.status!.containerStatuses![0]!.containerID!, /^containerd:\/\//);
  const env = await cd.runtime.execSync(cid, ['sh', '-c', 'echo $ME; cat /cfg/msg'], 5);
  assert.equal(env.stdout.toString(), 'web\none');
  await client.resource<KubeObject>(CONFIGMAPS).patch('default', 'web-cfg', { data: { msg: 'two' } });
  await eventually(async () => (await cd.runtime.execSync(cid, ['cat', '/cfg/msg'], 5)).stdout.toString() === 'two', 20_000, 'configmap update inside the container');
});

test('a container that exits 1 crash-loops with a growing restartCount', { skip }, async () => {
  await pods().create('default', pod('crash', { containers: [bb('c', 'echo dying; exit 1')] }));
  let backoff = false;
  await eventually(async () => {
    const cs = (await getPod('crash'))?.status?.containerStatuses?.[0];
    if (cs?.state?.waiting?.reason === 'CrashLoopBackOff') backoff = true;
    return backoff && (cs?.restartCount ?? 0) >= 2 && cs?.lastState?.terminated?.exitCode === 1;
  }, 30_000, 'CrashLoopBackOff, restartCount ≥ 2');
});

test('a failing liveness probe restarts the container; readiness gates Ready', { skip }, async () => {
  await pods().create(
    'default',
    pod('live', {
      containers: [
        bb('c', 'touch /tmp/ok; sleep 2; rm /tmp/ok; exec sleep 3600', {
          livenessProbe: { exec: { command: ['cat', '/tmp/ok'] }, periodSeconds: 1, failureThreshold: 1 },
          readinessProbe: { exec: { command: ['cat', '/tmp/ok'] }, periodSeconds: 1 },
        }),
      ],
    }),
  );
  await eventually(async () => ((await getPod('live'))?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 30_000, 'liveness restart');
  await eventually(async () => (await getPod('live'))?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true, 15_000, 'ready after restart');
});

test('a container over its memory limit is OOMKilled', { skip }, async () => {
  await pods().create('default', pod('oom', { restartPolicy: 'Never', containers: [bb('c', 'head -c 200000000 /dev/zero | tail', { resources: { limits: { memory: '20Mi' } } })] }));
  await eventually(async () => (await getPod('oom'))?.status?.phase === 'Failed', 30_000, 'oom pod Failed');
  const t = (await getPod('oom'))!.status!.containerStatuses![0]!.state!.terminated!;
  assert.equal(t.reason, 'OOMKilled');
});

test('a restarted kubelet adopts running containers', { skip }, async () => {
  const before = (await getPod('web'))!.status!.containerStatuses![0]!;
  await kubelet.stop();
  kubelet = await startKubelet(opts());
  await new Promise((r) => setTimeout(r, 1500));
  const now = (await getPod('web'))!.status!.containerStatuses![0]!;
  assert.equal(now.containerID, before.containerID);
  assert.equal(now.restartCount, before.restartCount);
  assert.ok(now.state?.running);
});

test('deleting pods runs preStop, finishes within the grace period and leaves nothing in containerd', { skip }, async () => {
  await pods().create(
    'default',
    pod('stopper', {
      terminationGracePeriodSeconds: 10,
      volumes: [{ name: 'out', hostPath: { path: join(dataDir, 'prestop-out'), type: 'DirectoryOrCreate' } }],
      containers: [
        bb('c', 'trap "exit 0" TERM; while :; do sleep 0.2; done', {
          volumeMounts: [{ name: 'out', mountPath: '/out' }],
          lifecycle: { preStop: { exec: { command: ['sh', '-c', 'echo bye > /out/prestop'] } } },
        }),
      ],
    }),
  );
  await eventually(async () => (await getPod('stopper'))?.status?.phase === 'Running', 30_000, 'stopper Running');
  const names = (await pods().list('default')).items.map((p) => p.metadata!.name!);
  const uids = (await pods().list('default')).items.map((p) => p.metadata!.uid!);
  const t0 = Date.now();
  for (const n of names) await pods().delete('default', n);
  await eventually(async () => (await pods().list('default')).items.length === 0, 30_000, 'all pods gone');
  assert.ok(Date.now() - t0 < 15_000);
  assert.equal(readFileSync(join(dataDir, 'prestop-out', 'prestop'), 'utf8'), 'bye\n');
  for (const uid of uids) {
    await eventually(async () => (await cd.runtime.listPodSandboxes({ labels: { [POD_UID]: uid! } })).length === 0, 5000, `no sandbox of ${uid}`);
    await eventually(async () => (await cd.runtime.listContainers({ labels: { [POD_UID]: uid! } })).length === 0, 5000, `no container of ${uid}`);
  }
});
