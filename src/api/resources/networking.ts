// networking.k8s.io/v1.

import type { ResourceDef } from '../registry.js';
import { ingressClassColumns, ingressColumns, networkPolicyColumns } from './columns/networking.js';

const networking = { group: 'networking.k8s.io', version: 'v1' } as const;

export const ingresses: ResourceDef = {
  ...networking,
  kind: 'Ingress',
  plural: 'ingresses',
  singular: 'ingress',
  namespaced: true,
  shortNames: ['ing'],
  subresources: ['status'],
  generation: true,
  columns: ingressColumns,
};

export const ingressclasses: ResourceDef = {
  ...networking,
  kind: 'IngressClass',
  plural: 'ingressclasses',
  singular: 'ingressclass',
  namespaced: false,
  generation: true,
  columns: ingressClassColumns,
};

export const networkpolicies: ResourceDef = {
  ...networking,
  kind: 'NetworkPolicy',
  plural: 'networkpolicies',
  singular: 'networkpolicy',
  namespaced: true,
  shortNames: ['netpol'],
  generation: true,
  columns: networkPolicyColumns,
};

export const networkingResources: ResourceDef[] = [ingresses, ingressclasses, networkpolicies];
