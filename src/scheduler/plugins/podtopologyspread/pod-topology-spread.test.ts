import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CycleState, PodInfo } from '../../framework/index.js';
import { makeNode, makePod, sel, selExpr, type NodeWrapper, type PodWrapper } from '../testing/wrappers.js';
import { fakeHandle, makeNodeInfos, runFilter, runScore, statusTuple } from '../testing/framework.js';
import { ErrReasonConstraintsNotMatch, ErrReasonNodeLabelNotMatch, PodTopologySpread, type PodTopologySpreadArgs } from './pod-topology-spread.js';

const FAIL = ['Unschedulable', ErrReasonConstraintsNotMatch];
const ZONE = 'zone';
const HOST = 'kubernetes.io/hostname';
const fooExists = selExpr('foo', 'Exists');

// Four nodes in two zones; 2 matching pods on a, 1 on b, 1 on x, none on y.
const nodes = () => [makeNode('a').label(ZONE, 'z1'), makeNode('b').label(ZONE, 'z1'), makeNode('x').label(ZONE, 'z2'), makeNode('y').label(ZONE, 'z2')];
const existing = () => [
  makePod('p-a1').label('foo', '').node('a'),
  makePod('p-a2').label('foo', '').node('a'),
  makePod('p-b1').label('foo', '').node('b'),
  makePod('p-x1').label('foo', '').node('x'),
];

function filterAll(pod: PodWrapper, ns: NodeWrapper[], pods: PodWrapper[], args?: PodTopologySpreadArgs) {
  const infos = makeNodeInfos(ns.map((n) => n.obj), pods.map((p) => p.obj));
  const { statuses } = runFilter(new PodTopologySpread(fakeHandle(infos), args), pod.obj, infos);
  return Object.fromEntries([...statuses].map(([k, v]) => [k, statusTuple(v)]));
}

