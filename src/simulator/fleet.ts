// The simulated nodes: registration, lease renewal and the Ready heartbeat for all of them, spread
// over their periods with bounded concurrency so one process can carry thousands.

import { isAlreadyExists, isConflict, isNotFound, LEASES, NODES, type RestClient } from '../client/index.js';
import type { KubeObject } from '../api/registry.js';
import { nodeInternalIP, nodePodCIDR, PodIPAllocator } from './addresses.js';
import { buildLease, buildNode, healthyConditions, nodeLabels, nodeStatus, NODE_LEASE_NAMESPACE, rfc3339Micro, SIMULATED_ANNOTATION } from './node.js';
import type { NodeShape, Timings } from './options.js';
import { PeriodicSpreader } from './spread.js';

type Obj = Record<string, any>;

export interface SimNode {
  name: string;
  index: number;
  internalIP: string;
  podCIDR: string;
  ips: PodIPAllocator;
  uid?: string;
  /** When this agent last turned the node Ready (the conditions' lastTransitionTime). */
  readySince: number;
  /** The Lease as last read or written (its resourceVersion makes renewals compare-and-swap). */
  lease?: Obj;
  /** The Node was deleted by someone else: no more heartbeats, its pods are left alone. */
  lost: boolean;
}

export interface FleetConfig {
  names: string[];
  /** Address index of names[0]; names[i] gets index ipOffset + i. */
  ipOffset: number;
  prefix: string;
  shape: NodeShape;
  timings: Timings;
  /** Requests in flight for registration, leases and heartbeats (each). */
  concurrency: number;
  log: (msg: string) => void;
}

/** Runs `fn` over `items` with at most `n` in flight; rejects with the first error after all settle. */
export async function mapLimit<T>(items: readonly T[], n: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  let firstErr: unknown;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        await fn(items[i]!, i);
      } catch (e) {
        firstErr ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
  if (firstErr !== undefined) throw firstErr;
}

export class NodeFleet {
  readonly nodes = new Map<string, SimNode>();
  private readonly leases: PeriodicSpreader<string>;
  private readonly heartbeats: PeriodicSpreader<string>;
  private readonly nodeApi;
  private readonly leaseApi;
  /** Counters for benchmarks and the command's progress line. */
  readonly stats = { leaseRenewals: 0, leaseErrors: 0, heartbeats: 0, heartbeatErrors: 0 };

  constructor(
    client: RestClient,
    private readonly cfg: FleetConfig,
  ) {
    this.nodeApi = client.resource<KubeObject>(NODES);
    this.leaseApi = client.resource<KubeObject>(LEASES);
    cfg.names.forEach((name, i) => {
      const index = cfg.ipOffset + i;
      const podCIDR = nodePodCIDR(index);
      this.nodes.set(name, { name, index, internalIP: nodeInternalIP(index), podCIDR, ips: new PodIPAllocator(podCIDR), readySince: 0, lost: false });
    });
    this.leases = new PeriodicSpreader<string>({
      periodMs: cfg.timings.leaseRenewMs,
      concurrency: cfg.concurrency,
      run: (name) => this.renewLease(name),
      onError: (name, err) => {
        this.stats.leaseErrors++;
        cfg.log(`lease ${name}: ${errText(err)}`);
      },
    });
    this.heartbeats = new PeriodicSpreader<string>({
      periodMs: cfg.timings.nodeStatusReportMs,
      concurrency: Math.max(1, Math.ceil(cfg.concurrency / 4)),
      run: (name) => this.postStatus(name),
      onError: (name, err) => {
        this.stats.heartbeatErrors++;
        cfg.log(`node status ${name}: ${errText(err)}`);
      },
    });
  }

  get(name: string): SimNode | undefined {
    const n = this.nodes.get(name);
    return n && !n.lost ? n : undefined;
  }

  /** Registers every node (creating or adopting it) and its Lease. `onProgress` gets the count done. */
  async register(onProgress?: (done: number) => void): Promise<void> {
    let done = 0;
    await mapLimit([...this.nodes.values()], this.cfg.concurrency, async (n) => {
      await this.registerNode(n);
      await this.ensureLease(n);
      onProgress?.(++done);
    });
  }

  /** Starts lease renewal and status heartbeats, each spread evenly over its period. */
  start(): void {
    const names = [...this.nodes.keys()];
    // First renewals a period after registration (which just wrote fresh ones).
    names.forEach((n, i) => this.leases.add(n, this.cfg.timings.leaseRenewMs * (1 + i / names.length) - this.cfg.timings.leaseRenewMs / 2));
    names.forEach((n, i) => this.heartbeats.add(n, (this.cfg.timings.nodeStatusReportMs * (i + 1)) / names.length));
    this.leases.start();
    this.heartbeats.start();
  }

  /** Stops renewing: the nodes stay as they are, and go NotReady once their leases expire. */
  async stop(): Promise<void> {
    await Promise.all([this.leases.stop(), this.heartbeats.stop()]);
  }

