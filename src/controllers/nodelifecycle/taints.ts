// The taints the controller keeps on a node from its conditions: NoExecute not-ready/unreachable
// (taint-based eviction) and the NoSchedule taints of TaintNodesByCondition. Pure.

import type { Node, Taint } from 'kubernetes-types/core/v1.js';
import { rfc3339 } from './clock.js';
import { nodeCondition } from './health.js';

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
export const TAINT_MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure';
export const TAINT_DISK_PRESSURE = 'node.kubernetes.io/disk-pressure';
export const TAINT_NETWORK_UNAVAILABLE = 'node.kubernetes.io/network-unavailable';
export const TAINT_PID_PRESSURE = 'node.kubernetes.io/pid-pressure';

const NO_EXECUTE_KEYS = [TAINT_NOT_READY, TAINT_UNREACHABLE];
const NO_SCHEDULE_KEYS = [TAINT_NOT_READY, TAINT_UNREACHABLE, TAINT_UNSCHEDULABLE, TAINT_MEMORY_PRESSURE, TAINT_DISK_PRESSURE, TAINT_NETWORK_UNAVAILABLE, TAINT_PID_PRESSURE];

/** condition type → status → NoSchedule taint key */
const CONDITION_TAINTS: Record<string, Record<string, string>> = {
  Ready: { False: TAINT_NOT_READY, Unknown: TAINT_UNREACHABLE },
  MemoryPressure: { True: TAINT_MEMORY_PRESSURE },
  DiskPressure: { True: TAINT_DISK_PRESSURE },
  NetworkUnavailable: { True: TAINT_NETWORK_UNAVAILABLE },
  PIDPressure: { True: TAINT_PID_PRESSURE },
};

/** The NoExecute taint key the Ready condition calls for (undefined: none, or no Ready condition). */
export function desiredNoExecuteKey(node: Node): string | undefined {
  const s = nodeCondition(node, 'Ready')?.status;
  if (s === 'False') return TAINT_NOT_READY;
  if (s === 'Unknown') return TAINT_UNREACHABLE;
  return undefined;
}

/** The NoSchedule taint keys the conditions and spec.unschedulable call for. */
export function desiredNoScheduleKeys(node: Node): string[] {
  const keys: string[] = [];
  for (const c of node.status?.conditions ?? []) {
    const k = CONDITION_TAINTS[c.type]?.[c.status];
    if (k && !keys.includes(k)) keys.push(k);
  }
  if (node.spec?.unschedulable) keys.push(TAINT_UNSCHEDULABLE);
  return keys;
}

/**
 * The node's taints with the controller's taints brought in line with its conditions, or
 * undefined when nothing changes. Other taints are kept as they are; a taint already present
 * keeps its timeAdded. New NoExecute taints get timeAdded = now.
 */
export function reconcileTaints(node: Node, now: number): Taint[] | undefined {
  const current = node.spec?.taints ?? [];
  const wantNoExecute = desiredNoExecuteKey(node);
  // Without a Ready condition the NoExecute taints are left as they are (upstream does the same).
  const manageNoExecute = nodeCondition(node, 'Ready') !== undefined;
  const wantNoSchedule = desiredNoScheduleKeys(node);
  const out: Taint[] = [];
  let changed = false;
  for (const t of current) {
    const ours =
      (t.effect === 'NoExecute' && manageNoExecute && NO_EXECUTE_KEYS.includes(t.key)) || (t.effect === 'NoSchedule' && NO_SCHEDULE_KEYS.includes(t.key));
    if (!ours) {
      out.push(t);
      continue;
    }
    const keep = t.effect === 'NoExecute' ? t.key === wantNoExecute : wantNoSchedule.includes(t.key);
    if (keep && !out.some((o) => o.key === t.key && o.effect === t.effect)) out.push(t);
    else changed = true;
  }
  if (wantNoExecute && !out.some((t) => t.key === wantNoExecute && t.effect === 'NoExecute')) {
    out.push({ key: wantNoExecute, effect: 'NoExecute', timeAdded: rfc3339(now) });
    changed = true;
  }
  for (const k of wantNoSchedule) {
    if (!out.some((t) => t.key === k && t.effect === 'NoSchedule')) {
      out.push({ key: k, effect: 'NoSchedule' });
      changed = true;
    }
  }
  return changed ? out : undefined;
}
