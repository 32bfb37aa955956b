import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeRuntime } from '../runtime/fake/index.js';
import { MANAGED_BY, POD_UID } from './labels.js';
import { changed, fingerprint, Pleg } from './pleg.js';
import { needsSync } from './pod-workers.js';
import type { Pod } from './types.js';

test('fingerprints group by pod and diff on any state change', () => {
  const a = fingerprint([{ id: 's1', state: 'SANDBOX_READY', labels: { [POD_UID]: 'u1' } }], [{ id: 'c1', state: 'CONTAINER_RUNNING', labels: { [POD_UID]: 'u1' } }]);
  const b = fingerprint([{ id: 's1', state: 'SANDBOX_READY', labels: { [POD_UID]: 'u1' } }], [{ id: 'c1', state: 'CONTAINER_EXITED', labels: { [POD_UID]: 'u1' } }]);
  assert.deepEqual(changed(a, a), []);
  assert.deepEqual(changed(a, b), ['u1']);
  assert.deepEqual(changed(a, new Map()), ['u1']);
});

test('the PLEG reports pods whose containers changed, with two list calls per relist', async () => {
  const rt = new FakeRuntime({ images: ['i'] });
  const seen: string[] = [];
  const pleg = new Pleg(rt, 'n', (uid) => seen.push(uid));
  const labels = { [POD_UID]: 'u1', [MANAGED_BY]: 'n' };
  const sb = await rt.runPodSandbox({ metadata: { name: 'p', uid: 'u1', namespace: 'ns', attempt: 0 }, logDirectory: '/l', portMappings: [], labels, annotations: {} });
  await pleg.relist();
  assert.deepEqual(seen, ['u1']);
  await pleg.relist();
  assert.deepEqual(seen, ['u1'], 'nothing changed');
  const id = await rt.createContainer(sb, { metadata: { name: 'c', attempt: 0 }, image: 'i', command: [], args: [], envs: [], mounts: [], logPath: 'c/0.log', labels, annotations: {} }, rt.sandboxes.get(sb)!.config);
  await rt.startContainer(id);
  await pleg.relist();
  rt.exitContainer(id, 1);
  await pleg.relist();
  assert.deepEqual(seen, ['u1', 'u1', 'u1']);
});

test('status-only updates do not need a sync', () => {
  const p: Pod = { metadata: { name: 'p', uid: 'u', labels: { a: '1' } }, spec: { containers: [{ name: 'c' }] }, status: { phase: 'Pending' } };
  assert.equal(needsSync(p, { ...p, status: { phase: 'Running' }, metadata: { ...p.metadata, resourceVersion: '9' } }), false);
  assert.equal(needsSync(p, { ...p, metadata: { ...p.metadata, deletionTimestamp: 'now' } }), true);
  assert.equal(needsSync(p, { ...p, metadata: { ...p.metadata, labels: { a: '2' } } }), true);
  assert.equal(needsSync(p, { ...p, spec: { containers: [{ name: 'c', image: 'x' }] } }), true);
});

test("the PLEG hands each change over with the pod's new fingerprint ('' once it is gone)", async () => {
  const rt = new FakeRuntime({ images: ['i'] });
  const seen: Array<[string, string]> = [];
  const pleg = new Pleg(rt, 'n', (uid, fp) => seen.push([uid, fp]));
  const labels = { [POD_UID]: 'u1', [MANAGED_BY]: 'n' };
  const sb = await rt.runPodSandbox({ metadata: { name: 'p', uid: 'u1', namespace: 'ns', attempt: 0 }, logDirectory: '/l', portMappings: [], labels, annotations: {} });
  await pleg.relist();
  assert.deepEqual(seen, [['u1', `s:${sb}:SANDBOX_READY`]]);
  await rt.stopPodSandbox(sb);
  await rt.removePodSandbox(sb);
  await pleg.relist();
  assert.deepEqual(seen[1], ['u1', '']);
});
