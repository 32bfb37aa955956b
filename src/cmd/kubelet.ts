// `k8ts kubelet`: one node agent against an existing control plane. The containerd and process
// runtimes come with the kubelet's HTTPS server (logs, exec, port-forward) through startNode;
// `simulated` runs the kubelet on an in-memory runtime (nothing is executed), for tests and demos.

import { Command, InvalidArgumentError } from 'commander';
import { readFileSync } from 'node:fs';
import { loadKubeconfig, defaultKubeconfigPath } from '../client/index.js';
import { startKubelet as startKubeletCore } from '../kubelet/kubelet.js';
import { FakeRuntime } from '../runtime/fake/index.js';
import { stopOnSignals } from './controlplane.js';
import { startNode } from './node.js';
import { defaultDataDir } from './options.js';

export type KubeletRuntimeKind = 'containerd' | 'process' | 'simulated' | 'auto';

export interface KubeletCommandOptions {
  kubeconfig: string;
  dataDir: string;
  runtime: KubeletRuntimeKind;
  nodeName?: string;
  podCidr?: string;
  cniBridge?: string;
  port?: number;
  /** PEM of the CA that signs the API server's kubelet client certificate (default: the kubeconfig's CA). */
  clientCaPem?: string;
  log?: (line: string) => void;
}

/** Start a kubelet (with its runtime and, for real runtimes, its server). Containers outlive stop(). */
export async function startKubelet(opts: KubeletCommandOptions): Promise<{ nodeName: string; stop(): Promise<void> }> {
  const log = opts.log ?? ((l: string) => console.error(`k8ts kubelet: ${l}`));
  if (opts.runtime === 'simulated') {
    const runtime = new FakeRuntime({ images: [] });
    const k = await startKubeletCore({ kubeconfig: opts.kubeconfig, runtime, dataDir: opts.dataDir, ...(opts.nodeName ? { nodeName: opts.nodeName } : {}), log });
    return { nodeName: k.nodeName, stop: () => k.stop() };
  }
  const caPem = opts.clientCaPem ?? (await loadKubeconfig(opts.kubeconfig)).caPem;
  if (!caPem) throw new Error('the kubeconfig has no certificate authority; pass --client-ca-file');
  const node = await startNode({
    dataDir: opts.dataDir,
    kubeconfig: opts.kubeconfig,
    clusterCaPem: caPem,
    runtime: opts.runtime,
    ...(opts.nodeName ? { nodeName: opts.nodeName } : {}),
    ...(opts.podCidr ? { podCidr: opts.podCidr } : {}),
    ...(opts.cniBridge ? { cniBridge: opts.cniBridge } : {}),
    ...(opts.port !== undefined ? { kubeletPort: opts.port } : {}),
    log,
  });
  return { nodeName: node.nodeName, stop: () => node.stop() };
}

function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('--port must be 0–65535');
  return n;
}

function runtimeKind(v: string): KubeletRuntimeKind {
  if (v === 'containerd' || v === 'process' || v === 'simulated' || v === 'auto') return v;
  throw new InvalidArgumentError('--runtime must be containerd, process, simulated or auto');
}

export function kubeletCommand(): Command {
  return new Command('kubelet')
    .description('run a node agent: register this machine and run the pods bound to it')
    .option('--kubeconfig <path>', 'kubeconfig to reach the API server (default $KUBECONFIG, ~/.kube/config)')
    .option('--node-name <name>', 'name of this node (default: the hostname)')
    .option('--runtime <kind>', 'containerd | process | simulated | auto (containerd when installed)', runtimeKind, 'auto' as KubeletRuntimeKind)
    .option('--data-dir <dir>', 'kubelet state lives under <dir>/agent', defaultDataDir())
    .option('--pod-cidr <cidr>', "this node's pod CIDR for the CNI bridge (default 10.42.0.0/24)")
    .option('--cni-bridge <name>', 'CNI bridge device of this node (default k8ts0 for the default pod CIDR, else k8ts + the CIDR address in hex)')
    .option('--port <port>', 'kubelet HTTPS server port', port, 10250)
    .option('--client-ca-file <path>', "CA of the API server's client certificate (default: the kubeconfig's CA)")
    .action(async (flags: { kubeconfig?: string; nodeName?: string; runtime: KubeletRuntimeKind; dataDir: string; podCidr?: string; cniBridge?: string; port: number; clientCaFile?: string }) => {
      const k = await startKubelet({
        kubeconfig: flags.kubeconfig ?? defaultKubeconfigPath(),
        dataDir: flags.dataDir,
        runtime: flags.runtime,
        port: flags.port,
        ...(flags.nodeName ? { nodeName: flags.nodeName } : {}),
        ...(flags.podCidr ? { podCidr: flags.podCidr } : {}),
        ...(flags.cniBridge ? { cniBridge: flags.cniBridge } : {}),
        ...(flags.clientCaFile ? { clientCaPem: readFileSync(flags.clientCaFile, 'utf8') } : {}),
      });
      console.log(`ready ${k.nodeName}`);
      stopOnSignals(() => k.stop());
    });
}
