// strategyFor(def): the Strategy (defaults, prepareForCreate/Update, validate, validateUpdate) of
// every resource. Every kind gets the generic ObjectMeta rules; known kinds (keyed on group + kind)
// add their own on top.

import type { ResourceDef, Strategy } from '../registry.js';
import type { FieldError } from '../status.js';
import * as batch from './batch.js';
import * as core from './core.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { nameIsDNS1035Label, nameIsDNSLabel, nameIsDNSSubdomain, nameIsPathSegment, type NameFn } from './names.js';
import * as others from './others.js';
import { defaultPod, podQOSClass } from './pod-defaults.js';
import { validatePod, validatePodUpdate } from './pod-validation.js';
import { isObj } from './util.js';
import * as wl from './workloads.js';

/** What one kind adds to the generic strategy. */
export interface KindRules {
  nameFn?: NameFn;
  defaults?(obj: any): void;
  prepareForCreate?(obj: any): void;
  prepareForUpdate?(obj: any, old: any): void;
  validate?(obj: any): FieldError[];
  validateUpdate?(obj: any, old: any): FieldError[];
}

const resetStatus = (obj: any) => {
  obj.status = {};
};

const RULES: Record<string, KindRules> = {
  // core
  '/Pod': {
    defaults: defaultPod,
    prepareForCreate(pod) {
      pod.status = { phase: 'Pending', qosClass: podQOSClass(pod) };
    },
    validate: validatePod,
    validateUpdate: validatePodUpdate,
  },
  '/ReplicationController': {
    defaults: wl.defaultReplicationController,
    prepareForCreate: resetStatus,
    validate: wl.validateReplicationController,
  },
  '/PodTemplate': { defaults: core.defaultPodTemplate, validate: core.validatePodTemplate },
  '/Service': {
    nameFn: nameIsDNS1035Label,
    defaults: core.defaultService,
    prepareForCreate: core.prepareServiceForCreate,
    prepareForUpdate: core.prepareServiceForUpdate,
    validate: core.validateService,
    validateUpdate: core.validateServiceUpdate,
  },
  '/Namespace': {
    nameFn: nameIsDNSLabel,
    defaults: core.defaultNamespace,
    prepareForCreate: core.prepareNamespaceForCreate,
    prepareForUpdate: core.prepareNamespaceForUpdate,
    validate: core.validateNamespace,
  },
  '/Secret': { defaults: core.defaultSecret, validate: core.validateSecret, validateUpdate: core.validateSecretUpdate },
  '/ConfigMap': { validate: core.validateConfigMap, validateUpdate: core.validateConfigMapUpdate },
  '/PersistentVolume': {
    defaults: core.defaultPersistentVolume,
    prepareForCreate(pv) {
      pv.status = { phase: 'Pending' };
    },
    validate: core.validatePersistentVolume,
    validateUpdate: core.validatePersistentVolumeUpdate,
  },
  '/PersistentVolumeClaim': {
    defaults: core.defaultPersistentVolumeClaim,
    prepareForCreate(pvc) {
      pvc.status = { phase: 'Pending' };
    },
    validate: core.validatePersistentVolumeClaim,
    validateUpdate: core.validatePersistentVolumeClaimUpdate,
  },
  '/Node': { defaults: core.defaultNode, validate: core.validateNode, validateUpdate: core.validateNodeUpdate },
  '/Endpoints': { defaults: core.defaultEndpoints, validate: core.validateEndpoints },
  '/LimitRange': { defaults: core.defaultLimitRange, validate: core.validateLimitRange },
  '/ResourceQuota': { prepareForCreate: core.prepareResourceQuotaForCreate, validate: core.validateResourceQuota },
  // apps
  'apps/Deployment': {
    defaults: wl.defaultDeployment,
    prepareForCreate: resetStatus,
    validate: wl.validateDeployment,
    validateUpdate: wl.validateDeploymentUpdate,
  },
  'apps/ReplicaSet': {
    defaults: wl.defaultReplicaSet,
    prepareForCreate: resetStatus,
    validate: wl.validateReplicaSet,
    validateUpdate: wl.validateReplicaSetUpdate,
  },
  'apps/StatefulSet': {
    defaults: wl.defaultStatefulSet,
    prepareForCreate: resetStatus,
    validate: wl.validateStatefulSet,
    validateUpdate: wl.validateStatefulSetUpdate,
  },
  'apps/DaemonSet': {
    defaults: wl.defaultDaemonSet,
    prepareForCreate: resetStatus,
    validate: wl.validateDaemonSet,
    validateUpdate: wl.validateDaemonSetUpdate,
  },
  // batch
  'batch/Job': {
    defaults: batch.defaultJob,
    prepareForCreate: batch.prepareJobForCreate,
    validate: batch.validateJob,
    validateUpdate: batch.validateJobUpdate,
  },
  'batch/CronJob': { defaults: batch.defaultCronJob, prepareForCreate: resetStatus, validate: batch.validateCronJob },
  // networking, discovery, policy
  'networking.k8s.io/NetworkPolicy': { defaults: others.defaultNetworkPolicy, validate: others.validateNetworkPolicy },
  'networking.k8s.io/Ingress': { prepareForCreate: others.prepareIngressForCreate, validate: others.validateIngress },
  'discovery.k8s.io/EndpointSlice': { defaults: others.defaultEndpointSlice, validate: others.validateEndpointSlice },
  'policy/PodDisruptionBudget': {
    prepareForCreate: others.preparePodDisruptionBudgetForCreate,
    validate: others.validatePodDisruptionBudget,
  },
  // scheduling, storage, coordination
  'scheduling.k8s.io/PriorityClass': {
    defaults: others.defaultPriorityClass,
    validate: others.validatePriorityClass,
    validateUpdate: others.validatePriorityClassUpdate,
  },
  'storage.k8s.io/StorageClass': {
    defaults: others.defaultStorageClass,
    validate: others.validateStorageClass,
    validateUpdate: others.validateStorageClassUpdate,
  },
  'coordination.k8s.io/Lease': { validate: others.validateLease },
  // rbac: names are path segments
  'rbac.authorization.k8s.io/Role': { nameFn: nameIsPathSegment, validate: others.validateRole },
  'rbac.authorization.k8s.io/ClusterRole': { nameFn: nameIsPathSegment, validate: others.validateClusterRole },
  'rbac.authorization.k8s.io/RoleBinding': {
    nameFn: nameIsPathSegment,
    defaults: others.defaultRoleBinding,
    validate: others.validateRoleBinding,
    validateUpdate: others.validateBindingUpdate,
  },
  'rbac.authorization.k8s.io/ClusterRoleBinding': {
    nameFn: nameIsPathSegment,
    defaults: others.defaultRoleBinding,
    validate: others.validateClusterRoleBinding,
    validateUpdate: others.validateBindingUpdate,
  },
  // autoscaling, apiextensions
  'autoscaling/HorizontalPodAutoscaler': { defaults: others.defaultHPA, prepareForCreate: resetStatus, validate: others.validateHPA },
  'apiextensions.k8s.io/CustomResourceDefinition': { validate: others.validateCRD },
};

