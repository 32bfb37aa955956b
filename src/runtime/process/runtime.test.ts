// Needs root, cgroup v1 and the CNI plugins (the project's CI machine); skipped otherwise.
// Uses its own bridge, subnet, netns prefix and cgroup root so it never collides with a real run.

import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import type { ContainerConfig, ContainerStatus, PodSandboxConfig } from '../types.js';
import { cgroupV1Available, CONTROLLERS } from './cgroups.js';
import { mountsUnder, unmountAll } from './rootfs.js';
import { ProcessRuntime, type ProcessRuntimeOptions } from './runtime.js';
import { run, sleep } from './util.js';
import { removeMasquerade } from '../masquerade.js';

const canRun = process.getuid?.() === 0 && cgroupV1Available() && existsSync('/usr/lib/cni/bridge') && existsSync('/bin/busybox');
const tag = (process.pid % 10000).toString(36);
const opts = (dataDir: string): ProcessRuntimeOptions => ({
  dataDir,
  bridge: `k8tst${tag}`,
  podCidr: `10.250.${process.pid % 250}.0/24`,
  networkName: `k8ts-test-${tag}`,
  cgroupRoot: `k8ts-test-${tag}`,
  netnsPrefix: `k8tst${tag}-`,
});

let n = 0;
function sandboxConfig(dataDir: string, extra: Partial<PodSandboxConfig> = {}): PodSandboxConfig {
  const name = `pod${n++}`;
  return {
    metadata: { name, uid: `uid-${name}`, namespace: 'default', attempt: 0 },
    hostname: name,
    logDirectory: join(dataDir, 'logs', name),
    portMappings: [],
    labels: { app: 'test' },
    annotations: {},
    ...extra,
  };
}

function containerConfig(name: string, command: string[], extra: Partial<ContainerConfig> = {}): ContainerConfig {
  return { metadata: { name, attempt: 0 }, image: 'localhost/busybox:1', command, args: [], envs: [], mounts: [], logPath: `${name}/0.log`, labels: {}, annotations: {}, ...extra };
}

async function waitExited(rt: ProcessRuntime, id: string, ms = 10_000): Promise<ContainerStatus> {
  const end = Date.now() + ms;
  for (;;) {
    const st = await rt.containerStatus(id);
    assert.ok(st);
    if (st.state === 'CONTAINER_EXITED') return st;
    if (Date.now() > end) assert.fail(`container still ${st.state}`);
    await sleep(20);
  }
}

