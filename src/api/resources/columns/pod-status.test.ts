import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { podSummary, readinessGates } from './pod-status.js';
import { podColumns } from './pod.js';

const now = Date.parse('2024-06-01T12:00:00Z');
const ago = (ms: number): string => new Date(now - ms).toISOString();
const MIN = 60_000;

function pod(p: { spec?: any; status?: any; metadata?: any }): Pod {
  return {
    metadata: { name: 'p', creationTimestamp: ago(10 * MIN), ...p.metadata },
    spec: { containers: [{ name: 'app', image: 'nginx' }], ...p.spec },
    status: p.status ?? {},
  } as Pod;
}

const running = { name: 'app', ready: true, restartCount: 0, state: { running: { startedAt: ago(MIN) } } };

test('running and ready', () => {
  const s = podSummary(pod({ status: { phase: 'Running', containerStatuses: [running] } }), now);
  assert.deepEqual(s, { ready: '1/1', status: 'Running', restarts: '0' });
});

test('pending without statuses shows the phase', () => {
  assert.deepEqual(podSummary(pod({ status: { phase: 'Pending' } }), now), { ready: '0/1', status: 'Pending', restarts: '0' });
  assert.equal(podSummary(pod({ status: {} }), now).status, '');
});

test('status.reason wins over phase (Evicted)', () => {
  assert.equal(podSummary(pod({ status: { phase: 'Failed', reason: 'Evicted' } }), now).status, 'Evicted');
});

test('SchedulingGated', () => {
  const p = pod({ status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] } });
  assert.equal(podSummary(p, now).status, 'SchedulingGated');
});

test('waiting reason: ContainerCreating, CrashLoopBackOff with restarts and (ago)', () => {
  const creating = pod({ status: { phase: 'Pending', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] } });
  assert.equal(podSummary(creating, now).status, 'ContainerCreating');
  const crash = pod({
    status: {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'app',
          ready: false,
          restartCount: 5,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(5 * MIN) } },
        },
      ],
    },
  });
  assert.deepEqual(podSummary(crash, now), { ready: '0/1', status: 'CrashLoopBackOff', restarts: '5 (5m ago)' });
});

test('restarts without a last termination time have no (ago)', () => {
  const p = pod({ status: { phase: 'Running', containerStatuses: [{ ...running, restartCount: 2 }] } });
  assert.equal(podSummary(p, now).restarts, '2');
});

test('terminated: Completed, Error, ExitCode:n, Signal:n', () => {
  const term = (t: any) => pod({ status: { phase: 'Succeeded', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { terminated: t } }] } });
  assert.equal(podSummary(term({ exitCode: 0, reason: 'Completed' }), now).status, 'Completed');
  assert.equal(podSummary(term({ exitCode: 1, reason: 'Error' }), now).status, 'Error');
  assert.equal(podSummary(term({ exitCode: 3 }), now).status, 'ExitCode:3');
  assert.equal(podSummary(term({ exitCode: 137, signal: 9 }), now).status, 'Signal:9');
});

test('Completed next to a running container reads Running or NotReady', () => {
  const statuses = [{ name: 'done', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }, running];
  const spec = { containers: [{ name: 'done' }, { name: 'app' }] };
  // statuses are walked last to first, so the first container's reason is the one left standing
  const ready = pod({ spec, status: { phase: 'Running', containerStatuses: statuses, conditions: [{ type: 'Ready', status: 'True' }] } });
  assert.deepEqual(podSummary(ready, now), { ready: '1/2', status: 'Running', restarts: '0' });
  const notReady = pod({ spec, status: { phase: 'Running', containerStatuses: statuses, conditions: [{ type: 'Ready', status: 'False' }] } });
  assert.equal(podSummary(notReady, now).status, 'NotReady');
});

