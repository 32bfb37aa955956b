import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NO_PROBES, type ProbeView } from './decide.js';
import type { ObservedContainer, ObservedPod } from './observed.js';
import { renderPodStatus, type StatusInput } from './status.js';
import type { Pod } from './types.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const sandbox = { id: 'sb1', ready: true, attempt: 0, ip: '10.88.0.7', additionalIps: [], createdAt: NOW - 6000 };

function ctr(name: string, o: Partial<ObservedContainer> = {}): ObservedContainer {
  return {
    id: `${name}${o.restartCount ?? 0}`,
    sandboxId: 'sb1',
    name,
    state: 'CONTAINER_RUNNING',
    restartCount: 0,
    hash: '',
    kind: 'regular',
    image: 'img:1',
    imageRef: 'sha256:abc',
    createdAt: NOW - 5000,
    startedAt: NOW - 5000,
    finishedAt: 0,
    exitCode: 0,
    reason: '',
    message: '',
    ...o,
  };
}

function input(p: Partial<NonNullable<Pod['spec']>>, containers: ObservedContainer[], extra: Partial<StatusInput> = {}): StatusInput {
  const pod: Pod = {
    metadata: { uid: 'u', name: 'p', namespace: 'ns' },
    spec: { containers: [{ name: 'a', image: 'img:1' }], ...p },
    status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: '2025-01-01T00:00:00Z' }] },
  };
  const observed: ObservedPod = { sandboxes: [sandbox], containers };
  return { pod, observed, waiting: new Map(), probes: NO_PROBES, runtimeName: 'containerd', hostIP: '10.0.0.1', now: NOW, ...extra };
}

const cond = (s: ReturnType<typeof renderPodStatus>, type: string) => s.conditions?.find((c) => c.type === type)?.status;

test('a running, ready pod', () => {
  const s = renderPodStatus(input({}, [ctr('a')]));
  assert.equal(s.phase, 'Running');
  assert.equal(s.podIP, '10.88.0.7');
  assert.deepEqual(s.podIPs, [{ ip: '10.88.0.7' }]);
  assert.equal(s.hostIP, '10.0.0.1');
  assert.equal(s.startTime, '2026-01-01T00:00:00Z');
  for (const t of ['PodScheduled', 'PodReadyToStartContainers', 'Initialized', 'ContainersReady', 'Ready']) assert.equal(cond(s, t), 'True', t);
  const cs = s.containerStatuses![0]!;
  assert.deepEqual(cs.state, { running: { startedAt: '2025-12-31T23:59:55Z' } });
  assert.equal(cs.containerID, 'containerd://a0');
  assert.equal(cs.imageID, 'sha256:abc');
  assert.equal(cs.ready, true);
  assert.equal(cs.started, true);
  // The scheduler's condition keeps its transition time.
  assert.equal(s.conditions?.find((c) => c.type === 'PodScheduled')?.lastTransitionTime, '2025-01-01T00:00:00Z');
});

test('readiness probe not passing: not ready, pod Running', () => {
  const probes: ProbeView = { ...NO_PROBES, ready: () => false };
  const s = renderPodStatus(input({}, [ctr('a')], { probes }));
  assert.equal(s.phase, 'Running');
  assert.equal(cond(s, 'Ready'), 'False');
  assert.equal(s.conditions?.find((c) => c.type === 'Ready')?.reason, 'ContainersNotReady');
  assert.equal(s.conditions?.find((c) => c.type === 'Ready')?.message, 'containers with unready status: [a]');
});

test('creating: waiting ContainerCreating, Pending', () => {
  const s = renderPodStatus(input({}, []));
  assert.equal(s.phase, 'Pending');
  assert.deepEqual(s.containerStatuses![0]!.state, { waiting: { reason: 'ContainerCreating' } });
});

