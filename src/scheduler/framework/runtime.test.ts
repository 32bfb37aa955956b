import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { Framework, PluginMetrics, numFeasibleNodesToFind } from './runtime.js';
import { CycleState, PreFilterResult, Status, type FilterPlugin, type PreFilterPlugin, type ScorePlugin } from './types.js';
import { NodeInfo, PodInfo } from './node-info.js';
import { Snapshot } from '../cache/snapshot.js';

const nodeInfos = (n: number) =>
  Array.from({ length: n }, (_, i) => new NodeInfo({ metadata: { name: `n${i}`, labels: { idx: String(i) } }, status: { allocatable: { cpu: '1' } } } as Node));
const pod = new PodInfo({ metadata: { name: 'p', namespace: 'd', uid: 'u' }, spec: { containers: [] } } as Pod);

test('numFeasibleNodesToFind follows the adaptive percentage', () => {
  assert.equal(numFeasibleNodesToFind(0, 50), 50);
  assert.equal(numFeasibleNodesToFind(0, 100), 50 * 1 < 100 ? 100 : 50);
  assert.equal(numFeasibleNodesToFind(0, 1000), 420); // 50 - 8 = 42%
  assert.equal(numFeasibleNodesToFind(0, 5000), 500); // 50 - 40 = 10%
  assert.equal(numFeasibleNodesToFind(0, 6000), 300); // floor at 5%
  assert.equal(numFeasibleNodesToFind(0, 1500), 570); // 38%
  assert.equal(numFeasibleNodesToFind(10, 500), 100); // at least 100
  assert.equal(numFeasibleNodesToFind(100, 5000), 5000);
});

const oddOnly: FilterPlugin = {
  name: 'OddOnly',
  filter: (_s, _p, ni) => (Number(ni.node!.metadata!.labels!.idx) % 2 === 1 ? null : Status.unschedulable('node(s) were even')),
};
const byIndex: ScorePlugin = { name: 'ByIndex', score: (_s, _p, ni) => Number(ni.node!.metadata!.labels!.idx) };
const flat: ScorePlugin = {
  name: 'Flat',
  score: () => 7,
  normalizeScore: (_s, _p, scores) => {
    for (const s of scores) s.score = 100;
    return null;
  },
};

test('filter records statuses; scores are weighted and the best node wins', () => {
  const fw = new Framework({ filter: [oddOnly], score: [{ plugin: byIndex, weight: 2 }, { plugin: flat, weight: 1 }] });
  const snap = Snapshot.of(nodeInfos(6));
  const state = new CycleState();
  const r = fw.findNodesThatFitPod(state, pod, snap);
  assert.deepEqual(r.feasible.map((n) => n.name), ['n1', 'n3', 'n5']);
  assert.equal(r.statuses.size, 3);
  assert.equal(r.statuses.get('n0')!.plugin, 'OddOnly');
  assert.deepEqual([...r.unschedulablePlugins], ['OddOnly']);
  const scores = fw.runScorePlugins(state, pod, r.feasible);
  assert.ok(Array.isArray(scores));
  assert.deepEqual(scores.map((s) => s.score), [102, 106, 110]);
  assert.equal(fw.selectHost(scores), 'n5');
});

test('only enough feasible nodes are searched, starting where the last cycle stopped', () => {
  const fw = new Framework({ filter: [], score: [{ plugin: byIndex, weight: 1 }] });
  const snap = Snapshot.of(nodeInfos(1000));
  const a = fw.findNodesThatFitPod(new CycleState(), pod, snap);
  assert.equal(a.feasible.length, 420);
  assert.equal(a.feasible[0]!.name, 'n0');
  const b = fw.findNodesThatFitPod(new CycleState(), pod, snap);
  assert.equal(b.feasible[0]!.name, 'n420');
  const c = fw.findNodesThatFitPod(new CycleState(), pod, snap);
  assert.equal(c.feasible[0]!.name, 'n840');
  assert.equal(c.feasible[200]!.name, 'n40'); // wraps around
});

test('PreFilter: rejection, Skip and node subsets', () => {
  const reject: PreFilterPlugin = { name: 'Reject', preFilter: () => Status.unresolvable('nope') };
  const fw1 = new Framework({ preFilter: [reject], filter: [oddOnly] });
  const r1 = fw1.findNodesThatFitPod(new CycleState(), pod, Snapshot.of(nodeInfos(3)));
  assert.equal(r1.feasible.length, 0);
  assert.equal(r1.preFilterMessage, 'nope');
  assert.equal(r1.statuses.size, 3);

  const skipper: PreFilterPlugin & FilterPlugin = { name: 'OddOnly', preFilter: () => Status.skip(), filter: oddOnly.filter };
  const fw2 = new Framework({ preFilter: [skipper], filter: [skipper], score: [{ plugin: byIndex, weight: 1 }] });
  const r2 = fw2.findNodesThatFitPod(new CycleState(), pod, Snapshot.of(nodeInfos(4)));
  assert.equal(r2.feasible.length, 4);

  const only2: PreFilterPlugin = { name: 'Only2', preFilter: () => new PreFilterResult(new Set(['n2'])) };
  const fw3 = new Framework({ preFilter: [only2], score: [{ plugin: byIndex, weight: 1 }] });
  const r3 = fw3.findNodesThatFitPod(new CycleState(), pod, Snapshot.of(nodeInfos(4)));
  assert.deepEqual(r3.feasible.map((n) => n.name), ['n2']);
  assert.equal(r3.statuses.get('n0')!.message(), "node(s) didn't satisfy plugin(s) [Only2]");
});

