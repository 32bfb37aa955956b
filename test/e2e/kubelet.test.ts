// End to end: `k8ts up --runtime containerd --datastore sqlite` as a real process, driven by the real
// kubectl. Deployments get Running pods with IPs; crash-loop with `logs --previous`; liveness restarts;
// readiness gates Ready; OOMKilled; ConfigMap updates reach the mounted file; preStop on delete within
// the grace period; a deleted namespace leaves nothing in containerd; `kill -9` of `k8ts up` leaves the
// containers running and a restart adopts them. At the end SIGINT, and nothing of this data dir may
// remain (containerd, shims).
//
// The kubelet port is a free one (`--kubelet-port`). Every `k8ts up` here uses the default pod CIDR
// 10.42.0.0/24 and so the bridge k8ts0 (the CNI bridge plugin refuses a second subnet on it): this
// file, up-process.test.ts and bench/suites/podstartup.ts take a lock file while `k8ts up` runs.
// Skipped when not root or containerd is missing.

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { CriRuntime } from '../../src/runtime/cri/client.js';
import { removeMasquerade } from '../../src/runtime/masquerade.js';
import { K8TS_BIN, kubectl, kubectlOk, waitFor } from './harness.js';
import { acquireUpLock, containerdProcesses, freePort, killAndUnmount, readFileSafe, releaseUpLock, sleep, startUp, stopUp, type Up } from './node-harness.js';

