// apps/v1.

import type { ResourceDef } from '../registry.js';
import { controllerRevisionColumns, daemonSetColumns, deploymentColumns, replicaSetColumns, statefulSetColumns } from './columns/apps.js';
import { labelSelectorScale } from './scale.js';

const apps = { group: 'apps', version: 'v1' } as const;

export const deployments: ResourceDef = {
  ...apps,
  kind: 'Deployment',
  plural: 'deployments',
  singular: 'deployment',
  namespaced: true,
  shortNames: ['deploy'],
  categories: ['all'],
  subresources: ['status', 'scale'],
  scale: labelSelectorScale,
  generation: true,
  columns: deploymentColumns,
};

export const replicasets: ResourceDef = {
  ...apps,
  kind: 'ReplicaSet',
  plural: 'replicasets',
  singular: 'replicaset',
  namespaced: true,
  shortNames: ['rs'],
  categories: ['all'],
  subresources: ['status', 'scale'],
  scale: labelSelectorScale,
  generation: true,
  columns: replicaSetColumns,
  fieldSelectors: {
    'status.replicas': (o) => String(o.status?.replicas ?? 0),
  },
};

export const statefulsets: ResourceDef = {
  ...apps,
  kind: 'StatefulSet',
  plural: 'statefulsets',
  singular: 'statefulset',
  namespaced: true,
  shortNames: ['sts'],
  categories: ['all'],
  subresources: ['status', 'scale'],
  scale: labelSelectorScale,
  generation: true,
  columns: statefulSetColumns,
};

export const daemonsets: ResourceDef = {
  ...apps,
  kind: 'DaemonSet',
  plural: 'daemonsets',
  singular: 'daemonset',
  namespaced: true,
  shortNames: ['ds'],
  categories: ['all'],
  subresources: ['status'],
  generation: true,
  columns: daemonSetColumns,
};

export const controllerrevisions: ResourceDef = {
  ...apps,
  kind: 'ControllerRevision',
  plural: 'controllerrevisions',
  singular: 'controllerrevision',
  namespaced: true,
  columns: controllerRevisionColumns,
};

export const appsResources: ResourceDef[] = [deployments, replicasets, statefulsets, daemonsets, controllerrevisions];
