// policy/v1.

import type { ResourceDef } from '../registry.js';
import { podDisruptionBudgetColumns } from './columns/cluster.js';

export const poddisruptionbudgets: ResourceDef = {
  group: 'policy',
  version: 'v1',
  kind: 'PodDisruptionBudget',
  plural: 'poddisruptionbudgets',
  singular: 'poddisruptionbudget',
  namespaced: true,
  shortNames: ['pdb'],
  subresources: ['status'],
  generation: true,
  columns: podDisruptionBudgetColumns,
};

export const policyResources: ResourceDef[] = [poddisruptionbudgets];
