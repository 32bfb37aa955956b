// CriRuntime against a real containerd (root, Linux, Debian packages: containerd runc
// containernetworking-plugins busybox-static umoci). Skipped elsewhere. One containerd, one data dir,
// one bridge; the tests run in order and share the pod.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type { ContainerConfig, ContainerStatus, PodSandboxConfig } from '../types.js';
import { BUSYBOX_IMAGE, PAUSE_IMAGE } from '../images/build.js';
import { startContainerd } from './containerd.js';
import { CriRuntime } from './client.js';
import { containerdSkipReason, startTestContainerd, type TestContainerd } from './testing.js';

const skip = containerdSkipReason();

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`, { cause: lastErr });
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('CriRuntime on containerd', { skip, timeout: 90_000 }, () => {
  let t: TestContainerd;
  let sandbox: PodSandboxConfig;
  let sandboxId = '';
  let helloId = '';

  const container = (name: string, over: Partial<ContainerConfig> = {}): ContainerConfig => ({
    metadata: { name, attempt: 0 },
    image: BUSYBOX_IMAGE,
    command: [],
    args: [],
    envs: [],
    mounts: [],
    logPath: `${name}/0.log`,
    labels: { 'k8ts.test/container': name },
    annotations: {},
    ...over,
  });

  const runContainer = async (c: ContainerConfig): Promise<string> => {
    const id = await t.runtime.createContainer(sandboxId, c, sandbox);
    await t.runtime.startContainer(id);
    return id;
  };

  const exited = (id: string): Promise<ContainerStatus> =>
    waitFor(`container ${id} to exit`, async () => {
      const s = await t.runtime.containerStatus(id);
      return s?.state === 'CONTAINER_EXITED' ? s : undefined;
    });

  before(async () => {
    t = await startTestContainerd();
    const logDirectory = join(t.dataDir, 'agent', 'pods', 'default_web_uid-1');
    await mkdir(logDirectory, { recursive: true });
    sandbox = {
      metadata: { name: 'web', uid: 'uid-1', namespace: 'default', attempt: 0 },
      hostname: 'web',
      logDirectory,
      portMappings: [{ protocol: 'TCP', containerPort: 8080, hostPort: 30000 + Math.floor(Math.random() * 2000) }],
      labels: { 'k8ts.test/pod': 'web' },
      annotations: { note: 'hello' },
      linux: { namespaceOptions: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' } },
    };
  });

  after(async () => {
    await t?.cleanup();
  });

  test('version and images imported offline', async () => {
    const v = await t.runtime.version();
    assert.equal(v.runtimeName, 'containerd');
    assert.equal(v.runtimeApiVersion, 'v1');
    assert.deepEqual(t.imported, [BUSYBOX_IMAGE, PAUSE_IMAGE], 'busybox.tar, then the pause image built on the spot');
    const tags = (await t.runtime.listImages()).flatMap((i) => i.repoTags);
    assert.ok(tags.includes(BUSYBOX_IMAGE) && tags.includes(PAUSE_IMAGE), tags.join(','));
    const img = await t.runtime.imageStatus(BUSYBOX_IMAGE);
    assert.ok(img && img.id.startsWith('sha256:') && img.size > 500_000);
    assert.equal(await t.runtime.imageStatus('localhost/nothing:1'), null);
  });

  test('RunPodSandbox gets a pod IP from the CNI bridge', async () => {
    sandboxId = await t.runtime.runPodSandbox(sandbox);
    const s = await t.runtime.podSandboxStatus(sandboxId);
    assert.ok(s);
    assert.equal(s.state, 'SANDBOX_READY');
    assert.deepEqual(s.metadata, sandbox.metadata);
    assert.equal(s.labels['k8ts.test/pod'], 'web');
    assert.equal(s.annotations.note, 'hello');
    assert.ok(Math.abs(s.createdAt - Date.now()) < 60_000, `createdAt ${s.createdAt} is in ms`);
    const prefix = t.podCidr.split('.').slice(0, 3).join('.') + '.';
    assert.ok(s.ip.startsWith(prefix), `pod IP ${s.ip} in ${t.podCidr}`);
    const listed = await t.runtime.listPodSandboxes({ labels: { 'k8ts.test/pod': 'web' }, state: 'SANDBOX_READY' });
    assert.deepEqual(listed.map((p) => p.id), [sandboxId]);
    assert.equal(await t.runtime.podSandboxStatus('0123456789abcdef'), null);
  });

  test('a container runs, logs in CRI format, and answers ExecSync', async () => {
    helloId = await runContainer(
      container('hello', { command: ['sh', '-c', 'echo hello; echo "$GREETING" from $(pwd); sleep 30'], envs: [{ key: 'GREETING', value: 'hi there' }], workingDir: '/tmp' }),
    );
    const st = await t.runtime.containerStatus(helloId);
    assert.ok(st);
    assert.equal(st.state, 'CONTAINER_RUNNING');
    assert.equal(st.podSandboxId, sandboxId);
    assert.equal(st.image, BUSYBOX_IMAGE);
    assert.ok(st.imageRef.startsWith('sha256:'));
    assert.ok(st.startedAt >= st.createdAt && st.createdAt > Date.now() - 60_000);
    assert.equal(st.logPath, join(sandbox.logDirectory, 'hello/0.log'));
    const log = await waitFor('log lines', async () => {
      const text = await readFile(st.logPath, 'utf8').catch(() => '');
      return text.includes('from /tmp') ? text : undefined;
    });
    const lines = log.trim().split('\n');
    assert.match(lines[0]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+(Z|[+-]\d\d:\d\d) stdout F hello$/);
    assert.match(lines[1]!, / stdout F hi there from \/tmp$/);

    const r = await t.runtime.execSync(helloId, ['echo', 'hi'], 5);
    assert.equal(r.stdout.toString(), 'hi\n');
    assert.equal(r.exitCode, 0);
    const bad = await t.runtime.execSync(helloId, ['sh', '-c', 'echo oops >&2; exit 3'], 5);
    assert.equal(bad.exitCode, 3);
    assert.equal(bad.stderr.toString(), 'oops\n');

    const listed = await t.runtime.listContainers({ podSandboxId: sandboxId, state: 'CONTAINER_RUNNING' });
    assert.deepEqual(listed.map((c) => c.id), [helloId]);
    assert.equal(listed[0]!.metadata.name, 'hello');
    assert.equal((await t.runtime.listContainers({ labels: { 'k8ts.test/container': 'hello' } })).length, 1);
    const url = await t.runtime.exec({ containerId: helloId, cmd: ['sh'], tty: false, stdin: true, stdout: true, stderr: true });
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/exec\//);
    assert.match(await t.runtime.portForward(sandboxId, [8080]), /^http:\/\/127\.0\.0\.1:\d+\/portforward\//);
  });

  test('the pod IP serves a busybox httpd from a second container', async () => {
    await runContainer(container('httpd', { command: ['httpd', '-f', '-p', '8080', '-h', '/var/www'] }));
    const ip = (await t.runtime.podSandboxStatus(sandboxId))!.ip;
    const body = await waitFor('httpd', async () => {
      const res = await fetch(`http://${ip}:8080/`, { signal: AbortSignal.timeout(1000) });
      return res.ok ? res.text() : undefined;
    });
    assert.equal(body, 'k8ts busybox\n');
    // The sandbox asked for a hostPort: portmap joined the CNI config before it was set up.
    const hostIP = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)!.address;
    const viaHostPort = await waitFor('httpd on the hostPort', async () => {
      const res = await fetch(`http://${hostIP}:${sandbox.portMappings[0]!.hostPort}/`, { signal: AbortSignal.timeout(1000) }).catch(() => undefined);
      return res?.ok ? res.text() : undefined;
    });
    assert.equal(viaHostPort, 'k8ts busybox\n');
    assert.match(await readFile(t.containerd.paths.cniConfFile, 'utf8'), /"portmap"/);
  });

  test('securityContext: runAsUser and a read-only rootfs', async () => {
    const id = await runContainer(
      container('nobody', { command: ['sleep', '30'], linux: { securityContext: { runAsUser: 65534, runAsGroup: 65534, readonlyRootfs: true } } }),
    );
    const who = await t.runtime.execSync(id, ['id', '-u'], 5);
    assert.equal(who.stdout.toString().trim(), '65534');
    const touch = await t.runtime.execSync(id, ['touch', '/x'], 5);
    assert.notEqual(touch.exitCode, 0);
    assert.match(touch.stderr.toString(), /Read-only file system/);
    await t.runtime.stopContainer(id, 0);
    await t.runtime.removeContainer(id);
  });

  test('StopContainer: SIGKILL after the timeout (137), and the image default exits 0 on SIGTERM', async () => {
    const idle = await runContainer(container('idle'));
    await waitFor('idle running', async () => (await t.runtime.containerStatus(idle))?.state === 'CONTAINER_RUNNING');
    const t0 = Date.now();
    await t.runtime.stopContainer(idle, 10);
    assert.ok(Date.now() - t0 < 5000, 'the trap ends it at once');
    const idleSt = await t.runtime.containerStatus(idle);
    assert.equal(idleSt?.exitCode, 0);
    assert.equal(idleSt?.reason, 'Completed');

    // `sh -c` as PID 1 ignores SIGTERM: only the SIGKILL after 1 s ends it.
    await t.runtime.stopContainer(helloId, 1);
    const st = await t.runtime.containerStatus(helloId);
    assert.ok(st);
    assert.equal(st.state, 'CONTAINER_EXITED');
    assert.equal(st.exitCode, 137);
    assert.ok(st.finishedAt >= st.startedAt && st.finishedAt <= Date.now());
    await t.runtime.removeContainer(helloId);
    await t.runtime.removeContainer(idle);
    assert.equal(await t.runtime.containerStatus(helloId), null);
    await t.runtime.removeContainer(helloId); // idempotent
  });

  test('a container that exits 1', async () => {
    const id = await runContainer(container('fail', { command: ['sh', '-c', 'echo bye >&2; exit 1'] }));
    const st = await exited(id);
    assert.equal(st.exitCode, 1);
    assert.equal(st.reason, 'Error');
    const log = await readFile(st.logPath, 'utf8');
    assert.match(log, / stderr F bye\n$/);
  });

  test('over its memory limit: OOMKilled, exit 137', async () => {
    const id = await runContainer(
      container('oom', {
        command: ['sh', '-c', 'head -c 100m /dev/zero | tail'],
        linux: { resources: { memoryLimitInBytes: 16 << 20, oomScoreAdj: -997 } },
      }),
    );
    const st = await exited(id);
    assert.equal(st.exitCode, 137);
    assert.equal(st.reason, 'OOMKilled');
  });

  test('pods survive a containerd crash (supervisor restart) and a clean restart', async () => {
    const id = await runContainer(container('survivor', { command: ['sleep', '60'] }));
    const pid = t.containerd.pid();
    assert.ok(pid);
    process.kill(pid, 'SIGKILL');
    await waitFor('the supervisor to restart containerd', async () => t.containerd.restarts === 1 && t.containerd.pid() !== pid, 10_000);
    await t.containerd.ready();
    await t.runtime.waitReady(10_000);
    assert.equal((await t.runtime.podSandboxStatus(sandboxId))?.state, 'SANDBOX_READY');
    assert.equal((await t.runtime.containerStatus(id))?.state, 'CONTAINER_RUNNING');

    // As when k8ts itself restarts: stop containerd, start it again on the same data dir.
    await t.containerd.stop();
    await t.runtime.close();
    t.containerd = await startContainerd({ dataDir: t.dataDir, podCidr: t.podCidr, bridge: t.bridge });
    t.runtime = new CriRuntime(t.containerd.socket);
    await t.runtime.waitReady(10_000);
    assert.deepEqual((await t.runtime.listPodSandboxes({ state: 'SANDBOX_READY' })).map((s) => s.id), [sandboxId]);
    assert.equal((await t.runtime.containerStatus(id))?.state, 'CONTAINER_RUNNING');
    assert.equal((await t.runtime.execSync(id, ['echo', 'still here'], 5)).stdout.toString(), 'still here\n');
  });

  test('Stop/RemovePodSandbox leaves nothing behind', async () => {
    await t.runtime.stopPodSandbox(sandboxId);
    assert.equal((await t.runtime.podSandboxStatus(sandboxId))?.state, 'SANDBOX_NOTREADY');
    assert.equal((await t.runtime.listContainers({ podSandboxId: sandboxId, state: 'CONTAINER_RUNNING' })).length, 0);
    await t.runtime.removePodSandbox(sandboxId);
    assert.deepEqual(await t.runtime.listPodSandboxes(), []);
    assert.deepEqual(await t.runtime.listContainers(), []);
    await t.runtime.removePodSandbox(sandboxId); // idempotent
  });
});
