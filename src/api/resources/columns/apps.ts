// Table columns for apps/v1 kinds.

import type { ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import { groupVersionOf, type TableColumn } from '../../registry.js';
import { formatLabelSelector, formatLabels } from '../../selectors/index.js';
import { ageColumn, column, containerColumns, kindSlashName, wideColumn } from './format.js';

const selectorColumn = (get: (o: any) => any): TableColumn =>
  wideColumn('Selector', 'string', 'Label selector of the managed pods.', (o) => formatLabelSelector(get(o)));

export const deploymentColumns: TableColumn[] = [
  column('Ready', 'string', 'Ready replicas out of desired.', (d: Deployment) => `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 1}`),
  column('Up-to-date', 'string', 'Replicas running the current template.', (d: Deployment) => d.status?.updatedReplicas ?? 0),
  column('Available', 'string', 'Replicas available to users.', (d: Deployment) => d.status?.availableReplicas ?? 0),
  ageColumn(),
  ...containerColumns((d: Deployment) => d.spec?.template?.spec?.containers),
  selectorColumn((d: Deployment) => d.spec?.selector),
];

export const replicaSetColumns: TableColumn[] = [
  column('Desired', 'integer', 'Desired replicas.', (r: ReplicaSet) => r.spec?.replicas ?? 1),
  column('Current', 'integer', 'Observed replicas.', (r: ReplicaSet) => r.status?.replicas ?? 0),
  column('Ready', 'integer', 'Ready replicas.', (r: ReplicaSet) => r.status?.readyReplicas ?? 0),
  ageColumn(),
  ...containerColumns((r: ReplicaSet) => r.spec?.template?.spec?.containers),
  selectorColumn((r: ReplicaSet) => r.spec?.selector),
];

export const statefulSetColumns: TableColumn[] = [
  column('Ready', 'string', 'Ready replicas out of desired.', (s: StatefulSet) => `${s.status?.readyReplicas ?? 0}/${s.spec?.replicas ?? 1}`),
  ageColumn(),
  ...containerColumns((s: StatefulSet) => s.spec?.template?.spec?.containers),
];

export const daemonSetColumns: TableColumn[] = [
  column('Desired', 'integer', 'Nodes that should run the daemon pod.', (d: DaemonSet) => d.status?.desiredNumberScheduled ?? 0),
  column('Current', 'integer', 'Nodes running at least one daemon pod.', (d: DaemonSet) => d.status?.currentNumberScheduled ?? 0),
  column('Ready', 'integer', 'Nodes with a ready daemon pod.', (d: DaemonSet) => d.status?.numberReady ?? 0),
  column('Up-to-date', 'integer', 'Nodes running the current template.', (d: DaemonSet) => d.status?.updatedNumberScheduled ?? 0),
  column('Available', 'integer', 'Nodes with an available daemon pod.', (d: DaemonSet) => d.status?.numberAvailable ?? 0),
  column('Node Selector', 'string', 'The node selector of the pod template.', (d: DaemonSet) => formatLabels(d.spec?.template?.spec?.nodeSelector)),
  ageColumn(),
  ...containerColumns((d: DaemonSet) => d.spec?.template?.spec?.containers),
  selectorColumn((d: DaemonSet) => d.spec?.selector),
];

function controllerOf(r: ControllerRevision): string {
  const ref = (r.metadata?.ownerReferences ?? []).find((o) => o.controller === true);
  if (!ref) return '<none>';
  return kindSlashName(ref.kind, ref.name, groupVersionOf(ref.apiVersion ?? '').group);
}

export const controllerRevisionColumns: TableColumn[] = [
  column('Controller', 'string', 'The owning controller (kind.group/name).', controllerOf),
  column('Revision', 'string', 'The revision number.', (r: ControllerRevision) => r.revision ?? 0),
  ageColumn(),
];
