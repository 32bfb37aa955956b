import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../api/registry.js';
import { CONFIGMAPS, PODS, REPLICA_SETS, isNotFound, type RestClient } from '../../client/index.js';
import { eventually, startTestServer, type TestServer } from '../../client/testing/server.js';
import { runControllers, type RunningControllers } from '../testing.js';
import { newGarbageCollectorController } from './controller.js';

const run = promisify(execFile);

let server: TestServer;
let running: RunningControllers;
let client: RestClient;

before(async () => {
  server = await startTestServer();
  running = await runControllers(server.kubeconfig, [newGarbageCollectorController()]);
  client = running.client;
});
after(async () => {
  await running?.stop();
  await server?.stop();
});

const kubectl = (...args: string[]) => run('kubectl', ['--kubeconfig', server.kubeconfig, ...args]);

const exists = async (fn: () => Promise<unknown>) => {
  try {
    await fn();
    return true;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
};

async function makeReplicaSet(ns: string, name: string, pods: number): Promise<{ rs: KubeObject; podNames: string[] }> {
  const rs = await client.resource(REPLICA_SETS).create(ns, {
    metadata: { name },
    spec: { replicas: pods, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
  });
  const ref: OwnerReference = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name, uid: rs.metadata!.uid!, controller: true, blockOwnerDeletion: true };
  const podNames: string[] = [];
  for (let i = 0; i < pods; i++) {
    const p = await client.resource(PODS).create(ns, {
      metadata: { name: `${name}-${i}`, labels: { app: name }, ownerReferences: [ref] },
      spec: { containers: [{ name: 'c', image: 'x' }] },
    });
    podNames.push(p.metadata!.name!);
  }
  return { rs, podNames };
}

describe('garbage collector', () => {
  it('--cascade=orphan leaves the pods without the ownerReference', async () => {
    const { podNames } = await makeReplicaSet('default', 'orphan-rs', 3);
    await kubectl('delete', 'rs', 'orphan-rs', '-n', 'default', '--cascade=orphan', '--wait=false');
    await eventually(async () => !(await exists(() => client.resource(REPLICA_SETS).get('default', 'orphan-rs'))), 15_000, 'rs gone');
    for (const n of podNames) {
      const p = await client.resource(PODS).get('default', n);
      assert.equal(p.metadata?.ownerReferences, undefined, `${n} still owned`);
      assert.equal(p.metadata?.deletionTimestamp, undefined);
    }
  });

  it('--cascade=foreground deletes the pods first, then the ReplicaSet', async () => {
    const { rs, podNames } = await makeReplicaSet('default', 'fg-rs', 3);
    // Hold one pod with a finalizer: the ReplicaSet must wait for it.
    const pods = client.resource(PODS);
    const held = await pods.get('default', podNames[0]!);
    await pods.update('default', { ...held, metadata: { ...held.metadata, finalizers: ['example.com/hold'] } });
    await kubectl('delete', 'rs', 'fg-rs', '-n', 'default', '--cascade=foreground', '--wait=false');
    await eventually(async () => !(await exists(() => pods.get('default', podNames[1]!))) && !(await exists(() => pods.get('default', podNames[2]!))), 15_000, 'unheld pods gone');
    const waiting = await client.resource(REPLICA_SETS).get('default', 'fg-rs');
    assert.equal(waiting.metadata?.uid, rs.metadata?.uid);
    assert.ok(waiting.metadata?.deletionTimestamp);
    assert.deepEqual(waiting.metadata?.finalizers, ['foregroundDeletion']);
    // Release the last pod: it goes, then the ReplicaSet.
    const h2 = await pods.get('default', podNames[0]!);
    assert.ok(h2.metadata?.deletionTimestamp);
    await pods.update('default', { ...h2, metadata: { ...h2.metadata, finalizers: [] } });
    await eventually(async () => !(await exists(() => client.resource(REPLICA_SETS).get('default', 'fg-rs'))), 15_000, 'rs gone after its pods');
    assert.equal(await exists(() => pods.get('default', podNames[0]!)), false);
  });

  it('--cascade=background deletes the ReplicaSet, then the pods', async () => {
    const { podNames } = await makeReplicaSet('default', 'bg-rs', 3);
    await kubectl('delete', 'rs', 'bg-rs', '-n', 'default', '--cascade=background', '--wait=false');
    assert.equal(await exists(() => client.resource(REPLICA_SETS).get('default', 'bg-rs')), false);
    await eventually(async () => {
      for (const n of podNames) if (await exists(() => client.resource(PODS).get('default', n))) return false;
      return true;
    }, 15_000, 'pods collected');
  });

  it('collects dependents of owners that never existed or were replaced, and drops dangling references next to live ones', async () => {
    const cms = client.resource(CONFIGMAPS);
    const live = await cms.create('default', { metadata: { name: 'owner-live' } });
    const ghost: OwnerReference = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner-ghost', uid: '00000000-0000-0000-0000-00000000dead' };
    const liveRef: OwnerReference = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner-live', uid: live.metadata!.uid! };
    const staleRef: OwnerReference = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner-live', uid: '00000000-0000-0000-0000-00000000beef' };
    await cms.create('default', { metadata: { name: 'dep-ghost', ownerReferences: [ghost] } });
    await cms.create('default', { metadata: { name: 'dep-stale', ownerReferences: [staleRef] } });
    await cms.create('default', { metadata: { name: 'dep-mixed', ownerReferences: [liveRef, ghost] } });
    await cms.create('default', { metadata: { name: 'dep-live', ownerReferences: [liveRef] } });
    await eventually(async () => !(await exists(() => cms.get('default', 'dep-ghost'))) && !(await exists(() => cms.get('default', 'dep-stale'))), 15_000, 'orphans collected');
    await eventually(async () => (await cms.get('default', 'dep-mixed')).metadata?.ownerReferences?.length === 1, 15_000, 'dangling reference dropped');
    assert.equal((await cms.get('default', 'dep-mixed')).metadata?.ownerReferences?.[0]?.uid, live.metadata!.uid);
    assert.ok(await cms.get('default', 'dep-live'));
  });

  it('cluster-scoped owners: a namespace-scoped dependent of a deleted cluster-scoped owner goes', async () => {
    const owner = await client.request<KubeObject>({ method: 'POST', path: '/apis/scheduling.k8s.io/v1/priorityclasses', body: { metadata: { name: 'gc-owner' }, value: 5 } });
    const ref: OwnerReference = { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', name: 'gc-owner', uid: owner.metadata!.uid! };
    const cms = client.resource(CONFIGMAPS);
    await cms.create('default', { metadata: { name: 'dep-of-cluster', ownerReferences: [ref] } });
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(await cms.get('default', 'dep-of-cluster'));
    await client.request({ method: 'DELETE', path: '/apis/scheduling.k8s.io/v1/priorityclasses/gc-owner' });
    await eventually(async () => !(await exists(() => cms.get('default', 'dep-of-cluster'))), 15_000, 'dependent collected');
  });
});
