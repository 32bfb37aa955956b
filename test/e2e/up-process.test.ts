// End to end: `k8ts up --runtime process` (what a machine without containerd gets) comes up as a
// real process and runs a pod: Running with a pod IP, and `kubectl logs` shows its output. Deleting
// the pod and SIGINT leave no process of the data dir behind.
//
// The kubelet port is a free one (`--kubelet-port`). The bridge is not configurable (k8ts0, and the CNI
// bridge plugin refuses a second subnet on it), so every `k8ts up` here shares 10.42.0.0/24: this
// file, kubelet.test.ts and bench/suites/podstartup.ts take a lock file while `k8ts up` runs.
// Skipped when not root (no CNI network namespaces) or busybox-static is missing.

import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { K8TS_BIN, kubectl, kubectlOk, waitFor } from './harness.js';

function skipReason(): string | undefined {
  if (process.platform !== 'linux') return 'needs Linux';
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, CNI, overlay rootfs)';
  if (!existsSync('/bin/busybox')) return 'busybox-static is not installed';
  if (!existsSync('/usr/lib/cni/bridge')) return 'CNI plugins are not installed (containernetworking-plugins)';
  return undefined;
}
const skip = skipReason();
if (skip) console.error(`up-process.test.ts: skipped: ${skip}`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
function readFileSafe(p: string): string {
  try {
    return readFileSync(p, 'utf8').trim();
  } catch {
    return '';
  }
}
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// ---- one `k8ts up` at a time on this machine -------------------------------------------------

const LOCK = '/tmp/k8ts-up-e2e.lock';
async function acquireUpLock(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, 'pid'), String(process.pid));
      return;
    } catch {
      const holder = Number(readFileSafe(join(LOCK, 'pid')));
      if (holder > 0 && !alive(holder)) rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`another k8ts up e2e (pid ${holder}) holds ${LOCK}`);
      await sleep(500);
    }
  }
}
function releaseUpLock(): void {
  if (readFileSafe(join(LOCK, 'pid')) !== String(process.pid)) return;
  rmSync(join(LOCK, 'pid'), { force: true });
  try {
    rmdirSync(LOCK);
  } catch {
    /* gone */
  }
}
/** A free TCP port (for the kubelet server: `k8ts up --kubelet-port`). */
function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, () => {
      const port = (srv.address() as AddressInfo).port;
      srv.close(() => resolvePort(port));
    });
  });
}

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

interface Up {
  proc: ChildProcess;
  kubeconfig: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

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
    for (const { pid } of dataDir ? processesOf(dataDir) : []) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    if (locked) releaseUpLock();
  });
  const kubeletPort = await freePort();
  const proc = spawn(
    process.execPath,
    [K8TS_BIN, 'up', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--datastore', 'memory', '--runtime', 'process', '--kubelet-port', String(kubeletPort)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    if (err.length > 400_000) err = err.slice(-200_000);
  });
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  up = { proc, kubeconfig: '', stderr: () => err, exited };
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`k8ts up not ready in 90 s:\n${err.slice(-5000)}`)), 90_000);
    createInterface({ input: proc.stdout! }).on('line', (l) => {
      if (l.startsWith('ready ')) {
        clearTimeout(timer);
        resolve(l);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`k8ts up exited with ${code} before ready:\n${err.slice(-5000)}`));
    });
  });
  up.kubeconfig = line.split(' ')[2]!;
});

after(async () => {
  if (skip) return;
  try {
    if (up && up.proc.exitCode === null && up.proc.signalCode === null) {
      up.proc.kill('SIGKILL');
      await up.exited;
    }
    if (dataDir) {
      for (const { pid } of processesOf(dataDir)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      const mounts = readFileSafe('/proc/self/mountinfo')
        .split('\n')
        .map((l) => l.split(' ')[4] ?? '')
        .filter((m) => m === dataDir || m.startsWith(dataDir + '/'))
        .sort((a, b) => b.length - a.length);
      for (const m of mounts) {
        try {
          execFileSync('umount', ['-l', m], { stdio: 'ignore' });
        } catch {
          /* not mounted */
        }
      }
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
