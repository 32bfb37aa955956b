// batch/v1.

import type { ResourceDef } from '../registry.js';
import { cronJobColumns, jobColumns } from './columns/batch.js';

const batch = { group: 'batch', version: 'v1' } as const;

export const jobs: ResourceDef = {
  ...batch,
  kind: 'Job',
  plural: 'jobs',
  singular: 'job',
  namespaced: true,
  categories: ['all'],
  subresources: ['status'],
  generation: true,
  columns: jobColumns,
  fieldSelectors: {
    // Named "successful" upstream; the value is status.succeeded.
    'status.successful': (o) => String(o.status?.succeeded ?? 0),
  },
};

export const cronjobs: ResourceDef = {
  ...batch,
  kind: 'CronJob',
  plural: 'cronjobs',
  singular: 'cronjob',
  namespaced: true,
  shortNames: ['cj'],
  categories: ['all'],
  subresources: ['status'],
  generation: true,
  columns: cronJobColumns,
};

export const batchResources: ResourceDef[] = [jobs, cronjobs];
