// Table columns for pods: READY STATUS RESTARTS AGE, and wide IP NODE NOMINATED NODE READINESS GATES.

import type { Pod } from 'kubernetes-types/core/v1.js';
import type { TableColumn } from '../../registry.js';
import { ageColumn, column, orNone, wideColumn } from './format.js';
import { podSummary, readinessGates } from './pod-status.js';

function podIP(p: Pod): string {
  return orNone(p.status?.podIPs?.[0]?.ip ?? p.status?.podIP);
}

export const podColumns: TableColumn[] = [
  column('Ready', 'string', 'Ready containers out of all containers (sidecars included).', (p: Pod, now) => podSummary(p, now).ready),
  column('Status', 'string', 'Phase, or the most telling container state or reason.', (p: Pod, now) => podSummary(p, now).status),
  column('Restarts', 'string', 'Container restarts, and how long ago the last one was.', (p: Pod, now) => podSummary(p, now).restarts),
  ageColumn(),
  wideColumn('IP', 'string', 'The first pod IP.', podIP),
  wideColumn('Node', 'string', 'The node the pod is bound to.', (p: Pod) => orNone(p.spec?.nodeName)),
  wideColumn('Nominated Node', 'string', 'The node preemption made room on, while the pod waits for it.', (p: Pod) => orNone(p.status?.nominatedNodeName)),
  wideColumn('Readiness Gates', 'string', 'Readiness gates met out of all gates.', readinessGates),
];
