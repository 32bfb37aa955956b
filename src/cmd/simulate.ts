// `k8ts simulate`: registers N simulated nodes and runs the pods bound to them (no containers).
// Ctrl-C stops renewing (the nodes then go NotReady, as lost nodes do) unless --cleanup is given.

import { Command, InvalidArgumentError } from 'commander';
import { parseDuration, parseLabels, parseTaints, startSimulator } from '../simulator/index.js';

function int(name: string, min: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer ≥ ${min}`);
    return n;
  };
}

function duration(name: string) {
  return (v: string): number => {
    try {
      const ms = parseDuration(v);
      if (ms > 0) return ms;
    } catch {
      // fall through
    }
    throw new InvalidArgumentError(`${name} must be a positive duration such as 10s or 5m`);
  };
}

export interface SimulateFlags {
  leaseRenewInterval: number;
  nodeStatusInterval: number;
  kubeconfig?: string;
  nodes: number;
  cpu: string;
  memory: string;
  pods: string;
  ephemeralStorage: string;
  namePrefix: string;
  labels?: string;
  taints?: string;
  ipOffset: number;
  concurrency: number;
  podWorkers: number;
  events: boolean;
  cleanup: boolean;
}

export function simulateCommand(): Command {
  return new Command('simulate')
    .description('run simulated nodes (fake kubelets) against a cluster, for scheduling and controller tests')
    .option('--kubeconfig <path>', 'kubeconfig to use (default $KUBECONFIG, ~/.kube/config)')
    .requiredOption('--nodes <n>', 'number of nodes to register', int('--nodes', 0))
    .option('--cpu <quantity>', 'CPU capacity per node', '32')
    .option('--memory <quantity>', 'memory capacity per node', '256Gi')
    .option('--pods <n>', 'pod capacity per node', '110')
    .option('--ephemeral-storage <quantity>', 'ephemeral-storage capacity per node', '100Gi')
    .option('--name-prefix <prefix>', 'node names are <prefix><index>', 'sim-')
    .option('--labels <k=v,...>', 'extra labels on every node')
    .option('--taints <k=v:Effect,...>', 'taints on every node')
    .option('--ip-offset <n>', 'address index of the first node (give processes sharing a cluster disjoint ranges)', int('--ip-offset', 0), 0)
    .option('--concurrency <n>', 'API requests in flight for registration and lease renewal', int('--concurrency', 1), 64)
    .option('--pod-workers <n>', 'pods handled concurrently', int('--pod-workers', 1), 16)
    .option('--lease-renew-interval <duration>', 'how often each node renews its Lease', duration('--lease-renew-interval'), 10_000)
    .option('--node-status-interval <duration>', 'how often each node re-posts its status when nothing changed', duration('--node-status-interval'), 300_000)
    .option('--no-events', 'do not write Events for container starts, back-offs and kills')
    .option('--cleanup', 'delete the nodes on exit (default: leave them, to go NotReady like lost nodes)', false)
    .action(async (flags: SimulateFlags) => {
      const started = Date.now();
      let lastShown = 0;
      const sim = await startSimulator({
        ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
        nodes: flags.nodes,
        namePrefix: flags.namePrefix,
        cpu: flags.cpu,
        memory: flags.memory,
        pods: flags.pods,
        ephemeralStorage: flags.ephemeralStorage,
        labels: parseLabels(flags.labels),
        taints: parseTaints(flags.taints),
        ipOffset: flags.ipOffset,
        concurrency: flags.concurrency,
        podWorkers: flags.podWorkers,
        events: flags.events,
        cleanup: flags.cleanup,
        timings: { leaseRenewMs: flags.leaseRenewInterval, nodeStatusReportMs: flags.nodeStatusInterval },
        onProgress: (done, total) => {
          const now = Date.now();
          if (done === total || now - lastShown > 2000) {
            lastShown = now;
            console.error(`k8ts simulate: registered ${done}/${total} nodes`);
          }
        },
      });
      const ms = Date.now() - started;
      console.error(`k8ts simulate: ${sim.nodes.length} nodes ready in ${ms} ms; Ctrl-C to stop${flags.cleanup ? ' (nodes will be deleted)' : ''}`);
      // Machine-readable line for scripts and tests.
      console.log(`ready ${sim.nodes.length}`);
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        console.error(`k8ts simulate: ${signal}: stopping`);
        sim.stop().then(
          () => process.exit(0),
          (e: unknown) => {
            console.error(`k8ts simulate: stop failed: ${e instanceof Error ? e.message : String(e)}`);
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
    });
}
