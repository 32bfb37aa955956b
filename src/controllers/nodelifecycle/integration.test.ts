// Against a real `k8ts server`: a node whose Lease stops being renewed goes Unknown after a 3 s
// grace period, gets the unreachable taints; its pods are marked not ready; a pod tolerating the
// taint for 2 s is deleted ~2 s later, one with the default 300 s toleration is not.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/registry.js';
import { LEASES, NODES, PODS, RestClient, isAlreadyExists } from '../../client/index.js';
import { startTestServer, waitForValue, type TestServer } from '../../client/testing/server.js';
import { runControllers } from '../testing.js';
import { rfc3339 } from './clock.js';
import { newNodeLifecycleController } from './controller.js';

let server: TestServer;
let client: RestClient;

before(async () => {
  server = await startTestServer();
  client = await RestClient.fromKubeconfig(server.kubeconfig);
});
after(async () => {
  await server?.stop();
});

test('a silent node goes Unknown, is tainted unreachable, and its pods are evicted per tolerations', { timeout: 60_000 }, async () => {
  const nodes = client.resource<Node & KubeObject>(NODES);
  const pods = client.resource<Pod & KubeObject>(PODS);
  const leases = client.resource<KubeObject>(LEASES);
  try {
    await client.resource<KubeObject>({ group: '', version: 'v1', plural: 'namespaces', namespaced: false }).create(undefined, { metadata: { name: 'kube-node-lease' } });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
  const n = await nodes.create(undefined, { metadata: { name: 'n1' }, spec: {} });
  const now = rfc3339(Date.now());
  await nodes.updateStatus(undefined, {
    ...n,
    status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'ok', lastHeartbeatTime: now, lastTransitionTime: now }] },
  });
  const lease = await leases.create('kube-node-lease', {
    metadata: { name: 'n1', namespace: 'kube-node-lease' },
    spec: { holderIdentity: 'n1', leaseDurationSeconds: 40, renewTime: new Date().toISOString().replace('Z', '000Z') },
  });

  const mkPod = async (name: string, tolerationSeconds?: number) => {
    const p = await pods.create('default', {
      metadata: { name, namespace: 'default' },
      spec: {
        nodeName: 'n1',
        containers: [{ name: 'c', image: 'busybox' }],
        ...(tolerationSeconds !== undefined
          ? { tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds }] }
          : {}),
      },
    });
    await pods.updateStatus('default', {
      ...p,
      status: { phase: 'Running', podIP: '10.0.0.1', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }] },
    });
  };
  await mkPod('tolerate-2s', 2);
  await mkPod('default-300s');

  const controller = newNodeLifecycleController({ monitorPeriodMs: 250 });
  const running = await runControllers(server.kubeconfig, [controller], { nodeMonitorGracePeriodSeconds: 3 });

  try {
    // Renew the lease for 2 s: the node must stay Ready well past the 3 s grace period.
    let cur = lease;
    const started = Date.now();
    while (Date.now() - started < 4000) {
      cur = await leases.update('kube-node-lease', { ...cur, spec: { ...(cur['spec'] as object), renewTime: new Date().toISOString().replace('Z', '000Z') } });
      await new Promise((r) => setTimeout(r, 500));
    }
    const stillReady = await nodes.get(undefined, 'n1');
    assert.equal(stillReady.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True', 'a node with a renewed lease stays Ready');
    const stoppedAt = Date.now();

    const unknown = await waitForValue('node Unknown', async () => {
      const x = await nodes.get(undefined, 'n1');
      return x.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'Unknown' ? x : undefined;
    });
    const wentUnknown = Date.now() - stoppedAt;
    assert.ok(wentUnknown >= 2500 && wentUnknown < 6000, `went Unknown after ${wentUnknown} ms`);
    const ready = unknown.status!.conditions!.find((c) => c.type === 'Ready')!;
    assert.equal(ready.reason, 'NodeStatusUnknown');
    assert.equal(ready.message, 'Kubelet stopped posting node status.');

    const tainted = await waitForValue('unreachable taint', async () => {
      const x = await nodes.get(undefined, 'n1');
      return x.spec?.taints?.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute') ? x : undefined;
    });
    const ne = tainted.spec!.taints!.find((t) => t.effect === 'NoExecute')!;
    assert.ok(ne.timeAdded, 'NoExecute taint has timeAdded');
    assert.ok(tainted.spec!.taints!.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoSchedule'));
    const taintedAt = Date.now();

    // Pods on the lost node are marked not ready.
    await waitForValue('pods not ready', async () => {
      const p = await pods.get('default', 'default-300s');
      return p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'False' ? true : undefined;
    });

    // The 2 s pod is deleted ~2 s after the taint; the 300 s one stays.
    await waitForValue('tolerate-2s deleted', async () => {
      try {
        const p = await pods.get('default', 'tolerate-2s');
        return p.metadata?.deletionTimestamp ? true : undefined;
      } catch {
        return true;
      }
    });
    const evictedAfter = Date.now() - taintedAt;
    assert.ok(evictedAfter >= 1000 && evictedAfter < 5000, `evicted after ${evictedAfter} ms`);
    const survivor = await pods.get('default', 'default-300s');
    assert.equal(survivor.metadata?.deletionTimestamp, undefined);
    assert.ok(controller.instance()!.pendingEvictions().has('default/default-300s'));

    // The node comes back: Ready True again → taints removed, timer cancelled.
    const back = await nodes.get(undefined, 'n1');
    const t = rfc3339(Date.now());
    await nodes.updateStatus(undefined, {
      ...back,
      status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'ok', lastHeartbeatTime: t, lastTransitionTime: t }] },
    });
    await waitForValue('taints removed', async () => {
      const x = await nodes.get(undefined, 'n1');
      return (x.spec?.taints ?? []).some((tt) => tt.key.startsWith('node.kubernetes.io/')) ? undefined : true;
    });
    await waitForValue('timer cancelled', async () => (controller.instance()!.pendingEvictions().size === 0 ? true : undefined));
  } finally {
    await running.stop();
  }
});