test('crash loop: waiting CrashLoopBackOff with lastState and restartCount, phase Running', () => {
  const exited = ctr('a', { state: 'CONTAINER_EXITED', restartCount: 3, exitCode: 1, reason: 'Error', finishedAt: NOW - 1000 });
  const prev = ctr('a', { state: 'CONTAINER_EXITED', restartCount: 2, exitCode: 1, reason: 'Error', finishedAt: NOW - 20_000 });
  const waiting = new Map([['a', { reason: 'CrashLoopBackOff', message: 'back-off 20s' }]]);
  const s = renderPodStatus(input({}, [exited, prev], { waiting }));
  const cs = s.containerStatuses![0]!;
  assert.equal(s.phase, 'Running');
  assert.equal(cs.state?.waiting?.reason, 'CrashLoopBackOff');
  assert.equal(cs.restartCount, 3);
  assert.equal(cs.lastState?.terminated?.exitCode, 1);
  assert.equal(cs.lastState?.terminated?.containerID, 'containerd://a3');
});

test('restarted: running with the previous instance as lastState', () => {
  const s = renderPodStatus(input({}, [ctr('a', { restartCount: 1 }), ctr('a', { state: 'CONTAINER_EXITED', exitCode: 137, reason: 'OOMKilled', finishedAt: NOW - 100 })]));
  const cs = s.containerStatuses![0]!;
  assert.equal(cs.restartCount, 1);
  assert.ok(cs.state?.running);
  assert.equal(cs.lastState?.terminated?.reason, 'OOMKilled');
});

test('phases when containers end', () => {
  const done = (code: number) => [ctr('a', { state: 'CONTAINER_EXITED', exitCode: code, finishedAt: NOW })];
  assert.equal(renderPodStatus(input({ restartPolicy: 'Never' }, done(0))).phase, 'Succeeded');
  assert.equal(renderPodStatus(input({ restartPolicy: 'Never' }, done(1))).phase, 'Failed');
  assert.equal(renderPodStatus(input({ restartPolicy: 'OnFailure' }, done(0))).phase, 'Succeeded');
  const s = renderPodStatus(input({ restartPolicy: 'Never' }, done(0)));
  assert.equal(s.containerStatuses![0]!.state?.terminated?.reason, 'Completed');
  assert.equal(s.conditions?.find((c) => c.type === 'Ready')?.reason, 'PodCompleted');
});

test('init containers: Pending and not Initialized until done; initFailed fails the pod', () => {
  const spec = { initContainers: [{ name: 'i', image: 'x' }] };
  let s = renderPodStatus(input(spec, [ctr('i')], { waiting: new Map([['a', { reason: 'PodInitializing' }]]) }));
  assert.equal(s.phase, 'Pending');
  assert.equal(cond(s, 'Initialized'), 'False');
  assert.equal(s.containerStatuses![0]!.state?.waiting?.reason, 'PodInitializing');
  assert.ok(s.initContainerStatuses![0]!.state?.running);
  s = renderPodStatus(input(spec, [ctr('i', { state: 'CONTAINER_EXITED', exitCode: 0, finishedAt: NOW }), ctr('a')]));
  assert.equal(s.phase, 'Running');
  assert.equal(cond(s, 'Initialized'), 'True');
  s = renderPodStatus(input({ ...spec, restartPolicy: 'Never' }, [ctr('i', { state: 'CONTAINER_EXITED', exitCode: 1, finishedAt: NOW })], { initFailed: true }));
  assert.equal(s.phase, 'Failed');
});

test('a terminal phase never goes back', () => {
  const i = input({}, [ctr('a')]);
  i.pod.status!.phase = 'Failed';
  assert.equal(renderPodStatus(i).phase, 'Failed');
});

test('hostNetwork pods report the host IP as pod IP', () => {
  const i = input({ hostNetwork: true }, [ctr('a')]);
  i.observed.sandboxes[0]!.ip = '';
  assert.equal(renderPodStatus(i).podIP, '10.0.0.1');
});