function onPath(bin: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function skipReason(): string | undefined {
  if (process.platform !== 'linux') return 'needs Linux';
  if (process.getuid?.() !== 0) return 'needs root (containerd, CNI)';
  for (const bin of ['containerd', 'ctr', 'runc', 'containerd-shim-runc-v2', 'umoci', 'kubectl']) {
    if (!onPath(bin)) return `${bin} is not installed (apt-get install containerd runc containernetworking-plugins busybox-static umoci)`;
  }
  if (!existsSync('/usr/lib/cni/bridge')) return 'CNI plugins are not installed (containernetworking-plugins)';
  if (!existsSync('/bin/busybox')) return 'busybox-static is not installed';
  return undefined;
}

const skip = skipReason();
if (skip) console.error(`kubelet.test.ts: skipped: ${skip}`);

// ---- the cluster ----------------------------------------------------------------------------

let dataDir = '';
let up: Up | undefined;
let locked = false;
let kubeletPort = 0;
const upArgs = () => ['--data-dir', dataDir, '--listen', '127.0.0.1:0', '--datastore', 'sqlite', '--runtime', 'containerd', '--kubelet-port', String(kubeletPort)];
const k = (args: string[], timeoutMs = 30_000) => kubectl(up!, args, { timeoutMs });
const kOk = (args: string[], opts: { input?: string; timeoutMs?: number } = {}) => kubectlOk(up!, args, { timeoutMs: 30_000, ...opts });

interface PodJson {
  metadata: { name: string; namespace: string; uid: string; labels?: Record<string, string> };
  status?: {
    phase?: string;
    podIP?: string;
    conditions?: Array<{ type: string; status: string }>;
    containerStatuses?: Array<{
      name: string;
      ready: boolean;
      restartCount: number;
      containerID?: string;
      state?: { running?: object; waiting?: { reason?: string }; terminated?: { reason?: string; exitCode?: number } };
      lastState?: { terminated?: { reason?: string; exitCode?: number } };
    }>;
  };
}

function getPod(ns: string, name: string): PodJson | undefined {
  const r = k(['get', 'pod', '-n', ns, name, '-o', 'json']);
  return r.code === 0 ? (JSON.parse(r.stdout) as PodJson) : undefined;
}
function listPods(ns: string, selector?: string): PodJson[] {
  return (JSON.parse(kOk(['get', 'pods', '-n', ns, '-o', 'json', ...(selector ? ['-l', selector] : [])])) as { items: PodJson[] }).items;
}
const cs0 = (p: PodJson | undefined) => p?.status?.containerStatuses?.[0];
const isReady = (p: PodJson | undefined) => p?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
/** What a failed wait shows: the pod as kubectl sees it, and the end of the kubelet's log. */
function describe(ns: string, name: string): string {
  return `${JSON.stringify(getPod(ns, name)?.status ?? null)}\n--- k8ts up stderr (tail) ---\n${up?.stderr().slice(-3000) ?? ''}`;
}
async function waitPod(ns: string, name: string, what: string, check: (p: PodJson | undefined) => boolean, timeoutMs: number): Promise<PodJson> {
  let last: PodJson | undefined;
  try {
    await waitFor(`${ns}/${name}: ${what}`, () => check((last = getPod(ns, name))), timeoutMs);
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${describe(ns, name)}`);
  }
  return last!;
}

const ctr = (args: string[]) =>
  execFileSync('ctr', ['-a', join(dataDir, 'agent', 'containerd', 'containerd.sock'), '-n', 'k8s.io', ...args], { encoding: 'utf8', timeout: 15_000 });
/** containerd tasks: id → status (RUNNING, STOPPED…). */
function tasks(): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of ctr(['tasks', 'ls']).split('\n').slice(1)) {
    const [id, , status] = line.trim().split(/\s+/);
    if (id) m.set(id, status ?? '');
  }
  return m;
}

const NS = 'kl';
const BB = 'localhost/busybox:1';
/** Idles until SIGTERM, then exits at once (a bare `sleep` as PID 1 ignores SIGTERM: 30 s deletes). */
const SLEEPER = 'trap "exit 0" TERM; while :; do sleep 0.5; done';

function manifests(): string {
  const pod = (name: string, spec: Record<string, unknown>) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS },
    spec: { terminationGracePeriodSeconds: 5, ...spec },
  });
  const c = (script: string, extra: Record<string, unknown> = {}) => ({ name: 'c', image: BB, command: ['sh', '-c', script], ...extra });
  const items = [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: NS }, data: { msg: 'one' } },
    pod('crash', { containers: [c('echo "dying at $(date +%s)"; exit 1')] }),
    pod('live', {
      containers: [
        c('trap "exit 0" TERM; touch /tmp/alive; sleep 4; rm /tmp/alive; while :; do sleep 0.5; done', {
          livenessProbe: { exec: { command: ['cat', '/tmp/alive'] }, periodSeconds: 1, failureThreshold: 1 },
        }),
      ],
    }),
    // Readiness follows a file the test makes on the host (a hostPath volume): no dependence on exec.
    pod('ready', {
      volumes: [{ name: 'ctl', hostPath: { path: join(dataDir, 'ready-ctl'), type: 'DirectoryOrCreate' } }],
      containers: [
        c(SLEEPER, { volumeMounts: [{ name: 'ctl', mountPath: '/ctl' }], readinessProbe: { exec: { command: ['cat', '/ctl/ready'] }, periodSeconds: 1 } }),
      ],
    }),
    pod('exec', { containers: [c(SLEEPER)] }),
    pod('oom', {
      restartPolicy: 'OnFailure',
      containers: [c('head -c 200m /dev/zero | tail', { resources: { limits: { memory: '32Mi' } } })],
    }),
    // The container copies the mounted file to the host twice a second: the test reads it there.
    pod('cm', {
      volumes: [
        { name: 'cfg', configMap: { name: 'cfg' } },
        { name: 'out', hostPath: { path: join(dataDir, 'cm-out'), type: 'DirectoryOrCreate' } },
      ],
      containers: [
        c('trap "exit 0" TERM; while :; do cat /cfg/msg > /out/msg.tmp && mv /out/msg.tmp /out/msg; sleep 0.5; done', {
          volumeMounts: [
            { name: 'cfg', mountPath: '/cfg' },
            { name: 'out', mountPath: '/out' },
          ],
        }),
      ],
    }),
    pod('stopper', {
      terminationGracePeriodSeconds: 10,
      volumes: [{ name: 'out', hostPath: { path: join(dataDir, 'prestop-out'), type: 'DirectoryOrCreate' } }],
      containers: [
        c('trap "exit 0" TERM; while :; do sleep 0.2; done', {
          volumeMounts: [{ name: 'out', mountPath: '/out' }],
          lifecycle: { preStop: { exec: { command: ['sh', '-c', 'echo "preStop ran" > /out/prestop'] } } },
        }),
      ],
    }),
  ];
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
}

before(async () => {
  if (skip) return;
  await acquireUpLock(240_000);
  locked = true;
  kubeletPort = await freePort();
  // Short path: containerd's socket lives under it and must fit in a unix socket address.
  dataDir = mkdtempSync('/tmp/k8ts-kl-');
  // If the runner ends this file early (a time limit), after() may not run: still leave nothing behind.
  process.once('exit', () => {
    if (up && up.proc.exitCode === null && up.proc.signalCode === null) up.proc.kill('SIGKILL');
    if (dataDir && existsSync(dataDir)) {
      killAndUnmount(dataDir);
      rmSync(dataDir, { recursive: true, force: true });
    }
    if (locked) releaseUpLock();
  });
  up = await startUp(K8TS_BIN, upArgs());
  kOk(['create', 'namespace', NS]);
  // Everything that only needs time is created at once, so the waits below overlap.
  kOk(['apply', '-f', '-'], { input: manifests() });
  kOk(['create', 'deployment', 'web', '-n', NS, `--image=${BB}`, '--replicas=2', '--', 'sh', '-c', `echo web up; ${SLEEPER}`]);
});

after(async () => {
  if (skip) return;
  try {
    await stopUp(up, 'SIGKILL');
    if (dataDir) {
      killAndUnmount(dataDir);
      rmSync(dataDir, { recursive: true, force: true });
    }
  } finally {
    if (locked) releaseUpLock();
  }
});

test('kubectl create deployment: pods Running with pod IPs', { skip }, async () => {
  await waitFor(
    'web pods Running with IPs',
    () => {
      const ps = listPods(NS, 'app=web');
      return ps.length === 2 && ps.every((p) => p.status?.phase === 'Running' && !!p.status.podIP);
    },
    60_000,
  ).catch((e: Error) => {
    throw new Error(`${e.message}\n${kubectl(up!, ['get', 'pods', '-n', NS, '-o', 'wide']).stdout}\n${up!.stderr().slice(-3000)}`);
  });
  const ips = listPods(NS, 'app=web').map((p) => p.status!.podIP!);
  for (const ip of ips) assert.match(ip, /^10\.42\.0\.\d+$/, `pod IP ${ip} in the node's pod CIDR 10.42.0.0/24`);
  assert.notEqual(ips[0], ips[1]);
  const name = listPods(NS, 'app=web')[0]!.metadata.name;
  await waitFor('web logs', () => k(['logs', '-n', NS, name]).stdout.includes('web up'), 10_000);
});

test('a container that exits 1 goes into CrashLoopBackOff with a growing restartCount; logs --previous', { skip }, async () => {
  const seen: number[] = [];
  let backoff = false;
  await waitPod(
    NS,
    'crash',
    'CrashLoopBackOff with restartCount ≥ 2',
    (x) => {
      const c = cs0(x);
      if (c?.state?.waiting?.reason === 'CrashLoopBackOff') backoff = true;
      if (c && seen[seen.length - 1] !== c.restartCount) seen.push(c.restartCount);
      return backoff && seen.length >= 2 && (c?.restartCount ?? 0) >= 2 && c?.lastState?.terminated?.exitCode === 1;
    },
    75_000,
  );
  console.error(`kubelet.test.ts: crash restartCount seen ${seen.join(' → ')}`);
  const prev = k(['logs', '-n', NS, 'crash', '--previous']);
  assert.equal(prev.code, 0, `kubectl logs --previous: ${prev.stderr}`);
  assert.match(prev.stdout, /^dying at \d+\n$/);
  // Garbage collection: the current instance and the previous one, never the whole history.
  const cri = new CriRuntime(join(dataDir, 'agent', 'containerd', 'containerd.sock'));
  try {
    const instances = await cri.listContainers({ labels: { 'io.kubernetes.pod.name': 'crash', 'io.kubernetes.pod.namespace': NS } });
    assert.ok(instances.length >= 1 && instances.length <= 2, `crash has ${instances.length} containers in CRI after ${seen[seen.length - 1]} restarts`);
  } finally {
    await cri.close();
  }
});

test('readiness gates Ready (exec probe on a file the test creates and removes)', { skip }, async () => {
  await waitPod(NS, 'ready', 'Running', (p) => p?.status?.phase === 'Running', 30_000);
  await sleep(2000);
  let p = getPod(NS, 'ready');
  assert.equal(isReady(p), false, 'not Ready while the probe fails');
  assert.equal(cs0(p)?.ready, false);
  writeFileSync(join(dataDir, 'ready-ctl', 'ready'), 'yes\n');
  await waitPod(NS, 'ready', 'Ready', isReady, 15_000);
  rmSync(join(dataDir, 'ready-ctl', 'ready'));
  p = await waitPod(NS, 'ready', 'not Ready again', (x) => !isReady(x), 15_000);
  assert.equal(cs0(p)?.restartCount, 0, 'a readiness failure does not restart');
});

test('kubectl exec runs a command in the container (WebSocket v5 and SPDY)', { skip }, async () => {
  await waitPod(NS, 'exec', 'Running', (p) => p?.status?.phase === 'Running', 30_000);
  const spdy = kubectl(up!, ['exec', '-n', NS, 'exec', '--', 'sh', '-c', 'echo out-$((1+1))'], { minor: 29, timeoutMs: 10_000 });
  const ws = kubectl(up!, ['exec', '-n', NS, 'exec', '--', 'sh', '-c', 'echo out-$((1+1))'], { timeoutMs: 10_000 });
  const show = (r: { code: number; stdout: string; stderr: string }) => (r.code === -1 ? 'hung (no output in 10 s)' : `exit ${r.code}, stdout ${JSON.stringify(r.stdout)}, stderr ${JSON.stringify(r.stderr)}`);
  assert.equal(spdy.stdout, 'out-2\n', `kubectl 1.29 (SPDY): ${show(spdy)}`);
  assert.equal(ws.stdout, 'out-2\n', `kubectl 1.32 (WebSocket v5.channel.k8s.io): ${show(ws)}`);
});

test('a failing liveness probe restarts its container', { skip }, async () => {
  const p = await waitPod(NS, 'live', 'restarted by the liveness probe', (x) => (cs0(x)?.restartCount ?? 0) >= 1, 45_000);
  assert.ok(cs0(p)!.lastState?.terminated, 'lastState.terminated after a liveness kill');
});

test('a container over its memory limit is OOMKilled', { skip }, async () => {
  const reason = (x: PodJson | undefined) => cs0(x)?.lastState?.terminated?.reason ?? cs0(x)?.state?.terminated?.reason;
  const p = await waitPod(NS, 'oom', 'OOMKilled', (x) => reason(x) === 'OOMKilled', 45_000);
  const t = cs0(p)!.lastState?.terminated ?? cs0(p)!.state?.terminated;
  assert.equal(t?.exitCode, 137);
});

test('a ConfigMap change appears in the mounted file', { skip }, async () => {
  const file = join(dataDir, 'cm-out', 'msg');
  await waitFor('the mounted ConfigMap copied out', () => readFileSafe(file) === 'one', 30_000).catch((e: Error) => {
    throw new Error(`${e.message} (${JSON.stringify(readFileSafe(file))})\n${describe(NS, 'cm')}`);
  });
  kOk(['patch', 'configmap', 'cfg', '-n', NS, '--type=merge', '-p', '{"data":{"msg":"two"}}']);
  const t0 = Date.now();
  await waitFor('ConfigMap update in the container', () => readFileSafe(file) === 'two', 90_000);
  console.error(`kubelet.test.ts: ConfigMap update visible in the container after ${Date.now() - t0} ms`);
});

test('deleting a pod runs preStop and finishes within the grace period', { skip }, async () => {
  await waitPod(NS, 'stopper', 'Running', (p) => p?.status?.phase === 'Running', 30_000);
  const t0 = Date.now();
  kOk(['delete', 'pod', '-n', NS, 'stopper', '--wait=true'], { timeoutMs: 60_000 });
  const took = Date.now() - t0;
  assert.ok(took < 10_000 + 3_000, `delete took ${took} ms (grace period 10 s)`);
  assert.equal(readFileSync(join(dataDir, 'prestop-out', 'prestop'), 'utf8'), 'preStop ran\n');
});

test('deleting a namespace leaves no sandbox or container in containerd', { skip }, async () => {
  const ns = 'kl-gone';
  kOk(['create', 'namespace', ns]);
  kOk(['create', 'deployment', 'd', '-n', ns, `--image=${BB}`, '--replicas=2', '--', 'sh', '-c', SLEEPER]);
  await waitFor('kl-gone pods Running', () => {
    const ps = listPods(ns);
    return ps.length === 2 && ps.every((p) => p.status?.phase === 'Running');
  }, 60_000);
  const ids = listPods(ns).map((p) => cs0(p)!.containerID!.replace(/^containerd:\/\//, ''));
  const filter = `labels."io.kubernetes.pod.namespace"==${ns}`;
  const before = ctr(['containers', 'ls', '-q', filter]).split('\n').filter(Boolean);
  assert.equal(before.length, 4, `2 sandboxes + 2 containers in containerd: ${before.join(' ')}`);
  for (const id of ids) assert.ok(before.includes(id));
  const t0 = Date.now();
  kOk(['delete', 'namespace', ns, '--wait=true'], { timeoutMs: 90_000 });
  console.error(`kubelet.test.ts: namespace deleted in ${Date.now() - t0} ms`);
  await waitFor('no containerd container of the namespace', () => ctr(['containers', 'ls', '-q', filter]).trim() === '', 15_000).catch((e: Error) => {
    throw new Error(`${e.message}: ${ctr(['containers', 'ls', filter])}`);
  });
  const t = tasks();
  for (const id of [...before]) assert.ok(!t.has(id), `task ${id} is gone`);
});

test('a second node on this machine (k8ts agent, pod CIDR 10.42.1.0/24) has a bridge of its own; pods on the two nodes reach each other', { skip }, async () => {
  const agentDir = mkdtempSync('/tmp/k8ts-kla-');
  const bridge = 'k8ts0a2a0100';
  const token = readFileSync(join(dataDir, 'node-token'), 'utf8').trim();
  const agent = spawn(
    process.execPath,
    [K8TS_BIN, 'agent', '--server', up!.url, '--token', token, '--data-dir', agentDir, '--node-name', 'kl-agent', '--runtime', 'containerd', '--pod-cidr', '10.42.1.0/24', '--kubelet-port', String(await freePort())],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let err = '';
  agent.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((r) => agent.once('exit', () => r()));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`k8ts agent not ready in 60 s:\n${err.slice(-3000)}`)), 60_000);
      createInterface({ input: agent.stdout! }).on('line', (l) => l.startsWith('ready ') && (clearTimeout(timer), resolve()));
      void exited.then(() => (clearTimeout(timer), reject(new Error(`k8ts agent exited:\n${err.slice(-3000)}`))));
    });
    const far = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'far', namespace: NS }, spec: { nodeName: 'kl-agent', terminationGracePeriodSeconds: 5, containers: [{ name: 'c', image: BB, command: ['sh', '-c', SLEEPER] }] } };
    kOk(['apply', '-f', '-'], { input: JSON.stringify(far) });
    const p = await waitPod(NS, 'far', 'Running on kl-agent', (x) => x?.status?.phase === 'Running', 60_000);
    assert.match(p.status!.podIP!, /^10\.42\.1\.\d+$/, "pod IP in the agent's pod CIDR");
    assert.match(execFileSync('ip', ['-4', 'addr', 'show', bridge], { encoding: 'utf8' }), /inet 10\.42\.1\.1\/24/);
    assert.match(execFileSync('ip', ['-4', 'addr', 'show', 'k8ts0'], { encoding: 'utf8' }), /inet 10\.42\.0\.1\/24/, 'the first node keeps k8ts0');
    const near = getPod(NS, 'exec')!.status!.podIP!;
    const ping = k(['exec', '-n', NS, 'far', '--', 'ping', '-c', '1', '-W', '3', near], 15_000);
    assert.equal(ping.code, 0, `far (10.42.1.x) pings exec (${near}): ${ping.stdout}${ping.stderr}`);
  } finally {
    // Delete the pod while its kubelet still runs, even after a failure: killing the agent's
    // containerd afterwards would leave the pod's processes and network namespace behind.
    k(['delete', 'pod', '-n', NS, 'far', '--wait=true', '--ignore-not-found'], 60_000);
    agent.kill('SIGINT');
    const t = setTimeout(() => agent.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(t);
    k(['delete', 'node', 'kl-agent']);
    killAndUnmount(agentDir);
    rmSync(agentDir, { recursive: true, force: true });
    try {
      execFileSync('ip', ['link', 'del', bridge], { stdio: 'ignore' });
    } catch {
      /* not there */
    }
    await removeMasquerade('10.42.1.0/24', bridge).catch(() => {});
  }
});

