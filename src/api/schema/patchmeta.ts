// Merge metadata of the built-in types: how strategic merge patch merges a list or map field
// (patchStrategy, patchMergeKey) and how server-side apply treats it (listType, listMapKeys,
// mapType). kubernetes-types carries none of it, so it is declared here and applied onto the
// generated definitions by load.ts.
//
// Each field entry is a space-separated list of:
//   patch:<strategy>[/<mergeKey>]   strategic merge patch (strategy "merge", "retainKeys", "merge,retainKeys")
//   list:atomic | list:set | list:map(<key>,…)
//   map:atomic | map:granular
// Tables are keyed by kubernetes-types module ('core/v1') and type name; fields that the installed
// kubernetes-types does not declare are skipped.

import { definitionPrefix } from './names.js';
import type { RawSchema, SchemaNode } from './types.js';

export type FieldMeta = Pick<SchemaNode, 'patchStrategy' | 'patchMergeKey' | 'listType' | 'listMapKeys' | 'mapType'>;

const FIELDS: Record<string, Record<string, Record<string, string>>> = {
  'core/v1': {
    PersistentVolumeSpec: { accessModes: 'list:atomic', mountOptions: 'list:atomic' },
    PersistentVolumeClaimSpec: { accessModes: 'list:atomic' },
    PersistentVolumeClaimStatus: { accessModes: 'list:atomic', conditions: 'patch:merge/type list:map(type)', allocatedResourceStatuses: 'map:granular' },
    RBDVolumeSource: { monitors: 'list:atomic' },
    RBDPersistentVolumeSource: { monitors: 'list:atomic' },
    CephFSVolumeSource: { monitors: 'list:atomic' },
    CephFSPersistentVolumeSource: { monitors: 'list:atomic' },
    SecretVolumeSource: { items: 'list:atomic' },
    SecretProjection: { items: 'list:atomic' },
    ISCSIVolumeSource: { portals: 'list:atomic' },
    ISCSIPersistentVolumeSource: { portals: 'list:atomic' },
    FCVolumeSource: { targetWWNs: 'list:atomic', wwids: 'list:atomic' },
    ConfigMapVolumeSource: { items: 'list:atomic' },
    ConfigMapProjection: { items: 'list:atomic' },
    ProjectedVolumeSource: { sources: 'list:atomic' },
    HTTPGetAction: { httpHeaders: 'list:atomic' },
    ExecAction: { command: 'list:atomic' },
    Capabilities: { add: 'list:atomic', drop: 'list:atomic' },
    ResourceRequirements: { claims: 'list:map(name)' },
    Container: { command: 'list:atomic', args: 'list:atomic', ports: 'patch:merge/containerPort list:map(containerPort,protocol)', envFrom: 'list:atomic', env: 'patch:merge/name list:map(name)', resizePolicy: 'list:atomic', volumeMounts: 'patch:merge/mountPath list:map(mountPath)', volumeDevices: 'patch:merge/devicePath list:map(devicePath)' },
    ContainerStatus: { volumeMounts: 'patch:merge/mountPath list:map(mountPath)' },
    NodeSelector: { nodeSelectorTerms: 'list:atomic' },
    NodeSelectorTerm: { matchExpressions: 'list:atomic', matchFields: 'list:atomic' },
    NodeSelectorRequirement: { values: 'list:atomic' },
    TopologySelectorTerm: { matchLabelExpressions: 'list:atomic' },
    TopologySelectorLabelRequirement: { values: 'list:atomic' },
    PodAffinity: { requiredDuringSchedulingIgnoredDuringExecution: 'list:atomic', preferredDuringSchedulingIgnoredDuringExecution: 'list:atomic' },
    PodAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: 'list:atomic', preferredDuringSchedulingIgnoredDuringExecution: 'list:atomic' },
    PodAffinityTerm: { namespaces: 'list:atomic', matchLabelKeys: 'list:atomic', mismatchLabelKeys: 'list:atomic' },
    NodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: 'list:atomic' },
    PodSpec: { volumes: 'patch:merge,retainKeys/name list:map(name)', initContainers: 'patch:merge/name list:map(name)', containers: 'patch:merge/name list:map(name)', ephemeralContainers: 'patch:merge/name list:map(name)', nodeSelector: 'map:atomic', imagePullSecrets: 'patch:merge/name list:map(name)', tolerations: 'list:atomic', hostAliases: 'patch:merge/ip list:map(ip)', readinessGates: 'list:atomic', topologySpreadConstraints: 'patch:merge/topologyKey list:map(topologyKey,whenUnsatisfiable)', schedulingGates: 'patch:merge/name list:map(name)', resourceClaims: 'patch:merge,retainKeys/name list:map(name)' },
    TopologySpreadConstraint: { matchLabelKeys: 'list:atomic' },
    HostAlias: { hostnames: 'list:atomic' },
    PodSecurityContext: { supplementalGroups: 'list:atomic', sysctls: 'list:atomic' },
    PodDNSConfig: { nameservers: 'list:atomic', searches: 'list:atomic', options: 'list:atomic' },
    EphemeralContainer: { command: 'list:atomic', args: 'list:atomic', ports: 'patch:merge/containerPort list:map(containerPort,protocol)', envFrom: 'list:atomic', env: 'patch:merge/name list:map(name)', resizePolicy: 'list:atomic', volumeMounts: 'patch:merge/mountPath list:map(mountPath)', volumeDevices: 'patch:merge/devicePath list:map(devicePath)' },
    PodStatus: { conditions: 'patch:merge/type list:map(type)', hostIPs: 'patch:merge/ip list:atomic', podIPs: 'patch:merge/ip list:map(ip)', initContainerStatuses: 'list:atomic', containerStatuses: 'list:atomic', ephemeralContainerStatuses: 'list:atomic', resourceClaimStatuses: 'patch:merge,retainKeys/name list:map(name)' },
    ReplicationControllerSpec: { selector: 'map:atomic' },
    ReplicationControllerStatus: { conditions: 'patch:merge/type list:map(type)' },
    ServiceStatus: { conditions: 'patch:merge/type list:map(type)' },
    LoadBalancerStatus: { ingress: 'list:atomic' },
    LoadBalancerIngress: { ports: 'list:atomic' },
    ServiceSpec: { ports: 'patch:merge/port list:map(port,protocol)', selector: 'map:atomic', clusterIPs: 'list:atomic', externalIPs: 'list:atomic', loadBalancerSourceRanges: 'list:atomic', ipFamilies: 'list:atomic' },
    ServiceAccount: { secrets: 'patch:merge/name list:map(name)', imagePullSecrets: 'list:atomic' },
    Endpoints: { subsets: 'list:atomic' },
    EndpointSubset: { addresses: 'list:atomic', notReadyAddresses: 'list:atomic', ports: 'list:atomic' },
    NodeSpec: { podCIDRs: 'patch:merge list:set', taints: 'list:atomic' },
    NodeStatus: { conditions: 'patch:merge/type list:map(type)', addresses: 'patch:merge/type list:map(type)', images: 'list:atomic', volumesInUse: 'list:atomic', volumesAttached: 'list:atomic', runtimeHandlers: 'list:atomic' },
    ContainerImage: { names: 'list:atomic' },
    NamespaceSpec: { finalizers: 'list:atomic' },
    NamespaceStatus: { conditions: 'patch:merge/type list:map(type)' },
    LimitRangeSpec: { limits: 'list:atomic' },
    ResourceQuotaSpec: { scopes: 'list:atomic' },
    ScopeSelector: { matchExpressions: 'list:atomic' },
    ScopedResourceSelectorRequirement: { values: 'list:atomic' },
    ComponentStatus: { conditions: 'patch:merge/type list:map(type)' },
    DownwardAPIVolumeSource: { items: 'list:atomic' },
    DownwardAPIProjection: { items: 'list:atomic' },
  },
  'meta/v1': {
    ObjectMeta: { ownerReferences: 'patch:merge/uid list:map(uid)', finalizers: 'patch:merge list:set', managedFields: 'list:atomic' },
    DeleteOptions: { dryRun: 'list:atomic' },
    StatusDetails: { causes: 'list:atomic' },
    APIVersions: { versions: 'list:atomic', serverAddressByClientCIDRs: 'list:atomic' },
    APIGroupList: { groups: 'list:atomic' },
    APIGroup: { versions: 'list:atomic', serverAddressByClientCIDRs: 'list:atomic' },
    APIResource: { shortNames: 'list:atomic', categories: 'list:atomic' },
    APIResourceList: { resources: 'list:atomic' },
    LabelSelector: { matchExpressions: 'list:atomic' },
    LabelSelectorRequirement: { values: 'list:atomic' },
  },
  'admissionregistration/v1': {
    ValidatingAdmissionPolicyStatus: { conditions: 'list:map(type)' },
    TypeChecking: { expressionWarnings: 'list:atomic' },
    ValidatingAdmissionPolicySpec: { validations: 'list:atomic', auditAnnotations: 'list:atomic', matchConditions: 'patch:merge/name list:map(name)', variables: 'patch:merge/name list:map(name)' },
    ValidatingAdmissionPolicyBindingSpec: { validationActions: 'list:set' },
    MatchResources: { resourceRules: 'list:atomic', excludeResourceRules: 'list:atomic' },
    NamedRuleWithOperations: { apiGroups: 'list:atomic', apiVersions: 'list:atomic', operations: 'list:atomic', resourceNames: 'list:atomic' },
    ValidatingWebhookConfiguration: { webhooks: 'patch:merge/name list:map(name)' },
    MutatingWebhookConfiguration: { webhooks: 'patch:merge/name list:map(name)' },
    ValidatingWebhook: { rules: 'list:atomic', admissionReviewVersions: 'list:atomic', matchConditions: 'patch:merge/name list:map(name)' },
    MutatingWebhook: { rules: 'list:atomic', admissionReviewVersions: 'list:atomic', matchConditions: 'patch:merge/name list:map(name)' },
    RuleWithOperations: { apiGroups: 'list:atomic', apiVersions: 'list:atomic', operations: 'list:atomic' },
  },
  'apps/v1': {
    StatefulSetSpec: { volumeClaimTemplates: 'list:atomic' },
    StatefulSetStatus: { conditions: 'patch:merge/type list:map(type)' },
    DeploymentSpec: { strategy: 'patch:retainKeys' },
    DeploymentStatus: { conditions: 'patch:merge/type list:map(type)' },
    DaemonSetStatus: { conditions: 'patch:merge/type list:map(type)' },
    ReplicaSetStatus: { conditions: 'patch:merge/type list:map(type)' },
  },
  'authentication/v1': {
    TokenReviewSpec: { audiences: 'list:atomic' },
    TokenReviewStatus: { audiences: 'list:atomic' },
    UserInfo: { groups: 'list:atomic' },
    TokenRequestSpec: { audiences: 'list:atomic' },
  },
  'authorization/v1': {
    SubjectAccessReviewSpec: { groups: 'list:atomic' },
    SubjectRulesReviewStatus: { resourceRules: 'list:atomic', nonResourceRules: 'list:atomic' },
    ResourceRule: { apiGroups: 'list:atomic', resourceNames: 'list:atomic' },
    NonResourceRule: { verbs: 'list:atomic', nonResourceURLs: 'list:atomic' },
  },
  'autoscaling/v2': {
    HorizontalPodAutoscalerSpec: { metrics: 'list:atomic' },
    HPAScalingRules: { policies: 'list:atomic' },
    HorizontalPodAutoscalerStatus: { currentMetrics: 'list:atomic', conditions: 'patch:merge/type list:map(type)' },
  },
  'batch/v1': {
    PodFailurePolicyOnExitCodesRequirement: { values: 'list:set' },
    PodFailurePolicyRule: { onPodConditions: 'list:atomic' },
    PodFailurePolicy: { rules: 'list:atomic' },
    SuccessPolicy: { rules: 'list:atomic' },
    JobStatus: { conditions: 'patch:merge/type list:atomic' },
    UncountedTerminatedPods: { succeeded: 'list:set', failed: 'list:set' },
    CronJobStatus: { active: 'list:atomic' },
  },
  'certificates/v1': {
    CertificateSigningRequestSpec: { usages: 'list:atomic', groups: 'list:atomic' },
    CertificateSigningRequestStatus: { conditions: 'list:map(type)' },
  },
  'discovery/v1': {
    EndpointSlice: { endpoints: 'list:atomic', ports: 'list:atomic' },
    Endpoint: { addresses: 'list:set' },
    EndpointHints: { forZones: 'list:atomic' },
  },
  'flowcontrol/v1': {
    FlowSchemaSpec: { rules: 'list:atomic' },
    PolicyRulesWithSubjects: { subjects: 'list:atomic', resourceRules: 'list:atomic', nonResourceRules: 'list:atomic' },
    ResourcePolicyRule: { verbs: 'list:set', apiGroups: 'list:set', resources: 'list:set', namespaces: 'list:set' },
    NonResourcePolicyRule: { verbs: 'list:set', nonResourceURLs: 'list:set' },
    FlowSchemaStatus: { conditions: 'patch:merge/type list:map(type)' },
    PriorityLevelConfigurationStatus: { conditions: 'patch:merge/type list:map(type)' },
  },
  'networking/v1': {
    NetworkPolicySpec: { ingress: 'list:atomic', egress: 'list:atomic', policyTypes: 'list:atomic' },
    NetworkPolicyIngressRule: { ports: 'list:atomic', from: 'list:atomic' },
    NetworkPolicyEgressRule: { ports: 'list:atomic', to: 'list:atomic' },
    IPBlock: { except: 'list:atomic' },
    IngressSpec: { tls: 'list:atomic', rules: 'list:atomic' },
    IngressTLS: { hosts: 'list:atomic' },
    IngressLoadBalancerStatus: { ingress: 'list:atomic' },
    IngressLoadBalancerIngress: { ports: 'list:atomic' },
    HTTPIngressRuleValue: { paths: 'list:atomic' },
  },
  'node/v1': {
    Scheduling: { nodeSelector: 'map:atomic', tolerations: 'list:atomic' },
  },
  'policy/v1': {
    PodDisruptionBudgetSpec: { selector: 'patch:replace' },
    PodDisruptionBudgetStatus: { conditions: 'patch:merge/type list:map(type)' },
  },
  'rbac/v1': {
    PolicyRule: { verbs: 'list:atomic', apiGroups: 'list:atomic', resources: 'list:atomic', resourceNames: 'list:atomic', nonResourceURLs: 'list:atomic' },
    Role: { rules: 'list:atomic' },
    RoleBinding: { subjects: 'list:atomic' },
    ClusterRole: { rules: 'list:atomic' },
    AggregationRule: { clusterRoleSelectors: 'list:atomic' },
    ClusterRoleBinding: { subjects: 'list:atomic' },
  },
  'storage/v1': {
    StorageClass: { mountOptions: 'list:atomic', allowedTopologies: 'list:atomic' },
    CSIDriverSpec: { volumeLifecycleModes: 'list:set', tokenRequests: 'list:atomic' },
    CSINodeSpec: { drivers: 'patch:merge/name list:map(name)' },
    CSINodeDriver: { topologyKeys: 'list:atomic' },
  },
};

