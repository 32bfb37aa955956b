// `k8ts agent --server URL --token TOKEN`: join this machine to a cluster as a worker node. The
// token is the server's `<data-dir>/node-token`; it carries a hash of the cluster CA, so the agent
// fetches the CA from the server, checks it against the hash, and only then trusts the server.

import { Command } from 'commander';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { get } from 'node:https';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { writeKubeconfig } from '../apiserver/authn/kubeconfig.js';
import { parseNodeToken } from '../apiserver/authn/tokens.js';
import { stopOnSignals } from './controlplane.js';
import { defaultDataDir } from './options.js';
import { startNode, type RuntimeKind } from './node.js';

interface AgentFlags {
  server: string;
  token: string;
  dataDir: string;
  nodeName?: string;
  runtime: RuntimeKind | 'auto';
  podCidr?: string;
  cniBridge?: string;
  kubeletPort: string;
}

/** Fetches the cluster CA without trusting the server yet; the caller verifies it. */
function fetchCa(server: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(new URL('/cacerts', server), { rejectUnauthorized: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`GET /cacerts: HTTP ${res.statusCode}`))));
    }).on('error', reject);
  });
}

export function agentCommand(): Command {
  return new Command('agent')
    .description('join this machine to a k8ts cluster as a worker node (kubelet + container runtime)')
    .requiredOption('--server <url>', 'the API server, e.g. https://10.0.0.1:6443')
    .requiredOption('--token <token>', "the server's node token (<server data dir>/node-token)")
    .option('--data-dir <dir>', 'node state lives here', defaultDataDir())
    .option('--node-name <name>', 'name of this node (default: the hostname)')
    .option('--runtime <kind>', 'containerd | process | auto (containerd when installed)', 'auto')
    .option('--pod-cidr <cidr>', 'pod addresses on this node (default 10.42.0.0/24)')
    .option('--cni-bridge <name>', 'CNI bridge device of this node (default k8ts0 for the default pod CIDR, else k8ts + the CIDR address in hex)')
    .option('--kubelet-port <port>', 'port of the kubelet HTTPS server', '10250')
    .action(async (opts: AgentFlags) => {
      const nodeName = (opts.nodeName ?? hostname()).toLowerCase();
      const { caHash } = parseNodeToken(opts.token);
      const caPem = await fetchCa(opts.server);
      const actual = createHash('sha256').update(new X509Certificate(caPem).raw).digest('hex');
      if (caHash && caHash !== actual) {
        throw new Error(`the server's CA does not match the token (expected sha256 ${caHash}, got ${actual}): wrong server or wrong token`);
      }
      if (!caHash) console.error('k8ts agent: warning: the token carries no CA hash; trusting the CA the server presented');
      await mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
      const kubeconfig = join(opts.dataDir, 'kubelet.kubeconfig');
      await writeKubeconfig(kubeconfig, { server: opts.server, caPem, token: opts.token, user: `system:node:${nodeName}` });
      const node = await startNode({
        dataDir: opts.dataDir,
        kubeconfig,
        clusterCaPem: caPem,
        runtime: opts.runtime,
        nodeName,
        ...(opts.podCidr ? { podCidr: opts.podCidr } : {}),
        ...(opts.cniBridge ? { cniBridge: opts.cniBridge } : {}),
        kubeletPort: Number(opts.kubeletPort),
      });
      console.error(`k8ts agent: node ${nodeName} joined ${opts.server} (runtime ${node.runtimeKind})`);
      console.log(`ready ${nodeName}`);
      stopOnSignals(() => node.stop(), (l) => console.error(`k8ts agent: ${l}`));
    });
}
