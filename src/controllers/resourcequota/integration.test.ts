// Against a real `k8ts server`: a ResourceQuota's status follows the pods and objects of its namespace.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Pod, ResourceQuota } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/registry.js';
import { CONFIGMAPS, PODS, RestClient } from '../../client/index.js';
import { startTestServer, waitForValue, type TestServer } from '../../client/testing/server.js';
import { runControllers } from '../testing.js';
import { RESOURCE_QUOTAS, resourceQuotaController } from './index.js';

let server: TestServer;
let client: RestClient;
before(async () => {
  server = await startTestServer();
  client = await RestClient.fromKubeconfig(server.kubeconfig);
});
after(async () => {
  await server?.stop();
});

test('ResourceQuota status.used follows pods and configmaps', { timeout: 60_000 }, async () => {
  const quotas = client.resource<ResourceQuota & KubeObject>(RESOURCE_QUOTAS);
  const pods = client.resource<Pod & KubeObject>(PODS);
  const running = await runControllers(server.kubeconfig, [resourceQuotaController]);
  try {
    await quotas.create('default', { metadata: { name: 'q' }, spec: { hard: { pods: '10', 'requests.cpu': '2', 'limits.memory': '1Gi', configmaps: '5' } } });
    const mk = (name: string, cpu: string) =>
      pods.create('default', {
        metadata: { name },
        spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu }, limits: { cpu, memory: '128Mi' } } }] },
      });
    await mk('a', '100m');
    await mk('b', '250m');
    await client.resource<KubeObject>(CONFIGMAPS).create('default', { metadata: { name: 'cm' }, data: {} });
    const baseConfigmaps = (await client.resource<KubeObject>(CONFIGMAPS).list('default')).items.length;
    const q = await waitForValue('quota usage', async () => {
      const x = await quotas.get('default', 'q');
      return x.status?.used?.['pods'] === '2' && x.status.used['configmaps'] === String(baseConfigmaps) ? x : undefined;
    });
    assert.deepEqual(q.status?.hard, { pods: '10', 'requests.cpu': '2', 'limits.memory': '1Gi', configmaps: '5' });
    assert.equal(q.status?.used?.['requests.cpu'], '350m');
    assert.equal(q.status?.used?.['limits.memory'], '256Mi');
    await pods.delete('default', 'a', { gracePeriodSeconds: 0 });
    await waitForValue('pod deletion counted', async () => {
      const x = await quotas.get('default', 'q');
      return x.status?.used?.['pods'] === '1' && x.status.used['requests.cpu'] === '250m' ? true : undefined;
    });
  } finally {
    await running.stop();
  }
});
