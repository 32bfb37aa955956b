// The controller manager end to end: one real `k8ts server` (sqlite; API server, scheduler and
// controller manager) with `k8ts simulate` processes as its nodes, driven by the real kubectl.
//
// Nodes: simulator A (a-0…a-2) from the start; simulator V (v-0, tainted victim=true:NoSchedule so
// only the eviction scenario's pods go there) is killed to play a lost node; simulator B (b-0) joins
// later. Every scenario has its own namespace and they run concurrently (the CronJob one waits for a
// minute boundary). Leases are renewed every second and the grace period is 5 s, so a killed node
// turns Unknown within seconds.

import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { K8TS_BIN, newDataDir, type KubectlResult } from './harness.js';

interface Proc {
  proc: ChildProcess;
  stderr: () => string;
  /** Resolves with the first stdout line starting with `ready`. */
  ready: Promise<string>;
  exited: Promise<void>;
  kill(signal: NodeJS.Signals): Promise<void>;
}

function startK8ts(args: string[], what: string, readyTimeoutMs = 60_000): Proc {
  const proc = spawn(process.execPath, [K8TS_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    if (err.length > 200_000) err = err.slice(-100_000);
  });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} not ready in ${readyTimeoutMs} ms:\n${err}`)), readyTimeoutMs);
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      if (line.startsWith('ready')) {
        clearTimeout(timer);
        resolve(line);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${proc.exitCode ?? proc.signalCode}) before ready:\n${err}`));
    });
  });
  ready.catch(() => {});
  return {
    proc,
    stderr: () => err,
    ready,
    exited,
    async kill(signal) {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill(signal);
      await exited;
    },
  };
}

let kubeconfig = '';

/** Real kubectl, asynchronously (scenarios run concurrently; spawnSync would serialise them). */
function kubectlAsync(args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const p = spawn('kubectl', ['--kubeconfig', kubeconfig, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, KUBECONFIG: kubeconfig, HOME: process.env.HOME ?? '/root' },
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    p.stdin.end(opts.input ?? '');
  });
}

async function kc(args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<string> {
  const r = await kubectlAsync(args, opts);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}):\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

async function getJson(args: string[]): Promise<any> {
  return JSON.parse(await kc(['get', ...args, '-o', 'json']));
}

/** Items of a list, or [] when kubectl says the resource is gone. */
async function items(args: string[]): Promise<any[]> {
  return (await getJson(args)).items as any[];
}

