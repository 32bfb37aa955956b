// Leader election on coordination.k8s.io/v1 Leases (client-go's leaderelection shape).

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
}

export class LeaderElector {
  constructor(readonly config: LeaderElectionConfig) {}

  /** Campaign until leading, lead until lost or stopped; resolves when it is over. */
  async run(signal?: AbortSignal): Promise<void> {
    void signal;
    throw new Error('not implemented');
  }

  /** Stop (releasing the lease if leading) and wait for run() to end. */
  async stop(): Promise<void> {}

  isLeader(): boolean {
    return false;
  }

  /** The holder last observed, if any. */
  getLeader(): string | undefined {
    return undefined;
  }
}

/** Upstream's MicroTime wire format: `2006-01-02T15:04:05.000000Z`. */
export function formatMicroTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
