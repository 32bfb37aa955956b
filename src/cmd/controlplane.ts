// The control plane in one process: the API server, then the scheduler and the controller manager
// as API clients of it, each with its own credentials. `k8ts server` and `k8ts up` are built on it.

import { startApiServer, type RunningApiServer } from '../apiserver/server.js';
import { RestClient } from '../client/index.js';
import { startControllerManager } from '../controllers/manager.js';
import { allControllers } from '../controllers/all.js';
import { componentKubeconfig, CONTROLLER_MANAGER, SCHEDULER } from './credentials.js';
import { startScheduler } from './scheduler.js';

export interface ControlPlaneOptions {
  dataDir: string;
  listen: string;
  datastore: string;
  scheduler?: boolean;
  controllerManager?: boolean;
  nodeMonitorGracePeriodSeconds?: number;
  watchCacheMaxEvents?: number;
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
}

export interface ControlPlane {
  server: RunningApiServer;
  /** Components first (they are clients), then the API server and its store. */
  stop(): Promise<void>;
}

export async function startControlPlane(opts: ControlPlaneOptions): Promise<ControlPlane> {
  const log = opts.log ?? ((l: string) => console.error(`k8ts: ${l}`));
  const started = Date.now();
  log(`starting API server (datastore ${opts.datastore}, data dir ${opts.dataDir})`);
  const server = await startApiServer({
    dataDir: opts.dataDir,
    listen: opts.listen,
    datastore: opts.datastore,
    ...(opts.watchCacheMaxEvents !== undefined ? { watchCacheMaxEvents: opts.watchCacheMaxEvents } : {}),
  });
  log(`API server ready at ${server.url} in ${Date.now() - started} ms`);
  const stops: Array<() => Promise<void>> = [];
  try {
    if (opts.scheduler !== false) {
      const kubeconfig = await componentKubeconfig(opts.dataDir, server.url, SCHEDULER);
      const scheduler = await startScheduler({ kubeconfig, leaderElect: true, onError: (e) => log(`scheduler: ${String(e)}`) });
      stops.push(() => scheduler.stop());
      log('scheduler started');
    }
    if (opts.controllerManager !== false) {
      const kubeconfig = await componentKubeconfig(opts.dataDir, server.url, CONTROLLER_MANAGER);
      const client = await RestClient.fromKubeconfig(kubeconfig, { userAgent: 'k8ts-controller-manager' });
      const controllers = allControllers();
      const manager = startControllerManager({
        client,
        controllers,
        leaderElect: true,
        options: opts.nodeMonitorGracePeriodSeconds ? { nodeMonitorGracePeriodSeconds: opts.nodeMonitorGracePeriodSeconds } : {},
      });
      stops.push(async () => {
        await manager.stop();
        client.close();
      });
      log(`controller manager started (${controllers.length} controllers)`);
    }
  } catch (e) {
    await Promise.all(stops.map((s) => s().catch(() => {})));
    await server.close();
    throw e;
  }
  return {
    server,
    async stop() {
      await Promise.all(stops.map((s) => s()));
      await server.close();
    },
  };
}

/** Runs `stop` once on SIGINT/SIGTERM, then exits (0 when it succeeded). */
export function stopOnSignals(stop: () => Promise<void>, log: (line: string) => void = (l) => console.error(`k8ts: ${l}`)): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: shutting down`);
    stop().then(
      () => process.exit(0),
      (e: unknown) => {
        log(`shutdown failed: ${String(e)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => handler('SIGINT'));
  process.on('SIGTERM', () => handler('SIGTERM'));
}
