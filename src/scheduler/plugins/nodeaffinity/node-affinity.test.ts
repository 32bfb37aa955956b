import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CycleState, PodInfo, PreFilterResult, Status } from '../../framework/index.js';
import { makeNode, makePod, type PodWrapper } from '../testing/wrappers.js';
import { makeNodeInfos, runFilter, runScore, statusTuple } from '../testing/framework.js';
import { ErrReasonConflict, ErrReasonEnforced, ErrReasonPod, NodeAffinity } from './node-affinity.js';

const NO = ['UnschedulableAndUnresolvable', ErrReasonPod];

test('NodeAffinity filter', () => {
  const node = makeNode('node1').labels({ foo: 'bar', zone: 'a', gpu: '4' });
  const cases: { name: string; pod: PodWrapper; want: string[] | null }[] = [
    { name: 'no constraints', pod: makePod(), want: null },
    { name: 'nodeSelector matches', pod: makePod().nodeSelector({ foo: 'bar' }), want: null },
    { name: 'nodeSelector value differs', pod: makePod().nodeSelector({ foo: 'baz' }), want: NO },
    { name: 'nodeSelector key missing', pod: makePod().nodeSelector({ missing: 'x' }), want: NO },
    { name: 'In', pod: makePod().nodeAffinityIn('zone', ['a', 'b']), want: null },
    { name: 'In, no value matches', pod: makePod().nodeAffinityIn('zone', ['b', 'c']), want: NO },
    { name: 'NotIn', pod: makePod().nodeAffinityTerm([{ key: 'zone', operator: 'NotIn', values: ['b'] }]), want: null },
    { name: 'NotIn on a missing key matches', pod: makePod().nodeAffinityTerm([{ key: 'nope', operator: 'NotIn', values: ['b'] }]), want: null },
    { name: 'Exists', pod: makePod().nodeAffinityTerm([{ key: 'foo', operator: 'Exists' }]), want: null },
    { name: 'DoesNotExist', pod: makePod().nodeAffinityTerm([{ key: 'foo', operator: 'DoesNotExist' }]), want: NO },
    { name: 'Gt', pod: makePod().nodeAffinityTerm([{ key: 'gpu', operator: 'Gt', values: ['3'] }]), want: null },
    { name: 'Gt fails', pod: makePod().nodeAffinityTerm([{ key: 'gpu', operator: 'Gt', values: ['4'] }]), want: NO },
    { name: 'Lt', pod: makePod().nodeAffinityTerm([{ key: 'gpu', operator: 'Lt', values: ['5'] }]), want: null },
    { name: 'Gt on a non-integer label', pod: makePod().nodeAffinityTerm([{ key: 'foo', operator: 'Gt', values: ['1'] }]), want: NO },
    {
      name: 'expressions in a term are ANDed',
      pod: makePod().nodeAffinityTerm([
        { key: 'foo', operator: 'In', values: ['bar'] },
        { key: 'zone', operator: 'In', values: ['b'] },
      ]),
      want: NO,
    },
    {
      name: 'terms are ORed',
      pod: makePod().nodeAffinityIn('zone', ['b']).nodeAffinityIn('foo', ['bar']),
      want: null,
    },
    { name: 'an empty term matches nothing', pod: makePod().nodeAffinityTerm([]), want: NO },
    {
      name: 'an invalid term is ignored, the others still count',
      pod: makePod().nodeAffinityTerm([{ key: 'foo', operator: 'Gt', values: ['x'] }]).nodeAffinityIn('zone', ['a']),
      want: null,
    },
    {
      name: 'nodeSelector AND affinity',
      pod: makePod().nodeSelector({ foo: 'bar' }).nodeAffinityIn('zone', ['b']),
      want: NO,
    },
    { name: 'matchFields metadata.name', pod: makePod().nodeAffinityTerm([], [{ key: 'metadata.name', operator: 'In', values: ['node1'] }]), want: null },
    {
      name: 'matchFields metadata.name, other node',
      pod: makePod().nodeAffinityTerm([], [{ key: 'metadata.name', operator: 'In', values: ['node2'] }]),
      want: NO,
    },
    {
      name: 'matchFields NotIn',
      pod: makePod().nodeAffinityTerm([], [{ key: 'metadata.name', operator: 'NotIn', values: ['node1'] }]),
      want: NO,
    },
    {
      name: 'matchFields and matchExpressions in one term',
      pod: makePod().nodeAffinityTerm([{ key: 'foo', operator: 'Exists' }], [{ key: 'metadata.name', operator: 'In', values: ['node1'] }]),
      want: null,
    },
  ];
  for (const c of cases) {
    const { statuses } = runFilter(new NodeAffinity(), c.pod.obj, makeNodeInfos([node.obj]));
    assert.deepEqual(statusTuple(statuses.get('node1')), c.want, c.name);
  }
});

