import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ControllerRevision, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/registry.js';
import { PERSISTENT_VOLUME_CLAIMS, PODS, STATEFUL_SETS, type ResourceClient } from '../../client/index.js';
import { eventually, startTestServer, type TestServer } from '../../client/testing/server.js';
import { runControllers, type RunningControllers } from '../testing.js';
import { isPodReady } from '../common/index.js';
import { markRunningReady } from '../daemonset/testing.js';
import { CONTROLLER_REVISIONS } from '../history/index.js';
import { statefulSetController } from './controller.js';
import { POD_INDEX_LABEL, POD_NAME_LABEL, STATEFUL_SET_REVISION_LABEL } from './identity.js';

type Obj<T> = T & KubeObject;

let server: TestServer;
let h: RunningControllers;
let sets: ResourceClient<Obj<StatefulSet>>;
let pods: ResourceClient<Obj<Pod>>;
let pvcs: ResourceClient<Obj<PersistentVolumeClaim>>;
let revs: ResourceClient<Obj<ControllerRevision>>;

before(async () => {
  // No scheduler: the test plays kubelet for pods no node holds.
  server = await startTestServer();
  h = await runControllers(server.kubeconfig, [statefulSetController]);
  sets = h.client.resource(STATEFUL_SETS);
  pods = h.client.resource(PODS);
  pvcs = h.client.resource(PERSISTENT_VOLUME_CLAIMS);
  revs = h.client.resource(CONTROLLER_REVISIONS);
});
after(async () => {
  await h?.stop();
  await server?.stop();
});

function statefulSet(name: string, replicas: number): Obj<StatefulSet> {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name },
    spec: {
      replicas,
      serviceName: name,
      selector: { matchLabels: { app: name } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'db', image: 'db:1' }] } },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
  };
}

const setPods = async (app: string) =>
  (await pods.list('default', { labelSelector: `app=${app}` })).items.sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!));
const ordinal = (p: Pod) => Number(p.metadata!.name!.split('-').pop());

/**
 * Play kubelet until `done`: every poll checks that at most one pod is starting and (while scaling
 * up) the OrderedReady invariant (a pod exists only when every lower ordinal is Running and Ready),
 * then marks not-ready pods Running and Ready.
 */
async function playOrdered(app: string, done: (ps: Pod[]) => boolean | Promise<boolean>, seen: string[] = [], checkOrder = true): Promise<void> {
  await eventually(
    async () => {
      const ps = (await setPods(app)).filter((p) => !p.metadata?.deletionTimestamp);
      const byOrd = new Map(ps.map((p) => [ordinal(p), p]));
      let notReady = 0;
      for (const p of ps) {
        for (let j = 0; checkOrder && j < ordinal(p); j++) {
          const prev = byOrd.get(j);
          if (prev) assert.ok(isPodReady(prev) || prev.metadata?.deletionTimestamp, `${p.metadata?.name} exists while ${prev.metadata?.name} is not ready`);
        }
        if (!isPodReady(p)) notReady++;
        const key = `${p.metadata!.name}@${p.metadata!.uid}`;
        if (!seen.includes(key)) seen.push(key);
      }
      assert.ok(notReady <= 1, `at most one pod is starting at a time (${notReady})`);
      if (await done(ps)) return true;
      for (const p of ps) if (!isPodReady(p)) await markRunningReady(h.client, p).catch(() => {});
      return false;
    },
    20_000,
    `statefulset ${app}`,
  );
}

