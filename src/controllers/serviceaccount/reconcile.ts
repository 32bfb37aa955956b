// What the ServiceAccount controller decides for one namespace: which of the service accounts
// every namespace should have are missing. Pure.

import type { KubeObject } from '../../api/registry.js';

/** Every namespace gets these (upstream: just "default"). */
export const DEFAULT_SERVICE_ACCOUNTS = ['default'];

/** A namespace being deleted (or gone) gets nothing new. */
export function isNamespaceActive(ns: KubeObject | undefined): boolean {
  if (!ns) return false;
  if (ns.metadata?.deletionTimestamp) return false;
  return (ns['status'] as { phase?: string } | undefined)?.phase !== 'Terminating';
}

/** Names of the service accounts to create in `ns`. */
export function missingServiceAccounts(ns: KubeObject | undefined, existing: Iterable<string>, wanted: string[] = DEFAULT_SERVICE_ACCOUNTS): string[] {
  if (!isNamespaceActive(ns)) return [];
  const have = new Set(existing);
  return wanted.filter((n) => !have.has(n));
}