test('kill -9 of k8ts up leaves containers running; a restart adopts them without restarting', { skip }, async () => {
  const web = listPods(NS, 'app=web').sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  const beforeIds = web.map((p) => ({ name: p.metadata.name, id: cs0(p)!.containerID!, restarts: cs0(p)!.restartCount }));
  await stopUp(up, 'SIGKILL');
  // containerd was k8ts up's child and outlives it; so do the shims.
  const t = tasks();
  for (const b of beforeIds) {
    const id = b.id.replace(/^containerd:\/\//, '');
    assert.equal(t.get(id), 'RUNNING', `${b.name}'s container ${id} still RUNNING after kill -9 (tasks: ${JSON.stringify([...t])})`);
  }
  up = await startUp(K8TS_BIN, upArgs());
  for (const b of beforeIds) {
    const p = await waitPod(NS, b.name, 'Running and Ready after the restart', (x) => x?.status?.phase === 'Running' && isReady(x), 60_000);
    assert.equal(cs0(p)!.containerID, b.id, `${b.name}: same container`);
    assert.equal(cs0(p)!.restartCount, b.restarts, `${b.name}: restartCount unchanged`);
    assert.ok(cs0(p)!.state?.running);
  }
  // Give the adopted kubelet a few sync rounds: it must not replace them later either.
  await sleep(3000);
  for (const b of beforeIds) {
    const p = getPod(NS, b.name);
    assert.equal(cs0(p)!.containerID, b.id);
    assert.equal(tasks().get(b.id.replace(/^containerd:\/\//, '')), 'RUNNING');
  }
  assert.equal(listPods(NS, 'app=web').length, 2, 'no replacement pods');
});

test('SIGINT after deleting the workloads leaves no containerd or shim of the data dir', { skip }, async () => {
  kOk(['delete', 'namespace', NS, '--wait=true'], { timeoutMs: 90_000 });
  await waitFor('containerd empty', () => ctr(['containers', 'ls', '-q']).trim() === '', 15_000).catch((e: Error) => {
    throw new Error(`${e.message}: ${ctr(['containers', 'ls'])}`);
  });
  const code = await stopUp(up, 'SIGINT');
  assert.equal(code, 0, `k8ts up exit code after SIGINT\n${up!.stderr().slice(-2000)}`);
  await waitFor('containerd and shims gone', () => containerdProcesses(dataDir).length === 0, 10_000).catch(() => {
    throw new Error(`left running after SIGINT: ${JSON.stringify(containerdProcesses(dataDir))}`);
  });
});