  /** Deletes the nodes and their leases. */
  async deleteAll(): Promise<void> {
    await mapLimit([...this.nodes.values()], this.cfg.concurrency, async (n) => {
      for (const [api, ns] of [
        [this.nodeApi, undefined],
        [this.leaseApi, NODE_LEASE_NAMESPACE],
      ] as const) {
        try {
          await api.delete(ns, n.name);
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
      }
    });
  }

  private markLost(n: SimNode): void {
    if (n.lost) return;
    n.lost = true;
    this.leases.remove(n.name);
    this.heartbeats.remove(n.name);
    this.cfg.log(`node ${n.name} was deleted; no longer simulating it`);
  }

  private async registerNode(n: SimNode): Promise<void> {
    const now = Date.now();
    n.readySince = now;
    const node = buildNode(n, this.cfg.shape, this.cfg.prefix, now);
    try {
      const created = await this.nodeApi.create(undefined, node as KubeObject);
      n.uid = created.metadata?.uid;
      return;
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
    // Already registered (an earlier run, or another agent's leftovers): adopt it, keeping its pod CIDR.
    const existing = (await this.nodeApi.get(undefined, n.name)) as Obj;
    const cidr: unknown = existing.spec?.podCIDR;
    if (typeof cidr === 'string' && cidr && cidr !== n.podCIDR) {
      try {
        n.ips = new PodIPAllocator(cidr);
        n.podCIDR = cidr;
      } catch {
        // Not an IPv4 CIDR we can hand out: keep our own range.
      }
    }
    const patched = (await this.nodeApi.patch(undefined, n.name, {
      metadata: { labels: nodeLabels(n.name, this.cfg.shape), annotations: { [SIMULATED_ANNOTATION]: this.cfg.prefix } },
      spec: { taints: this.cfg.shape.taints.length > 0 ? this.cfg.shape.taints : null },
    })) as Obj;
    n.uid = patched.metadata?.uid;
    await this.nodeApi.patch(undefined, n.name, { status: nodeStatus(n, this.cfg.shape, now, now) }, 'merge', { subresource: 'status' });
  }

  private async ensureLease(n: SimNode): Promise<void> {
    const now = Date.now();
    const lease = buildLease(n.name, n.uid, this.cfg.timings.leaseDurationSeconds, now);
    lease.spec.acquireTime = rfc3339Micro(now);
    try {
      n.lease = (await this.leaseApi.create(NODE_LEASE_NAMESPACE, lease as KubeObject)) as Obj;
      return;
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
    const existing = (await this.leaseApi.get(NODE_LEASE_NAMESPACE, n.name)) as Obj;
    n.lease = (await this.leaseApi.update(NODE_LEASE_NAMESPACE, {
      ...existing,
      metadata: { ...existing.metadata, ownerReferences: lease.metadata.ownerReferences },
      spec: { ...existing.spec, ...lease.spec },
    } as KubeObject)) as Obj;
  }

  private async renewLease(name: string): Promise<void> {
    const n = this.nodes.get(name);
    if (!n || n.lost) return;
    const renew = (base: Obj): Obj => ({
      ...base,
      spec: { ...base.spec, holderIdentity: n.name, leaseDurationSeconds: this.cfg.timings.leaseDurationSeconds, renewTime: rfc3339Micro(Date.now()) },
    });
    try {
      if (!n.lease) throw Object.assign(new Error('no lease yet'), { missing: true });
      n.lease = (await this.leaseApi.update(NODE_LEASE_NAMESPACE, renew(n.lease) as KubeObject)) as Obj;
    } catch (e) {
      if (isConflict(e)) {
        // Someone else wrote it (or our copy is stale): read and try once more.
        const fresh = (await this.leaseApi.get(NODE_LEASE_NAMESPACE, n.name)) as Obj;
        n.lease = (await this.leaseApi.update(NODE_LEASE_NAMESPACE, renew(fresh) as KubeObject)) as Obj;
      } else if (isNotFound(e) || (e as { missing?: boolean }).missing) {
        // The lease is gone; if the Node is gone too (and took its lease with it), stop.
        try {
          await this.nodeApi.get(undefined, n.name);
        } catch (e2) {
          if (isNotFound(e2)) return this.markLost(n);
          throw e2;
        }
        await this.ensureLease(n);
      } else {
        throw e;
      }
    }
    this.stats.leaseRenewals++;
  }

  private async postStatus(name: string): Promise<void> {
    const n = this.nodes.get(name);
    if (!n || n.lost) return;
    try {
      await this.nodeApi.patch(undefined, n.name, { status: { conditions: healthyConditions(Date.now(), n.readySince) } }, 'merge', { subresource: 'status' });
      this.stats.heartbeats++;
    } catch (e) {
      if (isNotFound(e)) return this.markLost(n);
      throw e;
    }
  }
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
