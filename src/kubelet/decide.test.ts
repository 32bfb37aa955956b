import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Backoff } from './backoff.js';
import { containerHash } from './container-config.js';
import { computePodActions, NO_PROBES, type ProbeView } from './decide.js';
import type { ObservedContainer, ObservedPod } from './observed.js';
import type { Pod } from './types.js';

const NOW = 1_000_000;

function pod(spec: Partial<NonNullable<Pod['spec']>>): Pod {
  return { metadata: { uid: 'u1', name: 'p', namespace: 'ns' }, spec: { containers: [{ name: 'a', image: 'img:1' }], ...spec } };
}

function ctr(name: string, o: Partial<ObservedContainer> = {}): ObservedContainer {
  return {
    id: `${name}-${o.restartCount ?? 0}`,
    sandboxId: 'sb1',
    name,
    state: 'CONTAINER_RUNNING',
    restartCount: 0,
    hash: '',
    kind: 'regular',
    image: 'img:1',
    imageRef: 'sha256:x',
    createdAt: NOW - 5000,
    startedAt: NOW - 5000,
    finishedAt: 0,
    exitCode: 0,
    reason: '',
    message: '',
    ...o,
  };
}

const sandbox = { id: 'sb1', ready: true, attempt: 0, ip: '10.0.0.2', additionalIps: [], createdAt: NOW - 6000 };
const obs = (containers: ObservedContainer[], sandboxes = [sandbox]): ObservedPod => ({ sandboxes, containers });

test('no sandbox: create one and start the containers', () => {
  const a = computePodActions(pod({}), obs([], []), new Backoff(), NO_PROBES, NOW);
  assert.equal(a.createSandbox, true);
  assert.equal(a.sandboxAttempt, 0);
  assert.deepEqual(a.start.map((s) => s.container.name), ['a']);
});

test('a dead sandbox is replaced with the next attempt; restart counts continue', () => {
  const dead = { ...sandbox, ready: false };
  const a = computePodActions(pod({}), obs([ctr('a', { state: 'CONTAINER_EXITED', restartCount: 2 })], [dead]), new Backoff(), NO_PROBES, NOW);
  assert.equal(a.createSandbox, true);
  assert.equal(a.sandboxAttempt, 1);
  assert.equal(a.start[0]!.restartCount, 3);
});

test('restartPolicy Never: a dead sandbox is not recreated once containers ran', () => {
  const a = computePodActions(pod({ restartPolicy: 'Never' }), obs([ctr('a', { state: 'CONTAINER_EXITED' })], [{ ...sandbox, ready: false }]), new Backoff(), NO_PROBES, NOW);
  assert.equal(a.createSandbox, false);
  assert.equal(a.start.length, 0);
});

test('running containers are left alone', () => {
  const a = computePodActions(pod({}), obs([ctr('a')]), new Backoff(), NO_PROBES, NOW);
  assert.equal(a.start.length + a.kill.length, 0);
  assert.equal(a.createSandbox, false);
});

test('restart policies decide whether an exited container restarts', () => {
  const exited = (code: number) => obs([ctr('a', { state: 'CONTAINER_EXITED', exitCode: code, finishedAt: NOW - 1 })]);
  for (const [policy, code, want] of [
    ['Always', 0, 1],
    ['Always', 1, 1],
    ['OnFailure', 0, 0],
    ['OnFailure', 2, 1],
    ['Never', 1, 0],
  ] as const) {
    const a = computePodActions(pod({ restartPolicy: policy }), exited(code), new Backoff(), NO_PROBES, NOW);
    assert.equal(a.start.length, want, `${policy} exit ${code}`);
    if (want) assert.equal(a.start[0]!.restartCount, 1);
  }
});

test('crash-loop back-off: the first restart is immediate, then the container waits', () => {
  const b = new Backoff({ initialMs: 10_000, maxMs: 300_000 });
  const p = pod({});
  const first = computePodActions(p, obs([ctr('a', { state: 'CONTAINER_EXITED', exitCode: 1, finishedAt: NOW })]), b, NO_PROBES, NOW);
  assert.equal(first.start.length, 1);
  b.next('u1/a', NOW); // what the sync does when it restarts
  const again = computePodActions(p, obs([ctr('a', { state: 'CONTAINER_EXITED', exitCode: 1, restartCount: 1, finishedAt: NOW + 1000 })]), b, NO_PROBES, NOW + 2000);
  assert.equal(again.start.length, 0);
  assert.equal(again.waiting.get('a')?.reason, 'CrashLoopBackOff');
  assert.equal(again.wakeAt, NOW + 1000 + 10_000);
  const later = computePodActions(p, obs([ctr('a', { state: 'CONTAINER_EXITED', exitCode: 1, restartCount: 1, finishedAt: NOW + 1000 })]), b, NO_PROBES, NOW + 11_001);
  assert.equal(later.start.length, 1);
  assert.equal(later.start[0]!.restart, true);
});

