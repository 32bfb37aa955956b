// rbac.authorization.k8s.io/v1.

import type { ResourceDef } from '../registry.js';
import { bindingColumns, roleColumns } from './columns/cluster.js';

const rbac = { group: 'rbac.authorization.k8s.io', version: 'v1' } as const;

export const roles: ResourceDef = {
  ...rbac,
  kind: 'Role',
  plural: 'roles',
  singular: 'role',
  namespaced: true,
  columns: roleColumns,
};

export const rolebindings: ResourceDef = {
  ...rbac,
  kind: 'RoleBinding',
  plural: 'rolebindings',
  singular: 'rolebinding',
  namespaced: true,
  columns: bindingColumns,
};

export const clusterroles: ResourceDef = {
  ...rbac,
  kind: 'ClusterRole',
  plural: 'clusterroles',
  singular: 'clusterrole',
  namespaced: false,
  columns: roleColumns,
};

export const clusterrolebindings: ResourceDef = {
  ...rbac,
  kind: 'ClusterRoleBinding',
  plural: 'clusterrolebindings',
  singular: 'clusterrolebinding',
  namespaced: false,
  columns: bindingColumns,
};

export const rbacResources: ResourceDef[] = [roles, rolebindings, clusterroles, clusterrolebindings];
