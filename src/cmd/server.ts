// `k8ts server`: the control plane on a data directory — the API server, and the scheduler and the
// controller manager as API clients of it, each with its own credentials. Ctrl-C stops it cleanly.

import { Command } from 'commander';
import { startApiServer } from '../apiserver/server.js';
import { DEFAULT_LISTEN, defaultDataDir } from './options.js';
import { componentKubeconfig, CONTROLLER_MANAGER, SCHEDULER } from './credentials.js';
import { startScheduler } from './scheduler.js';
import { RestClient } from '../client/index.js';
import { startControllerManager } from '../controllers/manager.js';
import { allControllers } from '../controllers/all.js';
import { parseDurationSeconds } from './controller-manager.js';

interface ServerFlags {
  dataDir: string;
  listen: string;
  datastore: string;
  disableScheduler?: boolean;
  disableControllerManager?: boolean;
  nodeMonitorGracePeriod?: string;
}

export function serverCommand(name: string, description: string, components = true): Command {
  const cmd = new Command(name)
    .description(description)
    .option('--data-dir <dir>', 'state, certificates and kubeconfig live here', defaultDataDir())
    .option('--listen <host:port>', 'address the API server listens on (port 0: any free port)', DEFAULT_LISTEN)
    .option('--datastore <kind>', 'sqlite | memory | etcd://host:port[,host:port…]', 'sqlite');
  if (components) {
    cmd.option('--disable-scheduler', 'do not run the scheduler in this process');
    cmd.option('--disable-controller-manager', 'do not run the controller manager in this process');
    cmd.option('--node-monitor-grace-period <duration>', 'time without a node Lease renewal before the node turns Unknown', '40s');
  }
  return cmd.action(async (opts: ServerFlags) => {
    const started = Date.now();
    console.error(`k8ts: starting API server (datastore ${opts.datastore}, data dir ${opts.dataDir})`);
    const server = await startApiServer({ dataDir: opts.dataDir, listen: opts.listen, datastore: opts.datastore });
    console.error(`k8ts: API server ready at ${server.url} in ${Date.now() - started} ms`);
    const stops: Array<() => Promise<void>> = [];
    if (components && !opts.disableScheduler) {
      const kubeconfig = await componentKubeconfig(opts.dataDir, server.url, SCHEDULER);
      const scheduler = await startScheduler({ kubeconfig, leaderElect: true, onError: (e) => console.error(`k8ts: scheduler: ${String(e)}`) });
      stops.push(() => scheduler.stop());
      console.error('k8ts: scheduler started');
    }
    if (components && !opts.disableControllerManager) {
      const kubeconfig = await componentKubeconfig(opts.dataDir, server.url, CONTROLLER_MANAGER);
      const client = await RestClient.fromKubeconfig(kubeconfig, { userAgent: 'k8ts-controller-manager' });
      const controllers = allControllers();
      const manager = startControllerManager({
        client,
        controllers,
        leaderElect: true,
        options: { nodeMonitorGracePeriodSeconds: parseDurationSeconds(opts.nodeMonitorGracePeriod ?? '40s') },
      });
      stops.push(async () => {
        await manager.stop();
        client.close();
      });
      console.error(`k8ts: controller manager started (${controllers.map((c) => c.name).join(', ')})`);
    }
    console.error(`k8ts: admin kubeconfig: ${server.kubeconfigPath}`);
    console.error(`k8ts: try: kubectl --kubeconfig ${server.kubeconfigPath} get namespaces`);
    // Machine-readable line for scripts and tests.
    console.log(`ready ${server.url} ${server.kubeconfigPath}`);
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      console.error(`k8ts: ${signal}: shutting down`);
      // Components first (they are clients), then the API server and its store.
      Promise.all(stops.map((s) => s()))
        .then(() => server.close())
        .then(
          () => process.exit(0),
          (e: unknown) => {
            console.error(`k8ts: shutdown failed: ${String(e)}`);
            process.exit(1);
          },
        );
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
}
