// End to end with simulated nodes: the real scheduler places the pods, a simulated kubelet runs
// them; the StatefulSet comes up one pod at a time with its claims.

import { runControllers, type RunningControllers } from '../testing.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/registry.js';
import { PERSISTENT_VOLUME_CLAIMS, PODS, STATEFUL_SETS, type ResourceClient } from '../../client/index.js';
import { eventually, startTestServer, type TestServer } from '../../client/testing/server.js';
import { startSimulator, type Simulator } from '../../simulator/index.js';
import { isPodReady } from '../common/index.js';
import { statefulSetController } from './controller.js';

type Obj<T> = T & KubeObject;

let server: TestServer;
let h: RunningControllers;
let sim: Simulator | undefined;
let sets: ResourceClient<Obj<StatefulSet>>;
let pods: ResourceClient<Obj<Pod>>;
let pvcs: ResourceClient<Obj<PersistentVolumeClaim>>;

before(async () => {
  server = await startTestServer({ scheduler: true });
  h = await runControllers(server.kubeconfig, [statefulSetController]);
  sets = h.client.resource(STATEFUL_SETS);
  pods = h.client.resource(PODS);
  pvcs = h.client.resource(PERSISTENT_VOLUME_CLAIMS);
  sim = await startSimulator({ client: h.client, nodes: 2, log: () => {}, events: false });
});
after(async () => {
  await sim?.stop();
  await h?.stop();
  await server?.stop();
});

describe('statefulset on simulated nodes', () => {
  it('comes up in order with its PVCs', async () => {
    await sets.create('default', {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db' },
      spec: {
        replicas: 3,
        serviceName: 'db',
        selector: { matchLabels: { app: 'db' } },
        template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'db:1' }] } },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      },
    });
    // Whenever db-k exists, every lower ordinal is Ready.
    await eventually(
      async () => {
        const ps = (await pods.list('default', { labelSelector: 'app=db' })).items;
        const byName = new Map(ps.map((p) => [p.metadata!.name!, p]));
        for (const p of ps) {
          const k = Number(p.metadata!.name!.split('-').pop());
          for (let j = 0; j < k; j++) assert.ok(isPodReady(byName.get(`db-${j}`) ?? {}), `db-${k} exists before db-${j} is ready`);
        }
        const s = (await sets.get('default', 'db')).status;
        return s?.readyReplicas === 3 && s.replicas === 3;
      },
      30_000,
      'three ready replicas',
    );
    const ps = (await pods.list('default', { labelSelector: 'app=db' })).items;
    const created = ps.map((p) => [p.metadata!.name!, Date.parse(p.metadata!.creationTimestamp!)] as const).sort((a, b) => a[1] - b[1]);
    assert.deepEqual(created.map(([n]) => n), ['db-0', 'db-1', 'db-2']);
    assert.ok(ps.every((p) => p.spec?.nodeName && p.status?.phase === 'Running'));
    const claims = (await pvcs.list('default')).items.map((c) => c.metadata!.name).sort();
    assert.deepEqual(claims, ['data-db-0', 'data-db-1', 'data-db-2']);
  });
});
