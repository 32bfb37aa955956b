// The mapping between our runtime types and CRI messages: no containerd needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerConfig, PodSandboxConfig } from '../types.js';
import { CriError, isNotFound, nsToMs, toCriContainerConfig, toCriSandboxConfig } from './client.js';

const sandbox: PodSandboxConfig = {
  metadata: { name: 'p', uid: 'u', namespace: 'ns', attempt: 1 },
  hostname: 'p',
  logDirectory: '/var/log/pods/ns_p_u',
  dnsConfig: { servers: ['10.43.0.10'], searches: ['ns.svc.cluster.local'], options: ['ndots:5'] },
  portMappings: [{ protocol: 'UDP', containerPort: 53, hostPort: 5353, hostIp: '127.0.0.1' }],
  labels: { app: 'x' },
  annotations: { a: 'b' },
  linux: { cgroupParent: '/kubepods/podu', namespaceOptions: { network: 'NODE' }, privileged: true },
};

test('nsToMs converts int64 nanoseconds (as strings) to milliseconds', () => {
  assert.equal(nsToMs('1700000000123456789'), 1700000000123);
  assert.equal(nsToMs('0'), 0);
  assert.equal(nsToMs(0), 0);
  assert.equal(nsToMs(undefined), 0);
});

test('sandbox config: metadata, log dir, DNS, ports, namespaces', () => {
  const c = toCriSandboxConfig(sandbox) as any;
  assert.deepEqual(c.metadata, { name: 'p', uid: 'u', namespace: 'ns', attempt: 1 });
  assert.equal(c.log_directory, '/var/log/pods/ns_p_u');
  assert.deepEqual(c.dns_config.servers, ['10.43.0.10']);
  assert.deepEqual(c.port_mappings, [{ protocol: 'UDP', container_port: 53, host_port: 5353, host_ip: '127.0.0.1' }]);
  assert.equal(c.linux.cgroup_parent, '/kubepods/podu');
  assert.deepEqual(c.linux.security_context.namespace_options, { network: 'NODE', pid: 'CONTAINER', ipc: 'POD' });
  assert.equal(c.linux.security_context.privileged, true);
  assert.equal((toCriSandboxConfig({ ...sandbox, dnsConfig: undefined }) as any).dns_config, null);
});

test('container config: oom_score_adj is never negative; capabilities lose CAP_; run_as_* are wrapped', () => {
  const cfg: ContainerConfig = {
    metadata: { name: 'c', attempt: 2 },
    image: 'localhost/busybox:1',
    command: ['sh'],
    args: ['-c', 'true'],
    workingDir: '/w',
    envs: [{ key: 'A', value: '1' }],
    mounts: [{ containerPath: '/data', hostPath: '/tmp/d', readonly: true }],
    logPath: 'c/2.log',
    labels: {},
    annotations: {},
    linux: {
      resources: { cpuShares: 512, cpuQuota: 50000, cpuPeriod: 100000, memoryLimitInBytes: 1 << 24, oomScoreAdj: -997 },
      securityContext: { runAsUser: 0, readonlyRootfs: true, capabilities: { addCapabilities: ['NET_ADMIN', 'CAP_SYS_TIME'], dropCapabilities: ['all'] } },
    },
  };
  const c = toCriContainerConfig(cfg, { ...sandbox, linux: { namespaceOptions: { pid: 'POD' } } }) as any;
  assert.deepEqual(c.image, { image: 'localhost/busybox:1' });
  assert.equal(c.working_dir, '/w');
  assert.equal(c.log_path, 'c/2.log');
  assert.deepEqual(c.mounts, [{ container_path: '/data', host_path: '/tmp/d', readonly: true, propagation: 'PROPAGATION_PRIVATE' }]);
  assert.deepEqual(c.linux.resources, { cpu_period: 100000, cpu_quota: 50000, cpu_shares: 512, memory_limit_in_bytes: 1 << 24, oom_score_adj: 0 });
  assert.equal((toCriContainerConfig({ ...cfg, linux: { resources: { oomScoreAdj: 1000 } } }, sandbox) as any).linux.resources.oom_score_adj, 1000);
  const sc = c.linux.security_context;
  assert.deepEqual(sc.run_as_user, { value: 0 });
  assert.equal(sc.run_as_group, null);
  assert.equal(sc.readonly_rootfs, true);
  assert.deepEqual(sc.capabilities, { add_capabilities: ['NET_ADMIN', 'SYS_TIME'], drop_capabilities: ['ALL'] });
  assert.deepEqual(sc.namespace_options, { network: 'POD', pid: 'POD', ipc: 'POD' });
});

test('isNotFound recognises NOT_FOUND and containerd-style messages', () => {
  assert.ok(isNotFound(new CriError('ContainerStatus', 'NOT_FOUND', 'an error occurred')));
  assert.ok(isNotFound(new CriError('StopPodSandbox', 'UNKNOWN', 'sandbox "x" does not exist')));
  assert.ok(!isNotFound(new CriError('RunPodSandbox', 'UNKNOWN', 'failed to setup network')));
  assert.ok(!isNotFound(new Error('not found')));
});
