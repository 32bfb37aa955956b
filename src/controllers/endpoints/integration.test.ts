// Against a real `k8ts server`: a Service with a selector gets an Endpoints object and an
// EndpointSlice listing its Ready pods (and its not-ready ones as such), kept up to date.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Endpoints, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { KubeObject } from '../../api/registry.js';
import { ENDPOINTS, ENDPOINT_SLICES, PODS, RestClient, SERVICES } from '../../client/index.js';
import { startTestServer, waitForValue, type TestServer } from '../../client/testing/server.js';
import { runControllers } from '../testing.js';
import { endpointSliceController } from '../endpointslice/index.js';
import { endpointsController } from './index.js';

let server: TestServer;
let client: RestClient;
before(async () => {
  server = await startTestServer();
  client = await RestClient.fromKubeconfig(server.kubeconfig);
});
after(async () => {
  await server?.stop();
});

// Reads of objects the controllers have yet to create fail (404) until they exist: poll through that.
const waitFor = <T>(what: string, fn: () => Promise<T | undefined>) => waitForValue(what, fn, { retryErrors: true });

test('Endpoints and EndpointSlices follow a Service and its pods', { timeout: 60_000 }, async () => {
  const pods = client.resource<Pod & KubeObject>(PODS);
  const services = client.resource<Service & KubeObject>(SERVICES);
  const endpoints = client.resource<Endpoints & KubeObject>(ENDPOINTS);
  const slices = client.resource<EndpointSlice & KubeObject>(ENDPOINT_SLICES);

  const running = await runControllers(server.kubeconfig, [endpointsController, endpointSliceController]);

  const mkPod = async (name: string, ip: string, ready: boolean) => {
    const p = await pods.create('default', {
      metadata: { name, namespace: 'default', labels: { app: 'web' } },
      spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'nginx', ports: [{ name: 'http', containerPort: 8080 }] }] },
    });
    return pods.updateStatus('default', {
      ...p,
      status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }] },
    });
  };

  try {
    await mkPod('web-1', '10.244.0.11', true);
    await mkPod('web-2', '10.244.0.12', false);
    await mkPod('other', '10.244.0.13', true).then((p) => pods.patch('default', 'other', { metadata: { labels: { app: 'other' } } }));
    const svc = await services.create('default', {
      metadata: { name: 'web', namespace: 'default' },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    });
    await services.create('default', { metadata: { name: 'manual', namespace: 'default' }, spec: { ports: [{ port: 80 }] } });

    const ep = await waitFor('endpoints', async () => {
      const e = await endpoints.get('default', 'web');
      return e.subsets?.length ? e : undefined;
    });
    assert.deepEqual(ep.subsets?.[0]?.addresses?.map((a) => [a.ip, a.targetRef?.name, a.nodeName]), [['10.244.0.11', 'web-1', 'n1']]);
    assert.deepEqual(ep.subsets?.[0]?.notReadyAddresses?.map((a) => a.ip), ['10.244.0.12']);
    assert.deepEqual(ep.subsets?.[0]?.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);

    const slice = await waitFor('endpointslice', async () => {
      const l = await slices.list('default', { labelSelector: 'kubernetes.io/service-name=web' });
      return l.items.length === 1 && l.items[0]!.endpoints?.length === 2 ? l.items[0]! : undefined;
    });
    assert.equal(slice.metadata?.labels?.['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
    assert.equal(slice.metadata?.ownerReferences?.[0]?.uid, svc.metadata?.uid);
    assert.equal(slice.addressType, 'IPv4');
    assert.deepEqual(slice.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    const byName = Object.fromEntries(slice.endpoints.map((e) => [e.targetRef?.name, e]));
    assert.deepEqual(byName['web-1']?.conditions, { ready: true, serving: true, terminating: false });
    assert.deepEqual(byName['web-2']?.conditions, { ready: false, serving: false, terminating: false });

    // web-2 becomes ready → both lists follow.
    const p2 = await pods.get('default', 'web-2');
    await pods.updateStatus('default', { ...p2, status: { ...p2.status, conditions: [{ type: 'Ready', status: 'True' }] } });
    await waitFor('web-2 ready in endpoints', async () => {
      const e = await endpoints.get('default', 'web');
      return e.subsets?.[0]?.addresses?.length === 2 && !e.subsets[0].notReadyAddresses ? true : undefined;
    });
    await waitFor('web-2 ready in slice', async () => {
      const l = await slices.list('default', { labelSelector: 'kubernetes.io/service-name=web' });
      return l.items.length === 1 && l.items[0]!.endpoints.every((e) => e.conditions?.ready) ? true : undefined;
    });

    // A selector-less Service is left alone.
    await assert.rejects(endpoints.get('default', 'manual'), /not found/i);
    const manualSlices = await slices.list('default', { labelSelector: 'kubernetes.io/service-name=manual' });
    assert.equal(manualSlices.items.length, 0);

    // Deleting the Service removes its Endpoints and slices.
    await services.delete('default', 'web');
    await waitFor('endpoints gone', async () => {
      try {
        await endpoints.get('default', 'web');
        return undefined;
      } catch {
        return true;
      }
    });
    await waitFor('slices gone', async () => ((await slices.list('default', { labelSelector: 'kubernetes.io/service-name=web' })).items.length === 0 ? true : undefined));
  } finally {
    await running.stop();
  }
});