test('liveness failure kills the running container', () => {
  const probes: ProbeView = { ...NO_PROBES, mustRestart: (id) => (id === 'a-0' ? { reason: 'Unhealthy', message: 'failed liveness probe' } : undefined) };
  const a = computePodActions(pod({}), obs([ctr('a')]), new Backoff(), probes, NOW);
  assert.deepEqual(a.kill.map((k) => k.id), ['a-0']);
});

test('a changed image restarts the container', () => {
  const p = pod({ containers: [{ name: 'a', image: 'img:2' }] });
  const a = computePodActions(p, obs([ctr('a', { hash: containerHash({ name: 'a', image: 'img:1' }) })]), new Backoff(), NO_PROBES, NOW);
  assert.equal(a.kill[0]?.reason, 'SpecChanged');
});

test('init containers run one at a time, in order, before the containers', () => {
  const p = pod({ initContainers: [{ name: 'i1', image: 'x' }, { name: 'i2', image: 'x' }] });
  let a = computePodActions(p, obs([]), new Backoff(), NO_PROBES, NOW);
  assert.deepEqual(a.start.map((s) => [s.container.name, s.kind]), [['i1', 'init']]);
  assert.equal(a.waiting.get('a')?.reason, 'PodInitializing');
  a = computePodActions(p, obs([ctr('i1')]), new Backoff(), NO_PROBES, NOW);
  assert.equal(a.start.length, 0, 'waits for i1 to finish');
  a = computePodActions(p, obs([ctr('i1', { state: 'CONTAINER_EXITED', exitCode: 0 })]), new Backoff(), NO_PROBES, NOW);
  assert.deepEqual(a.start.map((s) => s.container.name), ['i2']);
  a = computePodActions(p, obs([ctr('i1', { state: 'CONTAINER_EXITED' }), ctr('i2', { state: 'CONTAINER_EXITED' })]), new Backoff(), NO_PROBES, NOW);
  assert.deepEqual(a.start.map((s) => s.container.name), ['a']);
});

test('a failed init container: retried under OnFailure/Always, fails the pod under Never', () => {
  const failed = obs([ctr('i1', { state: 'CONTAINER_EXITED', exitCode: 1, finishedAt: NOW })]);
  const a = computePodActions(pod({ initContainers: [{ name: 'i1', image: 'x' }] }), failed, new Backoff(), NO_PROBES, NOW);
  assert.deepEqual(a.start.map((s) => s.container.name), ['i1']);
  const n = computePodActions(pod({ restartPolicy: 'Never', initContainers: [{ name: 'i1', image: 'x' }] }), failed, new Backoff(), NO_PROBES, NOW);
  assert.equal(n.initFailed, true);
  assert.equal(n.start.length, 0);
});

test('restartable init containers (sidecars) keep running and gate on being started', () => {
  const p = pod({ initContainers: [{ name: 'side', image: 'x', restartPolicy: 'Always' }] });
  let a = computePodActions(p, obs([]), new Backoff(), NO_PROBES, NOW);
  assert.deepEqual(a.start.map((s) => [s.container.name, s.kind]), [['side', 'sidecar']]);
  const notStarted: ProbeView = { ...NO_PROBES, started: () => false };
  a = computePodActions(p, obs([ctr('side')]), new Backoff(), notStarted, NOW);
  assert.equal(a.start.length, 0);
  a = computePodActions(p, obs([ctr('side')]), new Backoff(), NO_PROBES, NOW);
  assert.deepEqual(a.start.map((s) => s.container.name), ['a']);
  // A sidecar that exits is restarted even under restartPolicy Never.
  const n = pod({ restartPolicy: 'Never', initContainers: [{ name: 'side', image: 'x', restartPolicy: 'Always' }] });
  a = computePodActions(n, obs([ctr('side', { state: 'CONTAINER_EXITED', exitCode: 0, finishedAt: NOW }), ctr('a')]), new Backoff(), NO_PROBES, NOW);
  assert.deepEqual(a.start.map((s) => s.container.name), ['side']);
});
