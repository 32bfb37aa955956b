// `k8ts server`: the control plane on a data directory. Ctrl-C stops it cleanly.

import { Command } from 'commander';
import { startApiServer } from '../apiserver/server.js';
import { DEFAULT_LISTEN, defaultDataDir } from './options.js';

export function serverCommand(name: string, description: string): Command {
  return new Command(name)
    .description(description)
    .option('--data-dir <dir>', 'state, certificates and kubeconfig live here', defaultDataDir())
    .option('--listen <host:port>', 'address the API server listens on (port 0: any free port)', DEFAULT_LISTEN)
    .option('--datastore <kind>', 'sqlite | memory | etcd://host:port[,host:port…]', 'sqlite')
    .action(async (opts: { dataDir: string; listen: string; datastore: string }) => {
      const started = Date.now();
      console.error(`k8ts: starting API server (datastore ${opts.datastore}, data dir ${opts.dataDir})`);
      const server = await startApiServer({ dataDir: opts.dataDir, listen: opts.listen, datastore: opts.datastore });
      console.error(`k8ts: API server ready at ${server.url} in ${Date.now() - started} ms`);
      console.error(`k8ts: admin kubeconfig: ${server.kubeconfigPath}`);
      console.error(`k8ts: try: kubectl --kubeconfig ${server.kubeconfigPath} get namespaces`);
      // Machine-readable line for scripts and tests.
      console.log(`ready ${server.url} ${server.kubeconfigPath}`);
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        console.error(`k8ts: ${signal}: shutting down`);
        server.close().then(
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
