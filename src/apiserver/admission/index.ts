// The admission chain, run by the object store after defaulting and before validation.

import { priorityAdmission } from './priority.js';
import { defaultTolerationSecondsAdmission } from './tolerations.js';
import { serviceAllocation } from './serviceips.js';
import type { AdmissionLookups, AdmissionPlugin, AdmissionRequest } from './types.js';

export type { AdmissionLookups, AdmissionPlugin, AdmissionRequest } from './types.js';
export { SYSTEM_PRIORITY_CLASSES } from './priority.js';
export { DEFAULT_SERVICE_RANGES, firstServiceIP, serviceAllocation } from './serviceips.js';

/** Upstream's default order for the plugins we have. */
export const DEFAULT_ADMISSION_PLUGINS: AdmissionPlugin[] = [defaultTolerationSecondsAdmission, priorityAdmission];

export function createAdmission(lookups: AdmissionLookups, plugins = [...DEFAULT_ADMISSION_PLUGINS, serviceAllocation(() => lookups.listServices())]) {
  return async (req: AdmissionRequest): Promise<void> => {
    for (const p of plugins) if (p.handles(req)) await p.admit(req, lookups);
  };
}
