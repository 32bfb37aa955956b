import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeNode, makePod } from '../testing/wrappers.js';
import { makeNodeInfos, runScore } from '../testing/framework.js';
import { BalancedAllocation, balancedResourceScorer } from './balanced-allocation.js';

test('balancedResourceScorer: 100 × (1 − std of the fractions)', () => {
  assert.equal(balancedResourceScorer([50, 50], [100, 100]), 100);
  assert.equal(balancedResourceScorer([0, 50], [100, 100]), 75);
  assert.equal(balancedResourceScorer([200, 0], [100, 100]), 50, 'fractions are capped at 1');
  assert.equal(balancedResourceScorer([10, 0], [100, 0]), 100, 'one resource: std 0');
  // three resources: fractions .2 .5 .8, mean .5, std = sqrt((.09+0+.09)/3) ≈ 0.2449 → 75
  assert.equal(balancedResourceScorer([20, 50, 80], [100, 100, 100]), 75);
});

test('NodeResourcesBalancedAllocation score', () => {
  const cases = [
    {
      // a: cpu 3000/4000 = .75, memory 5000/10000 = .5 → std .125 → 87
      // b: cpu 3000/6000 = .5, memory .5 → 100
      name: 'differently sized nodes',
      pod: makePod().req({ cpu: '3', memory: '5000' }),
      nodes: [makeNode('a').capacity({ cpu: '4', memory: '10000' }), makeNode('b').capacity({ cpu: '6', memory: '10000' })],
      existing: [],
      want: [87, 100],
    },
    {
      // a: cpu (6000+0)/10000 = .6, memory (0+5000)/20000 = .25 → std .175 → 82
      // b: cpu .6, memory (5000+5000)/20000 = .5 → std .05 → 95
      name: 'existing pods count by their real requests',
      pod: makePod().req({ cpu: '6', memory: '5000' }),
      nodes: [makeNode('a').capacity({ cpu: '10', memory: '20000' }), makeNode('b').capacity({ cpu: '10', memory: '20000' })],
      existing: [makePod('x').req({ memory: '0' }).node('a'), makePod('y').req({ memory: '5000' }).node('b')],
      want: [82, 95],
    },
  ];
  for (const c of cases) {
    const infos = makeNodeInfos(c.nodes.map((n) => n.obj), c.existing.map((p) => p.obj));
    const { scores } = runScore(new BalancedAllocation(), c.pod.obj, infos);
    assert.deepEqual(scores.map((s) => s.score), c.want, c.name);
  }
});

test('NodeResourcesBalancedAllocation skips best-effort pods', () => {
  const infos = makeNodeInfos([makeNode('a').capacity({ cpu: '4', memory: '10000' }).obj]);
  const { preScore } = runScore(new BalancedAllocation(), makePod().req({}).obj, infos);
  assert.equal(preScore?.code, 'Skip');
});