test('errors abort; invalid scores are errors; metrics are recorded', () => {
  const boom: FilterPlugin = { name: 'Boom', filter: () => Status.error('kaput') };
  const m = new PluginMetrics(1);
  const fw = new Framework({ filter: [boom] }, { metrics: m });
  fw.beginCycle();
  const r = fw.findNodesThatFitPod(new CycleState(), pod, Snapshot.of(nodeInfos(3)));
  assert.equal(r.error!.code, 'Error');
  assert.equal(r.error!.plugin, 'Boom');
  assert.equal(m.rows()[0]!.plugin, 'Boom');
  const bad: ScorePlugin = { name: 'Bad', score: () => 101 };
  const fw2 = new Framework({ score: [{ plugin: bad, weight: 1 }] });
  const s = fw2.runScorePlugins(new CycleState(), pod, nodeInfos(1));
  assert.ok(s instanceof Status && s.code === 'Error');
});

test('selectHost breaks ties at random', () => {
  const seen = new Set<string>();
  const fw = new Framework({});
  for (let i = 0; i < 200; i++) seen.add(fw.selectHost([{ name: 'a', score: 5 }, { name: 'b', score: 5 }, { name: 'c', score: 1 }])!);
  assert.deepEqual([...seen].sort(), ['a', 'b']);
});

test('PreScore Skip skips that plugin\'s Score; PreFilter subsets intersect', () => {
  let scored = 0;
  const skipScore: ScorePlugin & { preScore: () => Status } = { name: 'SkipMe', preScore: () => Status.skip(), score: () => (scored++, 50) };
  const fw = new Framework({ preScore: [skipScore], score: [{ plugin: skipScore, weight: 1 }, { plugin: byIndex, weight: 1 }] });
  const state = new CycleState();
  assert.equal(fw.runPreScorePlugins(state, pod, nodeInfos(3)), null);
  const totals = fw.runScorePlugins(state, pod, nodeInfos(3));
  assert.ok(!(totals instanceof Status));
  assert.deepEqual(totals.map((t) => t.score), [0, 1, 2]);
  assert.equal(scored, 0);

  const a: PreFilterPlugin = { name: 'A', preFilter: () => new PreFilterResult(new Set(['n1', 'n2', 'n3'])) };
  const b: PreFilterPlugin = { name: 'B', preFilter: () => new PreFilterResult(new Set(['n2', 'n3', 'n4'])) };
  const fw2 = new Framework({ preFilter: [a, b], filter: [oddOnly], score: [{ plugin: byIndex, weight: 1 }] });
  const r = fw2.findNodesThatFitPod(new CycleState(), pod, Snapshot.of(nodeInfos(6)));
  assert.deepEqual(r.feasible.map((n) => n.name), ['n3']);
  assert.equal(r.statuses.get('n2')!.plugin, 'OddOnly');
  assert.match(r.statuses.get('n0')!.message(), /\[A B\]/);
  const c: PreFilterPlugin = { name: 'C', preFilter: () => new PreFilterResult(new Set(['n0'])) };
  const fw3 = new Framework({ preFilter: [a, c], score: [{ plugin: byIndex, weight: 1 }] });
  const r3 = fw3.findNodesThatFitPod(new CycleState(), pod, Snapshot.of(nodeInfos(6)));
  assert.equal(r3.feasible.length, 0);
  assert.equal(r3.preFilterMessage, "node(s) didn't satisfy plugin(s) [A C] simultaneously");
});

test('Filter counts pods nominated to the node with at least the same priority', () => {
  const cpuFits: FilterPlugin = {
    name: 'CPU',
    filter: (_s, p, ni) => (ni.requested.milliCPU + p.requests.milliCPU > ni.allocatable.milliCPU ? Status.unschedulable('Insufficient cpu') : null),
  };
  const mk = (name: string, priority: number, cpu: string) =>
    new PodInfo({ metadata: { name, namespace: 'd', uid: name }, spec: { priority, containers: [{ name: 'c', resources: { requests: { cpu } } }] } } as Pod);
  const preemptor = mk('preemptor', 10, '800m');
  const nominated = new Map<string, PodInfo[]>([['n0', [preemptor]]]);
  const fw = new Framework(
    { filter: [cpuFits], score: [{ plugin: byIndex, weight: 1 }] },
    { nominator: { hasNominatedPods: () => nominated.size > 0, nominatedPodsForNode: (n) => nominated.get(n) ?? [] } },
  );
  const nodes = nodeInfos(2); // 1 cpu each
  const snap = Snapshot.of(nodes);
  // A lower-priority pod may not take the space the preemptor is waiting for…
  const low = fw.findNodesThatFitPod(new CycleState(), mk('low', 5, '500m'), snap);
  assert.deepEqual(low.feasible.map((n) => n.name), ['n1']);
  assert.equal(low.statuses.get('n0')!.message(), 'Insufficient cpu');
  // …a second preemptor of the same priority may not either…
  const same = fw.findNodesThatFitPod(new CycleState(), mk('same', 10, '500m'), snap);
  assert.deepEqual(same.feasible.map((n) => n.name), ['n1']);
  // …a more important pod ignores it, and the preemptor itself fits its own nomination.
  const high = fw.findNodesThatFitPod(new CycleState(), mk('high', 20, '500m'), snap);
  assert.equal(high.feasible.length, 2);
  const self = fw.findNodesThatFitPod(new CycleState(), preemptor, snap);
  assert.equal(self.feasible.length, 2);
  assert.equal(nodes[0]!.pods.length, 0); // evaluated on a copy
});
