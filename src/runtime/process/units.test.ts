import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { normalizeRef } from './images.js';
import { conflist, gatewayOf } from './network.js';
import { resolveInRoot } from './rootfs.js';
import { exitStatus } from './streaming.js';
import { rfc3339Nano } from './util.js';

describe('process runtime helpers', () => {
  it('derives the gateway and a conflist shaped like the containerd path', () => {
    assert.equal(gatewayOf('10.42.0.0/24'), '10.42.0.1');
    assert.equal(gatewayOf('10.42.3.0/24'), '10.42.3.1');
    assert.throws(() => gatewayOf('nope'));
    const c = conflist({ bridge: 'k8ts0', subnet: '10.42.0.0/24', cniBinDir: '/usr/lib/cni', ipamDir: '/x/ipam', name: 'k8ts' });
    assert.deepEqual(c.plugins.map((p) => p.type), ['bridge', 'portmap']);
    assert.equal(c.plugins[0]!.bridge, 'k8ts0');
  });

  it('normalizes image references', () => {
    assert.equal(normalizeRef('busybox'), 'busybox:latest');
    assert.equal(normalizeRef('localhost/busybox:1'), 'localhost/busybox:1');
    assert.equal(normalizeRef('127.0.0.1:5000/busybox'), '127.0.0.1:5000/busybox:latest');
    assert.equal(normalizeRef('x@sha256:abc'), 'x@sha256:abc');
  });

  it('resolves container paths inside the rootfs, never through a symlink to the host', async () => {
    const root = await mkdtemp(join(tmpdir(), 'k8ts-resolve-'));
    try {
      await mkdir(join(root, 'real'), { recursive: true });
      await symlink('/etc', join(root, 'data'));
      await symlink('../real', join(root, 'rel'));
      await symlink('/../../..', join(root, 'up'));
      assert.equal(resolveInRoot(root, '/data/x'), join(root, 'etc/x'));
      assert.equal(resolveInRoot(root, '/rel/y'), join(root, 'real/y'));
      assert.equal(resolveInRoot(root, '/up/etc'), join(root, 'etc'));
      assert.equal(resolveInRoot(root, '../../etc/passwd'), join(root, 'etc/passwd'));
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('formats exit statuses and log timestamps', () => {
    assert.deepEqual(exitStatus(0), { metadata: {}, status: 'Success' });
    const f = exitStatus(2) as { reason: string; details: { causes: { message: string }[] } };
    assert.equal(f.reason, 'NonZeroExitCode');
    assert.equal(f.details.causes[0]!.message, '2');
    assert.equal(rfc3339Nano(Date.UTC(2024, 0, 2, 3, 4, 5, 678), 9), '2024-01-02T03:04:05.678000009Z');
  });
});
