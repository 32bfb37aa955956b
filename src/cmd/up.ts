// `k8ts up`: a whole one-node cluster in one process — API server, scheduler, controller manager
// and a kubelet with containerd (or host processes where containerd is missing).

import { Command } from 'commander';
import { hostname } from 'node:os';
import { readCa } from '../apiserver/authn/pki.js';
import { RestClient, NODES } from '../client/index.js';
import { startControlPlane, stopOnSignals } from './controlplane.js';
import { componentKubeconfig } from './credentials.js';
import { addWatchCacheOption, DEFAULT_LISTEN, defaultDataDir } from './options.js';
import { startNode, type RuntimeKind } from './node.js';

interface UpFlags {
  dataDir: string;
  listen: string;
  datastore: string;
  runtime: RuntimeKind | 'auto';
  nodeName?: string;
  podCidr?: string;
  cniBridge?: string;
  kubeletPort: string;
  watchCacheMaxEvents: number;
}

export function upCommand(): Command {
  const cmd = new Command('up')
    .description('bring up a one-node cluster in this process (API server, scheduler, controllers, kubelet)')
    .option('--data-dir <dir>', 'state, certificates, kubeconfig and node state live here', defaultDataDir())
    .option('--listen <host:port>', 'address the API server listens on', DEFAULT_LISTEN)
    .option('--datastore <kind>', 'sqlite | memory | etcd://host:port[,host:port…]', 'sqlite')
    .option('--runtime <kind>', 'containerd | process | auto (containerd when installed)', 'auto')
    .option('--node-name <name>', 'name of this node (default: the hostname)')
    .option('--pod-cidr <cidr>', 'pod addresses on this node (default 10.42.0.0/24)')
    .option('--cni-bridge <name>', 'CNI bridge device of this node (default k8ts0 for the default pod CIDR, else k8ts + the CIDR address in hex)')
    .option('--kubelet-port <port>', 'port of the kubelet HTTPS server', '10250');
  return addWatchCacheOption(cmd).action(async (opts: UpFlags) => {
    const step = (n: number, what: string) => console.error(`k8ts up [${n}/4] ${what}`);
    step(1, 'control plane');
    const cp = await startControlPlane({
      dataDir: opts.dataDir,
      listen: opts.listen,
      datastore: opts.datastore,
      watchCacheMaxEvents: opts.watchCacheMaxEvents,
      log: (l) => console.error(`  ${l}`),
    });
    const nodeName = (opts.nodeName ?? hostname()).toLowerCase();
    step(2, `node ${nodeName}: container runtime and kubelet`);
    const kubeconfig = await componentKubeconfig(opts.dataDir, cp.server.url, { name: 'kubelet', user: `system:node:${nodeName}`, groups: ['system:nodes'] });
    const node = await startNode({
      dataDir: opts.dataDir,
      kubeconfig,
      clusterCaPem: (await readCa(opts.dataDir)).certPem,
      runtime: opts.runtime,
      nodeName,
      kubeletPort: Number(opts.kubeletPort),
      ...(opts.podCidr ? { podCidr: opts.podCidr } : {}),
      ...(opts.cniBridge ? { cniBridge: opts.cniBridge } : {}),
      log: (l) => console.error(`  ${l}`),
    }).catch(async (e: unknown) => {
      await cp.stop();
      throw e;
    });
    step(3, 'waiting for the node to be Ready');
    await waitNodeReady(cp.server.kubeconfigPath, nodeName, 60_000);
    step(4, 'ready');
    console.error(`\nk8ts is up: one node (${nodeName}, runtime ${node.runtimeKind}).`);
    console.error(`  export KUBECONFIG=${cp.server.kubeconfigPath}`);
    console.error('  kubectl create deployment hello --image=localhost/busybox:1');
    console.error('  kubectl get pods -o wide\n');
    console.log(`ready ${cp.server.url} ${cp.server.kubeconfigPath}`);
    stopOnSignals(async () => {
      await node.stop();
      await cp.stop();
    });
  });
}

async function waitNodeReady(kubeconfig: string, nodeName: string, timeoutMs: number): Promise<void> {
  const client = await RestClient.fromKubeconfig(kubeconfig);
  const nodes = client.resource<{ status?: { conditions?: Array<{ type: string; status: string }> } }>(NODES);
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const n = await nodes.get(undefined, nodeName).catch(() => null);
      if (n?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) return;
      if (Date.now() > deadline) throw new Error(`node ${nodeName} did not become Ready in ${timeoutMs / 1000}s; check the log above`);
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    client.close();
  }
}
