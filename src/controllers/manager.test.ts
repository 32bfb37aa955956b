// Integration: a real API server, the controller manager (leader-elected) with the ReplicaSet and
// Deployment controllers, a fake kubelet marking pods Ready, and real kubectl.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { KubeObject } from '../api/registry.js';
import { LEASES, RestClient, REPLICA_SETS } from '../client/index.js';
import { startTestServer, eventually, type TestServer } from '../client/testing/server.js';
import { startFakeKubelet, type FakeKubelet } from './common/testing.js';
import { startControllerManager, type ControllerManager } from './manager.js';
import { allControllers } from './all.js';

const exec = promisify(execFile);
let server: TestServer;
let client: RestClient;
let manager: ControllerManager;
let kubelet: FakeKubelet;
let hasKubectl = true;

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await exec('kubectl', ['--kubeconfig', server.kubeconfig, ...args], { timeout: 90_000 });
  return stdout;
}

async function jsonpath(what: string, path: string): Promise<string> {
  return (await kubectl('get', what, '-o', `jsonpath=${path}`)).trim();
}

before(async () => {
  try {
    await exec('kubectl', ['version', '--client']);
  } catch {
    hasKubectl = false;
  }
  server = await startTestServer();
  client = await RestClient.fromKubeconfig(server.kubeconfig);
  manager = startControllerManager({ client, controllers: allControllers(), leaderElect: true, log: () => {} });
  await manager.synced;
  kubelet = startFakeKubelet(client, { delayMs: 50 });
});

after(async () => {
  await kubelet?.stop();
  await manager?.stop();
  client?.close();
  await server?.stop();
});

describe('controller manager', { timeout: 180_000 }, () => {
  it('holds the kube-system/kube-controller-manager Lease', async () => {
    const lease = await client.resource<KubeObject & { spec?: { holderIdentity?: string } }>(LEASES).get('kube-system', 'kube-controller-manager');
    assert.ok(lease.spec?.holderIdentity);
    assert.equal(manager.isLeader(), true);
  });

  it('kubectl create deployment, then scale 1 → 10 → 2', async (t) => {
    if (!hasKubectl) return t.skip('kubectl not installed');
    await kubectl('create', 'deployment', 'web', '--image=nginx:1.25');
    await kubectl('rollout', 'status', 'deployment/web', '--timeout=60s');
    await kubectl('scale', 'deployment/web', '--replicas=10');
    await kubectl('rollout', 'status', 'deployment/web', '--timeout=60s');
    assert.equal(await jsonpath('deployment/web', '{.status.availableReplicas}'), '10');
    await kubectl('scale', 'deployment/web', '--replicas=2');
    await eventually(async () => (await kubectl('get', 'pods', '-l', 'app=web', '-o', 'name')).trim().split('\n').filter(Boolean).length === 2, 30_000, '2 pods');
    await kubectl('rollout', 'status', 'deployment/web', '--timeout=60s');
    assert.equal(await jsonpath('deployment/web', '{.status.replicas}'), '2');
  });

  it('kubectl set image rolls out; rollout undo goes back; history lists revisions', async (t) => {
    if (!hasKubectl) return t.skip('kubectl not installed');
    await kubectl('set', 'image', 'deployment/web', 'nginx=nginx:1.26');
    await kubectl('rollout', 'status', 'deployment/web', '--timeout=60s');
    const rss = await client.resource<KubeObject & { spec?: { replicas?: number; template?: { spec?: { containers?: Array<{ image?: string }> } } } }>(REPLICA_SETS).list('default', { labelSelector: 'app=web' });
    assert.equal(rss.items.length, 2);
    const active = rss.items.filter((r) => (r.spec?.replicas ?? 0) > 0);
    assert.equal(active.length, 1);
    assert.equal(active[0]!.spec?.template?.spec?.containers?.[0]?.image, 'nginx:1.26');
    assert.equal(active[0]!.metadata?.annotations?.['deployment.kubernetes.io/revision'], '2');
    const history = await kubectl('rollout', 'history', 'deployment/web');
    assert.match(history, /^1\s/m);
    assert.match(history, /^2\s/m);

    await kubectl('rollout', 'undo', 'deployment/web');
    await kubectl('rollout', 'status', 'deployment/web', '--timeout=60s');
    assert.equal(await jsonpath('deployment/web', '{.spec.template.spec.containers[0].image}'), 'nginx:1.25');
    assert.equal(await jsonpath('deployment/web', "{.metadata.annotations['deployment\\.kubernetes\\.io/revision']}"), '3');
    const pods = await kubectl('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].spec.containers[0].image}');
    await eventually(async () => !(await kubectl('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].spec.containers[0].image}')).includes('1.26'), 30_000, 'old pods gone');
    assert.ok(pods.includes('nginx:1.25'));
  });

  it('rollout pause, resume and restart', async (t) => {
    if (!hasKubectl) return t.skip('kubectl not installed');
    await kubectl('rollout', 'pause', 'deployment/web');
    await kubectl('set', 'image', 'deployment/web', 'nginx=nginx:1.27');
    await eventually(async () => (await jsonpath('deployment/web', '{.status.conditions[?(@.type=="Progressing")].reason}')) === 'DeploymentPaused', 20_000, 'paused condition');
    assert.doesNotMatch(await kubectl('get', 'rs', '-l', 'app=web', '-o', 'jsonpath={.items[*].spec.template.spec.containers[0].image}'), /1\.27/);
    await kubectl('rollout', 'resume', 'deployment/web');
    await kubectl('rollout', 'status', 'deployment/web', '--timeout=60s');
    await kubectl('rollout', 'restart', 'deployment/web');
    await kubectl('rollout', 'status', 'deployment/web', '--timeout=60s');
    assert.equal(await jsonpath('deployment/web', "{.metadata.annotations['deployment\\.kubernetes\\.io/revision']}"), '5');
  });

  it('a ReplicationController keeps its count and adopts a matching orphan', async (t) => {
    if (!hasKubectl) return t.skip('kubectl not installed');
    await kubectl('run', 'stray', '--image=busybox', '--labels=app=rc1');
    await client.resource({ group: '', version: 'v1', plural: 'replicationcontrollers', namespaced: true }).create('default', {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name: 'rc1' },
      spec: { replicas: 3, selector: { app: 'rc1' }, template: { metadata: { labels: { app: 'rc1' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
    });
    await eventually(async () => (await jsonpath('rc/rc1', '{.status.readyReplicas}')) === '3', 30_000, 'rc ready');
    assert.equal(await jsonpath('pod/stray', '{.metadata.ownerReferences[0].name}'), 'rc1');
    assert.equal((await kubectl('get', 'pods', '-l', 'app=rc1', '-o', 'name')).trim().split('\n').length, 3);
  });
});
