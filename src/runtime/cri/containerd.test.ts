// Generated containerd config and CNI conflist, and the supervisor against a fake "containerd".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cniConflist, containerdConfig, containerdPaths, gatewayOf, startContainerd } from './containerd.js';

test('gatewayOf picks the first address of the CIDR', () => {
  assert.equal(gatewayOf('10.42.0.0/24'), '10.42.0.1');
  assert.equal(gatewayOf('10.42.3.0/16'), '10.42.0.1');
  assert.throws(() => gatewayOf('fd00::/64'));
  assert.throws(() => gatewayOf('10.0.0.0/31'));
});

test('containerd config follows runtime.md', () => {
  const p = containerdPaths('/data');
  assert.equal(p.config, '/data/agent/containerd/config.toml');
  assert.equal(p.socket, '/data/agent/containerd/containerd.sock');
  const toml = containerdConfig(p, { sandboxImage: 'localhost/pause:1', cniBinDir: '/usr/lib/cni' });
  for (const line of [
    'version = 2',
    'root = "/data/agent/containerd/root"',
    'state = "/data/agent/containerd/state"',
    'address = "/data/agent/containerd/containerd.sock"',
    'path = "/data/agent/containerd/opt"',
    'sandbox_image = "localhost/pause:1"',
    'restrict_oom_score_adj = true',
    'netns_mounts_under_state_dir = true',
    'bin_dir = "/usr/lib/cni"',
    'conf_dir = "/data/agent/cni/net.d"',
    'snapshotter = "overlayfs"',
    'runtime_type = "io.containerd.runc.v2"',
    'SystemdCgroup = false',
    'Root = "/data/agent/containerd/runc"',
  ]) {
    assert.ok(toml.includes(line), `config has ${line}`);
  }
});

test('CNI conflist: bridge + host-local on the pod CIDR, + portmap once hostPorts are wanted', () => {
  assert.deepEqual(JSON.parse(cniConflist({ podCidr: '10.42.7.0/24', bridge: 'k8ts0', ipamDir: '/d/ipam', portmap: false })).plugins.map((p: { type: string }) => p.type), ['bridge']);
  const conf = JSON.parse(cniConflist({ podCidr: '10.42.7.0/24', bridge: 'k8ts0', ipamDir: '/d/ipam', portmap: true }));
  assert.equal(conf.cniVersion, '1.0.0');
  assert.deepEqual(conf.plugins.map((p: { type: string }) => p.type), ['bridge', 'portmap']);
  const br = conf.plugins[0];
  assert.equal(br.bridge, 'k8ts0');
  assert.equal(br.isGateway && br.hairpinMode, true);
  assert.equal(br.ipMasq, false, 'one masquerade rule for the CIDR instead of a chain per pod');
  assert.deepEqual(br.ipam.ranges, [[{ subnet: '10.42.7.0/24', gateway: '10.42.7.1' }]]);
  assert.equal(br.ipam.dataDir, '/d/ipam');
  assert.deepEqual(conf.plugins[1].capabilities, { portMappings: true });
});

// A stand-in for containerd: listens on the socket named in the config, like the real one.
async function fakeContainerd(dir: string): Promise<string> {
  const fake = join(dir, 'fake-containerd.mjs');
  await writeFile(
    fake,
    `#!/usr/bin/env node
import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';
const cfg = readFileSync(process.argv[3], 'utf8');
const sock = /address = "(.*)"/.exec(cfg)[1];
createServer(() => {}).listen(sock);
process.on('SIGTERM', () => process.exit(0));
`,
  );
  await chmod(fake, 0o755);
  return fake;
}

test('a containerd left behind by a killed k8ts is stopped before ours starts', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-sup-'));
  try {
    const fake = await fakeContainerd(dir);
    const p = containerdPaths(dir);
    await mkdir(p.dir, { recursive: true });
    await writeFile(p.config, `address = "${join(dir, 'stale.sock')}"\n`);
    const stale = spawn(fake, ['--config', p.config], { stdio: 'ignore' });
    await writeFile(p.pidFile, `${stale.pid}\n`);
    const staleExit = new Promise((r) => stale.once('exit', (code, signal) => r(code ?? signal)));
    const cd = await startContainerd({ dataDir: dir, binary: fake });
    // 0 when its SIGTERM handler was installed yet, SIGTERM otherwise.
    assert.match(String(await staleExit), /^(0|SIGTERM)$/);
    assert.equal((await readFile(p.pidFile, 'utf8')).trim(), String(cd.pid()));
    await cd.stop();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('portmap joins the conflist on the first hostPort and stays there across restarts', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-pm-'));
  try {
    const fake = await fakeContainerd(dir);
    const p = containerdPaths(dir);
    const types = async () => (JSON.parse(await readFile(p.cniConfFile, 'utf8')) as { plugins: Array<{ type: string }> }).plugins.map((x) => x.type);
    let cd = await startContainerd({ dataDir: dir, binary: fake });
    assert.deepEqual(await types(), ['bridge']);
    assert.equal(await cd.enableHostPorts(), true);
    assert.deepEqual(await types(), ['bridge', 'portmap']);
    assert.equal(await cd.enableHostPorts(), false);
    await cd.stop();
    cd = await startContainerd({ dataDir: dir, binary: fake });
    assert.deepEqual(await types(), ['bridge', 'portmap'], 'sandboxes set up with portmap must be torn down with it');
    await cd.stop();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the supervisor restarts a crashed daemon with backoff and stops cleanly', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-sup-'));
  try {
    const fake = await fakeContainerd(dir);
    const notes: string[] = [];
    const cd = await startContainerd({ dataDir: dir, binary: fake, log: (m) => notes.push(m) });
    assert.ok((await readFile(cd.paths.cniConfFile, 'utf8')).includes('10.42.0.0/24'));
    const first = cd.pid();
    assert.ok(first);
    process.kill(first, 'SIGKILL');
    const deadline = Date.now() + 5000;
    while (cd.restarts < 1 || !cd.pid() || cd.pid() === first) {
      assert.ok(Date.now() < deadline, 'restarted within 5 s');
      await new Promise((r) => setTimeout(r, 20));
    }
    await cd.ready(5000);
    assert.match(notes[0]!, /exited \(code null, signal SIGKILL\); restarting in 250 ms/);
    const second = cd.pid()!;
    await cd.stop();
    assert.equal(cd.pid(), undefined);
    assert.throws(() => process.kill(second, 0), /ESRCH/);
    assert.equal(cd.restarts, 1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a missing binary is reported as such', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-sup-'));
  try {
    await assert.rejects(startContainerd({ dataDir: dir, binary: join(dir, 'nope') }), /is not installed/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
