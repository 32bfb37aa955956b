import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeRuntime } from '../runtime/fake/index.js';
import { POD_UID } from './labels.js';
import { fingerprintOf, ObservedCache, observePod } from './observed.js';
import { fingerprint } from './pleg.js';

async function podWithContainer(rt: FakeRuntime, uid: string) {
  const labels = { [POD_UID]: uid };
  const sb = await rt.runPodSandbox({ metadata: { name: 'p', uid, namespace: 'ns', attempt: 0 }, logDirectory: '/l', portMappings: [], labels, annotations: {} });
  const id = await rt.createContainer(sb, { metadata: { name: 'c', attempt: 0 }, image: 'i', command: [], args: [], envs: [], mounts: [], logPath: 'c/0.log', labels, annotations: {} }, rt.sandboxes.get(sb)!.config);
  await rt.startContainer(id);
  return { sb, id };
}

const statusCalls = (rt: FakeRuntime) => rt.callsOf('podSandboxStatus').length + rt.callsOf('containerStatus').length;

test('an unchanged pod is observed with the two list calls only; a state change is read again', async () => {
  const rt = new FakeRuntime({ images: ['i'] });
  const { id } = await podWithContainer(rt, 'u1');
  const cache = new ObservedCache();
  const first = await observePod(rt, 'u1', cache);
  assert.equal(statusCalls(rt), 2);
  const again = await observePod(rt, 'u1', cache);
  assert.equal(statusCalls(rt), 2, 'statuses come from the cache');
  assert.deepEqual(again, first);
  rt.exitContainer(id, 3);
  const exited = await observePod(rt, 'u1', cache);
  assert.equal(rt.callsOf('containerStatus').length, 2, 'the exited container is read again');
  assert.equal(exited.containers[0]!.state, 'CONTAINER_EXITED');
  assert.equal(exited.containers[0]!.exitCode, 3);
  // Callers may annotate what they get (termination messages) without touching the cache.
  exited.containers[0]!.message = 'changed';
  assert.equal((await observePod(rt, 'u1', cache)).containers[0]!.message, '');
  cache.forget('u1');
  await observePod(rt, 'u1', cache);
  assert.equal(statusCalls(rt), 5);
});

test('without a cache every status is read', async () => {
  const rt = new FakeRuntime({ images: ['i'] });
  await podWithContainer(rt, 'u1');
  await observePod(rt, 'u1');
  await observePod(rt, 'u1');
  assert.equal(statusCalls(rt), 4);
});

test("an observed pod's fingerprint is the PLEG's for the same runtime state", async () => {
  const rt = new FakeRuntime({ images: ['i'] });
  await podWithContainer(rt, 'u1');
  const o = await observePod(rt, 'u1');
  const pleg = fingerprint(await rt.listPodSandboxes(), await rt.listContainers());
  assert.equal(fingerprintOf(o), pleg.get('u1'));
});
