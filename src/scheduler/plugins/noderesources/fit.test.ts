import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeNode, makePod, type PodWrapper } from '../testing/wrappers.js';
import { makeNodeInfos, runFilter, runScore, statusTuple } from '../testing/framework.js';
import { Fit } from './fit.js';

const U = 'Unschedulable';
const UU = 'UnschedulableAndUnresolvable';

// A node with 10 cpu, 20 bytes of memory, 5 ephemeral storage, 32 pods and 5 of an extended resource.
const node = () => makeNode('n').capacity({ cpu: '10', memory: '20', 'ephemeral-storage': '5', pods: '32', 'example.com/foo': '5' });

test('NodeResourcesFit filter', () => {
  const cases: { name: string; pod: PodWrapper; existing: PodWrapper[]; want: string[] | null; args?: ConstructorParameters<typeof Fit>[0] }[] = [
    { name: 'no requests', pod: makePod(), existing: [makePod('e').req({ cpu: '10', memory: '20' })], want: null },
    { name: 'fits', pod: makePod().req({ cpu: '1', memory: '1' }), existing: [makePod('e').req({ cpu: '5', memory: '5' })], want: null },
    { name: 'too much cpu', pod: makePod().req({ cpu: '1', memory: '1' }), existing: [makePod('e').req({ cpu: '10', memory: '5' })], want: [U, 'Insufficient cpu'] },
    {
      name: 'cpu and memory both short: all reasons kept',
      pod: makePod().req({ cpu: '2', memory: '2' }),
      existing: [makePod('e').req({ cpu: '9', memory: '19' })],
      want: [U, 'Insufficient cpu', 'Insufficient memory'],
    },
    { name: 'millicores count', pod: makePod().req({ cpu: '1001m' }), existing: [makePod('e').req({ cpu: '9' })], want: [U, 'Insufficient cpu'] },
    {
      name: 'init containers: the largest step counts, not the sum',
      pod: makePod().req({ cpu: '1' }).initReq({ cpu: '3' }).initReq({ cpu: '2' }),
      existing: [makePod('e').req({ cpu: '8' })],
      want: [U, 'Insufficient cpu'],
    },
    {
      name: 'init container smaller than the containers',
      pod: makePod().req({ cpu: '2' }).initReq({ cpu: '1' }),
      existing: [makePod('e').req({ cpu: '8' })],
      want: null,
    },
    {
      name: 'sidecars add to the containers',
      pod: makePod().req({ cpu: '1' }).initReq({ cpu: '1' }, true),
      existing: [makePod('e').req({ cpu: '9' })],
      want: [U, 'Insufficient cpu'],
    },
    {
      name: 'sidecar keeps running under later init containers',
      pod: makePod().req({ cpu: '1' }).initReq({ cpu: '1' }, true).initReq({ cpu: '2' }),
      existing: [makePod('e').req({ cpu: '8' })],
      want: [U, 'Insufficient cpu'],
    },
    { name: 'overhead counts', pod: makePod().req({ cpu: '1' }).overhead({ cpu: '1' }), existing: [makePod('e').req({ cpu: '9' })], want: [U, 'Insufficient cpu'] },
    { name: 'request bigger than the node is unresolvable', pod: makePod().req({ cpu: '11' }), existing: [], want: [UU, 'Insufficient cpu'] },
    { name: 'memory', pod: makePod().req({ memory: '2' }), existing: [makePod('e').req({ memory: '19' })], want: [U, 'Insufficient memory'] },
    { name: 'ephemeral-storage', pod: makePod().req({ 'ephemeral-storage': '3' }), existing: [makePod('e').req({ 'ephemeral-storage': '3' })], want: [U, 'Insufficient ephemeral-storage'] },
    { name: 'extended resource fits', pod: makePod().req({ 'example.com/foo': '2' }), existing: [makePod('e').req({ 'example.com/foo': '3' })], want: null },
    { name: 'extended resource short', pod: makePod().req({ 'example.com/foo': '3' }), existing: [makePod('e').req({ 'example.com/foo': '3' })], want: [U, 'Insufficient example.com/foo'] },
    { name: 'extended resource the node lacks', pod: makePod().req({ 'example.com/bar': '1' }), existing: [], want: [UU, 'Insufficient example.com/bar'] },
    { name: 'ignored extended resource', pod: makePod().req({ 'example.com/bar': '1' }), existing: [], want: null, args: { ignoredResources: ['example.com/bar'] } },
    { name: 'ignored resource group', pod: makePod().req({ 'example.com/bar': '1' }), existing: [], want: null, args: { ignoredResourceGroups: ['example.com'] } },
    { name: 'hugepages', pod: makePod().req({ 'hugepages-2Mi': '1' }), existing: [], want: [UU, 'Insufficient hugepages-2Mi'] },
  ];
  for (const c of cases) {
    const infos = makeNodeInfos([node().obj], c.existing.map((p, i) => p.name(`e${i}`).node('n').obj));
    const { statuses } = runFilter(new Fit(c.args), c.pod.obj, infos);
    assert.deepEqual(statusTuple(statuses.get('n')), c.want, c.name);
  }
});

