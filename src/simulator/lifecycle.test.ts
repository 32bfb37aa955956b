import assert from 'node:assert/strict';
import { test } from 'node:test';
import { podBehaviour } from './behaviour.js';
import { advance, finished, newPodSim, podPhase, requestStop, containerReady, type Backoff, type PodLike } from './lifecycle.js';

const B: Backoff = { initialMs: 10_000, maxMs: 300_000 };
const T0 = 1_700_000_000_000;

function pod(annotations: Record<string, string> = {}, restartPolicy = 'Always', containers = ['app']): PodLike {
  return {
    metadata: { uid: 'u-1', name: 'p', namespace: 'default', annotations },
    spec: { restartPolicy, containers: containers.map((name) => ({ name, image: 'busybox' })) },
  };
}

function run(p: PodLike) {
  const b = podBehaviour(p.metadata?.annotations);
  const sim = newPodSim(p, b, T0);
  return { sim, b, at: (ms: number) => advance(sim, b, B, T0 + ms) };
}

test('a plain pod runs at once, is ready, and has nothing scheduled', () => {
  const { sim, b, at } = run(pod());
  assert.equal(at(0), undefined);
  assert.equal(podPhase(sim, T0), 'Running');
  const c = sim.containers[0]!;
  assert.equal(c.phase, 'running');
  assert.equal(c.startedAt, T0);
  assert.match(c.containerId!, /^sim:\/\/[0-9a-f]{64}$/);
  assert.equal(containerReady(c, b, sim, T0), true);
});

test('start-after keeps the pod Pending until then', () => {
  const { sim, at } = run(pod({ 'sim.k8ts.io/start-after': '2s' }));
  assert.equal(at(0), T0 + 2000);
  assert.equal(podPhase(sim, T0), 'Pending');
  assert.equal(at(2000), undefined);
  assert.equal(podPhase(sim, T0 + 2000), 'Running');
});

test('ready-after delays readiness and schedules a wake-up for it', () => {
  const { sim, b, at } = run(pod({ 'sim.k8ts.io/ready-after': '1500ms' }));
  assert.equal(at(0), T0 + 1500);
  assert.equal(containerReady(sim.containers[0]!, b, sim, T0 + 1000), false);
  assert.equal(at(1500), undefined);
  assert.equal(containerReady(sim.containers[0]!, b, sim, T0 + 1500), true);
});

for (const policy of ['Never', 'OnFailure']) {
  test(`succeed-after with restartPolicy ${policy}: exit 0, Succeeded`, () => {
    const { sim, at } = run(pod({ 'sim.k8ts.io/succeed-after': '5s' }, policy));
    assert.equal(at(0), T0 + 5000);
    assert.equal(at(4999), T0 + 5000);
    assert.equal(podPhase(sim, T0 + 4999), 'Running');
    assert.equal(at(5000), undefined);
    const c = sim.containers[0]!;
    assert.equal(c.phase, 'exited');
    assert.deepEqual({ code: c.terminated!.exitCode, reason: c.terminated!.reason, fin: c.terminated!.finishedAt }, { code: 0, reason: 'Completed', fin: T0 + 5000 });
    assert.equal(podPhase(sim, T0 + 5000), 'Succeeded');
    assert.equal(finished(sim, T0 + 5000), true);
  });
}

test('fail-after with Never: exit 1 (or exit-code), Failed', () => {
  const { sim, at } = run(pod({ 'sim.k8ts.io/fail-after': '3s', 'sim.k8ts.io/exit-code': '42' }, 'Never'));
  at(3000);
  assert.equal(sim.containers[0]!.terminated!.exitCode, 42);
  assert.equal(sim.containers[0]!.terminated!.reason, 'Error');
  assert.equal(podPhase(sim, T0 + 3000), 'Failed');
});

