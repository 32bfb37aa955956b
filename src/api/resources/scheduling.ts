// scheduling.k8s.io/v1.

import type { ResourceDef } from '../registry.js';
import { priorityClassColumns } from './columns/cluster.js';

export const priorityclasses: ResourceDef = {
  group: 'scheduling.k8s.io',
  version: 'v1',
  kind: 'PriorityClass',
  plural: 'priorityclasses',
  singular: 'priorityclass',
  namespaced: false,
  shortNames: ['pc'],
  columns: priorityClassColumns,
};

export const schedulingResources: ResourceDef[] = [priorityclasses];
