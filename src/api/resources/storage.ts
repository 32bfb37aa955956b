// storage.k8s.io/v1.

import type { ResourceDef } from '../registry.js';
import { storageClassColumns } from './columns/cluster.js';

export const storageclasses: ResourceDef = {
  group: 'storage.k8s.io',
  version: 'v1',
  kind: 'StorageClass',
  plural: 'storageclasses',
  singular: 'storageclass',
  namespaced: false,
  shortNames: ['sc'],
  columns: storageClassColumns,
};

export const storageResources: ResourceDef[] = [storageclasses];
