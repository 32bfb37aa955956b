// `k8ts server`: the control plane on a data directory — the API server, and the scheduler and the
// controller manager as API clients of it, each with its own credentials. Ctrl-C stops it cleanly.

import { Command } from 'commander';
import { addWatchCacheOption, DEFAULT_LISTEN, defaultDataDir } from './options.js';
import { parseDurationSeconds } from './controller-manager.js';
import { startControlPlane, stopOnSignals } from './controlplane.js';

interface ServerFlags {
  dataDir: string;
  listen: string;
  datastore: string;
  disableScheduler?: boolean;
  disableControllerManager?: boolean;
  nodeMonitorGracePeriod?: string;
  watchCacheMaxEvents: number;
}

export function serverCommand(name: string, description: string, components = true): Command {
  const cmd = new Command(name)
    .description(description)
    .option('--data-dir <dir>', 'state, certificates and kubeconfig live here', defaultDataDir())
    .option('--listen <host:port>', 'address the API server listens on (port 0: any free port)', DEFAULT_LISTEN)
    .option('--datastore <kind>', 'sqlite | memory | etcd://host:port[,host:port…]', 'sqlite');
  addWatchCacheOption(cmd);
  if (components) {
    cmd.option('--disable-scheduler', 'do not run the scheduler in this process');
    cmd.option('--disable-controller-manager', 'do not run the controller manager in this process');
    cmd.option('--node-monitor-grace-period <duration>', 'time without a node Lease renewal before the node turns Unknown', '40s');
  }
  return cmd.action(async (opts: ServerFlags) => {
    const cp = await startControlPlane({
      dataDir: opts.dataDir,
      listen: opts.listen,
      datastore: opts.datastore,
      watchCacheMaxEvents: opts.watchCacheMaxEvents,
      scheduler: components && !opts.disableScheduler,
      controllerManager: components && !opts.disableControllerManager,
      nodeMonitorGracePeriodSeconds: parseDurationSeconds(opts.nodeMonitorGracePeriod ?? '40s'),
    });
    console.error(`k8ts: admin kubeconfig: ${cp.server.kubeconfigPath}`);
    console.error(`k8ts: try: kubectl --kubeconfig ${cp.server.kubeconfigPath} get namespaces`);
    // Machine-readable line for scripts and tests.
    console.log(`ready ${cp.server.url} ${cp.server.kubeconfigPath}`);
    stopOnSignals(() => cp.stop());
  });
}
