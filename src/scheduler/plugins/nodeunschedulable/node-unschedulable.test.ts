import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeNode, makePod } from '../testing/wrappers.js';
import { makeNodeInfos, runFilter, statusTuple } from '../testing/framework.js';
import { ErrReasonUnschedulable, NodeUnschedulable } from './node-unschedulable.js';

test('NodeUnschedulable filter', () => {
  const cases = [
    { name: 'schedulable node', pod: makePod(), node: makeNode('n'), want: null },
    { name: 'unschedulable node', pod: makePod(), node: makeNode('n').unschedulable(), want: ['UnschedulableAndUnresolvable', ErrReasonUnschedulable] },
    {
      name: 'pod tolerates the unschedulable taint',
      pod: makePod().toleration({ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }),
      node: makeNode('n').unschedulable(),
      want: null,
    },
    {
      name: 'toleration for another effect does not help',
      pod: makePod().toleration({ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoExecute' }),
      node: makeNode('n').unschedulable(),
      want: ['UnschedulableAndUnresolvable', ErrReasonUnschedulable],
    },
    { name: 'tolerate everything', pod: makePod().toleration({ operator: 'Exists' }), node: makeNode('n').unschedulable(), want: null },
  ];
  for (const c of cases) {
    const { statuses } = runFilter(new NodeUnschedulable(), c.pod.obj, makeNodeInfos([c.node.obj]));
    assert.deepEqual(statusTuple(statuses.get('n')), c.want, c.name);
  }
});