/** The rules of a kind, if it has any beyond the generic ones. */
export function kindRules(group: string, kind: string): KindRules | undefined {
  return RULES[`${group}/${kind}`];
}

/** The strategy for a resource: generic ObjectMeta rules plus the kind's own. */
export function strategyFor(def: ResourceDef): Strategy {
  const rules = kindRules(def.group, def.kind) ?? {};
  const nameFn = rules.nameFn ?? nameIsDNSSubdomain;
  return {
    defaults(obj) {
      if (!isObj(obj)) return;
      rules.defaults?.(obj);
    },
    prepareForCreate(obj) {
      if (!isObj(obj)) return;
      rules.prepareForCreate?.(obj);
    },
    prepareForUpdate(obj, old) {
      if (!isObj(obj)) return;
      // A client replacing an object without its server-set identity keeps the stored one.
      const meta = isObj(obj.metadata) ? obj.metadata : (obj.metadata = {});
      const oldMeta = isObj(old?.metadata) ? old.metadata : {};
      if (!meta.uid && oldMeta.uid) meta.uid = oldMeta.uid;
      if (!meta.creationTimestamp && oldMeta.creationTimestamp) meta.creationTimestamp = oldMeta.creationTimestamp;
      rules.prepareForUpdate?.(obj, old);
    },
    validate(obj) {
      const errs = validateObjectMeta(obj?.metadata, { namespaced: def.namespaced, nameFn });
      if (rules.validate) errs.push(...rules.validate(obj));
      return errs;
    },
    validateUpdate(obj, old) {
      const errs = validateObjectMetaUpdate(obj?.metadata, old?.metadata);
      if (rules.validateUpdate) errs.push(...rules.validateUpdate(obj, old));
      return errs;
    },
  };
}

export { parseCron, CronError, isValidTimeZone, type Schedule } from './cron.js';
export { Quantity, QuantityError, parseQuantity, tryParseQuantity, compareQuantities, canonicalQuantity } from './quantity.js';
export { selectorMatches, validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
export { podQOSClass, defaultPod, defaultPodSpec } from './pod-defaults.js';
export { validatePodSpec, validatePodTemplateSpec } from './pod-validation.js';
