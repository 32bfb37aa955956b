// startKubelet: the node agent, the pod informer (spec.nodeName=<node>), the pod workers, probes,
// volumes and status manager, wired together. Adopts what a previous run left in the runtime.

import { mkdirSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../api/registry.js';
import { EventRecorder, InformerFactory, isNotFound, objectOf, PODS, RestClient, type SharedInformer } from '../client/index.js';
import type { ContainerRuntime } from '../runtime/types.js';
import { Backoff, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { MANAGED_BY, podUidOf } from './labels.js';
import { defaultNodeIP } from './machine.js';
import { NodeAgent } from './node.js';
import { Pleg } from './pleg.js';
import { ContainerGC } from './gc.js';
import { PodWorkers } from './pod-workers.js';
import { ProbeManager } from './probes.js';
import { ApiObjectSource } from './sources.js';
import { StatusManager } from './status-manager.js';
import { PodSyncer } from './sync.js';
import type { ObjectSource, Pod } from './types.js';
import { VolumeManager } from './volumes/manager.js';
import { CONFIG_MIRROR, isMirrorPod, mirrorPodFor, readStaticPods } from './static-pods.js';

export interface KubeletOptions {
  /** API client, or a kubeconfig path to build one from. */
  client?: RestClient;
  kubeconfig?: string;
  runtime: ContainerRuntime;
  /** Default: the hostname, lower-cased. */
  nodeName?: string;
  /** Kubelet state lives under `<dataDir>/agent`. */
  dataDir: string;
  /** InternalIP (default: the first non-loopback IPv4 address). */
  nodeIP?: string;
  clusterDNS?: string[];
  clusterDomain?: string;
  maxPods?: number;
  nodeLabels?: Record<string, string>;
  /** Port of the kubelet HTTPS server, reported in the Node's daemonEndpoints (default 10250). */
  kubeletPort?: number;
  /** Resync each pod this often even without runtime changes (default 10 s). */
  podResyncMs?: number;
  /** Relist the runtime this often to notice container state changes (default 1 s). */
  relistMs?: number;
  backoff?: BackoffOptions;
  leaseRenewMs?: number;
  statusUpdateMs?: number;
  statusReportMs?: number;
  /** Container garbage collection period (default 60 s; also shortly after a pod is removed). */
  gcPeriodMs?: number;
  /** Cache lifetime of ConfigMaps/Secrets read for env and volumes (default 2 s). */
  objectCacheMs?: number;
  /** How often to re-read static pod manifests and check mirror pods (default 20 s). */
  staticPodCheckMs?: number;
  /** Override where ConfigMaps, Secrets and tokens come from. */
  source?: ObjectSource;
  events?: boolean;
  log?: (msg: string) => void;
}

export interface Kubelet {
  nodeName: string;
  node: NodeAgent;
  workers: PodWorkers;
  status: StatusManager;
  probes: ProbeManager;
  pods: SharedInformer<KubeObject>;
  gc: ContainerGC;
  /** Stop the kubelet. Containers keep running (a restarted kubelet adopts them). */
  stop(): Promise<void>;
}

export async function startKubelet(opts: KubeletOptions): Promise<Kubelet> {
  const log = opts.log ?? ((m: string) => process.stderr.write(`kubelet: ${m}\n`));
  const client = opts.client ?? (await RestClient.fromKubeconfig(opts.kubeconfig));
  const hostname = os.hostname().toLowerCase();
  const nodeName = (opts.nodeName ?? hostname).toLowerCase();
  const agentDir = join(opts.dataDir, 'agent');
  const podsDir = join(agentDir, 'pods');
  const logRoot = join(agentDir, 'logs', 'pods');
  mkdirSync(podsDir, { recursive: true });
  mkdirSync(logRoot, { recursive: true });
  const runtime = opts.runtime;
  const runtimeName = (await runtime.version().catch(() => ({ runtimeName: runtime.name }))).runtimeName;
  const internalIP = opts.nodeIP ?? defaultNodeIP();

  const node = new NodeAgent({
    client,
    runtime,
    nodeName,
    hostname: nodeName,
    internalIP,
    dataDir: agentDir,
    log,
    ...(opts.maxPods !== undefined ? { maxPods: opts.maxPods } : {}),
    ...(opts.nodeLabels ? { labels: opts.nodeLabels } : {}),
    ...(opts.kubeletPort ? { kubeletPort: opts.kubeletPort } : {}),
    ...(opts.leaseRenewMs ? { leaseRenewMs: opts.leaseRenewMs } : {}),
    ...(opts.statusUpdateMs ? { statusUpdateMs: opts.statusUpdateMs } : {}),
    ...(opts.statusReportMs ? { statusReportMs: opts.statusReportMs } : {}),
  });
  await node.start();

  const podsApi = client.resource<KubeObject>(PODS);
  const recorder = opts.events === false ? undefined : new EventRecorder(client, { component: 'kubelet', host: nodeName });
  const source = opts.source ?? new ApiObjectSource(client, opts.objectCacheMs);
  const status = new StatusManager(podsApi, log);
  let workers: PodWorkers | undefined;
  const probes = new ProbeManager(
    runtime,
    (uid) => workers?.trigger(uid),
    (e) => recorder?.event(e.pod as KubeObject, 'Warning', 'Unhealthy', `${e.kind[0]!.toUpperCase()}${e.kind.slice(1)} probe failed: ${e.message}`),
  );
  const volumes = new VolumeManager({ root: podsDir, source });
  const syncer = new PodSyncer({
    runtime,
    runtimeName,
    nodeName,
    nodeHostname: hostname,
    hostIP: () => internalIP,
    allocatable: () => node.allocatable(),
    nodeMemoryBytes: node.machine.memoryBytes,
    logRoot,
    dns: { clusterDNS: opts.clusterDNS ?? [], clusterDomain: opts.clusterDomain ?? 'cluster.local' },
    volumes,
    source,
    backoff: new Backoff(opts.backoff ?? DEFAULT_BACKOFF),
    probes,
    status,
    event: (pod, type, reason, message) => recorder?.event(pod as KubeObject, type, reason, message),
    deletePod: async (pod) => {
      try {
        await podsApi.delete(pod.metadata?.namespace, pod.metadata?.name ?? '', { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata?.uid ?? '' } });
      } catch (err) {
        if (!isNotFound(err) && (err as { code?: number }).code !== 409) throw err;
      }
    },
    log,
  });
  let gc: ContainerGC | undefined;
  workers = new PodWorkers(syncer, { log, resyncMs: opts.podResyncMs ?? 10_000, onTerminated: () => gc?.soon() });
  const pleg = new Pleg(runtime, nodeName, (uid, fp) => void (syncer.lastSeen(uid) === fp || workers?.trigger(uid)), log);

  // What an earlier run left behind: pod uids with sandboxes or volume directories here.
  const leftover = new Set<string>();
  for (const sb of await runtime.listPodSandboxes({ labels: { [MANAGED_BY]: nodeName } }).catch(() => [])) {
    const uid = podUidOf(sb);
    if (uid) leftover.add(uid);
  }
  for (const uid of volumes.knownPods()) leftover.add(uid);

  const factory = new InformerFactory(client, { onError: (err) => log(`pod watch: ${(err as Error).message}`) });
  const pods = factory.informerFor<KubeObject>(PODS, { fieldSelector: `spec.nodeName=${nodeName}` });
  const w = workers;
  // Mirror pods only reflect static pods; the manifests are what runs.
  pods.addEventHandler({
    onAdd: (p) => void (isMirrorPod(p as Pod) || w.update(p as Pod)),
    onUpdate: (_, p) => void (isMirrorPod(p as Pod) || w.update(p as Pod)),
    onDelete: (p) => void (isMirrorPod(objectOf(p) as Pod) || w.remove(objectOf(p) as Pod)),
  });
  factory.start();
  await factory.waitForSync();

  // Static pods from the manifests directory, each with a mirror pod in the API.
  const manifests = join(agentDir, 'manifests');
  mkdirSync(manifests, { recursive: true });
  let statics = new Map<string, Pod>();
  let staticBusy = false;
  const syncStatic = async (): Promise<void> => {
    if (staticBusy) return;
    staticBusy = true;
    try {
      const next = readStaticPods(manifests, nodeName, log);
      for (const [uid, p] of statics) {
        if (next.has(uid)) continue;
        w.remove(p);
        const mirror = pods.indexer.list().find((m) => m.metadata?.namespace === p.metadata?.namespace && m.metadata?.name === p.metadata?.name && isMirrorPod(m as Pod));
        if (mirror && ![...next.values()].some((n) => n.metadata?.name === p.metadata?.name && n.metadata?.namespace === p.metadata?.namespace)) {
          await podsApi.delete(p.metadata?.namespace, p.metadata?.name ?? '', { gracePeriodSeconds: 0 }).catch(() => undefined);
        }
      }
      statics = next;
      for (const p of next.values()) {
        w.update(p);
        const mirror = pods.indexer.list().find((m) => m.metadata?.namespace === p.metadata?.namespace && m.metadata?.name === p.metadata?.name);
        const hash = p.metadata?.annotations?.['kubernetes.io/config.hash'];
        if (mirror && mirror.metadata?.annotations?.[CONFIG_MIRROR] === hash && !mirror.metadata?.deletionTimestamp) continue;
        if (mirror) await podsApi.delete(p.metadata?.namespace, p.metadata?.name ?? '', { gracePeriodSeconds: 0 }).catch(() => undefined);
        const nodeRef: { name: string; uid?: string } = { name: nodeName };
        if (node.node?.metadata?.uid) nodeRef.uid = node.node.metadata.uid;
        await podsApi.create(p.metadata?.namespace, mirrorPodFor(p, nodeRef) as KubeObject).catch((err) => log(`mirror pod ${p.metadata?.name}: ${(err as Error).message}`));
      }
    } finally {
      staticBusy = false;
    }
  };
  await syncStatic().catch((err) => log(`static pods: ${(err as Error).message}`));
  const staticTimer = setInterval(() => void syncStatic().catch((err) => log(`static pods: ${(err as Error).message}`)), opts.staticPodCheckMs ?? 20_000);
  staticTimer.unref();

  // Pods deleted while we were away: remove their containers, sandboxes and volumes.
  const live = new Set([...pods.indexer.list().map((p) => p.metadata?.uid ?? ''), ...statics.keys()]);
  for (const uid of leftover) {
    if (live.has(uid)) continue;
    log(`removing leftovers of pod ${uid} (gone from the API)`);
    await syncer.remove(uid).catch((err) => log(`cleanup ${uid}: ${(err as Error).message}`));
  }
  await pleg.relist();
  pleg.start(opts.relistMs ?? 1000);
  // Only now is "live" complete (informer synced, manifests read): before, GC would see every pod as gone.
  gc = new ContainerGC({
    runtime,
    nodeName,
    logRoot,
    log,
    liveUids: () => new Set([...pods.indexer.list().map((p) => p.metadata?.uid ?? ''), ...statics.keys(), ...w.uids()]),
  });
  gc.start(opts.gcPeriodMs ?? 60_000);
  log(`node ${nodeName} ready (runtime ${runtimeName}, ${live.size} pods)`);

  return {
    nodeName,
    node,
    workers,
    status,
    probes,
    pods,
    gc,
    async stop() {
      clearInterval(staticTimer);
      gc?.stop();
      pleg.stop();
      node.stop();
      await factory.stop();
      await w.stop();
      probes.stop();
      await recorder?.stop();
    },
  };
}
