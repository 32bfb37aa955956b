// NodeAgent: registers the Node, renews its Lease every 10 s, and writes node status every 10 s when
// something changed, otherwise every 5 minutes (upstream's nodeStatusReportFrequency).

import { rfc3339Micro } from '../api/objects.js';
import type { KubeObject } from '../api/registry.js';
import { isAlreadyExists, isConflict, isNotFound, LEASES, NAMESPACES, NODES, type RestClient } from '../client/index.js';
import type { ContainerRuntime } from '../runtime/types.js';
import { machineInfo, pressureSignals, type MachineInfo } from './machine.js';
import { buildNode, nodeImages, nodeLabels, nodeStatus, statusChanged, type NodeFacts } from './node-status.js';
import type { Node } from './types.js';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export interface NodeAgentOptions {
  client: RestClient;
  runtime: ContainerRuntime;
  nodeName: string;
  hostname: string;
  internalIP: string;
  dataDir: string;
  maxPods?: number;
  labels?: Record<string, string>;
  kubeletPort?: number;
  leaseDurationSeconds?: number;
  leaseRenewMs?: number;
  statusUpdateMs?: number;
  statusReportMs?: number;
  log?: (msg: string) => void;
}

export class NodeAgent {
  readonly machine: MachineInfo;
  node: Node | undefined;
  private runtimeVersion = '';
  private timers: NodeJS.Timeout[] = [];
  private lastReport = 0;
  private stopped = false;
  private busy = false;
  private leaseBusy = false;

  constructor(private readonly o: NodeAgentOptions) {
    this.machine = machineInfo(o.dataDir);
  }

  private log(msg: string): void {
    this.o.log?.(msg);
  }

  get podCIDR(): string | undefined {
    return this.node?.spec?.podCIDR;
  }

  allocatable(): { cpu: string; memory: string; 'ephemeral-storage'?: string } {
    const a = this.node?.status?.allocatable ?? {};
    return { cpu: String(a['cpu'] ?? this.machine.cpus), memory: String(a['memory'] ?? this.machine.memoryBytes), 'ephemeral-storage': String(a['ephemeral-storage'] ?? this.machine.ephemeralBytes) };
  }

  private async facts(): Promise<NodeFacts> {
    let runtimeReady = true;
    let runtimeMessage: string | undefined;
    try {
      const v = await this.o.runtime.version();
      this.runtimeVersion = `${v.runtimeName}://${v.runtimeVersion}`;
    } catch (err) {
      runtimeReady = false;
      runtimeMessage = (err as Error).message;
    }
    const f: NodeFacts = {
      name: this.o.nodeName,
      hostname: this.o.hostname,
      internalIP: this.o.internalIP,
      machine: this.machine,
      runtimeVersion: this.runtimeVersion,
      runtimeReady,
      pressure: pressureSignals(this.o.dataDir),
      maxPods: this.o.maxPods ?? 110,
      ...(this.o.kubeletPort ? { kubeletPort: this.o.kubeletPort } : {}),
    };
    if (runtimeMessage) f.runtimeMessage = runtimeMessage;
    if (runtimeReady) {
      const images = await this.o.runtime.listImages().catch(() => undefined);
      if (images) f.images = nodeImages(images);
    }
    if (this.o.labels) f.labels = this.o.labels;
    return f;
  }

  /** Register (or take over) the Node and its Lease, then start the loops. */
  async start(): Promise<void> {
    const nodes = this.o.client.resource<KubeObject>(NODES);
    const facts = await this.facts();
    const now = Date.now();
    try {
      this.node = (await nodes.create(undefined, buildNode(facts, now) as KubeObject)) as Node;
      this.log(`registered node ${this.o.nodeName}`);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const existing = (await nodes.get(undefined, this.o.nodeName)) as Node;
      const labels = { ...(existing.metadata?.labels ?? {}), ...nodeLabels(facts) };
      await nodes.patch(undefined, this.o.nodeName, { metadata: { labels } }, 'merge');
      this.node = (await nodes.patch(undefined, this.o.nodeName, { status: nodeStatus(facts, existing.status, now) }, 'merge', { subresource: 'status' })) as Node;
    }
    this.lastReport = now;
    await this.renewLease().catch((err) => this.log(`lease: ${(err as Error).message}`));
    const every = (ms: number, fn: () => Promise<void>) => {
      const t = setInterval(() => void fn().catch((err) => this.log((err as Error).message)), ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.o.leaseRenewMs ?? 10_000, () => this.renewLease());
    every(this.o.statusUpdateMs ?? 10_000, async () => void (await this.updateStatus()));
  }

  /** Write the node status if it changed, or if the report period has passed. */
  async updateStatus(force = false): Promise<boolean> {
    if (this.stopped || this.busy) return false;
    this.busy = true;
    try {
      const nodes = this.o.client.resource<KubeObject>(NODES);
      const now = Date.now();
      const next = nodeStatus(await this.facts(), this.node?.status, now);
      const due = now - this.lastReport >= (this.o.statusReportMs ?? 300_000);
      if (!force && !due && !statusChanged(this.node?.status, next)) return false;
      try {
        this.node = (await nodes.patch(undefined, this.o.nodeName, { status: next }, 'merge', { subresource: 'status' })) as Node;
      } catch (err) {
        if (!isNotFound(err)) throw err;
        // Someone deleted our Node: register again.
        this.node = (await nodes.create(undefined, buildNode(await this.facts(), now) as KubeObject)) as Node;
      }
      this.lastReport = now;
      return true;
    } finally {
      this.busy = false;
    }
  }

  async renewLease(): Promise<void> {
    if (this.stopped || this.leaseBusy) return;
    this.leaseBusy = true;
    try {
      const leases = this.o.client.resource<KubeObject>(LEASES);
      const ns = NODE_LEASE_NAMESPACE;
      const now = Date.now();
      const spec = { holderIdentity: this.o.nodeName, leaseDurationSeconds: this.o.leaseDurationSeconds ?? 40, renewTime: rfc3339Micro(now) };
      let lease: KubeObject | undefined;
      try {
        lease = await leases.get(ns, this.o.nodeName);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      if (lease) {
        try {
          await leases.update(ns, { ...lease, spec: { ...(lease['spec'] as object), ...spec } });
        } catch (err) {
          if (!isConflict(err)) throw err;
        }
        return;
      }
      const obj: KubeObject = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.o.nodeName, namespace: ns }, spec };
      if (this.node?.metadata?.uid) obj.metadata!.ownerReferences = [{ apiVersion: 'v1', kind: 'Node', name: this.o.nodeName, uid: this.node.metadata.uid }];
      try {
        await leases.create(ns, obj);
      } catch (err) {
        if (isNotFound(err)) {
          await this.o.client.resource<KubeObject>(NAMESPACES).create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }).catch(() => undefined);
          await leases.create(ns, obj);
        } else if (!isAlreadyExists(err)) throw err;
      }
    } finally {
      this.leaseBusy = false;
    }
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }
}
