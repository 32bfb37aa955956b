// Cluster events: what changed in a node or pod update, and which events each default plugin cares
// about (used when a plugin does not declare its own through EnqueueExtensions).

import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { deepEqual } from '../../api/objects.js';
import { ActionType, type ClusterEvent, type ClusterEventWithHint } from '../framework/types.js';
import { podRequests } from '../framework/resources.js';

/** The ActionType bits of a node update. 0 when nothing scheduling-relevant changed. */
export function nodeUpdateActions(oldNode: Node, newNode: Node): number {
  let a = 0;
  if (!deepEqual(oldNode.status?.allocatable ?? {}, newNode.status?.allocatable ?? {})) a |= ActionType.UpdateNodeAllocatable;
  if (!deepEqual(oldNode.metadata?.labels ?? {}, newNode.metadata?.labels ?? {})) a |= ActionType.UpdateNodeLabel;
  if (
    !deepEqual(oldNode.spec?.taints ?? [], newNode.spec?.taints ?? []) ||
    !!oldNode.spec?.unschedulable !== !!newNode.spec?.unschedulable
  ) {
    a |= ActionType.UpdateNodeTaint;
  }
  if (!deepEqual(conditionStatuses(oldNode), conditionStatuses(newNode))) a |= ActionType.UpdateNodeCondition;
  if (!deepEqual(oldNode.metadata?.annotations ?? {}, newNode.metadata?.annotations ?? {})) a |= ActionType.UpdateNodeAnnotation;
  return a;
}

function conditionStatuses(n: Node): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of n.status?.conditions ?? []) out[c.type] = c.status;
  return out;
}

/** The ActionType bits of an update of an assigned pod. */
export function assignedPodUpdateActions(oldPod: Pod, newPod: Pod): number {
  let a = 0;
  if (!deepEqual(oldPod.metadata?.labels ?? {}, newPod.metadata?.labels ?? {})) a |= ActionType.UpdatePodLabel;
  const o = podRequests(oldPod);
  const n = podRequests(newPod);
  if (n.milliCPU < o.milliCPU || n.memory < o.memory || n.ephemeralStorage < o.ephemeralStorage) a |= ActionType.UpdatePodScaleDown;
  return a || ActionType.UpdateOther;
}

/** Whether an update of a pending pod could change the scheduling outcome (not just status/metadata churn). */
export function unscheduledPodChanged(oldPod: Pod, newPod: Pod): boolean {
  const strip = (p: Pod) => ({
    labels: p.metadata?.labels,
    annotations: p.metadata?.annotations,
    spec: p.spec,
  });
  return !deepEqual(strip(oldPod), strip(newPod));
}

export function eventMatches(registered: ClusterEvent, ev: ClusterEvent): boolean {
  return (registered.resource === '*' || ev.resource === '*' || registered.resource === ev.resource) && (registered.actionType & ev.actionType) !== 0;
}

const A = ActionType;
const on = (resource: ClusterEvent['resource'], actionType: number): ClusterEventWithHint => ({ event: { resource, actionType } });

/** Upstream's registrations of the default plugins (no queueing hints: any matching event requeues). */
export const defaultPluginEvents: Readonly<Record<string, ClusterEventWithHint[]>> = {
  NodeUnschedulable: [on('Node', A.Add | A.UpdateNodeTaint), on('UnscheduledPod', A.UpdatePodTolerations)],
  NodeName: [on('Node', A.Add)],
  TaintToleration: [on('Node', A.Add | A.UpdateNodeTaint), on('UnscheduledPod', A.UpdatePodTolerations)],
  NodeAffinity: [on('Node', A.Add | A.UpdateNodeLabel)],
  NodePorts: [on('Pod', A.Delete), on('Node', A.Add)],
  NodeResourcesFit: [on('Pod', A.Delete | A.UpdatePodScaleDown), on('Node', A.Add | A.UpdateNodeAllocatable | A.UpdateNodeTaint | A.UpdateNodeLabel)],
  PodTopologySpread: [on('Pod', A.All), on('Node', A.Add | A.Delete | A.UpdateNodeLabel | A.UpdateNodeTaint)],
  InterPodAffinity: [on('Pod', A.All), on('Node', A.Add | A.UpdateNodeLabel)],
  NodeResourcesBalancedAllocation: [on('Pod', A.Delete), on('Node', A.Add | A.UpdateNodeAllocatable)],
  ImageLocality: [],
  DefaultPreemption: [],
};

export const EventNodeAdd: ClusterEvent = { resource: 'Node', actionType: A.Add, label: 'NodeAdd' };
export const EventAssignedPodAdd: ClusterEvent = { resource: 'Pod', actionType: A.Add, label: 'AssignedPodAdd' };
export const EventAssignedPodDelete: ClusterEvent = { resource: 'Pod', actionType: A.Delete, label: 'AssignedPodDelete' };
/** Periodic flush and unknown causes: every pod moves. */
export const EventUnschedulableTimeout: ClusterEvent = { resource: '*', actionType: A.All, label: 'UnschedulableTimeout' };
