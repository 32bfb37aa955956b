import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeNode, makePod, type PodWrapper } from '../testing/wrappers.js';
import { makeNodeInfos, runFilter, statusTuple } from '../testing/framework.js';
import { ErrReason, NodePorts, hostPorts } from './node-ports.js';

const CONFLICT = ['Unschedulable', ErrReason];

test('NodePorts filter', () => {
  const cases: { name: string; pod: PodWrapper; existing: PodWrapper[]; want: string[] | null }[] = [
    { name: 'no ports', pod: makePod(), existing: [makePod('e').hostPort(8080)], want: null },
    { name: 'other port', pod: makePod().hostPort(8080), existing: [makePod('e').hostPort(9090)], want: null },
    { name: 'same port', pod: makePod().hostPort(8080), existing: [makePod('e').hostPort(8080)], want: CONFLICT },
    { name: 'same port, other protocol', pod: makePod().hostPort(8080, 'UDP'), existing: [makePod('e').hostPort(8080, 'TCP')], want: null },
    { name: 'same port and protocol, different IPs', pod: makePod().hostPort(8080, 'TCP', '127.0.0.1'), existing: [makePod('e').hostPort(8080, 'TCP', '127.0.0.2')], want: null },
    { name: 'same IP', pod: makePod().hostPort(8080, 'TCP', '127.0.0.1'), existing: [makePod('e').hostPort(8080, 'TCP', '127.0.0.1')], want: CONFLICT },
    { name: '0.0.0.0 wanted conflicts with a specific IP', pod: makePod().hostPort(8080, 'TCP', '0.0.0.0'), existing: [makePod('e').hostPort(8080, 'TCP', '127.0.0.1')], want: CONFLICT },
    { name: 'specific IP wanted conflicts with 0.0.0.0 in use', pod: makePod().hostPort(8080, 'TCP', '127.0.0.1'), existing: [makePod('e').hostPort(8080, 'TCP', '0.0.0.0')], want: CONFLICT },
    { name: 'no IP means 0.0.0.0', pod: makePod().hostPort(8080), existing: [makePod('e').hostPort(8080, 'TCP', '10.0.0.1')], want: CONFLICT },
    { name: 'no protocol means TCP', pod: makePod().hostPort(8080, ''), existing: [makePod('e').hostPort(8080, 'TCP')], want: CONFLICT },
  ];
  for (const c of cases) {
    const infos = makeNodeInfos([makeNode('n').obj], c.existing.map((p) => p.node('n').obj));
    const { statuses } = runFilter(new NodePorts(), c.pod.obj, infos);
    assert.deepEqual(statusTuple(statuses.get('n')), c.want, c.name);
  }
});

test('host ports include sidecar init containers only', () => {
  const p = makePod().hostPort(80).obj;
  p.spec!.initContainers = [
    { name: 'init', ports: [{ containerPort: 1, hostPort: 1 }] },
    { name: 'sidecar', restartPolicy: 'Always', ports: [{ containerPort: 2, hostPort: 2 }, { containerPort: 3 }] },
  ];
  assert.deepEqual(hostPorts(p).map((x) => x.hostPort), [2, 80]);
});

test('NodePorts preFilter skips pods without host ports', () => {
  const { preFilter } = runFilter(new NodePorts(), makePod().obj, makeNodeInfos([makeNode('n').obj]));
  assert.equal((preFilter as { code: string }).code, 'Skip');
});
