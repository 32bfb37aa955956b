import assert from 'node:assert/strict';
import { test } from 'node:test';
import { containerConfig, dnsConfig, sandboxConfig } from './container-config.js';
import { ensureImage, pullPolicy } from './images.js';
import { linuxResources, qosClass } from './resources.js';
import { FakeRuntime } from '../runtime/fake/index.js';
import type { Pod } from './types.js';

const pod = (spec: Partial<NonNullable<Pod['spec']>> = {}): Pod => ({
  metadata: { name: 'web-1', namespace: 'ns', uid: 'u', labels: { app: 'web' } },
  spec: { containers: [{ name: 'c', image: 'img:1' }], ...spec },
});

test('QoS classes and cgroup settings', () => {
  assert.equal(qosClass(pod()), 'BestEffort');
  const g = pod({ containers: [{ name: 'c', resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '500m', memory: '128Mi' } } }] });
  assert.equal(qosClass(g), 'Guaranteed');
  assert.deepEqual(linuxResources(g, g.spec!.containers[0]!, 8 * 1024 ** 3), { cpuShares: 512, cpuPeriod: 100_000, cpuQuota: 50_000, memoryLimitInBytes: 128 * 1024 * 1024, oomScoreAdj: 0 });
  const b = pod({ containers: [{ name: 'c', resources: { requests: { cpu: '100m', memory: '1Gi' } } }] });
  assert.equal(qosClass(b), 'Burstable');
  const r = linuxResources(b, b.spec!.containers[0]!, 4 * 1024 ** 3);
  assert.equal(r.cpuShares, 102);
  assert.equal(r.cpuQuota, undefined);
  assert.equal(r.oomScoreAdj, 750);
  assert.equal(linuxResources(pod(), pod().spec!.containers[0]!, 1).cpuShares, 2);
  assert.equal(linuxResources(pod(), pod().spec!.containers[0]!, 1).oomScoreAdj, 1000);
});

test('container config: command/args expansion, security context, labels, log path', () => {
  const p = pod({
    securityContext: { runAsUser: 1000 },
    containers: [
      {
        name: 'c',
        image: 'img:1',
        command: ['sh', '-c'],
        args: ['echo $(X)'],
        workingDir: '/w',
        securityContext: { runAsGroup: 2000, readOnlyRootFilesystem: true, privileged: true, capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] } },
      },
    ],
  });
  const cfg = containerConfig(p, p.spec!.containers[0]!, { nodeName: 'n', kind: 'regular', restartCount: 2, env: [{ key: 'X', value: 'hi' }], mounts: [], nodeMemoryBytes: 1 });
  assert.deepEqual(cfg.command, ['sh', '-c']);
  assert.deepEqual(cfg.args, ['echo hi']);
  assert.equal(cfg.workingDir, '/w');
  assert.equal(cfg.logPath, 'c/2.log');
  assert.deepEqual(cfg.metadata, { name: 'c', attempt: 2 });
  assert.deepEqual(cfg.linux?.securityContext, { runAsUser: 1000, runAsGroup: 2000, readonlyRootfs: true, privileged: true, capabilities: { addCapabilities: ['NET_ADMIN'], dropCapabilities: ['ALL'] } });
  assert.equal(cfg.labels['io.kubernetes.pod.uid'], 'u');
  assert.equal(cfg.labels['io.kubernetes.container.name'], 'c');
  assert.equal(cfg.annotations['io.kubernetes.container.restartCount'], '2');
});

test('sandbox config: hostname, namespaces, port mappings, log directory', () => {
  const p = pod({ hostname: 'h1', hostPID: true, containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 8080, protocol: 'UDP', hostIP: '127.0.0.1' }, { containerPort: 81 }] }] });
  const s = sandboxConfig(p, { nodeName: 'n', nodeHostname: 'node', logRoot: '/logs', dns: { clusterDNS: [], clusterDomain: 'cluster.local' }, attempt: 1 });
  assert.equal(s.hostname, 'h1');
  assert.equal(s.logDirectory, '/logs/ns_web-1_u');
  assert.deepEqual(s.portMappings, [{ protocol: 'UDP', containerPort: 80, hostPort: 8080, hostIp: '127.0.0.1' }]);
  assert.deepEqual(s.linux?.namespaceOptions, { network: 'POD', pid: 'NODE', ipc: 'POD' });
  assert.equal(s.metadata.attempt, 1);
  assert.equal(s.labels['app'], 'web');
  const h = sandboxConfig(pod({ hostNetwork: true }), { nodeName: 'n', nodeHostname: 'node', logRoot: '/l', dns: { clusterDNS: [], clusterDomain: 'c' }, attempt: 0 });
  assert.equal(h.hostname, 'node');
  assert.equal(h.linux?.namespaceOptions?.network, 'NODE');
});

test('DNS: ClusterFirst, None with dnsConfig, Default', () => {
  const dns = { clusterDNS: ['10.96.0.10'], clusterDomain: 'cluster.local' };
  assert.deepEqual(dnsConfig(pod(), dns), { servers: ['10.96.0.10'], searches: ['ns.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], options: ['ndots:5'] });
  assert.equal(dnsConfig(pod({ dnsPolicy: 'Default' }), dns), undefined);
  assert.deepEqual(dnsConfig(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], searches: ['a'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] } }), dns), {
    servers: ['1.1.1.1'],
    searches: ['a'],
    options: ['ndots:2', 'edns0'],
  });
  assert.equal(dnsConfig(pod(), { clusterDNS: [], clusterDomain: 'cluster.local' }), undefined);
});

test('image pull policy defaults and behaviour', async () => {
  assert.equal(pullPolicy({ name: 'c', image: 'busybox' }), 'Always');
  assert.equal(pullPolicy({ name: 'c', image: 'busybox:latest' }), 'Always');
  assert.equal(pullPolicy({ name: 'c', image: 'localhost:5000/busybox:1' }), 'IfNotPresent');
  assert.equal(pullPolicy({ name: 'c', image: 'localhost:5000/busybox' }), 'Always');
  const rt = new FakeRuntime({ images: ['here:1'], missingImages: ['gone:1'] });
  assert.equal(await ensureImage(rt, { name: 'c', image: 'here:1' }), false);
  assert.equal(await ensureImage(rt, { name: 'c', image: 'new:1' }), true);
  await assert.rejects(ensureImage(rt, { name: 'c', image: 'never:1', imagePullPolicy: 'Never' }), { reason: 'ErrImageNeverPull' });
  await assert.rejects(ensureImage(rt, { name: 'c', image: 'gone:1' }), { reason: 'ErrImagePull' });
  assert.equal(await ensureImage(rt, { name: 'c', image: 'here:1', imagePullPolicy: 'Always' }), true);
});
