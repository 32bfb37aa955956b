// Wires a Scheduler to informers and leader election: the piece `k8ts scheduler` and `k8ts server` start.

import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Namespace, Node, Pod } from 'kubernetes-types/core/v1.js';
import {
  EventRecorder,
  InformerFactory,
  LeaderElector,
  NAMESPACES,
  NODES,
  PODS,
  REPLICA_SETS,
  REPLICATION_CONTROLLERS,
  RestClient,
  SERVICES,
  STATEFUL_SETS,
  objectOf,
  waitForCacheSync,
} from '../client/index.js';
import type { KubeObject } from '../api/registry.js';
import { Scheduler, DefaultSchedulerName } from './scheduler.js';
import { restSchedulerApi } from './rest-api.js';
import { defaultProfile } from './profile.js';
import type { PluginMetrics } from './framework/runtime.js';
import type { PluginsFactory } from './framework/types.js';

export interface RunSchedulerOptions {
  client: RestClient;
  leaderElect?: boolean;
  schedulerName?: string;
  plugins?: PluginsFactory;
  percentageOfNodesToScore?: number;
  metrics?: PluginMetrics;
  /** Lease kube-system/kube-scheduler by default. */
  leaseNamespace?: string;
  leaseName?: string;
  onError?: (err: unknown) => void;
  /** Called with each new Scheduler (one per leadership term), e.g. for benchmarks. */
  onScheduler?: (s: Scheduler) => void;
}

/** Informers → scheduler, until `signal` aborts. */
export async function runScheduler(opts: RunSchedulerOptions, signal: AbortSignal): Promise<void> {
  const onError = opts.onError ?? ((e: unknown) => console.error('scheduler:', e));
  const recorder = new EventRecorder(opts.client, { component: opts.schedulerName ?? DefaultSchedulerName, onError });
  const sched = new Scheduler({
    api: restSchedulerApi(opts.client, recorder),
    plugins: opts.plugins ?? defaultProfile(),
    onError,
    ...(opts.schedulerName ? { schedulerName: opts.schedulerName } : {}),
    ...(opts.percentageOfNodesToScore !== undefined ? { percentageOfNodesToScore: opts.percentageOfNodesToScore } : {}),
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
  });
  opts.onScheduler?.(sched);
  const factory = new InformerFactory(opts.client, { onError });
  // One pod informer for all pods: pending ones feed the queue, assigned ones the cache.
  const pods = factory.informerFor<KubeObject>(PODS);
  const nodes = factory.informerFor<KubeObject>(NODES);
  const namespaces = factory.informerFor<KubeObject>(NAMESPACES);
  // What selects pods, for PodTopologySpread's default constraints.
  const owners = (
    [
      ['Service', SERVICES],
      ['ReplicationController', REPLICATION_CONTROLLERS],
      ['ReplicaSet', REPLICA_SETS],
      ['StatefulSet', STATEFUL_SETS],
    ] as const
  ).map(([kind, ref]) => {
    const inf = factory.informerFor<KubeObject>(ref);
    type Owner = Parameters<Scheduler['onOwner']>[1];
    inf.addEventHandler({
      onAdd: (o) => sched.onOwner(kind, o as Owner),
      onUpdate: (_o, n) => sched.onOwner(kind, n as Owner),
      onDelete: (o) => sched.onOwner(kind, objectOf(o) as Owner, true),
    });
    return inf;
  });
  const asPod = (o: unknown) => o as Pod;
  const asNode = (o: unknown) => o as Node;
  nodes.addEventHandler({
    onAdd: (n) => sched.onNodeAdd(asNode(n)),
    onUpdate: (o, n) => o !== n && sched.onNodeUpdate(asNode(o), asNode(n)),
    onDelete: (n) => sched.onNodeDelete(asNode(objectOf(n))),
  });
  namespaces.addEventHandler({
    onAdd: (n) => sched.onNamespace(n as Namespace),
    onUpdate: (_o, n) => sched.onNamespace(n as Namespace),
    onDelete: (n) => sched.onNamespace(objectOf(n) as Namespace, true),
  });
  pods.addEventHandler({
    onAdd: (p) => sched.onPodAdd(asPod(p)),
    onUpdate: (o, p) => o !== p && sched.onPodUpdate(asPod(o), asPod(p)),
    onDelete: (p) => sched.onPodDelete(asPod(objectOf(p))),
  });
  factory.start();
  try {
    await waitForCacheSync([nodes, namespaces, ...owners, pods], signal);
    if (!signal.aborted) await sched.run(signal);
  } finally {
    await sched.stop();
    await factory.stop();
    await recorder.flush().catch(onError);
    await recorder.stop();
  }
}

/** Run, leader-elected on the kube-system/kube-scheduler Lease unless `leaderElect` is false. */
export async function runWithLeaderElection(opts: RunSchedulerOptions, signal: AbortSignal): Promise<void> {
  if (opts.leaderElect === false) return runScheduler(opts, signal);
  const elector = new LeaderElector({
    client: opts.client,
    namespace: opts.leaseNamespace ?? 'kube-system',
    name: opts.leaseName ?? 'kube-scheduler',
    identity: `${hostname()}_${randomUUID()}`,
    onStartedLeading: (leading) => runScheduler(opts, leading),
    ...(opts.onError ? { onError: opts.onError } : {}),
  });
  await elector.run(signal);
}
