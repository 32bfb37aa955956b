// core/v1 (the legacy group, served under /api/v1).

import type { ResourceDef } from '../registry.js';
import {
  configMapColumns,
  endpointsColumns,
  eventColumns,
  limitRangeColumns,
  namespaceColumns,
  nodeColumns,
  persistentVolumeClaimColumns,
  persistentVolumeColumns,
  podTemplateColumns,
  replicationControllerColumns,
  resourceQuotaColumns,
  secretColumns,
  serviceAccountColumns,
  serviceColumns,
} from './columns/core.js';
import { podColumns } from './columns/pod.js';
import { mapSelectorScale } from './scale.js';

const core = { group: '', version: 'v1' } as const;
const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

export const namespaces: ResourceDef = {
  ...core,
  kind: 'Namespace',
  plural: 'namespaces',
  singular: 'namespace',
  namespaced: false,
  shortNames: ['ns'],
  // Upstream serves no deletecollection on namespaces.
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: ['status', 'finalize'],
  columns: namespaceColumns,
  fieldSelectors: {
    'status.phase': (o) => str(o.status?.phase),
  },
};

export const pods: ResourceDef = {
  ...core,
  kind: 'Pod',
  plural: 'pods',
  singular: 'pod',
  namespaced: true,
  shortNames: ['po'],
  categories: ['all'],
  subresources: ['status', 'binding', 'log', 'exec', 'attach', 'portforward', 'eviction'],
  columns: podColumns,
  fieldSelectors: {
    'spec.nodeName': (o) => str(o.spec?.nodeName),
    'spec.restartPolicy': (o) => str(o.spec?.restartPolicy),
    'spec.schedulerName': (o) => str(o.spec?.schedulerName),
    'spec.serviceAccountName': (o) => str(o.spec?.serviceAccountName),
    'spec.hostNetwork': (o) => String(o.spec?.hostNetwork === true),
    'status.phase': (o) => str(o.status?.phase),
    // The first pod IP (status.podIPs[0], which status.podIP mirrors).
    'status.podIP': (o) => str(o.status?.podIPs?.[0]?.ip ?? o.status?.podIP),
    'status.nominatedNodeName': (o) => str(o.status?.nominatedNodeName),
  },
};

export const nodes: ResourceDef = {
  ...core,
  kind: 'Node',
  plural: 'nodes',
  singular: 'node',
  namespaced: false,
  shortNames: ['no'],
  subresources: ['status'],
  columns: nodeColumns,
  fieldSelectors: {
    'spec.unschedulable': (o) => String(o.spec?.unschedulable === true),
  },
};

export const services: ResourceDef = {
  ...core,
  kind: 'Service',
  plural: 'services',
  singular: 'service',
  namespaced: true,
  shortNames: ['svc'],
  categories: ['all'],
  subresources: ['status'],
  columns: serviceColumns,
  fieldSelectors: {
    'spec.clusterIP': (o) => str(o.spec?.clusterIP),
    'spec.type': (o) => str(o.spec?.type),
  },
};

export const endpoints: ResourceDef = {
  ...core,
  kind: 'Endpoints',
  plural: 'endpoints',
  singular: 'endpoints',
  namespaced: true,
  shortNames: ['ep'],
  columns: endpointsColumns,
};

export const configmaps: ResourceDef = {
  ...core,
  kind: 'ConfigMap',
  plural: 'configmaps',
  singular: 'configmap',
  namespaced: true,
  shortNames: ['cm'],
  columns: configMapColumns,
};

export const secrets: ResourceDef = {
  ...core,
  kind: 'Secret',
  plural: 'secrets',
  singular: 'secret',
  namespaced: true,
  columns: secretColumns,
  fieldSelectors: {
    type: (o) => str(o.type),
  },
};

export const serviceaccounts: ResourceDef = {
  ...core,
  kind: 'ServiceAccount',
  plural: 'serviceaccounts',
  singular: 'serviceaccount',
  namespaced: true,
  shortNames: ['sa'],
  subresources: ['token'],
  columns: serviceAccountColumns,
};

export const events: ResourceDef = {
  ...core,
  kind: 'Event',
  plural: 'events',
  singular: 'event',
  namespaced: true,
  shortNames: ['ev'],
  columns: eventColumns,
  fieldSelectors: {
    'involvedObject.kind': (o) => str(o.involvedObject?.kind),
    'involvedObject.namespace': (o) => str(o.involvedObject?.namespace),
    'involvedObject.name': (o) => str(o.involvedObject?.name),
    'involvedObject.uid': (o) => str(o.involvedObject?.uid),
    'involvedObject.apiVersion': (o) => str(o.involvedObject?.apiVersion),
    'involvedObject.resourceVersion': (o) => str(o.involvedObject?.resourceVersion),
    'involvedObject.fieldPath': (o) => str(o.involvedObject?.fieldPath),
    reason: (o) => str(o.reason),
    reportingComponent: (o) => str(o.reportingComponent),
    source: (o) => str(o.source?.component),
    type: (o) => str(o.type),
  },
};

export const limitranges: ResourceDef = {
  ...core,
  kind: 'LimitRange',
  plural: 'limitranges',
  singular: 'limitrange',
  namespaced: true,
  shortNames: ['limits'],
  columns: limitRangeColumns,
};

export const resourcequotas: ResourceDef = {
  ...core,
  kind: 'ResourceQuota',
  plural: 'resourcequotas',
  singular: 'resourcequota',
  namespaced: true,
  shortNames: ['quota'],
  subresources: ['status'],
  columns: resourceQuotaColumns,
};

export const persistentvolumes: ResourceDef = {
  ...core,
  kind: 'PersistentVolume',
  plural: 'persistentvolumes',
  singular: 'persistentvolume',
  namespaced: false,
  shortNames: ['pv'],
  subresources: ['status'],
  columns: persistentVolumeColumns,
};

export const persistentvolumeclaims: ResourceDef = {
  ...core,
  kind: 'PersistentVolumeClaim',
  plural: 'persistentvolumeclaims',
  singular: 'persistentvolumeclaim',
  namespaced: true,
  shortNames: ['pvc'],
  subresources: ['status'],
  columns: persistentVolumeClaimColumns,
};

export const podtemplates: ResourceDef = {
  ...core,
  kind: 'PodTemplate',
  plural: 'podtemplates',
  singular: 'podtemplate',
  namespaced: true,
  columns: podTemplateColumns,
};

export const replicationcontrollers: ResourceDef = {
  ...core,
  kind: 'ReplicationController',
  plural: 'replicationcontrollers',
  singular: 'replicationcontroller',
  namespaced: true,
  shortNames: ['rc'],
  categories: ['all'],
  subresources: ['status', 'scale'],
  scale: mapSelectorScale,
  generation: true,
  columns: replicationControllerColumns,
  fieldSelectors: {
    'status.replicas': (o) => String(o.status?.replicas ?? 0),
  },
};

export const coreResources: ResourceDef[] = [
  namespaces,
  pods,
  nodes,
  services,
  endpoints,
  configmaps,
  secrets,
  serviceaccounts,
  events,
  limitranges,
  resourcequotas,
  persistentvolumes,
  persistentvolumeclaims,
  podtemplates,
  replicationcontrollers,
];
