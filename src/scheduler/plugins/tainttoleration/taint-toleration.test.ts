import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Toleration } from 'kubernetes-types/core/v1.js';
import { makeNode, makePod, type NodeWrapper } from '../testing/wrappers.js';
import { makeNodeInfos, runFilter, runScore, statusTuple } from '../testing/framework.js';
import { TaintToleration } from './taint-toleration.js';

const U = 'UnschedulableAndUnresolvable';

test('TaintToleration filter', () => {
  const cases: { name: string; tolerations: Toleration[]; node: NodeWrapper; want: string[] | null }[] = [
    { name: 'no taints', tolerations: [], node: makeNode('n'), want: null },
    { name: 'untolerated NoSchedule', tolerations: [], node: makeNode('n').taint('dedicated', 'user1', 'NoSchedule'), want: [U, 'node(s) had untolerated taint {dedicated: user1}'] },
    {
      name: 'Equal toleration with the same value',
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'user1', effect: 'NoSchedule' }],
      node: makeNode('n').taint('dedicated', 'user1', 'NoSchedule'),
      want: null,
    },
    {
      name: 'empty operator means Equal, value differs',
      tolerations: [{ key: 'dedicated', value: 'user2', effect: 'NoSchedule' }],
      node: makeNode('n').taint('dedicated', 'user1', 'NoSchedule'),
      want: [U, 'node(s) had untolerated taint {dedicated: user1}'],
    },
    {
      name: 'Exists ignores the value',
      tolerations: [{ key: 'foo', operator: 'Exists', effect: 'NoSchedule' }],
      node: makeNode('n').taint('foo', 'bar', 'NoSchedule'),
      want: null,
    },
    {
      name: 'empty key with Exists tolerates every taint',
      tolerations: [{ operator: 'Exists' }],
      node: makeNode('n').taint('a', 'b', 'NoSchedule').taint('c', '', 'NoExecute'),
      want: null,
    },
    {
      name: 'empty effect matches every effect',
      tolerations: [{ key: 'foo', operator: 'Equal', value: 'bar' }],
      node: makeNode('n').taint('foo', 'bar', 'NoExecute'),
      want: null,
    },
    {
      name: 'effect must match',
      tolerations: [{ key: 'foo', operator: 'Equal', value: 'bar', effect: 'NoExecute' }],
      node: makeNode('n').taint('foo', 'bar', 'NoSchedule'),
      want: [U, 'node(s) had untolerated taint {foo: bar}'],
    },
    { name: 'PreferNoSchedule does not filter', tolerations: [], node: makeNode('n').taint('foo', 'bar', 'PreferNoSchedule'), want: null },
    {
      name: 'first untolerated taint is reported',
      tolerations: [{ key: 'a', operator: 'Exists' }],
      node: makeNode('n').taint('a', '1', 'NoSchedule').taint('b', '', 'NoExecute').taint('c', '3', 'NoSchedule'),
      want: [U, 'node(s) had untolerated taint {b: }'],
    },
  ];
  for (const c of cases) {
    const pod = makePod();
    for (const t of c.tolerations) pod.toleration(t);
    const { statuses } = runFilter(new TaintToleration(), pod.obj, makeNodeInfos([c.node.obj]));
    assert.deepEqual(statusTuple(statuses.get('n')), c.want, c.name);
  }
});

test('TaintToleration score', () => {
  const cases = [
    {
      name: 'nodes with no taints score highest',
      pod: makePod(),
      nodes: [makeNode('a'), makeNode('b').taint('x', '1', 'PreferNoSchedule')],
      want: [100, 0],
    },
    {
      name: 'fewer intolerable PreferNoSchedule taints is better; tolerated ones do not count',
      pod: makePod().toleration({ key: 'x', operator: 'Equal', value: '1', effect: 'PreferNoSchedule' }),
      nodes: [
        makeNode('a').taint('x', '1', 'PreferNoSchedule'),
        makeNode('b').taint('y', '1', 'PreferNoSchedule'),
        makeNode('c').taint('y', '1', 'PreferNoSchedule').taint('z', '1', 'PreferNoSchedule'),
      ],
      want: [100, 50, 0],
    },
    {
      name: 'NoSchedule tolerations do not tolerate PreferNoSchedule taints',
      pod: makePod().toleration({ key: 'x', operator: 'Exists', effect: 'NoSchedule' }),
      nodes: [makeNode('a').taint('x', '1', 'PreferNoSchedule'), makeNode('b')],
      want: [0, 100],
    },
    {
      name: 'only PreferNoSchedule taints count',
      pod: makePod(),
      nodes: [makeNode('a').taint('x', '1', 'NoSchedule'), makeNode('b').taint('x', '1', 'PreferNoSchedule')],
      want: [100, 0],
    },
  ];
  for (const c of cases) {
    const { scores } = runScore(new TaintToleration(), c.pod.obj, makeNodeInfos(c.nodes.map((n) => n.obj)));
    assert.deepEqual(scores.map((s) => s.score), c.want, c.name);
  }
});