test('fail-after with Always: first restart at once, then 10 s, 20 s, 40 s … back-off', () => {
  const { sim, at } = run(pod({ 'sim.k8ts.io/fail-after': '1s' }));
  const c = sim.containers[0]!;
  at(0);
  // t=1: exits, restarts immediately.
  assert.equal(at(1000), T0 + 2000);
  assert.equal(c.restartCount, 1);
  assert.equal(c.phase, 'running');
  assert.equal(c.last!.exitCode, 1);
  assert.equal(c.last!.finishedAt, T0 + 1000);
  // t=2: exits again, waits 10 s.
  assert.equal(at(2000), T0 + 12_000);
  assert.equal(c.phase, 'backoff');
  assert.equal(podPhase(sim, T0 + 2000), 'Running');
  at(12_000);
  assert.equal(c.restartCount, 2);
  assert.equal(c.startedAt, T0 + 12_000);
  // t=13: exits, waits 20 s → restarts at 33.
  assert.equal(at(13_000), T0 + 33_000);
  // Replaying a long gap late gives the same times as looking often.
  const late = run(pod({ 'sim.k8ts.io/fail-after': '1s' }));
  late.at(33_000);
  assert.equal(late.sim.containers[0]!.restartCount, 3);
  assert.equal(late.sim.containers[0]!.startedAt, T0 + 33_000);
});

test('back-off is capped at 5 minutes', () => {
  const { sim, at } = run(pod({ 'sim.k8ts.io/fail-after': '1s' }));
  at(3_600_000);
  const c = sim.containers[0]!;
  assert.equal(c.backoffMs, 300_000);
  // Delays: 0,10,20,40,80,160,300,300,… each plus 1 s of running.
  // 1h: count restarts by simulation to compare.
  let t = 1000, n = 1, d = 10_000;
  for (;;) {
    const next = t + 1000 + d; // exit 1 s after restart, then wait d
    if (next > 3_600_000) break;
    t = next;
    n++;
    d = Math.min(d * 2, 300_000);
  }
  assert.equal(c.restartCount, n);
});

test('a container that ran longer than twice the cap restarts at once again', () => {
  const { sim, at } = run(pod({ 'sim.k8ts.io/fail-after': '11m' }));
  at(11 * 60_000);
  assert.equal(sim.containers[0]!.restartCount, 1);
  at(22 * 60_000);
  // The entry armed at 11m is 11 minutes old at the second exit: forgotten, so no waiting.
  assert.equal(sim.containers[0]!.restartCount, 2);
  assert.equal(sim.containers[0]!.phase, 'running');
});

test('OnFailure restarts failures but not successes', () => {
  const { sim, at } = run(pod({ 'sim.k8ts.io/fail-after.a': '1s', 'sim.k8ts.io/succeed-after.b': '1s' }, 'OnFailure', ['a', 'b']));
  at(1000);
  assert.equal(sim.containers[0]!.restartCount, 1);
  assert.equal(sim.containers[1]!.phase, 'exited');
  assert.equal(podPhase(sim, T0 + 1000), 'Running');
});

test('succeed-after with Always restarts the completed container', () => {
  const { sim, at } = run(pod({ 'sim.k8ts.io/succeed-after': '1s' }));
  at(1000);
  assert.equal(sim.containers[0]!.restartCount, 1);
  assert.equal(sim.containers[0]!.last!.reason, 'Completed');
});

test('deletion stops running containers with exit 0, after terminate-after', () => {
  const { sim, b, at } = run(pod({ 'sim.k8ts.io/terminate-after': '2s' }));
  at(0);
  requestStop(sim, T0 + 1000 + b.terminateAfterMs);
  assert.equal(at(1000), T0 + 3000);
  assert.equal(finished(sim, T0 + 1000), false);
  at(3000);
  assert.equal(finished(sim, T0 + 3000), true);
  assert.equal(sim.containers[0]!.terminated!.exitCode, 0);
  assert.equal(podPhase(sim, T0 + 3000), 'Succeeded');
});

test('deletion during back-off keeps the last termination', () => {
  const { sim, at } = run(pod({ 'sim.k8ts.io/fail-after': '1s' }));
  at(2500); // in back-off until 12 s
  requestStop(sim, T0 + 2500);
  at(2500);
  assert.equal(finished(sim, T0 + 2500), true);
  assert.equal(sim.containers[0]!.terminated!.exitCode, 1);
  assert.equal(podPhase(sim, T0 + 2500), 'Failed');
});

test('a pod deleted before it started finishes without running anything', () => {
  const { sim, at } = run(pod({ 'sim.k8ts.io/start-after': '10s' }));
  requestStop(sim, T0 + 1000);
  assert.equal(at(0), T0 + 1000);
  at(1000);
  assert.equal(finished(sim, T0 + 1000), true);
  assert.equal(sim.containers[0]!.phase, 'creating');
});