test('NodeAffinity filter with scheduler-enforced affinity', () => {
  const pl = new NodeAffinity({
    addedAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'pool', operator: 'In', values: ['x'] }] }] } },
  });
  const infos = makeNodeInfos([makeNode('a').label('pool', 'x').obj, makeNode('b').label('pool', 'y').obj]);
  const { statuses } = runFilter(pl, makePod().obj, infos);
  assert.equal(statuses.get('a'), null);
  assert.deepEqual(statusTuple(statuses.get('b')), ['UnschedulableAndUnresolvable', ErrReasonEnforced]);
});

test('NodeAffinity preFilter', () => {
  const pl = new NodeAffinity();
  const pre = (p: PodWrapper) => pl.preFilter(new CycleState(), new PodInfo(p.obj));
  assert.ok((pre(makePod()) as Status).isSkip(), 'nothing to do → Skip');
  assert.equal(pre(makePod().nodeSelector({ a: 'b' })), null);
  const names = (r: unknown) => [...(r as PreFilterResult).nodeNames].sort();
  assert.deepEqual(names(pre(makePod().nodeAffinityTerm([], [{ key: 'metadata.name', operator: 'In', values: ['n1', 'n2'] }]))), ['n1', 'n2']);
  assert.deepEqual(
    names(
      pre(
        makePod()
          .nodeAffinityTerm([], [{ key: 'metadata.name', operator: 'In', values: ['n1'] }])
          .nodeAffinityTerm([], [{ key: 'metadata.name', operator: 'In', values: ['n3'] }]),
      ),
    ),
    ['n1', 'n3'],
    'terms are ORed: union',
  );
  assert.equal(
    pre(makePod().nodeAffinityTerm([], [{ key: 'metadata.name', operator: 'In', values: ['n1'] }]).nodeAffinityIn('zone', ['a'])),
    null,
    'a term without names admits every node',
  );
  const conflict = pre(
    makePod().nodeAffinityTerm(
      [],
      [
        { key: 'metadata.name', operator: 'In', values: ['n1'] },
        { key: 'metadata.name', operator: 'In', values: ['n2'] },
      ],
    ),
  ) as Status;
  assert.deepEqual(statusTuple(conflict), ['UnschedulableAndUnresolvable', ErrReasonConflict]);
});

test('NodeAffinity score', () => {
  const nodes = [
    makeNode('n1').labels({ foo: 'bar' }),
    makeNode('n2').labels({ key: 'value' }),
    makeNode('n3').labels({ foo: 'bar', key: 'value', az: 'az1' }),
  ];
  const cases = [
    { name: 'no preferences: all zero', pod: makePod(), want: [0, 0, 0] },
    {
      name: 'weights summed, normalised to the highest',
      pod: makePod()
        .preferredNodeAffinity(2, [{ key: 'foo', operator: 'In', values: ['bar'] }])
        .preferredNodeAffinity(4, [{ key: 'key', operator: 'In', values: ['value'] }])
        .preferredNodeAffinity(5, [{ key: 'az', operator: 'In', values: ['az1'] }]),
      want: [18, 36, 100],
    },
    {
      name: 'zero-weight terms are ignored',
      pod: makePod()
        .preferredNodeAffinity(0, [{ key: 'foo', operator: 'In', values: ['bar'] }])
        .preferredNodeAffinity(1, [{ key: 'key', operator: 'In', values: ['value'] }]),
      want: [0, 100, 100],
    },
  ];
  for (const c of cases) {
    const { scores } = runScore(new NodeAffinity(), c.pod.obj, makeNodeInfos(nodes.map((n) => n.obj)));
    assert.deepEqual(scores.map((s) => s.score), c.want, c.name);
  }
});
