import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { Scheduler, type PodStatusPatch, type SchedulerApi } from './scheduler.js';
import { Status, type FilterPlugin, type ScorePlugin } from './framework/types.js';

const cpuFit: FilterPlugin = {
  name: 'NodeResourcesFit',
  filter: (_s, p, ni) => (ni.requested.milliCPU + p.requests.milliCPU > ni.allocatable.milliCPU ? Status.unschedulable('Insufficient cpu') : null),
};
const leastAllocated: ScorePlugin = {
  name: 'LeastCPU',
  score: (_s, p, ni) => Math.floor((100 * (ni.allocatable.milliCPU - ni.requested.milliCPU - p.requests.milliCPU)) / ni.allocatable.milliCPU),
};

class FakeApi implements SchedulerApi {
  bound: [string, string][] = [];
  deleted: string[] = [];
  patches: [string, PodStatusPatch][] = [];
  events: [string, string, string][] = [];
  failBind = false;
  constructor(private readonly sched: () => Scheduler) {}
  async bind(pod: Pod, nodeName: string) {
    if (this.failBind) throw new Error('conflict');
    this.bound.push([pod.metadata!.name!, nodeName]);
    // The informer then shows the pod bound.
    setImmediate(() => this.sched().onPodUpdate(pod, { ...pod, spec: { ...pod.spec!, nodeName } }));
  }
  async deletePod(pod: Pod) {
    this.deleted.push(pod.metadata!.name!);
    setImmediate(() => this.sched().onPodDelete(pod));
  }
  async patchPodStatus(pod: Pod, p: PodStatusPatch) {
    this.patches.push([pod.metadata!.name!, p]);
  }
  event(pod: Pod, _type: string, reason: string, message: string) {
    this.events.push([pod.metadata!.name!, reason, message]);
  }
}

function node(name: string, cpu: string): Node {
  return { metadata: { name, labels: {} }, status: { allocatable: { cpu, memory: '1Gi', pods: '110' } } };
}
function pod(name: string, cpu: string, priority = 0, nodeName?: string): Pod {
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: '2024-01-01T00:00:00Z' },
    spec: { priority, ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', resources: { requests: { cpu } } }] },
  };
}

async function until(cond: () => boolean, ms = 2000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

function setup() {
  let s!: Scheduler;
  const api = new FakeApi(() => s);
  s = new Scheduler({ api, queueTimers: false, plugins: () => ({ filter: [cpuFit], score: [{ plugin: leastAllocated, weight: 1 }] }) });
  const ac = new AbortController();
  const done = s.run(ac.signal);
  return { s, api, stop: async () => (ac.abort(), await done, await s.stop()) };
}

test('schedules pods onto the least allocated node and confirms the bindings', async () => {
  const { s, api, stop } = setup();
  s.onNodeAdd(node('a', '4'));
  s.onNodeAdd(node('b', '2'));
  s.onPodAdd(pod('p1', '1'));
  s.onPodAdd(pod('p2', '1'));
  s.onPodAdd(pod('other', '1'));
  s.onPodAdd({ ...pod('not-mine', '1'), spec: { ...pod('x', '1').spec!, schedulerName: 'custom' } });
  await until(() => api.bound.length === 3);
  await s.waitForBindings();
  await until(() => s.cache.podCount() === 3 && [...['p1', 'p2', 'other']].every((n) => !s.cache.isAssumed(`uid-${n}`)));
  const onA = api.bound.filter(([, n]) => n === 'a').length;
  assert.equal(onA, 2); // 4 cpu node takes two, the 2 cpu node one
  assert.equal(api.events.filter((e) => e[1] === 'Scheduled').length, 3);
  await stop();
});

test('an unschedulable pod gets FailedScheduling and PodScheduled=False, then lands when a node appears', async () => {
  const { s, api, stop } = setup();
  s.onNodeAdd(node('small', '1'));
  s.onNodeAdd(node('tiny', '500m'));
  s.onPodAdd(pod('big', '2'));
  await until(() => api.events.some((e) => e[1] === 'FailedScheduling'));
  const ev = api.events.find((e) => e[1] === 'FailedScheduling')!;
  assert.equal(ev[2], '0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.');
  await until(() => api.patches.length === 1);
  assert.deepEqual(api.patches[0]![1].condition, { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: ev[2] });
  assert.equal(s.queue.whereIs('uid-big'), 'unschedulable');
  s.onNodeAdd(node('large', '8'));
  // Still backing off (1 s after the first attempt), then scheduled.
  s.queue.flushBackoffCompleted();
  await until(() => api.bound.length === 1, 3000).catch(async () => {
    await new Promise((r) => setTimeout(r, 1100));
    s.queue.flushBackoffCompleted();
    await until(() => api.bound.length === 1);
  });
  assert.deepEqual(api.bound[0], ['big', 'large']);
  await stop();
});

test('a failed bind forgets the assumed pod and retries', async () => {
  const { s, api, stop } = setup();
  s.onNodeAdd(node('a', '1'));
  api.failBind = true;
  s.onPodAdd(pod('p', '1'));
  await until(() => s.stats.bindFailures === 1);
  await s.waitForBindings();
  assert.equal(s.cache.isAssumed('uid-p'), false);
  assert.equal(s.snapshot.get('a')!.requested.milliCPU >= 0, true);
  assert.equal(s.queue.whereIs('uid-p'), 'backoff');
  assert.ok(api.events.some((e) => e[1] === 'FailedScheduling' && e[2] === 'conflict'));
  api.failBind = false;
  await new Promise((r) => setTimeout(r, 1050));
  s.queue.flushBackoffCompleted();
  await until(() => api.bound.length === 1);
  await stop();
});

test('a high-priority pod preempts a lower-priority one and is nominated', async () => {
  const { s, api, stop } = setup();
  s.onNodeAdd(node('a', '2'));
  s.onPodAdd(pod('low', '2', 0, 'a'));
  s.onPodAdd(pod('high', '2', 100));
  await until(() => api.deleted.length === 1);
  assert.deepEqual(api.deleted, ['low']);
  await until(() => api.patches.some(([n, p]) => n === 'high' && p.nominatedNodeName === 'a'));
  // The victim is gone: the event moves the preemptor back and it binds after its backoff.
  await new Promise((r) => setTimeout(r, 1050));
  s.queue.flushBackoffCompleted();
  await until(() => api.bound.some(([n]) => n === 'high'));
  assert.deepEqual(api.bound.find(([n]) => n === 'high'), ['high', 'a']);
  await stop();
});