async function notFound(args: string[]): Promise<boolean> {
  const r = await kubectlAsync(['get', ...args]);
  if (r.code === 0) return false;
  if (/NotFound|not found/.test(r.stderr)) return true;
  throw new Error(`kubectl get ${args.join(' ')}: ${r.stderr}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` (which may throw to mean "not yet") until it returns true; reports the last state. */
async function until(what: string, check: () => Promise<boolean | string>, timeoutMs = 30_000, everyMs = 250): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const r = await check();
      if (r === true) return;
      if (typeof r === 'string') last = r;
    } catch (e) {
      last = String(e);
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `; last: ${last}` : ''}`);
    await sleep(everyMs);
  }
}

const live = (p: any) => !p.metadata.deletionTimestamp;
const running = (p: any) => live(p) && p.status?.phase === 'Running';
const images = (p: any) => (p.spec.containers as any[]).map((c) => c.image).join(',');

/** Waits until exactly `n` pods match, all Running, none terminating, and returns them. */
async function podsExactly(ns: string, selector: string, n: number, timeoutMs = 60_000): Promise<any[]> {
  let pods: any[] = [];
  await until(
    `${n} running pods ${selector} in ${ns}`,
    async () => {
      pods = await items(['pods', '-n', ns, '-l', selector]);
      const ok = pods.length === n && pods.every(running);
      return ok || `${pods.length} pods: ${pods.map((p) => `${p.metadata.name}=${p.status?.phase}${live(p) ? '' : '(deleting)'}`).join(' ')}`;
    },
    timeoutMs,
  );
  return pods;
}

async function deploymentAvailable(ns: string, name: string, n: number): Promise<void> {
  await until(
    `deployment ${ns}/${name} available=${n}`,
    async () => {
      const d = await getJson(['deployment', name, '-n', ns]);
      const s = d.status ?? {};
      const ok =
        s.observedGeneration === d.metadata.generation &&
        (s.replicas ?? 0) === n &&
        (s.availableReplicas ?? 0) === n &&
        (s.updatedReplicas ?? 0) === n;
      return ok || JSON.stringify(s);
    },
    60_000,
  );
}

const TOLERATE_LOSS = [
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 },
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 },
];

describe('controllers end to end (k8ts server + k8ts simulate + kubectl)', { concurrency: true }, () => {
  const dataDir = newDataDir();
  let server: Proc;
  let simA: Proc;
  let simV: Proc;
  let simB: Proc | undefined;

  before(async () => {
    server = startK8ts(
      ['server', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--datastore', 'sqlite', '--node-monitor-grace-period', '5s'],
      'k8ts server',
    );
    kubeconfig = (await server.ready).split(' ')[2]!;
    const sim = (prefix: string, nodes: number, ipOffset: number, extra: string[] = []) =>
      startK8ts(
        ['simulate', '--kubeconfig', kubeconfig, '--nodes', String(nodes), '--name-prefix', prefix, '--ip-offset', String(ipOffset), '--lease-renew-interval', '1s', ...extra],
        `simulator ${prefix}`,
      );
    simA = sim('a-', 3, 0);
    simV = sim('v-', 1, 100, ['--taints', 'victim=true:NoSchedule']);
    await Promise.all([simA.ready, simV.ready]);
    // The node controller and the scheduler see the nodes Ready before the scenarios start.
    await until('4 Ready nodes', async () => {
      const nodes = await items(['nodes']);
      const ready = nodes.filter((n) => n.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'));
      return ready.length === 4 || `${ready.length} ready`;
    });
  });

  after(async () => {
    await Promise.all([simA?.kill('SIGINT'), simV?.kill('SIGKILL'), simB?.kill('SIGINT')]);
    await server?.kill('SIGINT');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('kubectl create deployment, scale 1 → 10 → 2, set image / rollout status, rollout undo', async () => {
    const ns = 'deploy';
    await kc(['create', 'namespace', ns]);
    await kc(['create', 'deployment', 'web', '--image=nginx:1.25', '-n', ns]);
    await podsExactly(ns, 'app=web', 1);
    await deploymentAvailable(ns, 'web', 1);

    await kc(['scale', 'deployment', 'web', '--replicas=10', '-n', ns]);
    const ten = await podsExactly(ns, 'app=web', 10);
    await deploymentAvailable(ns, 'web', 10);
    assert.equal(new Set(ten.map((p) => p.metadata.ownerReferences?.[0]?.name)).size, 1, 'one ReplicaSet owns them all');

    await kc(['scale', 'deployment', 'web', '--replicas=2', '-n', ns]);
    await podsExactly(ns, 'app=web', 2);
    await deploymentAvailable(ns, 'web', 2);

    await kc(['set', 'image', 'deployment/web', 'nginx=nginx:1.26', '-n', ns]);
    const status = await kc(['rollout', 'status', 'deployment/web', '-n', ns, '--timeout=90s'], { timeoutMs: 100_000 });
    assert.match(status, /successfully rolled out/);
    const rolled = await podsExactly(ns, 'app=web', 2);
    assert.deepEqual(rolled.map(images), ['nginx:1.26', 'nginx:1.26']);
    const rss = await items(['rs', '-n', ns, '-l', 'app=web']);
    assert.equal(rss.length, 2, 'old and new ReplicaSet');
    const byImage = new Map(rss.map((rs) => [rs.spec.template.spec.containers[0].image, rs]));
    assert.equal(byImage.get('nginx:1.26')?.spec.replicas, 2);
    assert.equal(byImage.get('nginx:1.25')?.spec.replicas, 0);
    assert.equal(byImage.get('nginx:1.26')?.metadata.annotations['deployment.kubernetes.io/revision'], '2');
    const history = await kc(['rollout', 'history', 'deployment/web', '-n', ns]);
    assert.match(history, /^1\s/m);
    assert.match(history, /^2\s/m);

    await kc(['rollout', 'undo', 'deployment/web', '-n', ns]);
    const undone = await kc(['rollout', 'status', 'deployment/web', '-n', ns, '--timeout=90s'], { timeoutMs: 100_000 });
    assert.match(undone, /successfully rolled out/);
    const back = await podsExactly(ns, 'app=web', 2);
    assert.deepEqual(back.map(images), ['nginx:1.25', 'nginx:1.25']);
    const d = await getJson(['deployment', 'web', '-n', ns]);
    assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1.25');
    assert.equal(d.metadata.annotations['deployment.kubernetes.io/revision'], '3', 'the undo is revision 3');
    const finalRs = await items(['rs', '-n', ns, '-l', 'app=web']);
    assert.equal(finalRs.length, 2, 'the undo reuses the first ReplicaSet');
    assert.equal(finalRs.find((rs) => rs.spec.template.spec.containers[0].image === 'nginx:1.25')?.spec.replicas, 2);

    // pause: a template change waits; resume rolls it out; restart replaces every pod.
    await kc(['rollout', 'pause', 'deployment/web', '-n', ns]);
    await kc(['set', 'image', 'deployment/web', 'nginx=nginx:1.27', '-n', ns]);
    await until('the paused deployment observed', async () => {
      const dep = await getJson(['deployment', 'web', '-n', ns]);
      return dep.status?.observedGeneration === dep.metadata.generation || JSON.stringify(dep.status);
    });
    await sleep(1_000);
    assert.equal((await items(['rs', '-n', ns, '-l', 'app=web'])).length, 2, 'no new ReplicaSet while paused');
    assert.deepEqual((await podsExactly(ns, 'app=web', 2)).map(images), ['nginx:1.25', 'nginx:1.25']);
    await kc(['rollout', 'resume', 'deployment/web', '-n', ns]);
    assert.match(await kc(['rollout', 'status', 'deployment/web', '-n', ns, '--timeout=90s'], { timeoutMs: 100_000 }), /successfully rolled out/);
    const resumed = await podsExactly(ns, 'app=web', 2);
    assert.deepEqual(resumed.map(images), ['nginx:1.27', 'nginx:1.27']);
    await kc(['rollout', 'restart', 'deployment/web', '-n', ns]);
    assert.match(await kc(['rollout', 'status', 'deployment/web', '-n', ns, '--timeout=90s'], { timeoutMs: 100_000 }), /successfully rolled out/);
    const restarted = await podsExactly(ns, 'app=web', 2);
    const beforeNames = new Set(resumed.map((p) => p.metadata.name));
    assert.ok(restarted.every((p) => !beforeNames.has(p.metadata.name)), 'every pod replaced');
    assert.ok(restarted.every((p) => p.metadata.annotations?.['kubectl.kubernetes.io/restartedAt']));

    // The default (background) cascade: the ReplicaSets and their pods follow the Deployment.
    await kc(['delete', 'deployment', 'web', '-n', ns]);
    await until('no ReplicaSets or pods left', async () => {
      const left = await kc(['get', 'rs,pods', '-n', ns, '-o', 'name']);
      return left.trim() === '' || left.trim().replace(/\n/g, ' ');
    });
  });

  it('a StatefulSet comes up in order, with its PVCs', async () => {
    const ns = 'sts';
    await kc(['create', 'namespace', ns]);
    await kc(['apply', '-n', ns, '-f', '-'], {
      input: `
apiVersion: v1
kind: Service
metadata: {name: db}
spec:
  clusterIP: None
  selector: {app: db}
  ports: [{port: 5432}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 3
  selector: {matchLabels: {app: db}}
  template:
    metadata:
      labels: {app: db}
      annotations: {sim.k8ts.io/ready-after: 1s}
    spec:
      containers:
      - name: db
        image: postgres:16
        # No volumeMounts of "data": the API server's StatefulSet validation checks the template's
        # mounts against its volumes only (upstream skips that for StatefulSets), so it rejects them.
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
`,
    });
    const isReady = (p: any) => p.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True');
    let polls = 0;
    let sawPartial = false;
    await until(
      'db-0, db-1, db-2 Ready, each created only after the one before was Ready',
      async () => {
        const pods = await items(['pods', '-n', ns, '-l', 'app=db']);
        polls++;
        const byOrdinal = new Map(pods.map((p) => [Number(p.metadata.name.split('-').pop()), p]));
        for (const i of byOrdinal.keys()) {
          for (let j = 0; j < i; j++) {
            const prev = byOrdinal.get(j);
            // OrderedReady: ordinal i exists only once every lower ordinal is Running and Ready.
            assert.ok(prev && isReady(prev), `db-${i} exists while db-${j} is ${prev ? 'not Ready' : 'missing'}`);
          }
        }
        if (pods.length > 0 && pods.length < 3) sawPartial = true;
        return (pods.length === 3 && pods.every(isReady)) || `${pods.length} pods`;
      },
      60_000,
      100,
    );
    assert.ok(sawPartial && polls > 2, 'the pods came up one at a time');
    const pods = await items(['pods', '-n', ns, '-l', 'app=db']);
    const created = (i: number) => Date.parse(pods.find((p) => p.metadata.name === `db-${i}`).metadata.creationTimestamp);
    assert.ok(created(0) <= created(1) && created(1) <= created(2));
    for (const p of pods) {
      const claim = p.spec.volumes.find((v: any) => v.name === 'data')?.persistentVolumeClaim?.claimName;
      assert.equal(claim, `data-${p.metadata.name}`);
    }
    const pvcs = await kc(['get', 'pvc', '-n', ns, '-o', 'name']);
    assert.deepEqual(pvcs.trim().split('\n').sort(), ['persistentvolumeclaim/data-db-0', 'persistentvolumeclaim/data-db-1', 'persistentvolumeclaim/data-db-2']);
    const table = await kc(['get', 'pvc', '-n', ns]);
    assert.match(table, /^data-db-0\s/m);
    const sts = await getJson(['statefulset', 'db', '-n', ns]);
    assert.equal(sts.status.readyReplicas, 3);
    assert.match(await kc(['rollout', 'status', 'statefulset/db', '-n', ns, '--timeout=30s']), /partitioned roll out complete: 3 new pods|rolling update complete 3 pods/, 'with the defaulted partition 0, kubectl reports a partitioned roll-out as upstream');
  });

  it('a Job runs to completion; a failing one stops at backoffLimit with BackoffLimitExceeded', async () => {
    const ns = 'jobs';
    await kc(['create', 'namespace', ns]);
    const job = (name: string, annotation: string, extra: string) => `
apiVersion: batch/v1
kind: Job
metadata: {name: ${name}}
spec:
  ${extra}
  template:
    metadata:
      annotations: {${annotation}}
    spec:
      restartPolicy: Never
      containers: [{name: work, image: busybox:1.36, command: [sh, -c, 'true']}]
`;
    await kc(['apply', '-n', ns, '-f', '-'], {
      input: `${job('ok', 'sim.k8ts.io/succeed-after: 1s', 'completions: 2\n  parallelism: 1')}\n---\n${job('bad', 'sim.k8ts.io/fail-after: 1s', 'backoffLimit: 1')}`,
    });
    const [ok, bad] = await Promise.all([
      kc(['wait', '-n', ns, '--for=condition=Complete', 'job/ok', '--timeout=90s'], { timeoutMs: 100_000 }),
      kc(['wait', '-n', ns, '--for=condition=Failed', 'job/bad', '--timeout=90s'], { timeoutMs: 100_000 }),
    ]);
    assert.match(ok, /condition met/);
    assert.match(bad, /condition met/);

    const okJob = await getJson(['job', 'ok', '-n', ns]);
    assert.equal(okJob.status.succeeded, 2);
    assert.ok(okJob.status.completionTime, 'completionTime set');
    const okPods = await items(['pods', '-n', ns, '-l', 'job-name=ok']);
    assert.equal(okPods.filter((p) => p.status.phase === 'Succeeded').length, 2);

    const badJob = await getJson(['job', 'bad', '-n', ns]);
    const failed = badJob.status.conditions.find((c: any) => c.type === 'Failed');
    assert.equal(failed?.status, 'True');
    assert.equal(failed?.reason, 'BackoffLimitExceeded');
    assert.equal(badJob.status.failed, 2, 'backoffLimit 1: the first failure is retried once');
    assert.ok(!badJob.status.active, 'nothing left running');
    // It stays stopped: no further pods after it failed.
    await sleep(2_000);
    const badPods = await items(['pods', '-n', ns, '-l', 'job-name=bad']);
    assert.equal(badPods.length, 2);
    assert.ok(badPods.every((p) => p.status.phase === 'Failed'));
  });

  it('a CronJob creates Jobs on schedule', async () => {
    const ns = 'cron';
    await kc(['create', 'namespace', ns]);
    await kc(['apply', '-n', ns, '-f', '-'], {
      input: `
apiVersion: batch/v1
kind: CronJob
metadata: {name: tick}
spec:
  schedule: "*/1 * * * *"
  jobTemplate:
    spec:
      template:
        metadata:
          annotations: {sim.k8ts.io/succeed-after: 1s}
        spec:
          restartPolicy: Never
          containers: [{name: tick, image: busybox:1.36, command: [date]}]
`,
    });
    let job: any;
    await until(
      'a Job from CronJob tick',
      async () => {
        const jobs = await items(['jobs', '-n', ns]);
        job = jobs.find((j) => j.metadata.ownerReferences?.some((o: any) => o.kind === 'CronJob' && o.name === 'tick' && o.controller));
        return !!job;
      },
      75_000,
      1_000,
    );
    assert.match(job.metadata.name, /^tick-\d+$/, 'named <cronjob>-<scheduled minutes since epoch>');
    const minutes = Number(job.metadata.name.slice('tick-'.length));
    assert.equal(new Date(minutes * 60_000).getUTCSeconds(), 0);
    await kc(['wait', '-n', ns, '--for=condition=Complete', `job/${job.metadata.name}`, '--timeout=60s'], { timeoutMs: 70_000 });
    await until('CronJob status lastScheduleTime and lastSuccessfulTime', async () => {
      const cj = await getJson(['cronjob', 'tick', '-n', ns]);
      return (!!cj.status?.lastScheduleTime && !!cj.status?.lastSuccessfulTime) || JSON.stringify(cj.status);
    });
    const cj = await getJson(['cronjob', 'tick', '-n', ns]);
    assert.equal(Date.parse(cj.status.lastScheduleTime), minutes * 60_000);
  });

  it('a DaemonSet covers every node, including one added later; a lost node\'s pods are replaced elsewhere', async () => {
    const ns = 'ds';
    await kc(['create', 'namespace', ns]);
    await kc(['apply', '-n', ns, '-f', '-'], {
      input: `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      tolerations: [{operator: Exists}]
      containers: [{name: agent, image: busybox:1.36}]
`,
    });
    const covers = async (nodeNames: string[]) => {
      const pods = (await items(['pods', '-n', ns, '-l', 'app=agent'])).filter(running);
      const on = pods.map((p) => p.spec.nodeName).sort();
      const ds = await getJson(['daemonset', 'agent', '-n', ns]);
      const s = ds.status ?? {};
      const ok =
        JSON.stringify(on) === JSON.stringify([...nodeNames].sort()) &&
        s.desiredNumberScheduled === nodeNames.length &&
        s.numberReady === nodeNames.length &&
        s.currentNumberScheduled === nodeNames.length;
      return ok || `pods on ${on.join(',')}; status ${JSON.stringify(s)}`;
    };
    await until('the DaemonSet on a-0, a-1, a-2, v-0', () => covers(['a-0', 'a-1', 'a-2', 'v-0']));
    assert.match(await kc(['rollout', 'status', 'daemonset/agent', '-n', ns, '--timeout=30s']), /successfully rolled out/);

    simB = startK8ts(
      ['simulate', '--kubeconfig', kubeconfig, '--nodes', '1', '--name-prefix', 'b-', '--ip-offset', '200', '--lease-renew-interval', '1s'],
      'simulator b-',
    );
    await simB.ready;
    await until('the DaemonSet also on the new node b-0', () => covers(['a-0', 'a-1', 'a-2', 'b-0', 'v-0']));

    // A lost node: pods that tolerate unreachable/not-ready for 5 s, placed on v-0 (preferred).
    const evict = 'evict';
    await kc(['create', 'namespace', evict]);
    await kc(['apply', '-n', evict, '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'victim' },
        spec: {
          replicas: 3,
          selector: { matchLabels: { app: 'victim' } },
          template: {
            metadata: { labels: { app: 'victim' } },
            spec: {
              tolerations: [{ key: 'victim', operator: 'Exists', effect: 'NoSchedule' }, ...TOLERATE_LOSS],
              affinity: {
                nodeAffinity: {
                  preferredDuringSchedulingIgnoredDuringExecution: [
                    { weight: 100, preference: { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['v-0'] }] } },
                  ],
                },
              },
              containers: [{ name: 'app', image: 'nginx:1.25' }],
            },
          },
        },
      }),
    });
    const first = await podsExactly(evict, 'app=victim', 3);
    assert.deepEqual(first.map((p) => p.spec.nodeName), ['v-0', 'v-0', 'v-0'], 'all on the preferred node');
    const tol = first[0].spec.tolerations.find((t: any) => t.key === 'node.kubernetes.io/unreachable');
    assert.equal(tol.tolerationSeconds, 5, 'our tolerationSeconds, not the 300 s default');

    const killedAt = Date.now();
    await simV.kill('SIGKILL');
    await until(
      'v-0 Ready=Unknown with the unreachable NoExecute taint',
      async () => {
        const node = await getJson(['node', 'v-0']);
        const ready = node.status.conditions.find((c: any) => c.type === 'Ready');
        const taints = (node.spec.taints ?? []).map((t: any) => `${t.key}:${t.effect}`);
        return (ready?.status === 'Unknown' && taints.includes('node.kubernetes.io/unreachable:NoExecute')) || `Ready=${ready?.status} taints=${taints}`;
      },
      30_000,
    );
    const unknownAfter = Date.now() - killedAt;
    const names = new Set(first.map((p) => p.metadata.name));
    let replaced: any[] = [];
    await until(
      'three new Running victim pods on other nodes',
      async () => {
        const pods = await items(['pods', '-n', evict, '-l', 'app=victim']);
        replaced = pods.filter((p) => running(p) && !names.has(p.metadata.name));
        return (replaced.length === 3 && replaced.every((p) => p.spec.nodeName !== 'v-0')) || pods.map((p) => `${p.metadata.name}@${p.spec.nodeName}:${p.status?.phase}${live(p) ? '' : '(deleting)'}`).join(' ');
      },
      60_000,
    );
    const replacedAfter = Date.now() - killedAt;
    assert.ok(replacedAfter >= 5_000, `replaced only after the grace period and tolerationSeconds (${replacedAfter} ms)`);
    assert.ok(unknownAfter <= replacedAfter);
    const olds = (await items(['pods', '-n', evict, '-l', 'app=victim'])).filter((p) => names.has(p.metadata.name));
    for (const p of olds) {
      assert.ok(p.metadata.deletionTimestamp, `${p.metadata.name} on the lost node is being deleted`);
      assert.ok(p.status.conditions.some((c: any) => c.type === 'DisruptionTarget' && c.status === 'True'));
    }
    await deploymentAvailable(evict, 'victim', 3);
  });

  it('deleting a namespace removes everything in it, then the namespace', async () => {
    const ns = 'doomed';
    await kc(['create', 'namespace', ns]);
    await kc(['create', 'deployment', 'app', '--image=nginx:1.25', '--replicas=2', '-n', ns]);
    await kc(['create', 'configmap', 'settings', '--from-literal=a=b', '-n', ns]);
    await kc(['create', 'secret', 'generic', 'creds', '--from-literal=p=q', '-n', ns]);
    await kc(['create', 'service', 'clusterip', 'app', '--tcp=80:80', '-n', ns]);
    await kc(['create', 'job', 'once', '--image=busybox:1.36', '-n', ns]);
    await podsExactly(ns, 'app=app', 2);
    await until('the default ServiceAccount', async () => (await kubectlAsync(['get', 'sa', 'default', '-n', ns])).code === 0);

    await kc(['delete', 'namespace', ns, '--wait=false']);
    const r = await kubectlAsync(['get', 'namespace', ns, '-o', 'jsonpath={.status.phase}']);
    if (r.code === 0) assert.equal(r.stdout, 'Terminating');
    await until(`namespace ${ns} gone`, () => notFound(['namespace', ns]), 60_000);
    const left = await kc(['get', 'all,configmaps,secrets,serviceaccounts,jobs,endpoints,events', '-n', ns, '-o', 'name']);
    assert.equal(left.trim(), '', `left behind: ${left}`);
  });

  it('kubectl delete rs --cascade=orphan leaves the pods; --cascade=foreground deletes them first', async () => {
    const ns = 'gc';
    await kc(['create', 'namespace', ns]);
    const rs = (name: string, annotations: string) => `
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: ${name}}
spec:
  replicas: 3
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata:
      labels: {app: ${name}}
      annotations: {${annotations}}
    spec:
      terminationGracePeriodSeconds: 30
      containers: [{name: c, image: nginx:1.25}]
`;
    await kc(['apply', '-n', ns, '-f', '-'], { input: `${rs('orphan-me', '')}\n---\n${rs('fg', 'sim.k8ts.io/terminate-after: 3s')}` });
    const orphans = await podsExactly(ns, 'app=orphan-me', 3);
    await podsExactly(ns, 'app=fg', 3);
    for (const p of orphans) assert.equal(p.metadata.ownerReferences?.[0]?.name, 'orphan-me');

    // Orphan: the ReplicaSet goes, the pods stay and lose their ownerReference.
    await kc(['delete', 'rs', 'orphan-me', '--cascade=orphan', '-n', ns], { timeoutMs: 60_000 });
    await until('rs orphan-me gone', () => notFound(['rs', 'orphan-me', '-n', ns]));
    await until('the orphans without ownerReferences', async () => {
      const pods = await items(['pods', '-n', ns, '-l', 'app=orphan-me']);
      return (pods.length === 3 && pods.every((p) => !p.metadata.ownerReferences?.length)) || JSON.stringify(pods.map((p) => p.metadata.ownerReferences));
    });
    await sleep(2_000);
    const kept = await podsExactly(ns, 'app=orphan-me', 3, 1_000);
    assert.deepEqual(kept.map((p) => p.metadata.name).sort(), orphans.map((p) => p.metadata.name).sort(), 'the same pods');

    // Foreground: the ReplicaSet waits (deletionTimestamp + foregroundDeletion) while its pods go.
    await kc(['delete', 'rs', 'fg', '--cascade=foreground', '--wait=false', '-n', ns]);
    let sawBlocked = false;
    let lastPods: any[] = [];
    await until(
      'rs fg gone',
      async () => {
        const r = await kubectlAsync(['get', 'rs', 'fg', '-n', ns, '-o', 'json']);
        lastPods = await items(['pods', '-n', ns, '-l', 'app=fg']);
        if (r.code !== 0) {
          if (!/NotFound/.test(r.stderr)) throw new Error(r.stderr);
          return true;
        }
        const obj = JSON.parse(r.stdout);
        if (obj.metadata.deletionTimestamp && obj.metadata.finalizers?.includes('foregroundDeletion') && lastPods.length > 0 && lastPods.every((p) => !live(p))) {
          sawBlocked = true;
        }
        return `rs finalizers ${obj.metadata.finalizers}; ${lastPods.length} pods`;
      },
      60_000,
      200,
    );
    assert.ok(sawBlocked, 'saw the ReplicaSet with deletionTimestamp + foregroundDeletion while its pods were terminating');
    const podsNow = await items(['pods', '-n', ns, '-l', 'app=fg']);
    assert.equal(podsNow.length, 0, 'the pods were gone before the ReplicaSet');
    await podsExactly(ns, 'app=orphan-me', 3, 1_000);
  });
});
