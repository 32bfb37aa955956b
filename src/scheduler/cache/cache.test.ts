import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { SchedulerCache } from './cache.js';
import { Snapshot } from './snapshot.js';
import { PodInfo } from '../framework/node-info.js';

function node(name: string, cpu = '4', zone?: string): Node {
  return {
    metadata: { name, labels: zone ? { 'topology.kubernetes.io/zone': zone } : {} },
    status: { allocatable: { cpu, memory: '8Gi', pods: '110' }, images: [{ names: ['nginx:1'], sizeBytes: 100 }] },
  };
}
function pod(name: string, nodeName?: string, cpu = '500m', extra: Partial<Pod['spec']> = {}): Pod {
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    spec: { nodeName, containers: [{ name: 'c', resources: { requests: { cpu } } }], ...extra },
  };
}

test('assume, confirm through the informer, and forget', () => {
  const c = new SchedulerCache();
  c.addNode(node('n1'));
  c.addNode(node('n2'));
  const pi = new PodInfo(pod('a'));
  c.assumePod(pi, 'n1');
  let s = c.snapshot();
  assert.equal(s.get('n1')!.requested.milliCPU, 500);
  assert.equal(s.get('n1')!.nonZeroRequested.memory, 200 * 1024 * 1024);
  assert.ok(c.isAssumed(pi.key));
  // The informer shows the binding: confirmed, counted once.
  c.addPod(pod('a', 'n1'));
  assert.ok(!c.isAssumed(pi.key));
  c.updateSnapshot(s);
  assert.equal(s.get('n1')!.pods.length, 1);
  assert.equal(s.get('n1')!.requested.milliCPU, 500);
  // Forget is a no-op for confirmed pods; works for assumed ones.
  const pb = new PodInfo(pod('b', undefined, '1'));
  c.assumePod(pb, 'n2');
  c.forgetPod(pb.key);
  s = c.snapshot();
  assert.equal(s.get('n2')!.pods.length, 0);
  assert.equal(s.get('n2')!.requested.milliCPU, 0);
  assert.equal(s.get('n1')!.imageStates.get('nginx:1')!.numNodes, 2);
});

test('assumed pods expire after the binding finished and the TTL passed', () => {
  let t = 0;
  const c = new SchedulerCache({ assumedTTLMs: 1000, now: () => t });
  c.addNode(node('n1'));
  const pi = new PodInfo(pod('a'));
  c.assumePod(pi, 'n1');
  t = 5000;
  assert.deepEqual(c.cleanupExpiredAssumedPods(), []); // binding not finished
  c.finishBinding(pi.key);
  t = 5500;
  assert.deepEqual(c.cleanupExpiredAssumedPods(), []);
  t = 6001;
  assert.deepEqual(c.cleanupExpiredAssumedPods(), [pi.key]);
  assert.equal(c.snapshot().get('n1')!.pods.length, 0);
});

test('snapshot updates copy only the changed NodeInfos', () => {
  const c = new SchedulerCache();
  for (let i = 0; i < 100; i++) c.addNode(node(`n${i}`));
  const s = new Snapshot();
  c.updateSnapshot(s);
  assert.equal(s.list().length, 100);
  const before = new Map(s.list().map((ni) => [ni.name, ni.clone()]));
  const objs = new Map(s.list().map((ni) => [ni.name, ni]));
  c.addPod(pod('p', 'n42'));
  const gen = s.generation;
  c.updateSnapshot(s);
  assert.ok(s.generation > gen);
  // Same objects (lists stay valid), only n42 changed.
  for (const ni of s.list()) {
    assert.equal(ni, objs.get(ni.name));
    if (ni.name === 'n42') assert.equal(ni.pods.length, 1);
    else assert.equal(ni.generation, before.get(ni.name)!.generation);
  }
  // The snapshot is a copy: later cache changes do not leak in before the next update.
  c.addPod(pod('q', 'n42'));
  assert.equal(s.get('n42')!.pods.length, 1);
  c.updateSnapshot(s);
  assert.equal(s.get('n42')!.pods.length, 2);
});

