import assert from 'node:assert/strict';
import { test } from 'node:test';
import { podBehaviour } from './behaviour.js';
import { advance, newPodSim, type Backoff } from './lifecycle.js';
import { adoptPodSim, renderPodStatus } from './status.js';

const B: Backoff = { initialMs: 10_000, maxMs: 300_000 };
const T0 = Date.parse('2025-01-01T00:00:00Z');

function pod(annotations: Record<string, string> = {}, extra: Record<string, any> = {}) {
  return {
    metadata: { uid: 'u-1', name: 'web', namespace: 'ns', annotations },
    spec: { restartPolicy: 'Always', containers: [{ name: 'app', image: 'nginx:1.27' }], ...extra },
    status: { phase: 'Pending', qosClass: 'BestEffort', conditions: [{ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:00Z' }] },
  };
}

function render(p: ReturnType<typeof pod>, ms: number, podIP = '10.64.0.2') {
  const b = podBehaviour(p.metadata.annotations);
  const sim = newPodSim(p, b, T0);
  advance(sim, b, B, T0 + ms);
  return { sim, b, status: renderPodStatus(p, sim, b, { hostIP: '172.16.0.2', podIP }, B, T0 + ms) };
}

test('a running pod: phase, conditions, IPs, container status', () => {
  const { status } = render(pod(), 0);
  assert.equal(status.phase, 'Running');
  assert.equal(status.qosClass, 'BestEffort', 'fields the kubelet does not own are kept');
  assert.equal(status.hostIP, '172.16.0.2');
  assert.deepEqual(status.podIPs, [{ ip: '10.64.0.2' }]);
  assert.equal(status.startTime, '2025-01-01T00:00:00Z');
  const conds = Object.fromEntries(status.conditions.map((c: any) => [c.type, c.status]));
  assert.deepEqual(conds, { PodReadyToStartContainers: 'True', Initialized: 'True', Ready: 'True', ContainersReady: 'True', PodScheduled: 'True' });
  const cs = status.containerStatuses[0];
  assert.deepEqual(cs.state, { running: { startedAt: '2025-01-01T00:00:00Z' } });
  assert.equal(cs.ready, true);
  assert.equal(cs.started, true);
  assert.equal(cs.restartCount, 0);
  assert.equal(cs.image, 'nginx:1.27');
  assert.match(cs.imageID, /^nginx@sha256:[0-9a-f]{64}$/);
  assert.match(cs.containerID, /^sim:\/\//);
});

test('not ready yet: Ready and ContainersReady False with the unready names', () => {
  const { status } = render(pod({ 'sim.k8ts.io/ready-after': '5s' }), 1000);
  const ready = status.conditions.find((c: any) => c.type === 'Ready');
  assert.equal(ready.status, 'False');
  assert.equal(ready.reason, 'ContainersNotReady');
  assert.equal(ready.message, 'containers with unready status: [app]');
});

test('crash loop: waiting CrashLoopBackOff with lastState terminated', () => {
  const { status } = render(pod({ 'sim.k8ts.io/fail-after': '1s' }), 2500);
  const cs = status.containerStatuses[0];
  assert.equal(cs.restartCount, 1);
  assert.equal(cs.state.waiting.reason, 'CrashLoopBackOff');
  assert.equal(cs.state.waiting.message, 'back-off 10s restarting failed container=app pod=web_ns(u-1)');
  assert.equal(cs.lastState.terminated.exitCode, 1);
  assert.equal(cs.lastState.terminated.reason, 'Error');
  assert.equal(cs.ready, false);
  assert.equal(status.phase, 'Running');
});

test('succeeded: PodCompleted conditions, terminated state', () => {
  const p = pod({ 'sim.k8ts.io/succeed-after': '1s' });
  p.spec.restartPolicy = 'Never';
  const { status } = render(p, 1000);
  assert.equal(status.phase, 'Succeeded');
  assert.equal(status.conditions.find((c: any) => c.type === 'Ready').reason, 'PodCompleted');
  assert.equal(status.containerStatuses[0].state.terminated.exitCode, 0);
});

test('pending (start-after): no pod IP, ContainerCreating', () => {
  const { status } = render(pod({ 'sim.k8ts.io/start-after': '1m' }), 0);
  assert.equal(status.phase, 'Pending');
  assert.equal(status.podIP, undefined);
  assert.deepEqual(status.containerStatuses[0].state, { waiting: { reason: 'ContainerCreating' } });
});

test('init containers show Completed; sidecars keep running', () => {
  const { status } = render(pod({}, { initContainers: [{ name: 'init', image: 'busybox' }, { name: 'side', image: 'envoy', restartPolicy: 'Always' }] }), 0);
  assert.equal(status.initContainerStatuses[0].state.terminated.reason, 'Completed');
  assert.ok(status.initContainerStatuses[1].state.running);
});

test('readiness gates hold Ready until their condition is True', () => {
  const p = pod({}, { readinessGates: [{ conditionType: 'example.com/lb' }] });
  const { status } = render(p, 0);
  const ready = status.conditions.find((c: any) => c.type === 'Ready');
  assert.equal(ready.status, 'False');
  assert.equal(ready.reason, 'ReadinessGatesNotReady');
  assert.equal(status.conditions.find((c: any) => c.type === 'ContainersReady').status, 'True');
});

test('transition times are kept while a condition keeps its status', () => {
  const p = pod();
  const first = render(p, 0).status;
  const again = renderPodStatus({ ...p, status: first }, render(p, 0).sim, podBehaviour({}), { hostIP: '172.16.0.2', podIP: '10.64.0.2' }, B, T0 + 60_000);
  assert.deepEqual(again.conditions, first.conditions);
});

test('adoption continues from a written status', () => {
  const p = pod({ 'sim.k8ts.io/fail-after': '1s' });
  const { status } = render(p, 2500);
  const b = podBehaviour(p.metadata.annotations);
  const sim = adoptPodSim({ ...p, status }, b, B, T0 + 5000);
  assert.equal(sim.containers[0]!.phase, 'backoff');
  assert.equal(sim.containers[0]!.restartCount, 1);
  advance(sim, b, B, T0 + 5000);
  assert.equal(sim.containers[0]!.restartCount, 2);
  // A pod the simulator never wrote starts fresh.
  assert.equal(adoptPodSim(p, b, B, T0).containers[0]!.phase, 'creating');
});
