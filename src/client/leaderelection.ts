// Leader election on coordination.k8s.io/v1 Leases (client-go's leaderelection shape): campaign by
// compare-and-swap on the Lease, renew every retryPeriod, give up if no renewal succeeds within
// renewDeadline, release on stop. Expiry is judged by when *we* last saw the record change, not by
// the holder's clock.

import type { KubeObject } from '../api/registry.js';
import { isConflict, isNotFound, isAlreadyExists } from './errors.js';
import { sleep } from './ratelimit.js';
import type { ResourceClient } from './resource.js';
import { LEASES } from './resources.js';
import type { RestClient } from './rest.js';

export interface LeaderElectionConfig {
  client: RestClient;
  /** Lease namespace and name, e.g. kube-system / kube-scheduler. */
  namespace: string;
  name: string;
  /** This candidate's identity (holderIdentity), e.g. `${hostname}_${uuid}`. */
  identity: string;
  /** Defaults as upstream: 15 s, 10 s, 2 s. */
  leaseDurationSeconds?: number;
  renewDeadlineSeconds?: number;
  retryPeriodSeconds?: number;
  /** Called once leadership is acquired; `signal` aborts when it is lost or the elector stops. */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  /** Called when leadership ends (lost or released), only after onStartedLeading. */
  onStoppedLeading?(): void;
  /** Called whenever the observed leader changes (including to ourselves). */
  onNewLeader?(identity: string): void;
  /** Release the lease (clear holderIdentity) on stop; default true. */
  releaseOnCancel?: boolean;
  onError?(err: unknown): void;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

interface Lease extends KubeObject {
  spec?: LeaseSpec;
}

export class LeaderElector {
  private readonly leases: ResourceClient<Lease>;
  private readonly leaseMs: number;
  private readonly renewMs: number;
  private readonly retryMs: number;
  private observed: Lease | undefined;
  private observedSpec = '';
  private observedAt = 0;
  private leading = false;
  private reportedLeader: string | undefined;
  private readonly stopAc = new AbortController();
  private running: Promise<void> | undefined;

  constructor(readonly config: LeaderElectionConfig) {
    this.leases = config.client.resource<Lease>(LEASES);
    this.leaseMs = (config.leaseDurationSeconds ?? 15) * 1000;
    this.renewMs = (config.renewDeadlineSeconds ?? 10) * 1000;
    this.retryMs = (config.retryPeriodSeconds ?? 2) * 1000;
    if (this.leaseMs <= this.renewMs) throw new Error('leaseDuration must be greater than renewDeadline');
    if (this.renewMs <= this.retryMs * 1.2) throw new Error('renewDeadline must be greater than retryPeriod*1.2');
  }

  /** Campaign until leading, lead until lost or stopped; resolves when it is over. */
  run(signal?: AbortSignal): Promise<void> {
    if (this.running) return this.running;
    if (signal) {
      if (signal.aborted) this.stopAc.abort();
      else signal.addEventListener('abort', () => this.stopAc.abort(), { once: true });
    }
    this.running = this.loop();
    return this.running;
  }

  /** Stop (releasing the lease if leading) and wait for run() to end. */
  async stop(): Promise<void> {
    this.stopAc.abort();
    await this.running;
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** The holder last observed, if any. */
  getLeader(): string | undefined {
    return this.observed?.spec?.holderIdentity || undefined;
  }

  private async loop(): Promise<void> {
    const stop = this.stopAc.signal;
    // Campaign.
    while (!stop.aborted) {
      if (await this.tryAcquireOrRenew()) break;
      if (!(await this.wait(this.retryMs * (1 + Math.random() * 0.2)))) return;
    }
    if (stop.aborted) return;
    // Lead.
    this.leading = true;
    const leadAc = new AbortController();
    const onStop = () => leadAc.abort();
    stop.addEventListener('abort', onStop, { once: true });
    void (async () => {
      try {
        await this.config.onStartedLeading(leadAc.signal);
      } catch (err) {
        this.reportError(err);
      }
    })();
    let lastRenew = performance.now();
    while (!stop.aborted) {
      if (!(await this.wait(this.retryMs))) break;
      if (await this.tryAcquireOrRenew()) {
        lastRenew = performance.now();
        continue;
      }
      if (performance.now() - lastRenew >= this.renewMs) break; // lost
    }
    this.leading = false;
    leadAc.abort();
    stop.removeEventListener('abort', onStop);
    if (stop.aborted && this.config.releaseOnCancel !== false) await this.release();
    try {
      this.config.onStoppedLeading?.();
    } catch (err) {
      this.reportError(err);
    }
  }

  /** Sleep; false when stopped meanwhile. */
  private async wait(ms: number): Promise<boolean> {
    try {
      await sleep(ms, this.stopAc.signal);
      return true;
    } catch {
      return false;
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity } = this.config;
    const now = new Date();
    const nowTime = formatMicroTime(now);
    try {
      let lease: Lease;
      try {
        lease = await this.leases.get(namespace, name);
      } catch (err) {
        if (!isNotFound(err)) throw err;
        const created = await this.leases.create(namespace, {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { namespace, name },
          spec: {
            holderIdentity: identity,
            leaseDurationSeconds: this.leaseMs / 1000,
            acquireTime: nowTime,
            renewTime: nowTime,
            leaseTransitions: 0,
          },
        });
        this.observe(created);
        return true;
      }
      this.observe(lease);
      const spec = lease.spec ?? {};
      const holder = spec.holderIdentity ?? '';
      if (holder && holder !== identity && this.observedAt + this.leaseMs > performance.now()) return false;
      const next: LeaseSpec = { ...spec, holderIdentity: identity, leaseDurationSeconds: this.leaseMs / 1000, renewTime: nowTime };
      if (holder !== identity) {
        next.acquireTime = nowTime;
        next.leaseTransitions = (spec.leaseTransitions ?? 0) + 1;
      }
      const updated = await this.leases.update(namespace, { ...lease, spec: next });
      this.observe(updated);
      return true;
    } catch (err) {
      if (!isConflict(err) && !isAlreadyExists(err)) this.reportError(err);
      return false;
    }
  }

  private async release(): Promise<void> {
    const { namespace, name, identity } = this.config;
    try {
      const lease = await this.leases.get(namespace, name);
      if (lease.spec?.holderIdentity !== identity) return;
      const now = formatMicroTime(new Date());
      const spec: LeaseSpec = { leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: lease.spec?.leaseTransitions ?? 0 };
      await this.leases.update(namespace, { ...lease, spec });
    } catch (err) {
      this.reportError(err);
    }
  }

  private observe(lease: Lease): void {
    const s = JSON.stringify(lease.spec ?? {});
    if (s !== this.observedSpec) {
      this.observedSpec = s;
      this.observedAt = performance.now();
    }
    this.observed = lease;
    const holder = lease.spec?.holderIdentity || undefined;
    if (holder && holder !== this.reportedLeader) {
      this.reportedLeader = holder;
      try {
        this.config.onNewLeader?.(holder);
      } catch (err) {
        this.reportError(err);
      }
    }
  }

  private reportError(err: unknown): void {
    if (this.config.onError) this.config.onError(err);
    else console.error(`leaderelection ${this.config.namespace}/${this.config.name}:`, err instanceof Error ? err.message : err);
  }
}

/** Upstream's MicroTime wire format: `2006-01-02T15:04:05.000000Z`. */
export function formatMicroTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
