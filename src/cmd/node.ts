// One worker node in this process: a container runtime (containerd or host processes), the
// kubelet, and the kubelet's HTTPS server (logs, exec, attach, port-forward). `k8ts up`,
// `k8ts agent` and `k8ts kubelet` are built on it.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { buildImageTars } from '../runtime/images/build.js';
import { hostname } from 'node:os';
import { createCa, issueServingCert } from '../apiserver/authn/pki.js';
import { startKubelet, type Kubelet } from '../kubelet/kubelet.js';
import { CONTAINER_NAME, POD_NAME, POD_NAMESPACE, restartCountOf } from '../kubelet/labels.js';
import { startKubeletServer, type ResolvedContainer } from '../kubelet/server/index.js';
import { bridgeFor, checkBridgeName } from '../runtime/bridge.js';
import { startContainerdRuntime } from '../runtime/cri/index.js';
import { ProcessRuntime } from '../runtime/process/index.js';
import type { ContainerRuntime } from '../runtime/types.js';

export type RuntimeKind = 'containerd' | 'process';

export interface NodeOptions {
  dataDir: string;
  kubeconfig: string;
  /** The cluster CA: the kubelet server only accepts client certificates it signed (the API server's). */
  clusterCaPem: string;
  runtime: RuntimeKind | 'auto';
  nodeName?: string;
  /** Pod CIDR of this node (default 10.42.0.0/24). */
  podCidr?: string;
  /** CNI bridge device (default: bridgeFor(podCidr) — k8ts0 for the default CIDR). */
  cniBridge?: string;
  /** Kubelet server port (default 10250). */
  kubeletPort?: number;
  log?: (line: string) => void;
}

export interface RunningNode {
  nodeName: string;
  runtimeKind: RuntimeKind;
  kubelet: Kubelet;
  /** Kubelet and its server stop; containers keep running (a restarted kubelet adopts them). */
  stop(): Promise<void>;
}

/** containerd when it is installed and we are root, else the host-process runtime. */
export function pickRuntime(requested: RuntimeKind | 'auto'): RuntimeKind {
  if (requested !== 'auto') return requested;
  if (process.getuid?.() !== 0) return 'process';
  try {
    execFileSync('containerd', ['--version'], { stdio: 'ignore' });
    return 'containerd';
  } catch {
    return 'process';
  }
}

export async function startNode(opts: NodeOptions): Promise<RunningNode> {
  const log = opts.log ?? ((l: string) => console.error(`k8ts: ${l}`));
  const nodeName = (opts.nodeName ?? hostname()).toLowerCase();
  const kind = pickRuntime(opts.runtime);
  const stops: Array<() => Promise<void>> = [];
  let runtime: ContainerRuntime;
  const bridge = checkBridgeName(opts.cniBridge ?? bridgeFor(opts.podCidr));
  if (kind === 'containerd') {
    await ensureOfflineImages(opts.dataDir, log);
    log('starting containerd');
    const c = await startContainerdRuntime({ dataDir: opts.dataDir, podCidr: opts.podCidr, bridge, log });
    runtime = c.runtime;
    stops.push(() => c.stop());
    log(`containerd ready (bridge ${bridge}, images: ${c.imported.join(', ') || 'none imported'})`);
  } else {
    runtime = new ProcessRuntime({ dataDir: opts.dataDir, podCidr: opts.podCidr, bridge });
    stops.push(() => runtime.close());
    log('using the host-process runtime');
  }
  try {
    const kubeletPort = opts.kubeletPort ?? 10250;
    const kubelet = await startKubelet({ kubeconfig: opts.kubeconfig, runtime, dataDir: opts.dataDir, nodeName, kubeletPort });
    stops.unshift(() => kubelet.stop());
    // The kubelet serves with its own certificate; the API server does not verify it (as upstream
    // by default), while the kubelet checks the API server's client certificate against the CA.
    const ca = await createCa({ cn: `${nodeName}-kubelet-ca`, days: 3650 });
    const serving = await issueServingCert(ca, { cn: nodeName, hosts: [nodeName, 'localhost', '127.0.0.1'] });
    const server = await startKubeletServer({
      port: kubeletPort,
      certPem: serving.certPem,
      keyPem: serving.keyPem,
      caPem: opts.clusterCaPem,
      runtime,
      resolveContainer: (ns, pod, container) => resolveContainer(runtime, ns, pod, container),
    });
    stops.unshift(() => server.stop());
    log(`kubelet ${nodeName} started (runtime ${kind}, server on :${server.port})`);
    return {
      nodeName,
      runtimeKind: kind,
      kubelet,
      async stop() {
        for (const s of stops) await s().catch((e: unknown) => log(`stop: ${String(e)}`));
      },
    };
  } catch (e) {
    for (const s of stops) await s().catch(() => {});
    throw e;
  }
}

/**
 * Without internet a node needs local images: on first start, build localhost/busybox:1 and
 * localhost/pause:1 from Debian's busybox-static into `<data-dir>/agent/images` (imported at start).
 */
async function ensureOfflineImages(dataDir: string, log: (l: string) => void): Promise<void> {
  const dir = join(dataDir, 'agent', 'images');
  if (existsSync(join(dir, 'busybox.tar')) || !existsSync('/bin/busybox')) return;
  await mkdir(dir, { recursive: true });
  await buildImageTars(dir);
  log(`built the offline images localhost/busybox:1 and localhost/pause:1 into ${dir}`);
}

/** Finds a pod's sandbox and a container's current and previous attempts by the kubelet's labels. */
async function resolveContainer(runtime: ContainerRuntime, ns: string, pod: string, container?: string): Promise<ResolvedContainer | null> {
  const sandboxes = await runtime.listPodSandboxes({ labels: { [POD_NAMESPACE]: ns, [POD_NAME]: pod } });
  const sandbox = sandboxes.filter((s) => s.state === 'SANDBOX_READY').sort((a, b) => b.createdAt - a.createdAt)[0] ?? sandboxes[0];
  if (!sandbox) return null;
  if (!container) return { podSandboxId: sandbox.id };
  const attempts = (await runtime.listContainers({ podSandboxId: sandbox.id, labels: { [CONTAINER_NAME]: container } })).sort(
    (a, b) => restartCountOf(b) - restartCountOf(a) || b.createdAt - a.createdAt,
  );
  const [current, previous] = attempts;
  if (!current) return { podSandboxId: sandbox.id, waitingReason: 'ContainerCreating' };
  return {
    podSandboxId: sandbox.id,
    containerId: current.id,
    ...(previous ? { previous: { containerId: previous.id } } : {}),
  };
}