test('init containers: Init:x/y, Init:reason, Init:ExitCode', () => {
  const spec = { initContainers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] };
  const done = { name: 'a', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } };
  const runningInit = { name: 'b', ready: false, restartCount: 0, state: { running: {} } };
  const waitingInit = { name: 'c', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } };
  const p1 = pod({ spec, status: { phase: 'Pending', initContainerStatuses: [done, runningInit, waitingInit] } });
  assert.equal(podSummary(p1, now).status, 'Init:1/3');
  const back = { name: 'b', ready: false, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, finishedAt: ago(2 * MIN) } } };
  const p2 = pod({ spec, status: { phase: 'Pending', initContainerStatuses: [done, back, waitingInit] } });
  assert.deepEqual(podSummary(p2, now), { ready: '0/1', status: 'Init:CrashLoopBackOff', restarts: '3 (2m ago)' });
  const failed = { name: 'b', ready: false, restartCount: 0, state: { terminated: { exitCode: 2 } } };
  const p3 = pod({ spec, status: { phase: 'Failed', initContainerStatuses: [done, failed] } });
  assert.equal(podSummary(p3, now).status, 'Init:ExitCode:2');
  const failedReason = { name: 'b', ready: false, restartCount: 0, state: { terminated: { exitCode: 2, reason: 'Error' } } };
  assert.equal(podSummary(pod({ spec, status: { phase: 'Failed', initContainerStatuses: [done, failedReason] } }), now).status, 'Init:Error');
});

test('sidecar (restartable init) containers count toward READY', () => {
  const spec = { initContainers: [{ name: 'proxy', restartPolicy: 'Always' }] };
  const sidecar = { name: 'proxy', ready: true, started: true, restartCount: 1, state: { running: {} }, lastState: { terminated: { exitCode: 1, finishedAt: ago(30 * MIN) } } };
  const p = pod({ spec, status: { phase: 'Running', initContainerStatuses: [sidecar], containerStatuses: [running], conditions: [{ type: 'Initialized', status: 'True' }] } });
  assert.deepEqual(podSummary(p, now), { ready: '2/2', status: 'Running', restarts: '1 (30m ago)' });
});

test('Terminating and Unknown when deleted', () => {
  const deleting = pod({ metadata: { deletionTimestamp: ago(0) }, status: { phase: 'Running', containerStatuses: [running] } });
  assert.equal(podSummary(deleting, now).status, 'Terminating');
  const finished = pod({ metadata: { deletionTimestamp: ago(0) }, status: { phase: 'Succeeded' } });
  assert.equal(podSummary(finished, now).status, 'Succeeded');
  const lost = pod({ metadata: { deletionTimestamp: ago(0) }, status: { phase: 'Running', reason: 'NodeLost' } });
  assert.equal(podSummary(lost, now).status, 'Unknown');
});

test('readiness gates', () => {
  assert.equal(readinessGates(pod({})), '<none>');
  const p = pod({
    spec: { readinessGates: [{ conditionType: 'a' }, { conditionType: 'b' }] },
    status: { conditions: [{ type: 'a', status: 'True' }, { type: 'b', status: 'False' }] },
  });
  assert.equal(readinessGates(p), '1/2');
});

test('pod row as kubectl get pods -o wide shows it', () => {
  const p = pod({
    spec: { nodeName: 'node-1' },
    status: { phase: 'Running', podIPs: [{ ip: '10.42.0.5' }], containerStatuses: [running] },
  });
  const names = podColumns.map((c) => c.name);
  assert.deepEqual(names, ['Ready', 'Status', 'Restarts', 'Age', 'IP', 'Node', 'Nominated Node', 'Readiness Gates']);
  assert.deepEqual(podColumns.map((c) => c.priority), [0, 0, 0, 0, 1, 1, 1, 1]);
  assert.deepEqual(podColumns.map((c) => c.cell(p, now)), ['1/1', 'Running', '0', '10m', '10.42.0.5', 'node-1', '<none>', '<none>']);
});
