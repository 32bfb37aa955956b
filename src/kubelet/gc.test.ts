import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FakeRuntime } from '../runtime/fake/index.js';
import type { Container, PodSandbox } from '../runtime/types.js';
import { ContainerGC, planGc } from './gc.js';
import { CONTAINER_NAME, MANAGED_BY, POD_UID, RESTART_COUNT } from './labels.js';

const sb = (id: string, uid: string, state: PodSandbox['state'], createdAt: number): PodSandbox => ({
  id,
  metadata: { name: 'p', uid, namespace: 'ns', attempt: 0 },
  state,
  createdAt,
  labels: { [POD_UID]: uid },
  annotations: {},
});
const ctr = (id: string, sandbox: string, uid: string, name: string, restart: number, state: Container['state'], createdAt = restart): Container => ({
  id,
  podSandboxId: sandbox,
  metadata: { name, attempt: restart },
  image: 'i',
  imageRef: 'i',
  state,
  createdAt,
  labels: { [POD_UID]: uid, [CONTAINER_NAME]: name },
  annotations: { [RESTART_COUNT]: String(restart) },
});

test('a live pod keeps its running instance and the newest exited one per container name', () => {
  const cs = [
    ctr('c0', 's1', 'u1', 'app', 0, 'CONTAINER_EXITED'),
    ctr('c1', 's1', 'u1', 'app', 1, 'CONTAINER_EXITED'),
    ctr('c2', 's1', 'u1', 'app', 2, 'CONTAINER_EXITED'),
    ctr('c3', 's1', 'u1', 'app', 3, 'CONTAINER_RUNNING'),
    ctr('i0', 's1', 'u1', 'init', 0, 'CONTAINER_EXITED'),
  ];
  const plan = planGc([sb('s1', 'u1', 'SANDBOX_READY', 1)], cs, () => true, 100);
  assert.deepEqual(plan.containers.sort(), ['c0', 'c1'], 'c2 backs logs --previous; the completed init container stays');
  assert.deepEqual(plan.sandboxes, []);
});

test('a crash-looping container waiting to restart keeps only its last exit', () => {
  const cs = [0, 1, 2, 3].map((n) => ctr(`c${n}`, 's1', 'u1', 'app', n, 'CONTAINER_EXITED'));
  assert.deepEqual(planGc([sb('s1', 'u1', 'SANDBOX_READY', 1)], cs, () => true, 100).containers.sort(), ['c0', 'c1', 'c2']);
});

test('everything exited of a pod that no longer exists goes, then its emptied sandboxes', () => {
  const sandboxes = [sb('s1', 'gone', 'SANDBOX_NOTREADY', 1), sb('s2', 'gone', 'SANDBOX_NOTREADY', 2)];
  const cs = [ctr('c0', 's1', 'gone', 'app', 0, 'CONTAINER_EXITED'), ctr('c1', 's2', 'gone', 'app', 1, 'CONTAINER_EXITED')];
  const plan = planGc(sandboxes, cs, () => false, 100);
  assert.deepEqual(plan.containers.sort(), ['c0', 'c1']);
  assert.deepEqual(plan.sandboxes.sort(), ['s1', 's2']);
});

test('nothing running is touched, even of a pod that is gone (its worker stops it)', () => {
  const plan = planGc([sb('s1', 'gone', 'SANDBOX_READY', 1)], [ctr('c0', 's1', 'gone', 'app', 0, 'CONTAINER_RUNNING')], () => false, 100);
  assert.deepEqual(plan, { containers: [], sandboxes: [] });
});

test("a live pod's old empty sandboxes go, its newest stays even when not ready", () => {
  const sandboxes = [sb('old', 'u1', 'SANDBOX_NOTREADY', 1), sb('kept', 'u1', 'SANDBOX_NOTREADY', 5), sb('busy', 'u1', 'SANDBOX_NOTREADY', 3)];
  const plan = planGc(sandboxes, [ctr('c0', 'busy', 'u1', 'app', 0, 'CONTAINER_EXITED')], () => true, 100);
  assert.deepEqual(plan.sandboxes, ['old'], 'busy still holds the last exited instance');
});

