// Against a real `k8ts server`: a PodDisruptionBudget's status follows its pods' readiness.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { KubeObject } from '../../api/registry.js';
import { PODS, POD_DISRUPTION_BUDGETS, RestClient } from '../../client/index.js';
import { startTestServer, waitForValue, type TestServer } from '../../client/testing/server.js';
import { runControllers } from '../testing.js';
import { disruptionController } from './index.js';

let server: TestServer;
let client: RestClient;
before(async () => {
  server = await startTestServer();
  client = await RestClient.fromKubeconfig(server.kubeconfig);
});
after(async () => {
  await server?.stop();
});

test('PodDisruptionBudget status: healthy pods, allowed disruptions, DisruptionAllowed', { timeout: 60_000 }, async () => {
  const pdbs = client.resource<PodDisruptionBudget & KubeObject>(POD_DISRUPTION_BUDGETS);
  const pods = client.resource<Pod & KubeObject>(PODS);
  const running = await runControllers(server.kubeconfig, [disruptionController]);
  try {
    for (const name of ['a', 'b', 'c']) {
      const p = await pods.create('default', { metadata: { name, labels: { app: 'db' } }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'x' }] } });
      await pods.updateStatus('default', { ...p, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } });
    }
    await pdbs.create('default', { metadata: { name: 'db' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'db' } } } });
    const s = await waitForValue('pdb status', async () => {
      const x = await pdbs.get('default', 'db');
      return x.status?.expectedPods === 3 ? x.status : undefined;
    });
    assert.deepEqual([s.currentHealthy, s.desiredHealthy, s.disruptionsAllowed], [3, 2, 1]);
    assert.deepEqual(s.conditions?.map((c) => [c.type, c.status, c.reason]), [['DisruptionAllowed', 'True', 'SufficientPods']]);
    const a = await pods.get('default', 'a');
    await pods.updateStatus('default', { ...a, status: { ...a.status, conditions: [{ type: 'Ready', status: 'False' }] } });
    const s2 = await waitForValue('pdb insufficient', async () => {
      const x = await pdbs.get('default', 'db');
      return x.status?.currentHealthy === 2 ? x.status : undefined;
    });
    assert.equal(s2.disruptionsAllowed, 0);
    assert.deepEqual(s2.conditions?.map((c) => [c.status, c.reason]), [['False', 'InsufficientPods']]);
  } finally {
    await running.stop();
  }
});