test('affinity lists, node removal and zone-interleaved order', () => {
  const c = new SchedulerCache();
  c.addNode(node('a1', '4', 'a'));
  c.addNode(node('a2', '4', 'a'));
  c.addNode(node('b1', '4', 'b'));
  const s = c.snapshot();
  assert.deepEqual(s.list().map((n) => n.name), ['a1', 'b1', 'a2']);
  const anti = pod('x', 'b1', '1', {
    affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'x' } } }] } },
  });
  c.addPod(anti);
  c.updateSnapshot(s);
  assert.deepEqual(s.havePodsWithRequiredAntiAffinity().map((n) => n.name), ['b1']);
  assert.deepEqual(s.havePodsWithAffinity().map((n) => n.name), ['b1']);
  // The term reaches only its own namespace.
  assert.equal(s.existingTerms().requiredAntiAffinity.mayMatch('default'), true);
  assert.equal(s.existingTerms().requiredAntiAffinity.mayMatch('other'), false);
  assert.equal(s.existingTerms().scoring.mayMatch('default'), false);
  c.removePod(anti);
  c.removeNode(node('a2', '4', 'a'));
  c.updateSnapshot(s);
  assert.deepEqual(s.havePodsWithRequiredAntiAffinity(), []);
  assert.equal(s.existingTerms().requiredAntiAffinity.mayMatch('default'), false);
  assert.deepEqual(s.list().map((n) => n.name), ['a1', 'b1']);
  assert.equal(s.get('a2'), undefined);
  // A node removed while pods remain stays a ghost, invisible to the snapshot.
  c.addPod(pod('y', 'b1'));
  c.removeNode(node('b1', '4', 'b'));
  c.updateSnapshot(s);
  assert.deepEqual(s.list().map((n) => n.name), ['a1']);
  c.removePod(pod('y', 'b1'));
  assert.equal(c.nodeCount(), 1);
});

test('image states: every name of an image, numNodes current on every node', () => {
  const c = new SchedulerCache();
  const withImages = (name: string, images: { names: string[]; sizeBytes: number }[]): Node => ({
    metadata: { name },
    status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' }, images },
  });
  c.addNode(withImages('a', [{ names: ['nginx:1', 'docker.io/library/nginx@sha256:ab'], sizeBytes: 300 }]));
  const s = c.snapshot();
  assert.deepEqual(s.get('a')!.imageStates.get('nginx:1'), { size: 300, numNodes: 1 });
  assert.deepEqual(s.get('a')!.imageStates.get('docker.io/library/nginx@sha256:ab'), { size: 300, numNodes: 1 });
  // Another node gains the image: node a's summary follows, though node a itself did not change.
  c.addNode(withImages('b', [{ names: ['nginx:1'], sizeBytes: 300 }]));
  c.updateSnapshot(s);
  assert.equal(s.get('a')!.imageStates.get('nginx:1')!.numNodes, 2);
  assert.equal(s.get('a')!.imageStates.get('docker.io/library/nginx@sha256:ab')!.numNodes, 1);
  // Node b drops it (status update), then is deleted.
  c.updateNode(undefined, withImages('b', []));
  c.updateSnapshot(s);
  assert.equal(s.get('a')!.imageStates.get('nginx:1')!.numNodes, 1);
  assert.equal(s.get('b')!.imageStates.size, 0);
  c.addNode(withImages('b', [{ names: ['nginx:1'], sizeBytes: 300 }]));
  c.removeNode(withImages('b', []));
  c.updateSnapshot(s);
  assert.equal(s.get('a')!.imageStates.get('nginx:1')!.numNodes, 1);
  assert.equal(c.imageNumNodes('nginx:1'), 1);
});

test('host ports of sidecars (restartable init containers) are in use; ordinary init containers\' are not', () => {
  const c = new SchedulerCache();
  c.addNode(node('n1'));
  c.addPod(
    pod('web', 'n1', '100m', {
      initContainers: [
        { name: 'setup', ports: [{ containerPort: 1, hostPort: 7000 }] },
        { name: 'proxy', restartPolicy: 'Always', ports: [{ containerPort: 2, hostPort: 8080, protocol: 'TCP' }] },
      ],
      containers: [{ name: 'c', ports: [{ containerPort: 3, hostPort: 9090, protocol: 'UDP' }] }],
    }),
  );
  const ni = c.snapshot().get('n1')!;
  assert.ok(ni.usedPorts.checkConflict(undefined, 'TCP', 8080));
  assert.ok(ni.usedPorts.checkConflict('10.0.0.1', 'UDP', 9090));
  assert.ok(!ni.usedPorts.checkConflict(undefined, 'TCP', 7000));
  assert.equal(ni.usedPorts.size, 2);
  c.removePod(pod('web', 'n1'));
  assert.equal(c.snapshot().get('n1')!.usedPorts.size, 0);
});