describe('statefulset controller against a real API server', () => {
  it('comes up in order with its PVCs, rolls an update from the top, scales down in reverse', async () => {
    await sets.create('default', statefulSet('web', 3));
    const seen: string[] = [];
    await playOrdered('web', async (ps) => ps.length === 3 && ps.every(isPodReady) && (await sets.get('default', 'web')).status?.readyReplicas === 3, seen);
    assert.deepEqual(seen.map((s) => s.split('@')[0]), ['web-0', 'web-1', 'web-2'], 'created in order');

    const set = await sets.get('default', 'web');
    const st = set.status!;
    assert.equal(st.replicas, 3);
    assert.equal(st.currentReplicas, 3);
    assert.equal(st.updatedReplicas, 3);
    assert.equal(st.availableReplicas, 3);
    assert.equal(st.observedGeneration, 1);
    assert.ok(st.currentRevision && st.currentRevision === st.updateRevision);
    const revList = (await revs.list('default')).items;
    assert.deepEqual(revList.map((r) => r.metadata?.name), [st.currentRevision]);
    assert.ok(revList[0]!.metadata?.labels?.['controller.kubernetes.io/hash']);

    for (const p of await setPods('web')) {
      const n = p.metadata!.name!;
      assert.equal(p.metadata?.labels?.[POD_NAME_LABEL], n);
      assert.equal(p.metadata?.labels?.[POD_INDEX_LABEL], String(ordinal(p)));
      assert.equal(p.metadata?.labels?.[STATEFUL_SET_REVISION_LABEL], st.currentRevision);
      assert.equal(p.spec?.hostname, n);
      assert.equal(p.spec?.subdomain, 'web');
      assert.deepEqual(p.spec?.volumes?.find((v) => v.name === 'data')?.persistentVolumeClaim, { claimName: `data-${n}` });
    }
    const claims = (await pvcs.list('default')).items.sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!));
    assert.deepEqual(claims.map((c) => c.metadata?.name), ['data-web-0', 'data-web-1', 'data-web-2']);
    for (const c of claims) {
      assert.deepEqual(c.metadata?.labels, { app: 'web' });
      assert.deepEqual(c.metadata?.ownerReferences?.map((r) => [r.kind, r.name, r.uid]), [['StatefulSet', 'web', set.metadata?.uid]], 'whenDeleted: Delete');
    }

    // Rolling update: highest ordinal first, each ready before the next.
    const cur = await sets.get('default', 'web');
    cur.spec!.template.spec!.containers[0]!.image = 'db:2';
    await sets.update('default', cur);
    const order: string[] = [];
    await playOrdered('web', async (ps) => {
      for (const p of ps) if (p.spec?.containers[0]?.image === 'db:2' && !order.includes(p.metadata!.name!)) order.push(p.metadata!.name!);
      const s = (await sets.get('default', 'web')).status;
      return ps.length === 3 && ps.every((p) => p.spec?.containers[0]?.image === 'db:2' && isPodReady(p)) && s?.currentRevision === s?.updateRevision && s?.updatedReplicas === 3;
    }, [], false);
    assert.deepEqual(order, ['web-2', 'web-1', 'web-0'], 'updated from the highest ordinal down');
    const updated = (await sets.get('default', 'web')).status!;
    assert.notEqual(updated.currentRevision, st.currentRevision);
    assert.equal((await revs.list('default')).items.length, 2);

    // Scale down to 1: web-2 goes before web-1; claims are retained.
    const scaled = await sets.get('default', 'web');
    scaled.spec!.replicas = 1;
    await sets.update('default', scaled);
    const gone: string[] = [];
    await eventually(
      async () => {
        const names = (await setPods('web')).map((p) => p.metadata!.name!);
        for (const n of ['web-2', 'web-1']) if (!names.includes(n) && !gone.includes(n)) gone.push(n);
        return names.length === 1 && (await sets.get('default', 'web')).status?.replicas === 1;
      },
      10_000,
      'scale down to 1',
    );
    assert.deepEqual(gone, ['web-2', 'web-1']);
    assert.equal((await pvcs.list('default')).items.length, 3, 'claims retained on scale-down');
  });

  it('Parallel creates every pod at once', async () => {
    const s = statefulSet('par', 3);
    s.spec!.podManagementPolicy = 'Parallel';
    await sets.create('default', s);
    await eventually(async () => (await setPods('par')).length === 3, 10_000, 'three pods at once');
  });
});