test('a container created but not started is left alone while young (a worker may be starting it)', () => {
  const cs = [ctr('young', 's1', 'gone', 'a', 0, 'CONTAINER_CREATED', 90_000), ctr('old', 's1', 'gone', 'b', 0, 'CONTAINER_CREATED', 1_000)];
  assert.deepEqual(planGc([sb('s1', 'gone', 'SANDBOX_READY', 1)], cs, () => false, 100_000).containers, ['old']);
});

test('ContainerGC removes through the runtime: containers with their log files, sandboxes, log directories of gone pods', async () => {
  const logRoot = mkdtempSync(join(tmpdir(), 'k8ts-gc-'));
  try {
    const rt = new FakeRuntime({ images: ['i'] });
    const start = async (uid: string, restarts: number) => {
      const logDirectory = join(logRoot, `ns_p-${uid}_${uid}`);
      const labels = { [POD_UID]: uid, [MANAGED_BY]: 'n' };
      const s = await rt.runPodSandbox({ metadata: { name: `p-${uid}`, uid, namespace: 'ns', attempt: 0 }, logDirectory, portMappings: [], labels, annotations: {} });
      const ids: string[] = [];
      for (let n = 0; n <= restarts; n++) {
        mkdirSync(join(logDirectory, 'app'), { recursive: true });
        writeFileSync(join(logDirectory, 'app', `${n}.log`), 'x\n');
        const config = { metadata: { name: 'app', attempt: n }, image: 'i', command: [], args: [], envs: [], mounts: [], logPath: `app/${n}.log`, labels: { ...labels, [CONTAINER_NAME]: 'app' }, annotations: { [RESTART_COUNT]: String(n) } };
        const id = await rt.createContainer(s, config, rt.sandboxes.get(s)!.config);
        await rt.startContainer(id);
        if (n < restarts) rt.exitContainer(id, 1);
        ids.push(id);
      }
      return { sandbox: s, ids, logDirectory };
    };
    const live = await start('live', 4);
    const gone = await start('gone', 1);
    for (const id of gone.ids) rt.exitContainer(id, 0);
    await rt.stopPodSandbox(gone.sandbox);
    // Another node's containers on the same runtime are not ours to collect.
    const other = await rt.runPodSandbox({ metadata: { name: 'o', uid: 'other', namespace: 'ns', attempt: 0 }, logDirectory: '/x', portMappings: [], labels: { [POD_UID]: 'other' }, annotations: {} });
    await rt.stopPodSandbox(other);

    const gc = new ContainerGC({ runtime: rt, nodeName: 'n', liveUids: () => new Set(['live']), logRoot });
    assert.deepEqual(await gc.collect(), { containers: 5, sandboxes: 1, logDirs: 1 });
    const left = await rt.listContainers({ labels: { [POD_UID]: 'live' } });
    assert.deepEqual(left.map((c) => c.id).sort(), [live.ids[3]!, live.ids[4]!].sort());
    assert.equal(existsSync(join(live.logDirectory, 'app', '2.log')), false, 'removed with its container');
    assert.equal(existsSync(join(live.logDirectory, 'app', '3.log')), true, 'logs --previous still works');
    assert.deepEqual((await rt.listPodSandboxes()).map((s) => s.id).sort(), [live.sandbox, other].sort());
    assert.equal(existsSync(gone.logDirectory), false);
    assert.equal(existsSync(live.logDirectory), true);
    assert.deepEqual(await gc.collect(), { containers: 0, sandboxes: 0, logDirs: 0 }, 'a second pass finds nothing');
  } finally {
    rmSync(logRoot, { recursive: true, force: true });
  }
});
