// discovery.k8s.io/v1.

import type { ResourceDef } from '../registry.js';
import { endpointSliceColumns } from './columns/discovery.js';

export const endpointslices: ResourceDef = {
  group: 'discovery.k8s.io',
  version: 'v1',
  kind: 'EndpointSlice',
  plural: 'endpointslices',
  singular: 'endpointslice',
  namespaced: true,
  generation: true,
  columns: endpointSliceColumns,
};

export const discoveryResources: ResourceDef[] = [endpointslices];
