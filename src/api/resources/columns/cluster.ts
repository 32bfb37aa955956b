// Table columns for small kinds: leases, PodDisruptionBudgets, RBAC, PriorityClasses, StorageClasses.

import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { ClusterRoleBinding, RoleBinding, Subject } from 'kubernetes-types/rbac/v1.js';
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { TableColumn } from '../../registry.js';
import { ageColumn, column, createdAtColumn, intOrString, wideColumn } from './format.js';

export const leaseColumns: TableColumn[] = [
  column('Holder', 'string', 'The current holder of the lease.', (l: Lease) => l.spec?.holderIdentity ?? ''),
  ageColumn(),
];

export const podDisruptionBudgetColumns: TableColumn[] = [
  column('Min Available', 'string', 'Pods that must stay available.', (p: PodDisruptionBudget) => (p.spec?.minAvailable != null ? intOrString(p.spec.minAvailable) : 'N/A')),
  column('Max Unavailable', 'string', 'Pods that may be unavailable.', (p: PodDisruptionBudget) => (p.spec?.maxUnavailable != null ? intOrString(p.spec.maxUnavailable) : 'N/A')),
  column('Allowed Disruptions', 'integer', 'Pods that may be disrupted now.', (p: PodDisruptionBudget) => p.status?.disruptionsAllowed ?? 0),
  ageColumn(),
];

/** Users, groups and service accounts (namespace/name) of a binding's subjects. */
function subjects(list: Subject[] | undefined): { users: string; groups: string; sas: string } {
  const users: string[] = [];
  const groups: string[] = [];
  const sas: string[] = [];
  for (const s of list ?? []) {
    if (s.kind === 'User') users.push(s.name);
    else if (s.kind === 'Group') groups.push(s.name);
    else if (s.kind === 'ServiceAccount') sas.push(`${s.namespace ?? ''}/${s.name}`);
  }
  return { users: users.join(', '), groups: groups.join(', '), sas: sas.join(', ') };
}

type Binding = RoleBinding | ClusterRoleBinding;

export const bindingColumns: TableColumn[] = [
  column('Role', 'string', 'Kind/name of the bound role.', (b: Binding) => `${b.roleRef?.kind ?? ''}/${b.roleRef?.name ?? ''}`),
  ageColumn(),
  wideColumn('Users', 'string', 'Users bound.', (b: Binding) => subjects(b.subjects).users),
  wideColumn('Groups', 'string', 'Groups bound.', (b: Binding) => subjects(b.subjects).groups),
  wideColumn('ServiceAccounts', 'string', 'Service accounts bound (namespace/name).', (b: Binding) => subjects(b.subjects).sas),
];

/** Roles and ClusterRoles have no printer upstream; the generic table shows CREATED AT. */
export const roleColumns: TableColumn[] = [createdAtColumn()];

export const priorityClassColumns: TableColumn[] = [
  column('Value', 'integer', 'The priority value.', (p: PriorityClass) => p.value ?? 0),
  column('Global-Default', 'boolean', 'Whether pods without a class get this one.', (p: PriorityClass) => p.globalDefault ?? false),
  ageColumn(),
  column('PreemptionPolicy', 'string', 'Whether pods of this class may preempt others.', (p: PriorityClass) => p.preemptionPolicy ?? ''),
];

// Upstream appends " (default)" to NAME for the default class; NAME is the server's column here.
export const storageClassColumns: TableColumn[] = [
  column('Provisioner', 'string', 'The volume provisioner.', (s: StorageClass) => s.provisioner ?? ''),
  column('ReclaimPolicy', 'string', 'Reclaim policy of provisioned volumes.', (s: StorageClass) => s.reclaimPolicy ?? 'Delete'),
  column('VolumeBindingMode', 'string', 'When volumes are bound and provisioned.', (s: StorageClass) => s.volumeBindingMode ?? 'Immediate'),
  column('AllowVolumeExpansion', 'string', 'Whether claims may grow.', (s: StorageClass) => s.allowVolumeExpansion ?? false),
  ageColumn(),
];
