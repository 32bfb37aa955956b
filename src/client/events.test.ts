import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/registry.js';
import { EventRecorder, type CoreEvent } from './events.js';
import { RestClient } from './rest.js';
import { EVENTS, PODS } from './resources.js';
import { startTestServer, type TestServer } from './testing/server.js';

let server: TestServer;
let client: RestClient;
let pod: KubeObject;

before(async () => {
  server = await startTestServer();
  client = await RestClient.fromKubeconfig(server.kubeconfig);
  pod = await client.resource(PODS).create('default', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'ev-pod' },
    spec: { containers: [{ name: 'c', image: 'busybox' }] },
  });
});
after(async () => {
  client.close();
  await server.stop();
});

async function eventsFor(name: string): Promise<CoreEvent[]> {
  const list = await client.resource<CoreEvent>(EVENTS).list('default', { fieldSelector: `involvedObject.name=${name}` });
  return list.items;
}

describe('EventRecorder', () => {
  it('writes a core/v1 Event and aggregates an identical repeat into count 2', async () => {
    const rec = new EventRecorder(client, { component: 'default-scheduler' });
    rec.event(pod, 'Warning', 'FailedScheduling', '0/3 nodes are available: 3 Insufficient cpu.');
    rec.event(pod, 'Warning', 'FailedScheduling', '0/3 nodes are available: 3 Insufficient cpu.');
    await rec.flush();
    const evs = await eventsFor('ev-pod');
    assert.equal(evs.length, 1);
    const ev = evs[0]!;
    assert.equal(ev.count, 2);
    assert.equal(ev.type, 'Warning');
    assert.equal(ev.reason, 'FailedScheduling');
    assert.equal(ev.message, '0/3 nodes are available: 3 Insufficient cpu.');
    assert.deepEqual(ev.source, { component: 'default-scheduler' });
    assert.equal(ev.reportingComponent, 'default-scheduler');
    assert.match(ev.metadata!.name!, /^ev-pod\.[0-9a-f]+$/);
    assert.equal(ev.metadata!.namespace, 'default');
    assert.deepEqual(
      { ...ev.involvedObject },
      { kind: 'Pod', apiVersion: 'v1', namespace: 'default', name: 'ev-pod', uid: pod.metadata!.uid, resourceVersion: pod.metadata!.resourceVersion },
    );
    assert.match(ev.firstTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(ev.lastTimestamp >= ev.firstTimestamp);
    await rec.stop();
  });

  it('keeps different messages apart, and combines more than 10 similar ones', async () => {
    const target = await client.resource(PODS).create('default', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'ev-pod2' },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    });
    const rec = new EventRecorder(client, { component: 'kubelet', host: 'node-1' });
    rec.event(target, 'Normal', 'Pulled', 'image a');
    rec.event(target, 'Normal', 'Started', 'started');
    await rec.flush();
    assert.equal((await eventsFor('ev-pod2')).length, 2);
    for (let i = 0; i < 12; i++) rec.event(target, 'Warning', 'BackOff', `attempt ${i}`);
    await rec.flush();
    const evs = await eventsFor('ev-pod2');
    const backoff = evs.filter((e) => e.reason === 'BackOff');
    assert.equal(backoff.length, 11, '10 distinct, then one combined');
    const combined = backoff.find((e) => e.message.startsWith('(combined from similar events): '));
    assert.ok(combined);
    assert.equal(combined.count, 2);
    assert.equal(combined.message, '(combined from similar events): attempt 11');
    assert.deepEqual(evs[0]!.source, { component: 'kubelet', host: 'node-1' });
    await rec.stop();
  });

  it('never blocks or throws; the per-object spam filter drops a flood', async () => {
    const rec = new EventRecorder(client, { component: 'test', spamBurst: 5 });
    const obj = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'flood', namespace: 'default', uid: 'u1' } };
    const t0 = performance.now();
    for (let i = 0; i < 50; i++) rec.event(obj, 'Normal', 'R', `m${i}`);
    assert.ok(performance.now() - t0 < 50);
    await rec.flush();
    assert.equal(rec.dropped, 45);
    assert.equal((await eventsFor('flood')).length, 5);
    // a broken object does not throw
    rec.event({} as KubeObject, 'Normal', 'X', 'y');
    await rec.stop();
  });
});
