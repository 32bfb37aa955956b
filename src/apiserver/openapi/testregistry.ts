// A small registry for the openapi tests.

import { Registry } from '../../api/registry.js';

export function testRegistry(): Registry {
  const r = new Registry();
  r.add({ group: '', version: 'v1', kind: 'Pod', plural: 'pods', singular: 'pod', namespaced: true, subresources: ['status', 'log'] });
  r.add({ group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', singular: 'namespace', namespaced: false, subresources: ['status'] });
  r.add({ group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', singular: 'deployment', namespaced: true, subresources: ['status', 'scale'] });
  r.add({ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role', plural: 'roles', singular: 'role', namespaced: true });
  return r;
}
