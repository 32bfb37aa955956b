// `k8ts scheduler --kubeconfig K [--leader-elect=true]`, and startScheduler() for embedding the
// scheduler in `k8ts server` / `k8ts up`.

import { Command } from 'commander';
import { RestClient } from '../client/index.js';
import { runWithLeaderElection } from '../scheduler/run.js';
import type { PluginMetrics } from '../scheduler/framework/runtime.js';
import type { Scheduler } from '../scheduler/scheduler.js';

export interface StartSchedulerOptions {
  /** Path of a kubeconfig; or pass `client`. */
  kubeconfig?: string;
  client?: RestClient;
  /** Default true (Lease kube-system/kube-scheduler). */
  leaderElect?: boolean;
  percentageOfNodesToScore?: number;
  metrics?: PluginMetrics;
  onError?: (err: unknown) => void;
  onScheduler?: (s: Scheduler) => void;
}

export interface RunningScheduler {
  /** Stop scheduling, release the lease, close the client if we opened it. */
  stop(): Promise<void>;
  /** Settles when the scheduler ends (after stop, or on a fatal error). */
  done: Promise<void>;
}

export async function startScheduler(opts: StartSchedulerOptions): Promise<RunningScheduler> {
  const own = !opts.client;
  // Binding at ≥1,000 pods/s needs more than the client's default 200 requests/s.
  const client = opts.client ?? (await RestClient.fromKubeconfig(opts.kubeconfig, { qps: 5000, burst: 10000, userAgent: 'k8ts-scheduler' }));
  const ac = new AbortController();
  const done = runWithLeaderElection(
    {
      client,
      leaderElect: opts.leaderElect ?? true,
      ...(opts.percentageOfNodesToScore !== undefined ? { percentageOfNodesToScore: opts.percentageOfNodesToScore } : {}),
      ...(opts.metrics ? { metrics: opts.metrics } : {}),
      ...(opts.onError ? { onError: opts.onError } : {}),
      ...(opts.onScheduler ? { onScheduler: opts.onScheduler } : {}),
    },
    ac.signal,
  );
  return {
    done,
    async stop() {
      ac.abort();
      await done.catch(() => {});
      if (own) client.close();
    },
  };
}

function parseBool(v: string): boolean {
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new Error(`invalid boolean "${v}"`);
}

export function schedulerCommand(): Command {
  return new Command('scheduler')
    .description('run the scheduler against an API server')
    .option('--kubeconfig <path>', 'kubeconfig of the API server (default: $KUBECONFIG or ~/.kube/config)')
    .option('--leader-elect [bool]', 'elect a leader on the kube-system/kube-scheduler Lease', (v: string) => parseBool(v), true)
    .option('--percentage-of-nodes-to-score <n>', '0 is adaptive, as upstream', (v: string) => Number(v), 0)
    .action(async (opts: { kubeconfig?: string; leaderElect: boolean; percentageOfNodesToScore: number }) => {
      const s = await startScheduler({
        ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig } : {}),
        leaderElect: opts.leaderElect,
        percentageOfNodesToScore: opts.percentageOfNodesToScore,
      });
      console.error(`k8ts: scheduler started (leader election ${opts.leaderElect ? 'on' : 'off'})`);
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        console.error(`k8ts: ${signal}: stopping the scheduler`);
        s.stop().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
      await s.done;
    });
}
