// Node health: when did we last hear from a node (its Lease or its status), and which conditions
// turn Unknown once the grace period has run out. Pure: objects and times in, decisions out.
//
// Like upstream, the probe time is *our* clock at the moment we saw a heartbeat change (a new
// Ready lastHeartbeatTime or a new Lease renewTime), never the timestamp written by the kubelet,
// so clock skew between node and controller does not matter.

import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node, NodeCondition } from 'kubernetes-types/core/v1.js';
import { rfc3339 } from './clock.js';

export interface NodeHealth {
  /** Our time of the last observed heartbeat (status or lease). */
  probeTimestamp: number;
  /** The Ready condition's lastHeartbeatTime when last observed ('' when none). */
  heartbeat: string;
  /** Whether the node had a Ready condition when last observed. */
  hadReady: boolean;
  /** The Lease's spec.renewTime when last observed ('' when none). */
  leaseRenewTime: string;
}

export function nodeCondition(node: Node, type: string): NodeCondition | undefined {
  return node.status?.conditions?.find((c) => c.type === type);
}

/** Fold one observation of a node (and its Lease, if any) into its health record. */
export function observeHealth(prev: NodeHealth | undefined, node: Node, lease: Lease | undefined, now: number): NodeHealth {
  const ready = nodeCondition(node, 'Ready');
  const heartbeat = ready?.lastHeartbeatTime ?? '';
  const renew = lease?.spec?.renewTime ?? '';
  if (!prev) return { probeTimestamp: now, heartbeat, hadReady: !!ready, leaseRenewTime: renew };
  let probe = prev.probeTimestamp;
  // A condition that appears, or a new heartbeat, is a sign of life.
  if ((ready && !prev.hadReady) || (ready && heartbeat !== prev.heartbeat)) probe = now;
  // A renewed lease is too (an older or equal renewTime is not).
  if (renew && renew !== prev.leaseRenewTime && (!prev.leaseRenewTime || Date.parse(renew) >= Date.parse(prev.leaseRenewTime))) probe = now;
  return { probeTimestamp: probe, heartbeat, hadReady: !!ready, leaseRenewTime: renew || prev.leaseRenewTime };
}

/** Milliseconds left before the node is considered lost (≤ 0: already). */
export function remainingGraceMs(health: NodeHealth, now: number, gracePeriodMs: number): number {
  return health.probeTimestamp + gracePeriodMs - now;
}

/** The conditions the controller sets to Unknown when a node stops reporting. */
export const MONITORED_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;

export const REASON_STATUS_UNKNOWN = 'NodeStatusUnknown';
export const MESSAGE_STATUS_UNKNOWN = 'Kubelet stopped posting node status.';
export const REASON_NEVER_UPDATED = 'NodeStatusNeverUpdated';
export const MESSAGE_NEVER_UPDATED = 'Kubelet never posted node status.';

/**
 * The node's new conditions when nothing has been heard within the grace period, or undefined
 * when the node is healthy or its conditions are already Unknown.
 */
export function staleConditions(node: Node, health: NodeHealth, now: number, gracePeriodMs: number): NodeCondition[] | undefined {
  if (remainingGraceMs(health, now, gracePeriodMs) >= 0) return undefined;
  const conditions = (node.status?.conditions ?? []).map((c) => ({ ...c }));
  const ts = rfc3339(now);
  let changed = false;
  for (const type of MONITORED_CONDITIONS) {
    const c = conditions.find((x) => x.type === type);
    if (!c) {
      conditions.push({
        type,
        status: 'Unknown',
        reason: REASON_NEVER_UPDATED,
        message: MESSAGE_NEVER_UPDATED,
        lastHeartbeatTime: node.metadata?.creationTimestamp ?? ts,
        lastTransitionTime: ts,
      });
      changed = true;
    } else if (c.status !== 'Unknown') {
      c.status = 'Unknown';
      c.reason = REASON_STATUS_UNKNOWN;
      c.message = MESSAGE_STATUS_UNKNOWN;
      c.lastTransitionTime = ts;
      changed = true;
    }
  }
  return changed ? conditions : undefined;
}