test('PodTopologySpread filter', () => {
  const cases: { name: string; pod: PodWrapper; nodes?: NodeWrapper[]; pods?: PodWrapper[]; want: Record<string, string[] | null> }[] = [
    {
      name: 'zone, maxSkew 1: only the emptier zone',
      pod: makePod('new').label('foo', '').spreadConstraint(1, ZONE, 'DoNotSchedule', fooExists),
      want: { a: FAIL, b: FAIL, x: null, y: null },
    },
    {
      name: 'zone, maxSkew 2 allows both',
      pod: makePod('new').label('foo', '').spreadConstraint(2, ZONE, 'DoNotSchedule', fooExists),
      want: { a: FAIL, b: FAIL, x: null, y: null },
    },
    {
      name: 'zone, maxSkew 3 allows both',
      pod: makePod('new').label('foo', '').spreadConstraint(3, ZONE, 'DoNotSchedule', fooExists),
      want: { a: null, b: null, x: null, y: null },
    },
    {
      name: 'hostname, maxSkew 1: only the empty node',
      pod: makePod('new').label('foo', '').spreadConstraint(1, HOST, 'DoNotSchedule', fooExists),
      want: { a: FAIL, b: FAIL, x: FAIL, y: null },
    },
    {
      name: 'the incoming pod not matching its own selector does not add itself',
      pod: makePod('new').spreadConstraint(1, HOST, 'DoNotSchedule', fooExists),
      want: { a: FAIL, b: null, x: null, y: null },
    },
    {
      name: 'node without the topology key is unresolvable',
      pod: makePod('new').label('foo', '').spreadConstraint(1, ZONE, 'DoNotSchedule', fooExists),
      nodes: [...nodes(), makeNode('nolabel')],
      want: { a: FAIL, b: FAIL, x: null, y: null, nolabel: ['UnschedulableAndUnresolvable', ErrReasonNodeLabelNotMatch] },
    },
    {
      name: 'two constraints are ANDed',
      pod: makePod('new').label('foo', '').spreadConstraint(1, ZONE, 'DoNotSchedule', fooExists).spreadConstraint(1, HOST, 'DoNotSchedule', fooExists),
      want: { a: FAIL, b: FAIL, x: FAIL, y: null },
    },
    {
      name: 'minDomains above the domain count makes the global minimum 0',
      pod: makePod('new').label('foo', '').spreadConstraint(1, ZONE, 'DoNotSchedule', fooExists, { minDomains: 3 }),
      want: { a: FAIL, b: FAIL, x: FAIL, y: FAIL },
    },
    {
      name: 'nodeAffinityPolicy Honor (default): nodes outside the pod affinity are not domains',
      pod: makePod('new').label('foo', '').nodeAffinityIn(ZONE, ['z1']).spreadConstraint(1, HOST, 'DoNotSchedule', fooExists),
      want: { a: FAIL, b: null, x: null, y: null },
    },
    {
      name: 'nodeAffinityPolicy Ignore: every node is a domain',
      pod: makePod('new').label('foo', '').nodeAffinityIn(ZONE, ['z1']).spreadConstraint(1, HOST, 'DoNotSchedule', fooExists, { nodeAffinityPolicy: 'Ignore' }),
      want: { a: FAIL, b: FAIL, x: FAIL, y: null },
    },
    {
      name: 'nodeTaintsPolicy Ignore (default): tainted nodes are domains',
      pod: makePod('new').label('foo', '').spreadConstraint(1, HOST, 'DoNotSchedule', fooExists),
      nodes: [...nodes().slice(0, 3), makeNode('y').label(ZONE, 'z2').taint('k', 'v', 'NoSchedule')],
      want: { a: FAIL, b: FAIL, x: FAIL, y: null },
    },
    {
      name: 'nodeTaintsPolicy Honor: untolerated tainted nodes are not domains',
      pod: makePod('new').label('foo', '').spreadConstraint(1, HOST, 'DoNotSchedule', fooExists, { nodeTaintsPolicy: 'Honor' }),
      nodes: [...nodes().slice(0, 3), makeNode('y').label(ZONE, 'z2').taint('k', 'v', 'NoSchedule')],
      // y itself is left to TaintToleration: outside the domains it counts 0 matching pods.
      want: { a: FAIL, b: null, x: null, y: null },
    },
    {
      name: 'matchLabelKeys narrow the selector to pods with the same values',
      pod: makePod('new').labels({ foo: '', rev: '2' }).spreadConstraint(1, ZONE, 'DoNotSchedule', fooExists, { matchLabelKeys: ['rev'] }),
      pods: existing().map((p) => p.label('rev', '1')),
      want: { a: null, b: null, x: null, y: null },
    },
    {
      name: 'terminating pods and pods of other namespaces do not count',
      pod: makePod('new').label('foo', '').spreadConstraint(1, HOST, 'DoNotSchedule', fooExists),
      pods: [makePod('t').label('foo', '').node('a').terminating(), makePod('o').namespace('other').label('foo', '').node('b'), makePod('p').label('foo', '').node('x')],
      want: { a: null, b: null, x: FAIL, y: null },
    },
    {
      name: 'ScheduleAnyway constraints do not filter',
      pod: makePod('new').label('foo', '').spreadConstraint(1, HOST, 'ScheduleAnyway', fooExists),
      want: { a: null, b: null, x: null, y: null },
    },
  ];
  for (const c of cases) assert.deepEqual(filterAll(c.pod, c.nodes ?? nodes(), c.pods ?? existing()), c.want, c.name);

});

test('PodTopologySpread preFilter skips pods without hard constraints; addPod/removePod keep counts', () => {
  const infos = makeNodeInfos(nodes().map((n) => n.obj), existing().map((p) => p.obj));
  const pl = new PodTopologySpread(fakeHandle(infos));
  assert.equal((pl.preFilter(new CycleState(), new PodInfo(makePod().obj), infos) as { code: string }).code, 'Skip');

  const pod = new PodInfo(makePod('new').label('foo', '').spreadConstraint(1, HOST, 'DoNotSchedule', fooExists).obj);
  const state = new CycleState();
  assert.equal(pl.preFilter(state, pod, infos), null);
  const y = infos[3]!;
  const b = infos[1]!;
  assert.equal(pl.filter(state, pod, y), null);
  // Removing b's pod (as preemption would) lets b take the pod; y now has the minimum of 0 only with x.
  const s2 = state.clone();
  pl.removePod(s2, pod, new PodInfo(existing()[2]!.obj), b);
  assert.equal(pl.filter(s2, pod, b), null);
  // Adding a pod to y raises the minimum to 1 for b's domain after the removal as well.
  pl.addPod(s2, pod, new PodInfo(makePod('q').label('foo', '').node('y').obj), y);
  assert.deepEqual(statusTuple(pl.filter(s2, pod, y)), FAIL);
  // The original state is untouched.
  assert.deepEqual(statusTuple(pl.filter(state, pod, b)), FAIL);
});

