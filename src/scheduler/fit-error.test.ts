import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitErrorMessage } from './fit-error.js';
import { Status } from './framework/types.js';

test('FailedScheduling message: reasons counted and sorted, then preemption', () => {
  const statuses = new Map([
    ['n1', Status.unschedulable('Insufficient cpu')],
    ['n2', Status.unresolvable('node(s) had untolerated taint {k: v}')],
    ['n3', Status.unresolvable('node(s) had untolerated taint {k: v}')],
  ]);
  assert.equal(
    fitErrorMessage({ numAllNodes: 3, statuses, postFilterMessage: 'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.' }),
    '0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {k: v}. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
  );
});

test('multiple reasons per node, string order, PreFilter message replaces the histogram', () => {
  const statuses = new Map([
    ['a', Status.unschedulable('Insufficient cpu', 'Insufficient memory')],
    ...Array.from({ length: 10 }, (_, i) => [`b${i}`, Status.unresolvable("node(s) didn't match Pod's node affinity/selector")] as [string, Status]),
  ]);
  assert.equal(
    fitErrorMessage({ numAllNodes: 11, statuses }),
    "0/11 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 10 node(s) didn't match Pod's node affinity/selector.",
  );
  assert.equal(
    fitErrorMessage({ numAllNodes: 2, statuses, preFilterMessage: "node(s) didn't satisfy plugin(s) [NodeAffinity]" }),
    "0/2 nodes are available: node(s) didn't satisfy plugin(s) [NodeAffinity].",
  );
});
