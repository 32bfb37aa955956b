// The status conditions a terminating namespace carries while its content is deleted: one per
// condition type, "True" with a reason while something is wrong or left, "False" once it is fine.

export interface NamespaceCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export const DISCOVERY_FAILURE = 'NamespaceDeletionDiscoveryFailure';
export const GROUP_VERSION_PARSING_FAILURE = 'NamespaceDeletionGroupVersionParsingFailure';
export const CONTENT_FAILURE = 'NamespaceDeletionContentFailure';
export const CONTENT_REMAINING = 'NamespaceContentRemaining';
export const FINALIZERS_REMAINING = 'NamespaceFinalizersRemaining';

/** The condition types this controller owns, in the order they are written. */
export const CONDITION_TYPES = [DISCOVERY_FAILURE, GROUP_VERSION_PARSING_FAILURE, CONTENT_FAILURE, CONTENT_REMAINING, FINALIZERS_REMAINING];

const OK: Record<string, { reason: string; message: string }> = {
  [DISCOVERY_FAILURE]: { reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
  [GROUP_VERSION_PARSING_FAILURE]: { reason: 'ParsedGroupVersions', message: 'All legacy kube types successfully parsed' },
  [CONTENT_FAILURE]: { reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' },
  [CONTENT_REMAINING]: { reason: 'ContentRemoved', message: 'All content successfully removed' },
  [FINALIZERS_REMAINING]: { reason: 'ContentHasNoFinalizers', message: 'All content-preserving finalizers finished' },
};

/** What one pass over a namespace's content found. */
export interface ContentReport {
  /** Discovery failures (some group-versions could not be read). */
  discoveryErrors: string[];
  /** One message per resource whose deletion failed. */
  contentErrors: string[];
  /** Objects left, by resource name (`plural.group`). */
  remaining: Map<string, number>;
  /** Objects left carrying each finalizer. */
  finalizers: Map<string, number>;
}

export function emptyReport(): ContentReport {
  return { discoveryErrors: [], contentErrors: [], remaining: new Map(), finalizers: new Map() };
}

/** The desired conditions (without transition times) for a report. */
export function desiredConditions(report: ContentReport): NamespaceCondition[] {
  const bad = new Map<string, NamespaceCondition>();
  if (report.discoveryErrors.length > 0) {
    bad.set(DISCOVERY_FAILURE, {
      type: DISCOVERY_FAILURE,
      status: 'True',
      reason: 'DiscoveryFailed',
      message: `Discovery failed for some groups, ${report.discoveryErrors.length} failing: ${[...report.discoveryErrors].sort().join(', ')}`,
    });
  }
  if (report.contentErrors.length > 0) {
    const msgs = [...report.contentErrors].sort();
    bad.set(CONTENT_FAILURE, {
      type: CONTENT_FAILURE,
      status: 'True',
      reason: 'ContentDeletionFailed',
      message: `Failed to delete all resource types, ${msgs.length} remaining: ${msgs.join(', ')}`,
    });
  }
  const left = [...report.remaining].filter(([, n]) => n > 0).map(([r, n]) => `${r} has ${n} resource instances`).sort();
  if (left.length > 0) {
    bad.set(CONTENT_REMAINING, { type: CONTENT_REMAINING, status: 'True', reason: 'SomeResourcesRemain', message: `Some resources are remaining: ${left.join(', ')}` });
  }
  const fins = [...report.finalizers].filter(([, n]) => n > 0).map(([f, n]) => `${f} in ${n} resource instances`).sort();
  if (fins.length > 0) {
    bad.set(FINALIZERS_REMAINING, { type: FINALIZERS_REMAINING, status: 'True', reason: 'SomeFinalizersRemain', message: `Some content in the namespace has finalizers remaining: ${fins.join(', ')}` });
  }
  return CONDITION_TYPES.map((type) => bad.get(type) ?? { type, status: 'False', ...OK[type]! });
}

/**
 * Merge desired conditions into the existing ones: types we own are replaced (keeping the
 * transition time when the status did not change); other types are kept. `changed` tells whether
 * a status write is needed.
 */
export function mergeConditions(existing: NamespaceCondition[] | undefined, desired: NamespaceCondition[], now: string): { conditions: NamespaceCondition[]; changed: boolean } {
  const out = (existing ?? []).map((c) => ({ ...c }));
  let changed = false;
  for (const want of desired) {
    const i = out.findIndex((c) => c.type === want.type);
    if (i < 0) {
      out.push({ ...want, lastTransitionTime: now });
      changed = true;
      continue;
    }
    const have = out[i]!;
    if (have.status === want.status && have.reason === want.reason && have.message === want.message) continue;
    out[i] = { ...want, lastTransitionTime: have.status === want.status && have.lastTransitionTime ? have.lastTransitionTime : now };
    changed = true;
  }
  return { conditions: out, changed };
}