/** Whatever a failed test left behind: processes, mounts, cgroups, netns, the bridge, the data dir. */
async function forceCleanup(dataDir: string): Promise<void> {
  const o = opts(dataDir);
  for (const c of CONTROLLERS) {
    const base = `/sys/fs/cgroup/${c}/${o.cgroupRoot}`;
    if (!existsSync(base)) continue;
    const dirs = (await run('find', [base, '-depth', '-type', 'd'], { check: false })).stdout.toString().split('\n').filter(Boolean);
    for (const d of dirs) {
      const procs = (await readFile(join(d, 'cgroup.procs'), 'utf8').catch(() => '')).split('\n').filter(Boolean);
      for (const p of procs) {
        try {
          process.kill(Number(p), 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
    await sleep(50);
    for (const d of dirs) await rm(d, { recursive: false, force: true }).catch(() => run('rmdir', [d], { check: false }));
  }
  for (const ns of existsSync('/run/netns') ? readdirSync('/run/netns') : []) {
    if (ns.startsWith(o.netnsPrefix!)) await run('ip', ['netns', 'del', ns], { check: false });
  }
  await run('ip', ['link', 'del', o.bridge!], { check: false });
  await removeMasquerade(o.podCidr!, o.bridge!).catch(() => {});
  await unmountAll(dataDir).catch(() => {});
  await rm(dataDir, { recursive: true, force: true });
}

describe('ProcessRuntime (root, isolated)', { timeout: 60_000, skip: !canRun && 'needs root, cgroup v1, /usr/lib/cni and busybox-static' }, () => {
  let dataDir: string;
  let rt: ProcessRuntime;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'k8ts-process-'));
    rt = new ProcessRuntime(opts(dataDir));
    assert.equal(rt.isolated, true);
    await rt.pullImage('localhost/busybox:1');
  });

  after(async () => {
    try {
      for (const sb of await rt.listPodSandboxes()) await rt.removePodSandbox(sb.id);
      await rt.close();
    } finally {
      await forceCleanup(dataDir);
    }
  });

  it('gives a sandbox an IP in the pod subnet, and hostNetwork sandboxes none', async () => {
    const id = await rt.runPodSandbox(sandboxConfig(dataDir));
    const st = await rt.podSandboxStatus(id);
    assert.equal(st?.state, 'SANDBOX_READY');
    const prefix = opts(dataDir).podCidr!.replace(/0\/24$/, '');
    assert.ok(st?.ip.startsWith(prefix), `ip ${st?.ip} not in ${prefix}0/24`);
    assert.ok(Number(st.ip.split('.')[3]) > 1);
    const hostId = await rt.runPodSandbox(sandboxConfig(dataDir, { linux: { namespaceOptions: { network: 'NODE', ipc: 'NODE' } } }));
    assert.equal((await rt.podSandboxStatus(hostId))?.ip, '');
    assert.equal((await rt.listPodSandboxes({ labels: { app: 'test' } })).length >= 2, true);
    await rt.removePodSandbox(hostId);
  });

  it('runs a busybox container whose output lands in the CRI log, with pod hostname and network', async () => {
    const sbc = sandboxConfig(dataDir);
    const sb = await rt.runPodSandbox(sbc);
    const ip = (await rt.podSandboxStatus(sb))!.ip;
    const cfg = containerConfig('echo', ['sh', '-c', 'echo hello; echo oops >&2; hostname; ip -4 addr show eth0 | grep -o "inet [0-9.]*"; id -u; pwd; echo $FOO'], {
      envs: [{ key: 'FOO', value: 'bar' }],
      workingDir: '/tmp',
      linux: { securityContext: { runAsUser: 1234, runAsGroup: 99 } },
    });
    const id = await rt.createContainer(sb, cfg, sbc);
    assert.equal((await rt.containerStatus(id))?.state, 'CONTAINER_CREATED');
    await rt.startContainer(id);
    const st = await waitExited(rt, id);
    assert.equal(st.exitCode, 0);
    assert.equal(st.reason, 'Completed');
    assert.ok(st.startedAt > 0 && st.finishedAt >= st.startedAt);
    assert.equal(st.logPath, join(sbc.logDirectory, 'echo/0.log'));
    const log = await readFile(st.logPath, 'utf8');
    const lines = log.trim().split('\n');
    for (const l of lines) assert.match(l, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (stdout|stderr) F /);
    const body = lines.map((l) => l.split(' ').slice(1).join(' '));
    // stdout and stderr are separate pipes: order is kept within each stream only.
    assert.deepEqual(body.filter((l) => l.startsWith('stderr')), ['stderr F oops']);
    assert.deepEqual(body.filter((l) => l.startsWith('stdout')), ['stdout F hello', `stdout F ${sbc.metadata.name}`, `stdout F inet ${ip}`, 'stdout F 1234', 'stdout F /tmp', 'stdout F bar']);
  });

  it('execs into a running container, with a deadline', async () => {
    const sbc = sandboxConfig(dataDir);
    const sb = await rt.runPodSandbox(sbc);
    const id = await rt.createContainer(sb, containerConfig('idle', []), sbc); // the image's default: idle until TERM
    await rt.startContainer(id);
    assert.equal((await rt.containerStatus(id))?.state, 'CONTAINER_RUNNING');
    const hi = await rt.execSync(id, ['echo', 'hi'], 5);
    assert.equal(hi.stdout.toString(), 'hi\n');
    assert.equal(hi.exitCode, 0);
    const ps = await rt.execSync(id, ['sh', '-c', 'cat /proc/1/cmdline | tr "\\0" " "; echo; hostname; exit 3'], 5);
    assert.equal(ps.exitCode, 3);
    assert.match(ps.stdout.toString(), /^sh -c trap/);
    assert.match(ps.stdout.toString(), new RegExp(`\n${sbc.metadata.name}\n`));
    const t0 = Date.now();
    await assert.rejects(rt.execSync(id, ['sleep', '30'], 1), /timed out/);
    assert.ok(Date.now() - t0 < 3000);
    // The image's idle command honours SIGTERM: a graceful stop, exit 0.
    await rt.stopContainer(id, 10);
    const st = await rt.containerStatus(id);
    assert.equal(st?.state, 'CONTAINER_EXITED');
    assert.equal(st?.exitCode, 0);
  });

  it('OOM-kills a container over its memory limit (exit 137, OOMKilled)', async () => {
    const sbc = sandboxConfig(dataDir);
    const sb = await rt.runPodSandbox(sbc);
    const id = await rt.createContainer(sb, containerConfig('hog', ['tail', '/dev/zero'], { linux: { resources: { memoryLimitInBytes: 16 << 20 } } }), sbc);
    await rt.startContainer(id);
    const st = await waitExited(rt, id);
    assert.equal(st.reason, 'OOMKilled');
    assert.equal(st.exitCode, 137);
  });

  it('escalates to SIGKILL when PID 1 ignores SIGTERM', async () => {
    const sbc = sandboxConfig(dataDir);
    const sb = await rt.runPodSandbox(sbc);
    const id = await rt.createContainer(sb, containerConfig('stubborn', ['sleep', '1000']), sbc);
    await rt.startContainer(id);
    const t0 = Date.now();
    await rt.stopContainer(id, 1);
    const took = Date.now() - t0;
    assert.ok(took >= 900 && took < 4000, `stop took ${took} ms`);
    const st = await rt.containerStatus(id);
    assert.equal(st?.state, 'CONTAINER_EXITED');
    assert.equal(st?.exitCode, 137);
    assert.equal(st?.reason, 'Error');
  });

  it('binds volumes (read-only enforced) and removing the sandbox leaves no mount, cgroup or netns', async () => {
    const vol = join(dataDir, 'vol');
    await mkdir(vol, { recursive: true });
    await writeFile(join(vol, 'data.txt'), 'from-host\n');
    const sbc = sandboxConfig(dataDir);
    const sb = await rt.runPodSandbox(sbc);
    const id = await rt.createContainer(
      sb,
      containerConfig('vol', ['sh', '-c', 'cat /data/data.txt; (echo x > /data/new) 2>/dev/null || echo ro; echo y > /scratch/f && echo rw'], {
        mounts: [
          { hostPath: vol, containerPath: '/data', readonly: true },
          { hostPath: join(dataDir, 'scratch'), containerPath: '/scratch', readonly: false },
        ].filter((m) => m.containerPath === '/data'),
        linux: { resources: { memoryLimitInBytes: 64 << 20, cpuQuota: 50000, cpuPeriod: 100000 } },
      }),
      sbc,
    );
    const o = opts(dataDir);
    const cgMem = `/sys/fs/cgroup/memory/${o.cgroupRoot}/${sb}/${id}`;
    assert.equal((await readFile(join(cgMem, 'memory.limit_in_bytes'), 'utf8')).trim(), String(64 << 20));
    assert.equal((await readFile(`/sys/fs/cgroup/cpu/${o.cgroupRoot}/${sb}/${id}/cpu.cfs_quota_us`, 'utf8')).trim(), '50000');
    await rt.startContainer(id);
    const st = await waitExited(rt, id);
    const log = (await readFile(st.logPath, 'utf8')).split('\n').filter(Boolean).map((l) => l.split(' ').slice(3).join(' '));
    assert.deepEqual(log.slice(0, 2), ['from-host', 'ro']);
    const netns = `/run/netns/${o.netnsPrefix}${sb.slice(0, 12)}`;
    assert.ok(existsSync(netns));
    assert.ok((await mountsUnder(join(dataDir, 'agent'))).length > 0);
    await rt.removePodSandbox(sb);
    assert.equal(await rt.podSandboxStatus(sb), null);
    assert.equal(await rt.containerStatus(id), null);
    assert.equal(existsSync(netns), false);
    for (const c of CONTROLLERS) assert.equal(existsSync(`/sys/fs/cgroup/${c}/${o.cgroupRoot}/${sb}`), false);
    const left = (await mountsUnder(join(dataDir, 'agent'))).filter((m) => m.includes(sb) || m.includes(id));
    assert.deepEqual(left, []);
    assert.equal(await readFile(join(vol, 'data.txt'), 'utf8'), 'from-host\n'); // the volume survives
  });

  it('streams exec (stdin, stdout, exit status) and port-forward over WebSocket channels', async () => {
    const sbc = sandboxConfig(dataDir);
    const sb = await rt.runPodSandbox(sbc);
    const id = await rt.createContainer(sb, containerConfig('web', ['sh', '-c', 'echo pong > /tmp/index.html; exec httpd -f -p 8080 -h /tmp']), sbc);
    await rt.startContainer(id);

    const url = await rt.exec({ containerId: id, cmd: ['sh', '-c', 'read x; echo "got $x"; echo err >&2; exit 4'], tty: false, stdin: true, stdout: true, stderr: true });
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/exec\//);
    const frames = await new Promise<Buffer[]>((resolve, reject) => {
      const ws = new WebSocket(url.replace(/^http/, 'ws'), ['v5.channel.k8s.io']);
      const got: Buffer[] = [];
      ws.on('open', () => {
        ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('hello\n')]));
        ws.send(Buffer.from([255, 0]));
      });
      ws.on('message', (d: Buffer) => got.push(Buffer.from(d)));
      ws.on('close', () => resolve(got));
      ws.on('error', reject);
      setTimeout(() => ws.close(), 5000).unref();
    });
    const chan = (c: number): string => frames.filter((f) => f[0] === c).map((f) => f.subarray(1).toString()).join('');
    assert.equal(chan(1), 'got hello\n');
    assert.equal(chan(2), 'err\n');
    const status = JSON.parse(chan(3)) as { status: string; reason: string; details: { causes: { reason: string; message: string }[] } };
    assert.equal(status.status, 'Failure');
    assert.equal(status.reason, 'NonZeroExitCode');
    assert.deepEqual(status.details.causes, [{ reason: 'ExitCode', message: '4' }]);
    await assert.rejects(rt.attach({ containerId: id, tty: false, stdin: false, stdout: true, stderr: true }), { name: 'NotImplementedError' });

    const pf = await rt.portForward(sb, [8080]);
    const body = await new Promise<string>((resolve, reject) => {
      const ws = new WebSocket(`${pf.replace(/^http/, 'ws')}?port=8080`, ['v4.channel.k8s.io']);
      let data = Buffer.alloc(0);
      let headers = 0;
      ws.on('message', (d: Buffer) => {
        const b = Buffer.from(d);
        if (b[0] !== 0) return;
        if (headers++ === 0) {
          assert.equal(b.readUInt16LE(1), 8080);
          ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('GET /index.html HTTP/1.0\r\n\r\n')]));
          return;
        }
        data = Buffer.concat([data, b.subarray(1)]);
      });
      ws.on('close', () => resolve(data.toString()));
      ws.on('error', reject);
      setTimeout(() => ws.close(), 5000).unref();
    });
    assert.match(body, /^HTTP\/1\.[01] 200/);
    assert.match(body, /pong\n$/);
    await rt.removePodSandbox(sb);
  });

  it('a new runtime on the same data dir adopts running containers', async () => {
    const sbc = sandboxConfig(dataDir);
    const sb = await rt.runPodSandbox(sbc);
    const id = await rt.createContainer(sb, containerConfig('long', ['sh', '-c', 'echo up; exec sleep 1000']), sbc);
    await rt.startContainer(id);
    const rt2 = new ProcessRuntime(opts(dataDir));
    try {
      assert.ok((await rt2.listPodSandboxes()).some((s) => s.id === sb));
      const running = await rt2.listContainers({ podSandboxId: sb, state: 'CONTAINER_RUNNING' });
      assert.deepEqual(running.map((c) => c.id), [id]);
      assert.equal((await rt2.podSandboxStatus(sb))?.ip, (await rt.podSandboxStatus(sb))?.ip);
      // The shell execs into sleep right after starting; on a busy machine that can take a moment.
      let comm = '';
      for (let i = 0; i < 50 && comm !== 'sleep\n'; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, 100));
        comm = (await rt2.execSync(id, ['cat', '/proc/1/comm'], 5)).stdout.toString();
      }
      assert.equal(comm, 'sleep\n', 'the adopted container is still the one that was started');
      await rt2.stopContainer(id, 0);
      assert.equal((await rt.containerStatus(id))?.state, 'CONTAINER_EXITED');
      await rt2.removePodSandbox(sb);
    } finally {
      await rt2.close();
    }
  });
});

describe('ProcessRuntime (isolation: none)', () => {
  it('runs host processes and logs their output', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'k8ts-process-plain-'));
    const rt = new ProcessRuntime({ ...opts(dataDir), isolation: 'none' });
    try {
      assert.equal(rt.isolated, false);
      const sbc = sandboxConfig(dataDir);
      const sb = await rt.runPodSandbox(sbc);
      assert.equal((await rt.podSandboxStatus(sb))?.ip, '');
      const id = await rt.createContainer(sb, containerConfig('plain', ['/bin/sh', '-c', 'echo plain; exit 2']), sbc);
      await rt.startContainer(id);
      const st = await waitExited(rt, id);
      assert.equal(st.exitCode, 2);
      assert.equal(st.reason, 'Error');
      assert.match(await readFile(st.logPath, 'utf8'), / stdout F plain\n$/);
      await rt.removePodSandbox(sb);
      await rt.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
