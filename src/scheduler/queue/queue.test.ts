import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { SchedulingQueue } from './queue.js';
import { EventAssignedPodDelete, EventNodeAdd, EventUnschedulableTimeout } from './events.js';
import { ActionType } from '../framework/types.js';

function pod(name: string, priority = 0, created = '2024-01-01T00:00:00Z'): Pod {
  return { metadata: { name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: created }, spec: { priority, containers: [{ name: 'c' }] } };
}

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

test('active queue: priority first, then creation time, then insertion', async () => {
  const q = new SchedulingQueue({ timers: false });
  q.add(pod('low', 0, '2024-01-01T00:00:00Z'));
  q.add(pod('high-new', 10, '2024-01-01T00:00:05Z'));
  q.add(pod('high-old', 10, '2024-01-01T00:00:01Z'));
  q.add(pod('low-same-time', 0, '2024-01-01T00:00:00Z'));
  const order = [];
  for (let i = 0; i < 4; i++) order.push((await q.pop())!.podInfo.pod.metadata!.name);
  assert.deepEqual(order, ['high-old', 'high-new', 'low', 'low-same-time']);
});

test('pop waits for a pod and resolves undefined on close', async () => {
  const q = new SchedulingQueue({ timers: false });
  const p = q.pop();
  q.add(pod('a'));
  assert.equal((await p)!.podInfo.pod.metadata!.name, 'a');
  const p2 = q.pop();
  q.close();
  assert.equal(await p2, undefined);
});

test('backoff doubles from 1s and is capped at 10s', () => {
  const c = clock();
  const q = new SchedulingQueue({ timers: false, now: c.now });
  q.add(pod('a'));
  const qp = q.popNow()!;
  const ds = [];
  for (let a = 1; a <= 6; a++) {
    qp.attempts = a;
    ds.push(q.backoffDuration(qp));
  }
  assert.deepEqual(ds, [1000, 2000, 4000, 8000, 10000, 10000]);
});

test('errors go to backoff and come back after it expires', () => {
  const c = clock();
  const q = new SchedulingQueue({ timers: false, now: c.now });
  q.add(pod('a'));
  const qp = q.popNow()!;
  q.addUnschedulable(qp, q.schedulingCycle(), { error: true });
  assert.equal(q.whereIs(qp.podInfo.key), 'backoff');
  c.advance(999);
  q.flushBackoffCompleted();
  assert.equal(q.whereIs(qp.podInfo.key), 'backoff');
  c.advance(1);
  q.flushBackoffCompleted();
  assert.equal(q.whereIs(qp.podInfo.key), 'active');
});

test('unschedulable pods wait in the pool until a relevant event', () => {
  const c = clock();
  const q = new SchedulingQueue({ timers: false, now: c.now });
  q.add(pod('fit'));
  q.add(pod('ports'));
  const a = q.popNow()!;
  const b = q.popNow()!;
  a.unschedulablePlugins.add('NodeResourcesFit');
  b.unschedulablePlugins.add('NodePorts');
  q.addUnschedulable(a, q.schedulingCycle());
  q.addUnschedulable(b, q.schedulingCycle());
  assert.equal(q.whereIs(a.podInfo.key), 'unschedulable');
  // An annotation change helps neither.
  q.moveAllToActiveOrBackoff({ resource: 'Node', actionType: ActionType.UpdateNodeAnnotation });
  assert.equal(q.whereIs(a.podInfo.key), 'unschedulable');
  assert.equal(q.whereIs(b.podInfo.key), 'unschedulable');
  // Allocatable growth helps the resource-bound pod; it is still backing off.
  q.moveAllToActiveOrBackoff({ resource: 'Node', actionType: ActionType.UpdateNodeAllocatable });
  assert.equal(q.whereIs(a.podInfo.key), 'backoff');
  assert.equal(q.whereIs(b.podInfo.key), 'unschedulable');
  c.advance(5000);
  q.moveAllToActiveOrBackoff(EventAssignedPodDelete);
  assert.equal(q.whereIs(b.podInfo.key), 'active');
});

test('node add moves everything; a pod failing during a move request goes to backoff', () => {
  const c = clock();
  const q = new SchedulingQueue({ timers: false, now: c.now });
  q.add(pod('a'));
  const a = q.popNow()!;
  const cycle = q.schedulingCycle();
  q.moveAllToActiveOrBackoff(EventNodeAdd); // while a is being scheduled
  a.unschedulablePlugins.add('NodeResourcesFit');
  q.addUnschedulable(a, cycle);
  assert.equal(q.whereIs(a.podInfo.key), 'backoff');
});

test('unschedulable pods are retried after 5 minutes', () => {
  const c = clock();
  const q = new SchedulingQueue({ timers: false, now: c.now });
  q.add(pod('a'));
  const a = q.popNow()!;
  a.unschedulablePlugins.add('NodeAffinity');
  q.addUnschedulable(a, q.schedulingCycle());
  c.advance(60_000);
  q.flushUnschedulableLeftover();
  assert.equal(q.whereIs(a.podInfo.key), 'unschedulable');
  c.advance(5 * 60_000);
  q.flushUnschedulableLeftover();
  assert.equal(q.whereIs(a.podInfo.key), 'active');
  q.popNow();
  q.addUnschedulable(a, q.schedulingCycle());
  q.moveAllToActiveOrBackoff(EventUnschedulableTimeout);
  assert.notEqual(q.whereIs(a.podInfo.key), 'unschedulable');
});

test('updating a pending pod in the pool moves it only if its spec changed', () => {
  const c = clock();
  const q = new SchedulingQueue({ timers: false, now: c.now });
  const p = pod('a');
  q.add(p);
  const a = q.popNow()!;
  a.unschedulablePlugins.add('NodeAffinity');
  q.addUnschedulable(a, q.schedulingCycle());
  q.update(p, { ...p, status: { phase: 'Pending' } });
  assert.equal(q.whereIs(a.podInfo.key), 'unschedulable');
  c.advance(2000);
  q.update(p, { ...p, spec: { ...p.spec!, nodeSelector: { a: 'b' } } });
  assert.equal(q.whereIs(a.podInfo.key), 'active');
  q.delete(p);
  assert.equal(q.whereIs(a.podInfo.key), undefined);
});
