// Priority admission: resolves a pod's priorityClassName to spec.priority and
// spec.preemptionPolicy, using the global default class when none is named.

import { StatusError } from '../../api/status.js';
import type { AdmissionPlugin } from './types.js';

interface PriorityClassLike {
  metadata?: { name?: string };
  value?: number;
  globalDefault?: boolean;
  preemptionPolicy?: string;
}

export const priorityAdmission: AdmissionPlugin = {
  name: 'Priority',
  handles: (req) => req.def.group === '' && req.def.kind === 'Pod' && req.operation === 'CREATE' && !req.subresource,
  async admit(req, lookups) {
    const pod = req.object as { metadata?: { name?: string }; spec?: Record<string, unknown> };
    const spec = (pod.spec ??= {});
    const className = typeof spec.priorityClassName === 'string' ? spec.priorityClassName : '';
    let pc: PriorityClassLike | null = null;
    if (className) {
      pc = (await lookups.getPriorityClass(className)) as PriorityClassLike | null;
      if (!pc) throw forbidden(pod.metadata?.name ?? '', `no PriorityClass with name ${className} was found`);
    } else {
      const all = (await lookups.listPriorityClasses()) as PriorityClassLike[];
      // Upstream picks the lowest-valued default when several claim to be global defaults.
      pc = all.filter((c) => c.globalDefault).sort((a, b) => (a.value ?? 0) - (b.value ?? 0))[0] ?? null;
      if (pc) spec.priorityClassName = pc.metadata?.name;
    }
    const value = pc?.value ?? 0;
    if (spec.priority !== undefined && spec.priority !== null && spec.priority !== value) {
      throw forbidden(
        pod.metadata?.name ?? '',
        `the integer value of priority (${String(spec.priority)}) must not be provided in pod spec; priority admission controller computed ${value} from the given PriorityClass name`,
      );
    }
    spec.priority = value;
    const policy = pc?.preemptionPolicy ?? 'PreemptLowerPriority';
    if (spec.preemptionPolicy !== undefined && spec.preemptionPolicy !== null && spec.preemptionPolicy !== policy) {
      throw forbidden(
        pod.metadata?.name ?? '',
        `the string value of PreemptionPolicy (${String(spec.preemptionPolicy)}) must not be provided in pod spec; priority admission controller computed ${policy} from the given PriorityClass name`,
      );
    }
    spec.preemptionPolicy = policy;
  },
};

function forbidden(name: string, why: string): StatusError {
  return new StatusError(403, 'Forbidden', `pods "${name}" is forbidden: ${why}`, { name, kind: 'pods' });
}

/** The classes upstream's apiserver keeps present. */
export const SYSTEM_PRIORITY_CLASSES = [
  { name: 'system-node-critical', value: 2000001000, description: 'Used for system critical pods that must not be moved from their current node.' },
  { name: 'system-cluster-critical', value: 2000000000, description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.' },
];