function scoreAll(pod: PodWrapper, candidates: string[], ns: NodeWrapper[], pods: PodWrapper[], args?: PodTopologySpreadArgs) {
  const infos = makeNodeInfos(ns.map((n) => n.obj), pods.map((p) => p.obj));
  const filtered = infos.filter((n) => candidates.includes(n.name));
  const { scores, preScore } = runScore(new PodTopologySpread(fakeHandle(infos), args), pod.obj, filtered);
  return { scores: Object.fromEntries(scores.map((s) => [s.name, s.score])), preScore };
}

test('PodTopologySpread score', () => {
  const spread = (key: string) => makePod('new').label('foo', '').spreadConstraint(1, key, 'ScheduleAnyway', fooExists);
  const hostPods = [
    makePod('b1').label('foo', '').node('b'),
    makePod('c1').label('foo', '').node('c'),
    makePod('c2').label('foo', '').node('c'),
    makePod('d1').label('foo', '').node('d'),
    makePod('d2').label('foo', '').node('d'),
    makePod('d3').label('foo', '').node('d'),
  ];
  const four = ['a', 'b', 'c', 'd'].map((n) => makeNode(n).label(ZONE, 'z1'));
  // hostname weight log(4+2); raw scores 0, 2, 4, 5 → 100·(5+0−s)/5
  assert.deepEqual(scoreAll(spread(HOST), ['a', 'b', 'c', 'd'], four, hostPods).scores, { a: 100, b: 60, c: 20, d: 0 });

  // zone: z1 (a, b) holds 2, z2 holds 3 counting the non-candidate y; weight log(2+2); raw 3, 3, 4.
  const zoneNodes = [makeNode('a').label(ZONE, 'z1'), makeNode('b').label(ZONE, 'z1'), makeNode('x').label(ZONE, 'z2'), makeNode('y').label(ZONE, 'z2')];
  const zonePods = [makePod('a1').label('foo', '').node('a'), makePod('b1').label('foo', '').node('b'), makePod('x1').label('foo', '').node('x'), makePod('y1').label('foo', '').node('y'), makePod('y2').label('foo', '').node('y')];
  assert.deepEqual(scoreAll(spread(ZONE), ['a', 'b', 'x'], zoneNodes, zonePods).scores, { a: 100, b: 100, x: 75 });

  // A candidate without the topology key is ignored (0) when the constraint is the pod's own.
  const withBare = [...zoneNodes, makeNode('bare')];
  assert.deepEqual(scoreAll(spread(ZONE), ['a', 'x', 'bare'], withBare, zonePods).scores, { a: 100, x: 75, bare: 0 });

  // maxSkew waters differences down: (cnt·w + maxSkew − 1).
  const skew5 = makePod('new').label('foo', '').spreadConstraint(5, HOST, 'ScheduleAnyway', fooExists);
  // raw: a 4, b 6, c 8, d 9 → 100·(9+4−s)/9
  assert.deepEqual(scoreAll(skew5, ['a', 'b', 'c', 'd'], four, hostPods).scores, { a: 100, b: 77, c: 55, d: 44 });

  // No soft constraints → Skip.
  assert.equal(scoreAll(makePod('new'), ['a'], four, hostPods).preScore?.code, 'Skip');
});

test('PodTopologySpread score with the system default constraints', () => {
  const ns = [makeNode('a').label('topology.kubernetes.io/zone', 'z1'), makeNode('b'), makeNode('c')];
  const pods = [makePod('b1').label('app', 'web').node('b'), makePod('c1').label('app', 'web').node('c'), makePod('c2').label('app', 'web').node('c')];
  const pod = makePod('new').label('app', 'web');
  // Without a selector from the pod's owners, the defaults do not apply.
  assert.equal(scoreAll(pod, ['a', 'b', 'c'], ns, pods).preScore?.code, 'Skip');
  // With one: hostname maxSkew 3 (weight log(3+2)), nodes without a zone label are not ignored.
  // raw: a 0·w+2 = 2 (+ zone: z1 has 0 → 0·w+4 = 4) = 6; b 1.609+2 = 4; c 3.219+2 = 5 → 100·(6+4−s)/6
  const args: PodTopologySpreadArgs = { defaultSelector: () => sel({ app: 'web' }) };
  assert.deepEqual(scoreAll(pod, ['a', 'b', 'c'], ns, pods, args).scores, { a: 66, b: 100, c: 83 });
});
