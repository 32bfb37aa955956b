// The sync loop against the fake runtime, without an API server: probes, hooks, config errors,
// image errors, eviction, termination.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { eventually } from '../client/testing/server.js';
import { FakeRuntime } from '../runtime/fake/index.js';
import type { ExecSyncResult } from '../runtime/types.js';
import { Backoff } from './backoff.js';
import { POD_UID } from './labels.js';
import { PodWorkers } from './pod-workers.js';
import { ProbeManager } from './probes.js';
import { StatusManager } from './status-manager.js';
import { PodSyncer } from './sync.js';
import type { ConfigMap, ObjectSource, Pod } from './types.js';
import { VolumeManager } from './volumes/manager.js';

const root = mkdtempSync(join(tmpdir(), 'k8ts-sync-'));
after(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
function harness(opts: { exec?: (cmd: string[]) => ExecSyncResult; configMaps?: Map<string, ConfigMap> } = {}) {
  const runtime = new FakeRuntime({
    images: ['img:1'],
    exec: (_c, cmd) => opts.exec?.(cmd) ?? { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), exitCode: 0 },
    behaviour: (c) => (c.image === 'oom:1' ? { exitAfterMs: 20, exitCode: 137, reason: 'OOMKilled' } : {}),
  });
  const events: string[] = [];
  const deleted: string[] = [];
  const cms = opts.configMaps ?? new Map<string, ConfigMap>();
  const source: ObjectSource = { configMap: async (_ns, name) => cms.get(name), secret: async () => undefined };
  const status = new StatusManager({ patch: async () => ({}) } as never);
  let workers: PodWorkers | undefined;
  const probes = new ProbeManager(runtime, (uid) => workers?.trigger(uid));
  const syncer = new PodSyncer({
    runtime,
    runtimeName: 'fake',
    nodeName: 'n',
    nodeHostname: 'n',
    hostIP: () => '10.0.0.1',
    allocatable: () => ({ cpu: '2', memory: '1Gi' }),
    nodeMemoryBytes: 1024 ** 3,
    logRoot: join(root, `logs${n}`),
    dns: { clusterDNS: [], clusterDomain: 'cluster.local' },
    volumes: new VolumeManager({ root: join(root, `pods${n++}`), source, tmpfs: false }),
    source,
    backoff: new Backoff({ initialMs: 100, maxMs: 400 }),
    probes,
    status,
    event: (_p, _t, reason, message) => events.push(`${reason}: ${message}`),
    deletePod: async (p) => void deleted.push(p.metadata!.name!),
    log: () => {},
    sizeCheckMs: 0,
  });
  workers = new PodWorkers(syncer, { resyncMs: 30 });
  const w = workers;
  return { runtime, syncer, events, deleted, status, probes, workers: w, cms, stop: async () => (await w.stop(), probes.stop()) };
}

let uidN = 0;
function pod(spec: Partial<NonNullable<Pod['spec']>>): Pod {
  return { metadata: { name: `p${uidN}`, namespace: 'ns', uid: `uid-${uidN++}` }, spec: { containers: [{ name: 'c', image: 'img:1' }], ...spec } };
}

const st = (h: ReturnType<typeof harness>, p: Pod) => h.status.get(p.metadata!.uid!);
const ok = { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), exitCode: 0 };
const fail = { stdout: Buffer.from('nope'), stderr: Buffer.alloc(0), exitCode: 1 };

