// End to end with simulated nodes: the real scheduler places daemon pods, simulated kubelets run
// them and report readiness.

import { runControllers, type RunningControllers } from '../testing.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/registry.js';
import { DAEMON_SETS, PODS, type ResourceClient } from '../../client/index.js';
import { eventually, startTestServer, type TestServer } from '../../client/testing/server.js';
import { startSimulator, type Simulator } from '../../simulator/index.js';
import { daemonSetController } from './controller.js';

type Obj<T> = T & KubeObject;

let server: TestServer;
let h: RunningControllers;
const sims: Simulator[] = [];
let dss: ResourceClient<Obj<DaemonSet>>;
let pods: ResourceClient<Obj<Pod>>;

before(async () => {
  server = await startTestServer({ scheduler: true });
  h = await runControllers(server.kubeconfig, [daemonSetController]);
  dss = h.client.resource(DAEMON_SETS);
  pods = h.client.resource(PODS);
});
after(async () => {
  for (const s of sims) await s.stop();
  await h?.stop();
  await server?.stop();
});

describe('daemonset on simulated nodes', () => {
  it('runs a ready pod on every node, including one that joins later', async () => {
    sims.push(await startSimulator({ client: h.client, nodes: 3, namePrefix: 'sim-', log: () => {}, events: false }));
    await dss.create('default', {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent' },
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image: 'agent:1' }] } },
      },
    });
    const ready = async (n: number) => {
      const s = (await dss.get('default', 'agent')).status;
      return s?.desiredNumberScheduled === n && s.numberReady === n && s.numberAvailable === n;
    };
    await eventually(() => ready(3), 20_000, '3 ready daemon pods');
    sims.push(await startSimulator({ client: h.client, nodes: 1, namePrefix: 'late-', ipOffset: 100, log: () => {}, events: false }));
    await eventually(() => ready(4), 20_000, '4 ready daemon pods');
    const nodesWithPods = (await pods.list('default', { labelSelector: 'app=agent' })).items.map((p) => p.spec?.nodeName).sort();
    assert.deepEqual(nodesWithPods, ['late-0', 'sim-0', 'sim-1', 'sim-2']);
  });
});