/** Struct types that server-side apply replaces as a whole (upstream `+structType=atomic`). */
const ATOMIC_STRUCTS: Record<string, string[]> = {
  'core/v1': ['SecretReference', 'ObjectFieldSelector', 'ResourceFieldSelector', 'ConfigMapKeySelector', 'SecretKeySelector', 'NodeSelector', 'NodeSelectorTerm', 'TopologySelectorTerm', 'EndpointAddress', 'EndpointPort', 'ObjectReference', 'LocalObjectReference', 'TypedLocalObjectReference', 'ScopeSelector'],
  'meta/v1': ['OwnerReference', 'LabelSelector'],
  'admissionregistration/v1': ['ParamKind', 'Variable', 'ParamRef', 'MatchResources', 'NamedRuleWithOperations'],
  'autoscaling/v1': ['CrossVersionObjectReference'],
  'discovery/v1': ['EndpointPort'],
  'networking/v1': ['ServiceBackendPort'],
  'rbac/v1': ['Subject', 'RoleRef'],
};

/** Parses one field entry ('patch:merge/name list:map(name)'). */
export function parseFieldMeta(spec: string): FieldMeta {
  const out: FieldMeta = {};
  for (const token of spec.split(' ')) {
    const [what, value = ''] = token.split(':', 2) as [string, string?];
    if (what === 'patch') {
      const [strategy, key] = value.split('/', 2) as [string, string?];
      if (strategy) out.patchStrategy = strategy;
      if (key) out.patchMergeKey = key;
    } else if (what === 'list') {
      const m = /^(atomic|set|map)(?:\(([^)]*)\))?$/.exec(value);
      if (!m) throw new Error(`bad list type in ${JSON.stringify(spec)}`);
      out.listType = m[1] as FieldMeta['listType'];
      if (m[2]) out.listMapKeys = m[2].split(',');
    } else if (what === 'map') {
      if (value !== 'atomic' && value !== 'granular') throw new Error(`bad map type in ${JSON.stringify(spec)}`);
      out.mapType = value;
    } else {
      throw new Error(`bad field metadata ${JSON.stringify(spec)}`);
    }
  }
  return out;
}

