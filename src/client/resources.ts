// ResourceRefs for the resources our components use most.

import type { ResourceRef } from './resource.js';

const core = (plural: string, namespaced = true): ResourceRef => ({ group: '', version: 'v1', plural, namespaced });

export const PODS = core('pods');
export const NODES = core('nodes', false);
export const NAMESPACES = core('namespaces', false);
export const SERVICES = core('services');
export const ENDPOINTS = core('endpoints');
export const CONFIGMAPS = core('configmaps');
export const SECRETS = core('secrets');
export const EVENTS = core('events');
export const PERSISTENT_VOLUMES = core('persistentvolumes', false);
export const PERSISTENT_VOLUME_CLAIMS = core('persistentvolumeclaims');
export const SERVICE_ACCOUNTS = core('serviceaccounts');
export const REPLICATION_CONTROLLERS = core('replicationcontrollers');
export const LEASES: ResourceRef = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', namespaced: true };
export const PRIORITY_CLASSES: ResourceRef = { group: 'scheduling.k8s.io', version: 'v1', plural: 'priorityclasses', namespaced: false };
export const DEPLOYMENTS: ResourceRef = { group: 'apps', version: 'v1', plural: 'deployments', namespaced: true };
export const REPLICA_SETS: ResourceRef = { group: 'apps', version: 'v1', plural: 'replicasets', namespaced: true };
export const STATEFUL_SETS: ResourceRef = { group: 'apps', version: 'v1', plural: 'statefulsets', namespaced: true };
export const DAEMON_SETS: ResourceRef = { group: 'apps', version: 'v1', plural: 'daemonsets', namespaced: true };
export const JOBS: ResourceRef = { group: 'batch', version: 'v1', plural: 'jobs', namespaced: true };
export const CRON_JOBS: ResourceRef = { group: 'batch', version: 'v1', plural: 'cronjobs', namespaced: true };
export const POD_DISRUPTION_BUDGETS: ResourceRef = { group: 'policy', version: 'v1', plural: 'poddisruptionbudgets', namespaced: true };
export const CSI_NODES: ResourceRef = { group: 'storage.k8s.io', version: 'v1', plural: 'csinodes', namespaced: false };
export const STORAGE_CLASSES: ResourceRef = { group: 'storage.k8s.io', version: 'v1', plural: 'storageclasses', namespaced: false };
export const ENDPOINT_SLICES: ResourceRef = { group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices', namespaced: true };
