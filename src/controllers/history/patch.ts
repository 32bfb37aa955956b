// What a workload revision records: a patch that replaces the owner's pod template (upstream's
// getPatch), and how to get the owner back as of a revision (upstream's ApplyRevision).

import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { sortKeys } from './json.js';

interface WithTemplate {
  spec?: { template?: PodTemplateSpec };
}

/** `{"spec":{"template":{…,"$patch":"replace"}}}` with keys sorted: the data of the owner's revision. */
export function templatePatch(owner: WithTemplate): unknown {
  const template = structuredClone(owner.spec?.template ?? {}) as Record<string, unknown>;
  template['$patch'] = 'replace';
  return sortKeys({ spec: { template } });
}

/** The template a revision recorded (the `$patch` directive removed), or undefined when it has none. */
export function revisionTemplate(rev: Pick<ControllerRevision, 'data'>): PodTemplateSpec | undefined {
  const data = rev.data as { spec?: { template?: Record<string, unknown> } } | undefined;
  const t = data?.spec?.template;
  if (!t || typeof t !== 'object') return undefined;
  const copy = structuredClone(t);
  delete copy['$patch'];
  return copy as PodTemplateSpec;
}

/** A copy of `owner` with its pod template as of `rev` (unchanged when the revision has none). */
export function applyRevision<T extends WithTemplate>(owner: T, rev: Pick<ControllerRevision, 'data'>): T {
  const copy = structuredClone(owner);
  const t = revisionTemplate(rev);
  if (t) (copy as { spec?: { template?: PodTemplateSpec } }).spec = { ...(copy.spec ?? {}), template: t };
  return copy;
}
