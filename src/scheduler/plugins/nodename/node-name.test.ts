import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeNode, makePod } from '../testing/wrappers.js';
import { makeNodeInfos, runFilter, statusTuple } from '../testing/framework.js';
import { ErrReason, NodeName } from './node-name.js';

test('NodeName filter', () => {
  const cases = [
    { name: 'no node name', pod: makePod(), want: null },
    { name: 'same node', pod: makePod().node('foo'), want: null },
    { name: 'other node', pod: makePod().node('bar'), want: ['UnschedulableAndUnresolvable', ErrReason] },
  ];
  for (const c of cases) {
    const { statuses } = runFilter(new NodeName(), c.pod.obj, makeNodeInfos([makeNode('foo').obj]));
    assert.deepEqual(statusTuple(statuses.get('foo')), c.want, c.name);
  }
});
