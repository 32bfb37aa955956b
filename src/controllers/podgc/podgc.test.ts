import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/registry.js';
import { NODES, PODS, RestClient, isNotFound } from '../../client/index.js';
import { eventually, startTestServer, type TestServer } from '../../client/testing/server.js';
import { runControllers, type RunningControllers } from '../testing.js';
import { newPodGCController } from './controller.js';
import { NodeQuarantine, missingNodes, terminatedPodsToDelete, terminatingPodsOnOutOfServiceNodes, unscheduledTerminatingPods, type PodLike } from './decide.js';

const pod = (name: string, extra: { phase?: string; reason?: string; created?: string; nodeName?: string; deleting?: boolean } = {}): PodLike => ({
  metadata: {
    name,
    namespace: 'ns',
    creationTimestamp: extra.created ?? '2024-01-01T00:00:00Z',
    ...(extra.deleting ? { deletionTimestamp: '2024-01-02T00:00:00Z' } : {}),
  },
  spec: extra.nodeName ? { nodeName: extra.nodeName } : {},
  status: { ...(extra.phase ? { phase: extra.phase } : {}), ...(extra.reason ? { reason: extra.reason } : {}) },
});

describe('podgc decisions', () => {
  it('terminated pods over the threshold: evicted first, then the oldest', () => {
    const pods = [
      pod('new', { phase: 'Succeeded', created: '2024-01-03T00:00:00Z' }),
      pod('old', { phase: 'Failed', created: '2024-01-01T00:00:00Z' }),
      pod('evicted', { phase: 'Failed', reason: 'Evicted', created: '2024-01-05T00:00:00Z' }),
      pod('mid', { phase: 'Succeeded', created: '2024-01-02T00:00:00Z' }),
      pod('running', { phase: 'Running', created: '2023-01-01T00:00:00Z' }),
    ];
    assert.deepEqual(terminatedPodsToDelete(pods, 2).map((p) => p.metadata?.name), ['evicted', 'old']);
    assert.deepEqual(terminatedPodsToDelete(pods, 4), []);
    assert.deepEqual(terminatedPodsToDelete(pods, 0), []);
  });

  it('finds pods on unknown nodes and unscheduled terminating pods', () => {
    const pods = [pod('a', { nodeName: 'n1' }), pod('b', { nodeName: 'gone' }), pod('c'), pod('d', { deleting: true }), pod('e', { deleting: true, nodeName: 'n1' })];
    assert.deepEqual([...missingNodes(pods, (n) => n === 'n1')], ['gone']);
    assert.deepEqual(unscheduledTerminatingPods(pods).map((p) => p.metadata?.name), ['d']);
  });

  it('terminating pods on a not-ready out-of-service node', () => {
    const pods = [pod('e', { deleting: true, nodeName: 'oos' }), pod('f', { nodeName: 'oos' }), pod('g', { deleting: true, nodeName: 'ok' })];
    const nodes: Record<string, KubeObject> = {
      oos: { metadata: { name: 'oos' }, spec: { taints: [{ key: 'node.kubernetes.io/out-of-service', effect: 'NoExecute' }] }, status: { conditions: [{ type: 'Ready', status: 'False' }] } },
      ok: { metadata: { name: 'ok' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } },
    };
    assert.deepEqual(terminatingPodsOnOutOfServiceNodes(pods, (n) => nodes[n]).map((p) => p.metadata?.name), ['e']);
  });

  it('quarantine: a node must stay missing for the whole period', () => {
    const q = new NodeQuarantine(1000);
    assert.deepEqual(q.update(new Set(['x']), 0), []);
    assert.deepEqual(q.update(new Set(['x']), 500), []);
    assert.deepEqual(q.update(new Set(['x']), 1000), ['x']);
    // Seen again in between: starts over.
    assert.deepEqual(q.update(new Set(), 1100), []);
    assert.deepEqual(q.update(new Set(['x']), 1200), []);
    assert.deepEqual(q.update(new Set(['x']), 2199), []);
    assert.deepEqual(q.update(new Set(['x']), 2200), ['x']);
  });
});

describe('podgc controller', () => {
  let server: TestServer;
  let running: RunningControllers;
  let client: RestClient;
  before(async () => {
    server = await startTestServer();
    client = await RestClient.fromKubeconfig(server.kubeconfig);
  });
  after(async () => {
    await running?.stop();
    client?.close();
    await server?.stop();
  });

  const exists = async (ns: string, name: string) => {
    try {
      await client.resource(PODS).get(ns, name);
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  };

  async function boundPod(name: string, nodeName: string, phase?: string): Promise<void> {
    const p = await client.resource(PODS).create('default', { metadata: { name }, spec: { nodeName, containers: [{ name: 'c', image: 'x' }] } });
    if (phase) await client.resource(PODS).updateStatus('default', { ...p, status: { ...(p['status'] as object), phase } });
  }

  it('deletes terminated pods over the threshold and pods on deleted nodes, after the quarantine', async () => {
    await client.resource(NODES).create(undefined, { metadata: { name: 'n1' } });
    for (let i = 0; i < 3; i++) await boundPod(`done-${i}`, 'n1', i % 2 ? 'Failed' : 'Succeeded');
    await new Promise((r) => setTimeout(r, 1100)); // creationTimestamp has second precision
    await boundPod('done-newest', 'n1', 'Succeeded');
    await boundPod('running', 'n1', 'Running');
    await boundPod('lost', 'ghost-node', 'Running');

    const start = Date.now();
    running = await runControllers(server.kubeconfig, [newPodGCController({ gcPeriodMs: 100, quarantineMs: 1500 })], { terminatedPodGCThreshold: 2 });
    await eventually(async () => (await client.resource(PODS).list('default')).items.filter((p) => p.metadata?.name?.startsWith('done-')).length === 2, 10_000, 'terminated pods down to 2');
    assert.ok(await exists('default', 'done-newest'));
    assert.ok(await exists('default', 'running'));
    await eventually(async () => !(await exists('default', 'lost')), 10_000, 'pod on deleted node collected');
    assert.ok(Date.now() - start >= 1400, 'quarantine honoured');
    assert.ok(await exists('default', 'running'), 'pods on live nodes stay');
  });
});