test('NodeResourcesFit filter: pod count', () => {
  const n = makeNode('n').capacity({ cpu: '10', memory: '20', pods: '1' });
  const infos = makeNodeInfos([n.obj], [makePod('e').node('n').obj]);
  assert.deepEqual(statusTuple(runFilter(new Fit(), makePod().obj, infos).statuses.get('n')), [U, 'Too many pods']);
  assert.deepEqual(statusTuple(runFilter(new Fit(), makePod().req({ cpu: '11' }).obj, infos).statuses.get('n')), [UU, 'Too many pods', 'Insufficient cpu']);
});

test('NodeResourcesFit score (LeastAllocated)', () => {
  const cases = [
    {
      // cpu: (4000-0)*100/4000 = 100, memory 100 → 100 on both empty nodes.
      name: 'nothing scheduled, nothing requested (non-zero defaults)',
      pod: makePod().req({ cpu: '0', memory: '0' }),
      nodes: [makeNode('a').capacity({ cpu: '4', memory: '10000' }), makeNode('b').capacity({ cpu: '4', memory: '10000' })],
      existing: [],
      want: [100, 100],
    },
    {
      // a: cpu (4000-3000)/4000 = 25, memory (10000-5000)/10000 = 50 → 37
      // b: cpu (6000-3000)/6000 = 50, memory (10000-5000)/10000 = 50 → 50
      name: 'differently sized nodes',
      pod: makePod().req({ cpu: '3000m', memory: '5000' }),
      nodes: [makeNode('a').capacity({ cpu: '4', memory: '10000' }), makeNode('b').capacity({ cpu: '6', memory: '10000' })],
      existing: [],
      want: [37, 50],
    },
    {
      // a: cpu (10000-6000)/10000 = 40, memory (20000-5000)/20000 = 75 → 57
      // b: cpu (10000-6000)/10000 = 40, memory (20000-10000)/20000 = 50 → 45
      name: 'existing pods count',
      pod: makePod().req({ cpu: '3000m', memory: '0' }).req({ cpu: '3000m', memory: '5000' }),
      nodes: [makeNode('a').capacity({ cpu: '10', memory: '20000' }), makeNode('b').capacity({ cpu: '10', memory: '20000' })],
      existing: [makePod('x').req({ cpu: '0', memory: '0' }).node('a'), makePod('y').req({ cpu: '0', memory: '5000' }).node('b')],
      want: [57, 45],
    },
    {
      // The pod has no requests → 100m / 200Mi per container. a: cpu (1000-100)/1000=90, mem (1Gi-200Mi)/1Gi = 80 → 85
      name: 'non-zero defaults for containers without requests',
      pod: makePod().req({}),
      nodes: [makeNode('a').capacity({ cpu: '1', memory: '1Gi' })],
      existing: [],
      want: [85],
    },
    {
      name: 'over-committed resource scores 0',
      pod: makePod().req({ cpu: '5', memory: '1' }),
      nodes: [makeNode('a').capacity({ cpu: '4', memory: '100' })],
      existing: [],
      want: [49],
    },
  ];
  for (const c of cases) {
    const infos = makeNodeInfos(c.nodes.map((n) => n.obj), c.existing.map((p) => p.obj));
    const { scores } = runScore(new Fit(), c.pod.obj, infos);
    assert.deepEqual(scores.map((s) => s.score), c.want, c.name);
  }
});

test('NodeResourcesFit score (MostAllocated)', () => {
  const infos = makeNodeInfos([makeNode('a').capacity({ cpu: '4', memory: '10000' }), makeNode('b').capacity({ cpu: '6', memory: '10000' })].map((n) => n.obj));
  const { scores } = runScore(new Fit({ scoringStrategy: { type: 'MostAllocated' } }), makePod().req({ cpu: '3', memory: '5000' }).obj, infos);
  // a: cpu 75, memory 50 → 62; b: cpu 50, memory 50 → 50
  assert.deepEqual(scores.map((s) => s.score), [62, 50]);
});
