import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { DefaultPreemption, pickOneNode, selectVictimsOnNode, type Candidate } from './preemption.js';
import { Framework } from '../framework/runtime.js';
import { CycleState, Status, type FilterPlugin } from '../framework/types.js';
import { NodeInfo, PodInfo } from '../framework/node-info.js';
import { Snapshot } from '../cache/snapshot.js';

// A CPU-only fit filter, so the test does not depend on the real plugins.
const cpuFit: FilterPlugin = {
  name: 'NodeResourcesFit',
  filter: (_s, p, ni) => (ni.requested.milliCPU + p.requests.milliCPU > ni.allocatable.milliCPU ? Status.unschedulable('Insufficient cpu') : null),
};
const noTaint: FilterPlugin = {
  name: 'TaintToleration',
  filter: (_s, _p, ni) => (ni.node!.spec?.taints?.length ? Status.unresolvable('node(s) had untolerated taint {k: v}') : null),
};

function node(name: string, cpu: string, tainted = false): Node {
  return { metadata: { name }, spec: tainted ? { taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] } : {}, status: { allocatable: { cpu } } };
}
let n = 0;
function pod(name: string, cpu: string, priority: number, start = '2024-01-01T00:00:00Z'): Pod {
  return {
    metadata: { name, namespace: 'd', uid: `u-${name}-${n++}` },
    spec: { priority, containers: [{ name: 'c', resources: { requests: { cpu } } }] },
    status: { startTime: start },
  };
}

test('victims: lowest-priority pods go, the most important are reprieved', () => {
  const fw = new Framework({ filter: [cpuFit] });
  const ni = new NodeInfo(node('n', '4'), pod('p1', '1', 1), pod('p2', '1', 2), pod('p3', '1', 3), pod('hi', '1', 100));
  const r = selectVictimsOnNode(fw, new CycleState(), new PodInfo(pod('x', '2', 10)), ni);
  assert.deepEqual(r.victims!.map((v) => v.pod.metadata!.name), ['p2', 'p1']);
  assert.equal(ni.pods.length, 4); // the node info itself is untouched
  const none = selectVictimsOnNode(fw, new CycleState(), new PodInfo(pod('y', '2', 0)), ni);
  assert.equal(none.status!.message(), 'No preemption victims found for incoming pod');
  const tooBig = selectVictimsOnNode(fw, new CycleState(), new PodInfo(pod('z', '8', 50)), ni);
  assert.equal(tooBig.status!.message(), 'Insufficient cpu');
});

test('candidate order: lowest top priority, then priority sum, then fewest victims, then latest start', () => {
  const c = (nodeName: string, ...victims: Pod[]): Candidate => ({ nodeName, victims: victims.map((v) => new PodInfo(v)), numPDBViolations: 0 });
  assert.equal(pickOneNode([c('a', pod('v', '1', 5)), c('b', pod('v', '1', 3), pod('w', '1', 3))])!.nodeName, 'b');
  assert.equal(pickOneNode([c('a', pod('v', '1', 3), pod('w', '1', 2)), c('b', pod('v', '1', 3), pod('w', '1', 1))])!.nodeName, 'b');
  assert.equal(pickOneNode([c('a', pod('v', '1', 0), pod('w', '1', 0)), c('b', pod('v', '1', 0))])!.nodeName, 'b');
  assert.equal(
    pickOneNode([c('a', pod('v', '1', 1, '2024-01-01T00:00:00Z')), c('b', pod('v', '1', 1, '2024-06-01T00:00:00Z'))])!.nodeName,
    'b',
  );
});

test('postFilter evicts the victims on the best node and nominates it', async () => {
  const snap = Snapshot.of([
    new NodeInfo(node('big', '4'), pod('a1', '2', 1), pod('a2', '2', 1)),
    new NodeInfo(node('small', '2'), pod('b1', '2', 0)),
    new NodeInfo(node('tainted', '8', true)),
  ]);
  const fw = new Framework({ filter: [noTaint, cpuFit] });
  const evicted: string[] = [];
  const pre = new DefaultPreemption({ framework: () => fw, snapshot: () => snap, evict: async (v) => void evicted.push(v.metadata!.name!) });
  const p = new PodInfo(pod('x', '2', 10));
  const state = new CycleState();
  const r0 = fw.findNodesThatFitPod(state, p, snap);
  assert.equal(r0.feasible.length, 0);
  const r = await pre.postFilter(state, p, r0.statuses);
  assert.equal(r.nominatedNodeName, 'small'); // lower priority victim (0 < 1)
  assert.deepEqual(evicted, ['b1']);
});

test('postFilter explains why preemption cannot help', async () => {
  const snap = Snapshot.of([new NodeInfo(node('t1', '8', true)), new NodeInfo(node('n', '1'), pod('hi', '1', 100))]);
  const fw = new Framework({ filter: [noTaint, cpuFit] });
  const pre = new DefaultPreemption({ framework: () => fw, snapshot: () => snap, evict: async () => {} });
  const p = new PodInfo(pod('x', '1', 10));
  const r0 = fw.findNodesThatFitPod(new CycleState(), p, snap);
  const r = await pre.postFilter(new CycleState(), p, r0.statuses);
  assert.equal(r.status!.message(), 'preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.');
  const never = new PodInfo({ ...pod('y', '1', 10), spec: { ...pod('y', '1', 10).spec!, preemptionPolicy: 'Never' } });
  assert.match((await pre.postFilter(new CycleState(), never, r0.statuses)).status!.message(), /preemptionPolicy=Never/);
});
