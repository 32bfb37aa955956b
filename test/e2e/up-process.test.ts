// End to end: `k8ts up --runtime process` (what a machine without containerd gets) comes up as a
// real process and runs a pod: Running with a pod IP, and `kubectl logs` shows its output. Deleting
// the pod and SIGINT leave no process of the data dir behind.
//
// The kubelet port is a free one (`--kubelet-port`). Every `k8ts up` here uses the default pod CIDR
// 10.42.0.0/24 and its bridge k8ts0: this file, kubelet.test.ts and bench/suites/podstartup.ts take
// a lock file while `k8ts up` runs (node-harness.ts).
// Skipped when not root (no CNI network namespaces) or busybox-static is missing.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { K8TS_BIN, kubectl, kubectlOk, waitFor } from './harness.js';
import { acquireUpLock, freePort, killPids, readFileSafe, releaseUpLock, startUp, unmountUnder, type Up } from './node-harness.js';

function skipReason(): string | undefined {
  if (process.platform !== 'linux') return 'needs Linux';
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, CNI, overlay rootfs)';
  if (!existsSync('/bin/busybox')) return 'busybox-static is not installed';
  if (!existsSync('/usr/lib/cni/bridge')) return 'CNI plugins are not installed (containernetworking-plugins)';
  return undefined;
}
const skip = skipReason();
if (skip) console.error(`up-process.test.ts: skipped: ${skip}`);

// ---- processes of a data dir (shims, containers) ----------------------------------------------

/** Processes whose command line, cwd or root is in the data dir: the runtime's shims and containers. */
function processesOf(dataDir: string): Array<{ pid: number; cmd: string }> {
  const found: Array<{ pid: number; cmd: string }> = [];
  const inDir = (p: string) => p === dataDir || p.startsWith(dataDir + '/');
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    const cmd = readFileSafe(`/proc/${e}/cmdline`).split('\0').join(' ').trim();
    let cwd = '';
    let root = '';
    try {
      cwd = readlinkSync(`/proc/${e}/cwd`);
      root = readlinkSync(`/proc/${e}/root`);
    } catch {
      /* gone, or a kernel thread */
    }
    if (cmd.includes(dataDir + '/') || inDir(cwd) || inDir(root)) found.push({ pid: Number(e), cmd });
  }
  return found;
}

// ---- the cluster ----------------------------------------------------------------------------

let dataDir = '';
let up: Up | undefined;
let locked = false;

before(async () => {
  if (skip) return;
  await acquireUpLock(240_000);
  locked = true;
  dataDir = mkdtempSync('/tmp/k8ts-up-');
  // If the runner ends this file early (a time limit), after() may not run: still leave nothing behind.
  process.once('exit', () => {
    if (up && up.proc.exitCode === null && up.proc.signalCode === null) up.proc.kill('SIGKILL');
    if (dataDir) killPids(processesOf(dataDir));
    if (locked) releaseUpLock();
  });
  const kubeletPort = await freePort();
  up = await startUp(K8TS_BIN, ['--data-dir', dataDir, '--listen', '127.0.0.1:0', '--datastore', 'memory', '--runtime', 'process', '--kubelet-port', String(kubeletPort)]);
});

after(async () => {
  if (skip) return;
  try {
    if (up && up.proc.exitCode === null && up.proc.signalCode === null) {
      up.proc.kill('SIGKILL');
      await up.exited;
    }
    if (dataDir) {
      killPids(processesOf(dataDir));
      unmountUnder(dataDir);
      rmSync(dataDir, { recursive: true, force: true });
    }
  } finally {
    if (locked) releaseUpLock();
  }
});

test('k8ts up --runtime process runs a pod: Running with a pod IP, kubectl logs shows its output', { skip }, async () => {
  const k = (args: string[]) => kubectl(up!, args, { timeoutMs: 30_000 });
  assert.match(up!.stderr(), /runtime process/);
  kubectlOk(up!, [
    'run', 'hello', '--image=localhost/busybox:1', '--restart=Never', '--',
    'sh', '-c', 'echo "hello from $(hostname)"; trap "exit 0" TERM; while :; do sleep 0.5; done',
  ]);
  let pod: { status?: { phase?: string; podIP?: string; containerStatuses?: Array<{ containerID?: string }> } } | undefined;
  await waitFor('hello Running with a pod IP', () => {
    const r = k(['get', 'pod', 'hello', '-o', 'json']);
    pod = r.code === 0 ? JSON.parse(r.stdout) : undefined;
    return pod?.status?.phase === 'Running' && !!pod.status.podIP;
  }, 60_000).catch((e: Error) => {
    throw new Error(`${e.message}\n${JSON.stringify(pod?.status ?? null)}\n--- k8ts up stderr (tail) ---\n${up!.stderr().slice(-3000)}`);
  });
  assert.match(pod!.status!.podIP!, /^10\.42\.0\.\d+$/, 'pod IP from the node pod CIDR');
  let logs = '';
  await waitFor('kubectl logs shows the output', () => (logs = k(['logs', 'hello']).stdout).includes('hello from hello'), 15_000).catch((e: Error) => {
    throw new Error(`${e.message}: ${JSON.stringify(logs)} ${k(['logs', 'hello']).stderr}`);
  });
  const t0 = Date.now();
  kubectlOk(up!, ['delete', 'pod', 'hello', '--wait=true'], { timeoutMs: 60_000 });
  assert.ok(Date.now() - t0 < 15_000, `delete took ${Date.now() - t0} ms`);
});

test('SIGINT stops k8ts up; no process of the data dir is left', { skip }, async () => {
  up!.proc.kill('SIGINT');
  const t = setTimeout(() => up!.proc.kill('SIGKILL'), 30_000);
  const code = await up!.exited;
  clearTimeout(t);
  assert.equal(code, 0, `exit code after SIGINT\n${up!.stderr().slice(-2000)}`);
  await waitFor('no process of the data dir', () => processesOf(dataDir).length === 0, 10_000).catch(() => {
    throw new Error(`left running: ${JSON.stringify(processesOf(dataDir))}`);
  });
});
