// The admission chain, run by the object store after defaulting and before validation.

import { priorityAdmission } from './priority.js';
import { defaultTolerationSecondsAdmission } from './tolerations.js';
import type { AdmissionLookups, AdmissionPlugin, AdmissionRequest } from './types.js';

export type { AdmissionLookups, AdmissionPlugin, AdmissionRequest } from './types.js';
export { SYSTEM_PRIORITY_CLASSES } from './priority.js';

/** Upstream's default order for the plugins we have. */
export const DEFAULT_ADMISSION_PLUGINS: AdmissionPlugin[] = [defaultTolerationSecondsAdmission, priorityAdmission];

export function createAdmission(lookups: AdmissionLookups, plugins = DEFAULT_ADMISSION_PLUGINS) {
  return async (req: AdmissionRequest): Promise<void> => {
    for (const p of plugins) if (p.handles(req)) await p.admit(req, lookups);
  };
}