/** Field metadata by definition name and field name. */
export function patchMetadata(): Map<string, Map<string, FieldMeta>> {
  const out = new Map<string, Map<string, FieldMeta>>();
  for (const [module, types] of Object.entries(FIELDS)) {
    const prefix = definitionPrefix(module);
    for (const [type, fields] of Object.entries(types)) {
      const m = new Map<string, FieldMeta>();
      for (const [field, spec] of Object.entries(fields)) m.set(field, parseFieldMeta(spec));
      out.set(`${prefix}.${type}`, m);
    }
  }
  return out;
}

/** Definition names of the atomic struct types. */
export function atomicStructs(): string[] {
  return Object.entries(ATOMIC_STRUCTS).flatMap(([module, types]) => types.map((t) => `${definitionPrefix(module)}.${t}`));
}

/**
 * Writes the merge metadata onto raw definitions in place. Returns the entries that named a
 * definition or field the definitions do not have (for tests; harmless at run time).
 */
export function applyPatchMetadata(definitions: Record<string, RawSchema>): string[] {
  const missing: string[] = [];
  for (const [defName, fields] of patchMetadata()) {
    const def = definitions[defName];
    if (!def) {
      missing.push(defName);
      continue;
    }
    for (const [field, meta] of fields) {
      const prop = def.properties?.[field];
      if (!prop) {
        missing.push(`${defName}.${field}`);
        continue;
      }
      Object.assign(prop, meta);
    }
  }
  for (const name of atomicStructs()) {
    const def = definitions[name];
    if (def) def.mapType = 'atomic';
    else missing.push(name);
  }
  return missing;
}