test('a failing liveness probe restarts the container', async () => {
  let healthy = true;
  const h = harness({ exec: (cmd) => (cmd[0] === 'live' ? (healthy ? ok : fail) : ok) });
  const p = pod({ containers: [{ name: 'c', image: 'img:1', livenessProbe: { exec: { command: ['live'] }, periodSeconds: 1, failureThreshold: 1 } }] });
  h.workers.update(p);
  await eventually(() => st(h, p)?.phase === 'Running', 5000, 'Running');
  healthy = false;
  await eventually(() => (st(h, p)?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 5000, 'restart');
  healthy = true;
  assert.ok(h.events.some((e) => e.startsWith('Killing') && e.includes('liveness')));
  await eventually(() => !!st(h, p)?.containerStatuses?.[0]?.state?.running, 5000, 'running again');
  await h.stop();
});

test('readiness gates Ready; a startup probe gates started', async () => {
  let ready = false;
  let startedOk = false;
  const h = harness({ exec: (cmd) => (cmd[0] === 'ready' ? (ready ? ok : fail) : cmd[0] === 'start' ? (startedOk ? ok : fail) : ok) });
  const p = pod({
    containers: [
      {
        name: 'c',
        image: 'img:1',
        readinessProbe: { exec: { command: ['ready'] }, periodSeconds: 1 },
        startupProbe: { exec: { command: ['start'] }, periodSeconds: 1, failureThreshold: 30 },
      },
    ],
  });
  h.workers.update(p);
  await eventually(() => st(h, p)?.phase === 'Running', 5000, 'Running');
  assert.equal(st(h, p)?.containerStatuses?.[0]?.started, false);
  assert.equal(st(h, p)?.conditions?.find((c) => c.type === 'Ready')?.status, 'False');
  startedOk = true;
  await eventually(() => st(h, p)?.containerStatuses?.[0]?.started === true, 5000, 'started');
  assert.equal(st(h, p)?.containerStatuses?.[0]?.ready, false);
  ready = true;
  await eventually(() => st(h, p)?.conditions?.find((c) => c.type === 'Ready')?.status === 'True', 5000, 'Ready');
  await h.stop();
});

test('postStart runs after start; preStop runs before SIGTERM on delete, then the final delete', async () => {
  const cmds: string[] = [];
  const h = harness({ exec: (cmd) => (cmds.push(cmd.join(' ')), ok) });
  const p = pod({ terminationGracePeriodSeconds: 7, containers: [{ name: 'c', image: 'img:1', lifecycle: { postStart: { exec: { command: ['post'] } }, preStop: { exec: { command: ['pre'] } } } }] });
  h.workers.update(p);
  await eventually(() => st(h, p)?.phase === 'Running', 5000, 'Running');
  assert.deepEqual(cmds, ['post']);
  h.workers.update({ ...p, metadata: { ...p.metadata, deletionTimestamp: new Date().toISOString(), deletionGracePeriodSeconds: 7 } });
  await eventually(() => h.deleted.includes(p.metadata!.name!), 5000, 'final delete');
  assert.deepEqual(cmds, ['post', 'pre']);
  const stop = h.runtime.callsOf('stopContainer')[0]!;
  assert.ok((stop.args[1] as number) >= 6 && (stop.args[1] as number) <= 7);
  assert.equal(h.runtime.containersOfPod(p.metadata!.uid!, POD_UID).length, 0);
  assert.equal(h.runtime.sandboxes.size, 0);
  await h.stop();
});

test('a missing ConfigMap key waits with CreateContainerConfigError until it appears', async () => {
  const h = harness();
  const p = pod({ containers: [{ name: 'c', image: 'img:1', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cm', key: 'x' } } }] }] });
  h.workers.update(p);
  await eventually(() => st(h, p)?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerConfigError', 5000, 'config error');
  h.cms.set('cm', { data: { x: '1' } });
  await eventually(() => st(h, p)?.phase === 'Running', 5000, 'Running');
  await h.stop();
});

test('imagePullPolicy Never without the image: ErrImageNeverPull', async () => {
  const h = harness();
  const p = pod({ containers: [{ name: 'c', image: 'absent:1', imagePullPolicy: 'Never' }] });
  h.workers.update(p);
  await eventually(() => st(h, p)?.containerStatuses?.[0]?.state?.waiting?.reason === 'ErrImageNeverPull', 5000, 'ErrImageNeverPull');
  assert.equal(st(h, p)?.phase, 'Pending');
  await h.stop();
});

test('an OOM-killed container shows OOMKilled in lastState', async () => {
  const h = harness();
  const p = pod({ containers: [{ name: 'c', image: 'oom:1' }] });
  h.workers.update(p);
  await eventually(() => st(h, p)?.containerStatuses?.[0]?.lastState?.terminated?.reason === 'OOMKilled', 5000, 'OOMKilled');
  assert.equal(st(h, p)?.containerStatuses?.[0]?.lastState?.terminated?.exitCode, 137);
  await h.stop();
});

test('a disk emptyDir over its sizeLimit evicts the pod', async () => {
  const h = harness();
  const p = pod({ containers: [{ name: 'c', image: 'img:1', volumeMounts: [{ name: 'e', mountPath: '/e' }] }], volumes: [{ name: 'e', emptyDir: { sizeLimit: '1Ki' } }] });
  h.workers.update(p);
  await eventually(() => st(h, p)?.phase === 'Running', 5000, 'Running');
  const mount = (h.runtime.callsOf('createContainer')[0]!.args[1] as { mounts: { hostPath: string }[] }).mounts[0]!;
  writeFileSync(join(mount.hostPath, 'big'), Buffer.alloc(8192));
  await eventually(() => st(h, p)?.phase === 'Failed', 5000, 'evicted');
  assert.equal(st(h, p)?.reason, 'Evicted');
  assert.equal(h.runtime.containersOfPod(p.metadata!.uid!, POD_UID).filter((c) => c.state === 'CONTAINER_RUNNING').length, 0);
  await h.stop();
});

test('containers get the managed /etc/hosts and a termination-message file read back on exit', async () => {
  const h = harness();
  const p = pod({ hostAliases: [{ ip: '1.2.3.4', hostnames: ['foo', 'bar'] }], containers: [{ name: 'c', image: 'img:1' }] });
  h.workers.update(p);
  await eventually(() => st(h, p)?.phase === 'Running', 5000, 'Running');
  const cfg = h.runtime.callsOf('createContainer')[0]!.args[1] as { mounts: { containerPath: string; hostPath: string }[] };
  const hosts = cfg.mounts.find((m) => m.containerPath === '/etc/hosts')!;
  const { readFileSync } = await import('node:fs');
  const text = readFileSync(hosts.hostPath, 'utf8');
  assert.match(text, /127\.0\.0\.1\tlocalhost/);
  assert.match(text, new RegExp(`10\\.88\\.\\d+\\.\\d+\\t${p.metadata!.name}`));
  assert.match(text, /1\.2\.3\.4\tfoo\tbar/);
  const term = cfg.mounts.find((m) => m.containerPath === '/dev/termination-log')!;
  writeFileSync(term.hostPath, 'goodbye');
  const id = [...h.runtime.containers.keys()][0]!;
  h.runtime.exitContainer(id, 3);
  await eventually(() => st(h, p)?.containerStatuses?.[0]?.lastState?.terminated?.message === 'goodbye', 5000, 'termination message');
  await h.stop();
});

test('a failing sandbox is retried with back-off, and its half-made sandboxes are removed', async () => {
  const h = harness();
  const real = h.runtime.runPodSandbox.bind(h.runtime);
  let attempts = 0;
  let broken = true;
  h.runtime.runPodSandbox = async (cfg) => {
    attempts++;
    if (!broken) return real(cfg);
    // Like a runtime whose network set-up failed half-way: a not-ready sandbox is left behind.
    const id = await real(cfg);
    await h.runtime.stopPodSandbox(id);
    throw new Error('failed to set up sandbox network');
  };
  const p = pod({});
  h.workers.update(p);
  await new Promise((r) => setTimeout(r, 450));
  // Resyncs every 30 ms would mean ~15 attempts; back-off 100 → 200 → 400 ms allows at most 3.
  assert.ok(attempts >= 1 && attempts <= 3, `attempts: ${attempts}`);
  assert.ok(h.events.some((e) => e.startsWith('FailedCreatePodSandBox')));
  const leftovers = await h.runtime.listPodSandboxes({ labels: { [POD_UID]: p.metadata!.uid! } });
  assert.equal(leftovers.length, 0, 'failed sandboxes are removed');
  broken = false;
  await eventually(() => st(h, p)?.phase === 'Running', 5000, 'Running once the sandbox works');
  await h.stop();
});

test("a new pod's first pass reads each status once: the new sandbox's, then the started container's", async () => {
  const h = harness();
  const p = pod({});
  const r = await h.syncer.sync(p);
  assert.equal(r.status?.phase, 'Running');
  assert.equal(h.runtime.callsOf('podSandboxStatus').length, 1);
  assert.equal(h.runtime.callsOf('containerStatus').length, 1);
  assert.equal(h.runtime.callsOf('listPodSandboxes').length, 2, 'before and after the pass, not after the sandbox');
  // A later pass over the unchanged pod only lists.
  await h.syncer.sync(p);
  assert.equal(h.runtime.callsOf('podSandboxStatus').length + h.runtime.callsOf('containerStatus').length, 2);
  assert.equal(h.status.writes, 1, 'one status write: Running');
  await h.stop();
});

test('a crash-looping container keeps its current and previous instance; older ones go with their log files', async () => {
  const h = harness();
  const p = pod({ containers: [{ name: 'c', image: 'oom:1' }] });
  const uid = p.metadata!.uid!;
  h.workers.update(p);
  let firstId = '';
  await eventually(async () => !!(firstId = (await h.runtime.listContainers({ labels: { [POD_UID]: uid } }))[0]?.id ?? ''), 5000, 'first instance');
  const firstLog = (await h.runtime.containerStatus(firstId))!.logPath;
  mkdirSync(dirname(firstLog), { recursive: true });
  writeFileSync(firstLog, 'x\n');
  await eventually(() => h.runtime.callsOf('createContainer').length >= 4, 10_000, 'three restarts');
  const left = await h.runtime.listContainers({ labels: { [POD_UID]: uid } });
  assert.ok(left.length <= 2, `${left.length} instances`);
  assert.ok(!left.some((c) => c.id === firstId));
  assert.equal(existsSync(firstLog), false, 'the pruned instance took its log file along');
  await h.stop();
});
