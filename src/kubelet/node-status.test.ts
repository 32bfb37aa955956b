import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goArch, osImageFrom } from './machine.js';
import { buildNode, conditionStates, nodeImages, nodeStatus, statusChanged, type NodeFacts } from './node-status.js';

const facts = (o: Partial<NodeFacts> = {}): NodeFacts => ({
  name: 'n1',
  hostname: 'n1',
  internalIP: '10.0.0.1',
  machine: {
    cpus: 4,
    memoryBytes: 8 * 1024 ** 3,
    ephemeralBytes: 100 * 1024 ** 3,
    kernelVersion: '6.1.0',
    osImage: 'Debian GNU/Linux 12 (bookworm)',
    operatingSystem: 'linux',
    architecture: 'amd64',
    machineID: 'm',
    systemUUID: 's',
    bootID: 'b',
  },
  runtimeVersion: 'containerd://1.6.20',
  runtimeReady: true,
  pressure: { memoryAvailableBytes: 4 * 1024 ** 3, diskAvailableBytes: 50 * 1024 ** 3, diskTotalBytes: 100 * 1024 ** 3, pids: 100, pidMax: 4_194_304 },
  maxPods: 110,
  ...o,
});

test('os-release and architecture', () => {
  assert.equal(osImageFrom('NAME="Debian"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'), 'Debian GNU/Linux 12 (bookworm)');
  assert.equal(osImageFrom(''), 'Linux');
  assert.equal(goArch('x64'), 'amd64');
  assert.equal(goArch('arm64'), 'arm64');
});

test('node object: capacity, allocatable, labels, nodeInfo, addresses', () => {
  const n = buildNode(facts(), Date.parse('2026-01-01T00:00:00Z'));
  assert.deepEqual(n.metadata?.labels?.['kubernetes.io/hostname'], 'n1');
  assert.equal(n.metadata?.labels?.['kubernetes.io/arch'], 'amd64');
  assert.equal(n.metadata?.labels?.['kubernetes.io/os'], 'linux');
  assert.deepEqual(n.status?.capacity, { cpu: '4', memory: '8388608Ki', pods: '110', 'ephemeral-storage': '104857600Ki', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0' });
  assert.equal(n.status?.allocatable?.['memory'], `${8388608 - 102400}Ki`);
  assert.equal(n.status?.nodeInfo?.kubeletVersion, 'v1.32.0-k8ts');
  assert.equal(n.status?.nodeInfo?.containerRuntimeVersion, 'containerd://1.6.20');
  assert.deepEqual(n.status?.addresses, [
    { type: 'InternalIP', address: '10.0.0.1' },
    { type: 'Hostname', address: 'n1' },
  ]);
  assert.deepEqual(
    n.status?.conditions?.map((c) => [c.type, c.status]),
    [
      ['MemoryPressure', 'False'],
      ['DiskPressure', 'False'],
      ['PIDPressure', 'False'],
      ['Ready', 'True'],
    ],
  );
});

test('pressure and runtime failures flip conditions', () => {
  const c = conditionStates(
    facts({ runtimeReady: false, runtimeMessage: 'dial unix: no such file', pressure: { memoryAvailableBytes: 1, diskAvailableBytes: 1, diskTotalBytes: 100, pids: 4_000_000, pidMax: 4_194_304 } }),
  );
  assert.deepEqual(
    c.map((x) => [x.type, x.status, x.reason]),
    [
      ['MemoryPressure', 'True', 'KubeletHasInsufficientMemory'],
      ['DiskPressure', 'True', 'KubeletHasDiskPressure'],
      ['PIDPressure', 'True', 'KubeletHasInsufficientPID'],
      ['Ready', 'False', 'KubeletNotReady'],
    ],
  );
});

test('heartbeats alone are not a change; transitions keep their time', () => {
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  const s0 = nodeStatus(facts(), undefined, t0);
  const s1 = nodeStatus(facts(), s0, t0 + 10_000);
  assert.equal(statusChanged(s0, s1), false);
  assert.equal(s1.conditions![3]!.lastTransitionTime, '2026-01-01T00:00:00Z');
  assert.equal(s1.conditions![3]!.lastHeartbeatTime, '2026-01-01T00:00:10Z');
  const s2 = nodeStatus(facts({ runtimeReady: false }), s1, t0 + 20_000);
  assert.equal(statusChanged(s1, s2), true);
  assert.equal(s2.conditions![3]!.lastTransitionTime, '2026-01-01T00:00:20Z');
});

test('node images: digests and tags, largest first, at most 50', () => {
  const imgs = nodeImages([
    { repoTags: ['a:1'], repoDigests: ['a@sha256:1'], size: 10 },
    { repoTags: ['b:1'], repoDigests: [], size: 20 },
    { repoTags: [], repoDigests: [], size: 30 },
  ]);
  assert.deepEqual(imgs, [
    { names: ['b:1'], sizeBytes: 20 },
    { names: ['a@sha256:1', 'a:1'], sizeBytes: 10 },
  ]);
  assert.equal(nodeImages(Array.from({ length: 60 }, (_, i) => ({ repoTags: [`x:${i}`], repoDigests: [], size: i }))).length, 50);
});
