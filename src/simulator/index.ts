// k8ts simulate: many fake kubelets in one process. Public entry point for the command, tests,
// benchmarks and embedding.

import { EventRecorder, RestClient } from '../client/index.js';
import { MAX_NODE_INDEX } from './addresses.js';
import { NodeFleet } from './fleet.js';
import { DEFAULT_SHAPE, DEFAULT_TIMINGS, OptionError, type NodeShape, type Taint, type Timings } from './options.js';
import { PodDriver } from './pods.js';

export { parseLabels, parseTaints, DEFAULT_SHAPE, DEFAULT_TIMINGS, OptionError, type NodeShape, type Taint, type Timings } from './options.js';
export { parseDuration } from './duration.js';
export * from './behaviour.js';
export * as lifecycle from './lifecycle.js';
export { renderPodStatus, adoptPodSim, type Placement } from './status.js';
export { KUBELET_VERSION, SIMULATED_ANNOTATION } from './node.js';

export interface SimulatorOptions {
  /** Path of a kubeconfig (default $KUBECONFIG, ~/.kube/config), unless `client` is given. */
  kubeconfig?: string;
  client?: RestClient;
  /** How many nodes: `<namePrefix>0` … `<namePrefix><nodes-1>`. */
  nodes: number;
  namePrefix?: string;
  cpu?: string;
  memory?: string;
  pods?: string;
  ephemeralStorage?: string;
  /** Extra node labels (the standard hostname/os/arch labels are always set). */
  labels?: Record<string, string>;
  taints?: Taint[];
  /**
   * Address index of the first node (InternalIP and pod CIDR derive from it). Give processes that
   * share a cluster disjoint ranges, e.g. 0 and 5000.
   */
  ipOffset?: number;
  /** Overrides for lease, heartbeat and back-off periods (tests shorten them). */
  timings?: Partial<Timings>;
  /** Requests in flight for node registration and lease renewal (default 64). */
  concurrency?: number;
  /** Pod workers (default 16). */
  podWorkers?: number;
  /** Write Events (Started, BackOff, Killing) as a kubelet would (default true). */
  events?: boolean;
  /** Delete the nodes (and leases) on stop. Default false: a stopped simulator looks like lost nodes. */
  cleanup?: boolean;
  /** Progress and problems (default: stderr). */
  log?: (msg: string) => void;
  /** Called while registering with the count of nodes done. */
  onProgress?: (done: number, total: number) => void;
}

export interface Simulator {
  /** The node names, in index order. */
  nodes: string[];
  fleet: NodeFleet;
  pods: PodDriver;
  stop(): Promise<void>;
}

/** Registers the nodes, starts lease/heartbeat renewal and the pod driver; resolves once all are up. */
export async function startSimulator(opts: SimulatorOptions): Promise<Simulator> {
  if (!Number.isInteger(opts.nodes) || opts.nodes < 0) throw new OptionError(`--nodes: want a non-negative integer, got ${opts.nodes}`);
  const ipOffset = opts.ipOffset ?? 0;
  if (ipOffset + opts.nodes - 1 > MAX_NODE_INDEX) throw new OptionError(`at most ${MAX_NODE_INDEX + 1} nodes (including --ip-offset)`);
  const log = opts.log ?? ((m: string) => console.error(`k8ts simulate: ${m}`));
  const prefix = opts.namePrefix ?? 'sim-';
  const shape: NodeShape = {
    cpu: opts.cpu ?? DEFAULT_SHAPE.cpu,
    memory: opts.memory ?? DEFAULT_SHAPE.memory,
    pods: opts.pods ?? DEFAULT_SHAPE.pods,
    ephemeralStorage: opts.ephemeralStorage ?? DEFAULT_SHAPE.ephemeralStorage,
    labels: { ...(opts.labels ?? {}) },
    taints: [...(opts.taints ?? [])],
  };
  const timings: Timings = { ...DEFAULT_TIMINGS, ...(opts.timings ?? {}) };
  if (!(timings.backoffInitialMs > 0)) throw new OptionError('back-off must be positive');
  const ownClient = !opts.client;
  // Thousands of kubelets' worth of traffic: no client-side QPS limit; concurrency bounds it instead.
  const client = opts.client ?? (await RestClient.fromKubeconfig(opts.kubeconfig, { qps: 0, userAgent: 'k8ts-simulate', maxSockets: 512 }));
  const names = Array.from({ length: opts.nodes }, (_, i) => `${prefix}${i}`);
  const concurrency = opts.concurrency ?? 64;

  const fleet = new NodeFleet(client, { names, ipOffset, prefix, shape, timings, concurrency, log });
  const recorder = opts.events === false ? undefined : new EventRecorder(client, { component: 'kubelet', reportingInstance: 'k8ts-simulate' });
  const pods = new PodDriver(client, {
    node: (n) => fleet.get(n),
    backoff: { initialMs: timings.backoffInitialMs, maxMs: timings.backoffMaxMs },
    workers: opts.podWorkers ?? 16,
    ...(recorder ? { recorder } : {}),
    log,
  });

  try {
    await fleet.register((done) => opts.onProgress?.(done, names.length));
    fleet.start();
    await pods.start();
  } catch (e) {
    await Promise.allSettled([fleet.stop(), pods.stop()]);
    if (ownClient) client.close();
    throw e;
  }

  let stopped: Promise<void> | undefined;
  return {
    nodes: names,
    fleet,
    pods,
    stop() {
      stopped ??= (async () => {
        await Promise.all([fleet.stop(), pods.stop()]);
        await recorder?.stop();
        if (opts.cleanup) await fleet.deleteAll();
        if (ownClient) client.close();
      })();
      return stopped;
    },
  };
}
