// `k8ts controller-manager`: the controllers, leader-elected, against an API server.

import { Command } from 'commander';
import { RestClient } from '../client/index.js';
import { allControllers } from '../controllers/all.js';
import { startControllerManager } from '../controllers/manager.js';
import type { Controller } from '../controllers/types.js';

/** A Go-style duration ("40s", "1m30s", "500ms", "2h") in seconds. */
export function parseDurationSeconds(s: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  const unit: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };
  let total = 0;
  let consumed = 0;
  for (const m of s.matchAll(re)) {
    total += Number(m[1]) * unit[m[2]!]!;
    consumed += m[0].length;
  }
  if (consumed !== s.length || !s) {
    if (/^\d+$/.test(s)) return Number(s);
    throw new Error(`invalid duration "${s}"`);
  }
  return total;
}

/**
 * Upstream's --controllers: `*` enables all, `foo` enables foo, `-foo` disables foo (a name given
 * alone enables only the names given).
 */
export function selectControllers(all: Controller[], spec: string): Controller[] {
  const items = spec.split(',').map((s) => s.trim()).filter(Boolean);
  const known = new Set(all.map((c) => c.name));
  for (const it of items) {
    const n = it.startsWith('-') ? it.slice(1) : it;
    if (n !== '*' && !known.has(n)) throw new Error(`"${n}" is not in the list of known controllers: ${[...known].join(', ')}`);
  }
  const star = items.includes('*');
  return all.filter((c) => {
    if (items.includes(`-${c.name}`)) return false;
    return star || items.includes(c.name);
  });
}

function parseBool(v: string | boolean): boolean {
  if (typeof v === 'boolean') return v;
  if (/^(true|1|yes)$/i.test(v)) return true;
  if (/^(false|0|no)$/i.test(v)) return false;
  throw new Error(`invalid boolean "${v}"`);
}

export function controllerManagerCommand(): Command {
  return new Command('controller-manager')
    .description('run the controllers (replicasets, deployments, …) against an API server')
    .option('--kubeconfig <path>', 'kubeconfig of the API server (default: $KUBECONFIG or the data dir)')
    .option('--leader-elect [bool]', 'run under leader election on Lease kube-system/kube-controller-manager', true)
    .option('--controllers <list>', 'controllers to run: * for all, name to enable, -name to disable', '*')
    .option('--node-monitor-grace-period <duration>', 'time without a node Lease renewal before the node turns NotReady/Unknown', '40s')
    .option('--terminated-pod-gc-threshold <n>', 'terminated pods kept before PodGC deletes the oldest', '12500')
    .option('--concurrent-workers <n>', 'concurrent syncs per controller', '5')
    .action(async (opts: { kubeconfig?: string; leaderElect: string | boolean; controllers: string; nodeMonitorGracePeriod: string; terminatedPodGcThreshold: string; concurrentWorkers: string }) => {
      const client = await RestClient.fromKubeconfig(opts.kubeconfig);
      const controllers = selectControllers(allControllers(), opts.controllers);
      const manager = startControllerManager({
        client,
        controllers,
        leaderElect: parseBool(opts.leaderElect),
        options: {
          nodeMonitorGracePeriodSeconds: parseDurationSeconds(opts.nodeMonitorGracePeriod),
          terminatedPodGCThreshold: Number(opts.terminatedPodGcThreshold),
          workers: Number(opts.concurrentWorkers),
        },
        onLostLeadership: () => process.exit(1),
      });
      void manager.synced.then(() => console.log(`ready controllers=${controllers.map((c) => c.name).join(',')}`));
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        console.error(`k8ts controller-manager: ${signal}: shutting down`);
        manager.stop().then(
          () => {
            client.close();
            process.exit(0);
          },
          (e: unknown) => {
            console.error(`k8ts controller-manager: shutdown failed: ${String(e)}`);
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
    });
}
