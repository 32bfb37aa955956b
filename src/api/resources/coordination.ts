// coordination.k8s.io/v1.

import type { ResourceDef } from '../registry.js';
import { leaseColumns } from './columns/cluster.js';

export const leases: ResourceDef = {
  group: 'coordination.k8s.io',
  version: 'v1',
  kind: 'Lease',
  plural: 'leases',
  singular: 'lease',
  namespaced: true,
  columns: leaseColumns,
};

export const coordinationResources: ResourceDef[] = [leases];
