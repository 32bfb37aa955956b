import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CycleState, PodInfo } from '../framework/index.js';
import { defaultPlugins, defaultScoreWeights } from './index.js';
import { fakeHandle, makeNodeInfos } from './testing/framework.js';
import { makeNode, makePod, sel } from './testing/wrappers.js';

const names = (ps: { name: string }[] | undefined) => (ps ?? []).map((p) => p.name);

test('default profile: plugins per extension point in upstream order, with upstream weights', () => {
  const profile = defaultPlugins()(fakeHandle([]));
  assert.deepEqual(names(profile.preFilter), ['NodeAffinity', 'NodePorts', 'NodeResourcesFit', 'PodTopologySpread', 'InterPodAffinity']);
  assert.deepEqual(names(profile.filter), [
    'NodeUnschedulable',
    'NodeName',
    'TaintToleration',
    'NodeAffinity',
    'NodePorts',
    'NodeResourcesFit',
    'PodTopologySpread',
    'InterPodAffinity',
  ]);
  assert.deepEqual(names(profile.preScore), [
    'TaintToleration',
    'NodeAffinity',
    'NodeResourcesFit',
    'PodTopologySpread',
    'InterPodAffinity',
    'NodeResourcesBalancedAllocation',
  ]);
  assert.deepEqual(
    (profile.score ?? []).map((s) => [s.plugin.name, s.weight]),
    [
      ['TaintToleration', 3],
      ['NodeAffinity', 2],
      ['NodeResourcesFit', 1],
      ['PodTopologySpread', 2],
      ['InterPodAffinity', 2],
      ['NodeResourcesBalancedAllocation', 1],
      ['ImageLocality', 1],
    ],
  );
  assert.equal(Object.keys(defaultScoreWeights).length, 7);
  // One object per plugin across extension points, so CycleState keys line up.
  assert.equal(profile.filter!.find((p) => p.name === 'NodeAffinity'), profile.preFilter!.find((p) => p.name === 'NodeAffinity'));
});

test('default profile options: disabled plugins and weights', () => {
  const profile = defaultPlugins({ disabled: ['ImageLocality', 'NodePorts'], scoreWeights: { NodeAffinity: 5, TaintToleration: 0 } })(fakeHandle([]));
  assert.ok(!names(profile.filter).includes('NodePorts'));
  assert.deepEqual(
    (profile.score ?? []).map((s) => [s.plugin.name, s.weight]),
    [
      ['NodeAffinity', 5],
      ['NodeResourcesFit', 1],
      ['PodTopologySpread', 2],
      ['InterPodAffinity', 2],
      ['NodeResourcesBalancedAllocation', 1],
    ],
  );
});

// A small end-to-end pass through the default filters: the reasons upstream's FailedScheduling message aggregates.
test('default filters on a mixed cluster', () => {
  const nodes = [
    makeNode('small').capacity({ cpu: '1', memory: '1Gi', pods: '110' }),
    makeNode('tainted').capacity({ cpu: '8', memory: '8Gi', pods: '110' }).taint('dedicated', 'gpu', 'NoSchedule'),
    makeNode('cordoned').capacity({ cpu: '8', memory: '8Gi', pods: '110' }).unschedulable(),
    makeNode('ok').capacity({ cpu: '8', memory: '8Gi', pods: '110' }).label('disk', 'ssd'),
    makeNode('hdd').capacity({ cpu: '8', memory: '8Gi', pods: '110' }).label('disk', 'hdd'),
  ];
  const infos = makeNodeInfos(nodes.map((n) => n.obj), [makePod('web-0').label('app', 'web').node('hdd').obj]);
  const profile = defaultPlugins()(fakeHandle(infos));
  const pod = new PodInfo(
    makePod('web-1').label('app', 'web').req({ cpu: '2' }).nodeAffinityTerm([{ key: 'disk', operator: 'Exists' }]).podAntiAffinity('kubernetes.io/hostname', sel({ app: 'web' })).obj,
  );
  const state = new CycleState();
  for (const p of profile.preFilter!) {
    const r = p.preFilter(state, pod, infos);
    if (r && 'code' in r && r.isSkip()) state.skipFilterPlugins.add(p.name);
  }
  const reasons: Record<string, string> = {};
  for (const ni of infos) {
    for (const p of profile.filter!) {
      if (state.skipFilterPlugins.has(p.name)) continue;
      const s = p.filter(state, pod, ni);
      if (s && !s.isSuccess()) {
        reasons[ni.name] = s.reasons[0]!;
        break;
      }
    }
  }
  assert.deepEqual(reasons, {
    small: "node(s) didn't match Pod's node affinity/selector",
    tainted: 'node(s) had untolerated taint {dedicated: gpu}',
    cordoned: 'node(s) were unschedulable',
    hdd: "node(s) didn't match pod anti-affinity rules",
  });
});
