// Kinds outside core/apps/batch: networking, discovery, policy, scheduling, storage, coordination,
// rbac, autoscaling, apiextensions.

import { fieldErr, type FieldError } from '../status.js';
import { validateLabelSelector } from './meta.js';
import { isDNS1123Subdomain, isQualifiedName, isValidCIDR, isValidIP, isValidPortName, isValidPortNum } from './names.js';
import { checkImmutable, ensureObj, goValue, invalidRaw, isObj, nonNegative, semanticEqual } from './util.js';
import { validatePositiveIntOrPercent } from './workloads.js';

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

function specOf(obj: any): Record<string, any> {
  return isObj(obj?.spec) ? obj.spec : {};
}

// ---------- NetworkPolicy ----------

export function defaultNetworkPolicy(np: any): void {
  const spec = ensureObj(np, 'spec');
  for (const dir of ['ingress', 'egress']) for (const rule of spec[dir] ?? []) for (const p of rule?.ports ?? []) if (isObj(p) && !p.protocol) p.protocol = 'TCP';
  if (!Array.isArray(spec.policyTypes) || spec.policyTypes.length === 0) {
    spec.policyTypes = ['Ingress'];
    if (Array.isArray(spec.egress) && spec.egress.length > 0) spec.policyTypes.push('Egress');
  }
}

export function validateNetworkPolicy(np: any): FieldError[] {
  const errs: FieldError[] = [];
  const spec = specOf(np);
  errs.push(...validateLabelSelector(spec.podSelector, 'spec.podSelector'));
  for (const [dir, peerField] of [['ingress', 'from'], ['egress', 'to']] as const) {
    (spec[dir] ?? []).forEach((rule: any, i: number) => {
      const rp = `spec.${dir}[${i}]`;
      (rule?.ports ?? []).forEach((p: any, j: number) => {
        const pp = `${rp}.ports[${j}]`;
        if (p?.protocol && !PROTOCOLS.includes(p.protocol)) errs.push(fieldErr.notSupported(`${pp}.protocol`, p.protocol, PROTOCOLS));
        if (typeof p?.port === 'number') for (const m of isValidPortNum(p.port)) errs.push(fieldErr.invalid(`${pp}.port`, p.port, m));
        else if (typeof p?.port === 'string') for (const m of isValidPortName(p.port)) errs.push(fieldErr.invalid(`${pp}.port`, p.port, m));
        if (typeof p?.endPort === 'number') {
          if (typeof p.port !== 'number') errs.push(fieldErr.required(`${pp}.port`, 'must be specified when endPort is specified'));
          else if (p.endPort < p.port) errs.push(fieldErr.invalid(`${pp}.endPort`, p.endPort, 'must be greater than or equal to `port`'));
        }
      });
      (rule?.[peerField] ?? []).forEach((peer: any, j: number) => {
        const pp = `${rp}.${peerField}[${j}]`;
        const n = ['podSelector', 'namespaceSelector', 'ipBlock'].filter((k) => isObj(peer?.[k])).length;
        if (n === 0) errs.push(fieldErr.required(pp, 'must specify a peer'));
        if (isObj(peer?.ipBlock)) {
          if (isObj(peer.podSelector) || isObj(peer.namespaceSelector)) errs.push(fieldErr.forbidden(pp, 'may not specify both ipBlock and another peer'));
          if (!peer.ipBlock.cidr) errs.push(fieldErr.required(`${pp}.ipBlock.cidr`));
          else if (!isValidCIDR(peer.ipBlock.cidr)) errs.push(fieldErr.invalid(`${pp}.ipBlock.cidr`, peer.ipBlock.cidr, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'));
        }
        errs.push(...validateLabelSelector(peer?.podSelector, `${pp}.podSelector`));
        errs.push(...validateLabelSelector(peer?.namespaceSelector, `${pp}.namespaceSelector`));
      });
    });
  }
  if (Array.isArray(spec.policyTypes)) {
    spec.policyTypes.forEach((t: string, i: number) => {
      if (t !== 'Ingress' && t !== 'Egress') errs.push(fieldErr.notSupported(`spec.policyTypes[${i}]`, t, ['Ingress', 'Egress']));
    });
    if (spec.policyTypes.length > 2) errs.push(invalidRaw('spec.policyTypes', goValue(spec.policyTypes), 'may not have more than 2 values'));
  }
  return errs;
}

// ---------- Ingress ----------

const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];

function validateIngressBackend(b: any, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!isObj(b)) return [fieldErr.required(path)];
  const hasSvc = isObj(b.service);
  const hasRes = isObj(b.resource);
  if (hasSvc && hasRes) errs.push(fieldErr.invalid(path, '', 'cannot set both resource and service backends'));
  if (!hasSvc && !hasRes) errs.push(fieldErr.invalid(path, '', 'resource or service backend is required'));
  if (hasSvc) {
    if (!b.service.name) errs.push(fieldErr.required(`${path}.service.name`));
    const port = b.service.port;
    if (!isObj(port) || (port.name === undefined && port.number === undefined)) errs.push(fieldErr.required(`${path}.service.port`, 'port name or number is required'));
    else if (port.name && port.number) errs.push(fieldErr.invalid(`${path}.service.port`, port, 'cannot set both port name & port number'));
    else if (typeof port.number === 'number') for (const m of isValidPortNum(port.number)) errs.push(fieldErr.invalid(`${path}.service.port.number`, port.number, m));
    else if (port.name) for (const m of isValidPortName(port.name)) errs.push(fieldErr.invalid(`${path}.service.port.name`, port.name, m));
  }
  return errs;
}

export function validateIngress(ing: any): FieldError[] {
  const errs: FieldError[] = [];
  const spec = specOf(ing);
  const rules: any[] = Array.isArray(spec.rules) ? spec.rules : [];
  if (spec.defaultBackend === undefined && rules.length === 0) errs.push(invalidRaw('spec.rules', goValue(rules), 'either `defaultBackend` or `rules` must be specified'));
  if (spec.defaultBackend !== undefined) errs.push(...validateIngressBackend(spec.defaultBackend, 'spec.defaultBackend'));
  rules.forEach((r: any, i: number) => {
    const p = `spec.rules[${i}]`;
    if (r?.host) {
      const h = String(r.host);
      if (isValidIP(h)) errs.push(fieldErr.invalid(`${p}.host`, h, 'must be a DNS name, not an IP address'));
      const check = h.startsWith('*.') ? h.slice(2) : h;
      for (const m of isDNS1123Subdomain(check)) errs.push(fieldErr.invalid(`${p}.host`, h, m));
    }
    const paths: any[] = r?.http?.paths ?? [];
    if (isObj(r?.http) && paths.length === 0) errs.push(fieldErr.required(`${p}.http.paths`));
    paths.forEach((hp: any, j: number) => {
      const pp = `${p}.http.paths[${j}]`;
      if (!hp?.pathType) errs.push(fieldErr.required(`${pp}.pathType`, 'pathType must be specified'));
      else if (!PATH_TYPES.includes(hp.pathType)) errs.push(fieldErr.notSupported(`${pp}.pathType`, hp.pathType, PATH_TYPES));
      if ((hp?.pathType === 'Exact' || hp?.pathType === 'Prefix') && !String(hp?.path ?? '').startsWith('/'))
        errs.push(fieldErr.invalid(`${pp}.path`, hp?.path ?? '', 'must be an absolute path'));
      errs.push(...validateIngressBackend(hp?.backend, `${pp}.backend`));
    });
  });
  if (spec.ingressClassName) for (const m of isDNS1123Subdomain(spec.ingressClassName)) errs.push(fieldErr.invalid('spec.ingressClassName', spec.ingressClassName, m));
  return errs;
}

export function prepareIngressForCreate(ing: any): void {
  ing.status = {};
}

// ---------- EndpointSlice ----------

export function defaultEndpointSlice(es: any): void {
  for (const p of es?.ports ?? []) {
    if (!isObj(p)) continue;
    if (!p.protocol) p.protocol = 'TCP';
    if (p.name === undefined) p.name = '';
  }
}

export function validateEndpointSlice(es: any): FieldError[] {
  const errs: FieldError[] = [];
  const types = ['IPv4', 'IPv6', 'FQDN'];
  if (!es?.addressType) errs.push(fieldErr.required('addressType'));
  else if (!types.includes(es.addressType)) errs.push(fieldErr.notSupported('addressType', es.addressType, types));
  (es?.endpoints ?? []).forEach((ep: any, i: number) => {
    const addrs: any[] = Array.isArray(ep?.addresses) ? ep.addresses : [];
    if (addrs.length === 0) errs.push(fieldErr.required(`endpoints[${i}].addresses`, 'must contain at least 1 address'));
    if (addrs.length > 100) errs.push({ type: 'FieldValueTooMany', field: `endpoints[${i}].addresses`, detail: `Too many: ${addrs.length}: must have at most 100 items` });
    addrs.forEach((a, j) => {
      if ((es.addressType === 'IPv4' || es.addressType === 'IPv6') && !isValidIP(String(a)))
        errs.push(fieldErr.invalid(`endpoints[${i}].addresses[${j}]`, a, 'must be a valid IP address'));
    });
  });
  (es?.ports ?? []).forEach((p: any, i: number) => {
    if (p?.protocol && !PROTOCOLS.includes(p.protocol)) errs.push(fieldErr.notSupported(`ports[${i}].protocol`, p.protocol, PROTOCOLS));
    if (typeof p?.port === 'number') for (const m of isValidPortNum(p.port)) errs.push(fieldErr.invalid(`ports[${i}].port`, p.port, m));
  });
  return errs;
}

// ---------- PodDisruptionBudget ----------

export function validatePodDisruptionBudget(pdb: any): FieldError[] {
  const errs: FieldError[] = [];
  const spec = specOf(pdb);
  if (spec.minAvailable !== undefined && spec.minAvailable !== null && spec.maxUnavailable !== undefined && spec.maxUnavailable !== null)
    errs.push(fieldErr.invalid('spec', spec, 'minAvailable and maxUnavailable cannot be both set'));
  for (const f of ['minAvailable', 'maxUnavailable']) {
    errs.push(...validatePositiveIntOrPercent(spec[f], `spec.${f}`));
    if (typeof spec[f] === 'string' && /^[0-9]+%$/.test(spec[f]) && Number(spec[f].slice(0, -1)) > 100)
      errs.push(fieldErr.invalid(`spec.${f}`, spec[f], 'must not be greater than 100%'));
  }
  errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  const up = spec.unhealthyPodEvictionPolicy;
  if (up && up !== 'IfHealthyBudget' && up !== 'AlwaysAllow')
    errs.push(fieldErr.notSupported('spec.unhealthyPodEvictionPolicy', up, ['AlwaysAllow', 'IfHealthyBudget']));
  return errs;
}

export function preparePodDisruptionBudgetForCreate(pdb: any): void {
  pdb.status = { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
}

// ---------- PriorityClass ----------

export const HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000;
const SYSTEM_PRIORITY_CLASSES: Record<string, number> = { 'system-node-critical': 2_000_001_000, 'system-cluster-critical': 2_000_000_000 };

export function defaultPriorityClass(pc: any): void {
  if (isObj(pc) && !pc.preemptionPolicy) pc.preemptionPolicy = 'PreemptLowerPriority';
}

export function validatePriorityClass(pc: any): FieldError[] {
  const errs: FieldError[] = [];
  const name = String(pc?.metadata?.name ?? '');
  const value = pc?.value;
  if (name.startsWith('system-')) {
    let why = '';
    if (!(name in SYSTEM_PRIORITY_CLASSES)) why = `${name} is not a known system priority class`;
    else if (value !== SYSTEM_PRIORITY_CLASSES[name]) why = `value of ${name} PriorityClass must be ${SYSTEM_PRIORITY_CLASSES[name]}`;
    else if (pc?.globalDefault === true) why = `globalDefault of ${name} PriorityClass must be false`;
    if (why) errs.push(fieldErr.forbidden('metadata.name', `priority class names with 'system-' prefix are reserved for system use only. error: ${why}`));
  } else if (typeof value === 'number' && value > HIGHEST_USER_DEFINABLE_PRIORITY) {
    errs.push(fieldErr.forbidden('value', `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`));
  }
  if (typeof value !== 'number') errs.push(fieldErr.required('value'));
  const pp = pc?.preemptionPolicy;
  if (pp && pp !== 'PreemptLowerPriority' && pp !== 'Never') errs.push(fieldErr.notSupported('preemptionPolicy', pp, ['Never', 'PreemptLowerPriority']));
  return errs;
}

export function validatePriorityClassUpdate(pc: any, old: any): FieldError[] {
  const errs: FieldError[] = [];
  if (pc?.value !== old?.value) errs.push(fieldErr.forbidden('value', 'may not be changed in an update.'));
  checkImmutable(errs, 'preemptionPolicy', pc?.preemptionPolicy ?? null, old?.preemptionPolicy ?? null);
  return errs;
}

// ---------- StorageClass ----------

export function defaultStorageClass(sc: any): void {
  if (!isObj(sc)) return;
  if (!sc.reclaimPolicy) sc.reclaimPolicy = 'Delete';
  if (!sc.volumeBindingMode) sc.volumeBindingMode = 'Immediate';
}

export function validateStorageClass(sc: any): FieldError[] {
  const errs: FieldError[] = [];
  if (!sc?.provisioner) errs.push(fieldErr.required('provisioner'));
  else {
    for (const m of isQualifiedName(String(sc.provisioner).toLowerCase())) errs.push(fieldErr.invalid('provisioner', sc.provisioner, m));
    if (String(sc.provisioner).length > 63) errs.push(fieldErr.tooLong('provisioner', 63));
  }
  if (sc?.reclaimPolicy && !['Delete', 'Retain'].includes(sc.reclaimPolicy)) errs.push(fieldErr.notSupported('reclaimPolicy', sc.reclaimPolicy, ['Delete', 'Retain']));
  if (sc?.volumeBindingMode && !['Immediate', 'WaitForFirstConsumer'].includes(sc.volumeBindingMode))
    errs.push(fieldErr.notSupported('volumeBindingMode', sc.volumeBindingMode, ['Immediate', 'WaitForFirstConsumer']));
  return errs;
}

export function validateStorageClassUpdate(sc: any, old: any): FieldError[] {
  const errs: FieldError[] = [];
  if (!semanticEqual(sc?.parameters, old?.parameters)) errs.push(fieldErr.forbidden('parameters', 'updates to parameters are forbidden.'));
  checkImmutable(errs, 'provisioner', sc?.provisioner ?? '', old?.provisioner ?? '');
  if (sc?.reclaimPolicy !== old?.reclaimPolicy) errs.push(fieldErr.forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
  checkImmutable(errs, 'volumeBindingMode', sc?.volumeBindingMode ?? null, old?.volumeBindingMode ?? null);
  return errs;
}

// ---------- Lease ----------

export function validateLease(lease: any): FieldError[] {
  const errs: FieldError[] = [];
  const spec = specOf(lease);
  if (typeof spec.leaseDurationSeconds === 'number' && spec.leaseDurationSeconds <= 0)
    errs.push(fieldErr.invalid('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'));
  nonNegative(errs, 'spec.leaseTransitions', spec.leaseTransitions);
  return errs;
}

// ---------- RBAC ----------

const RBAC_GROUP = 'rbac.authorization.k8s.io';

export function defaultRoleBinding(rb: any): void {
  if (isObj(rb?.roleRef) && !rb.roleRef.apiGroup) rb.roleRef.apiGroup = RBAC_GROUP;
  for (const s of rb?.subjects ?? []) {
    if (!isObj(s) || s.apiGroup !== undefined) continue;
    s.apiGroup = s.kind === 'ServiceAccount' ? '' : s.kind === 'User' || s.kind === 'Group' ? RBAC_GROUP : s.apiGroup;
  }
}

function validatePolicyRules(rules: unknown, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!Array.isArray(rules)) return errs;
  rules.forEach((r: any, i: number) => {
    const p = `${path}[${i}]`;
    if (!Array.isArray(r?.verbs) || r.verbs.length === 0) errs.push(fieldErr.required(`${p}.verbs`, 'verbs must contain at least one value'));
    const nonRes = Array.isArray(r?.nonResourceURLs) && r.nonResourceURLs.length > 0;
    const res = Array.isArray(r?.resources) && r.resources.length > 0;
    if (nonRes) {
      if (namespaced) errs.push(invalidRaw(`${p}.nonResourceURLs`, goValue(r.nonResourceURLs), 'namespaced rules cannot apply to non-resource URLs'));
      if (res || (Array.isArray(r?.apiGroups) && r.apiGroups.length > 0) || (Array.isArray(r?.resourceNames) && r.resourceNames.length > 0))
        errs.push(invalidRaw(`${p}.nonResourceURLs`, goValue(r.nonResourceURLs), 'rules cannot apply to both regular resources and non-resource URLs'));
    } else {
      if (!Array.isArray(r?.apiGroups) || r.apiGroups.length === 0) errs.push(fieldErr.required(`${p}.apiGroups`, 'resource rules must supply at least one api group'));
      if (!res) errs.push(fieldErr.required(`${p}.resources`, 'resource rules must supply at least one resource'));
    }
  });
  return errs;
}

export function validateRole(role: any): FieldError[] {
  return validatePolicyRules(role?.rules, true, 'rules');
}

export function validateClusterRole(role: any): FieldError[] {
  const errs = validatePolicyRules(role?.rules, false, 'rules');
  const ar = role?.aggregationRule;
  if (isObj(ar)) {
    const sels: any[] = Array.isArray(ar.clusterRoleSelectors) ? ar.clusterRoleSelectors : [];
    if (sels.length === 0) errs.push(fieldErr.required('aggregationRule.clusterRoleSelectors', 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
    sels.forEach((s, i) => errs.push(...validateLabelSelector(s, `aggregationRule.clusterRoleSelectors[${i}]`)));
  }
  return errs;
}

function validateBinding(rb: any, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const ref = isObj(rb?.roleRef) ? rb.roleRef : {};
  if (ref.apiGroup !== RBAC_GROUP) errs.push(fieldErr.notSupported('roleRef.apiGroup', ref.apiGroup ?? '', [RBAC_GROUP]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(ref.kind)) errs.push(fieldErr.notSupported('roleRef.kind', ref.kind ?? '', kinds));
  if (!ref.name) errs.push(fieldErr.required('roleRef.name'));
  (rb?.subjects ?? []).forEach((s: any, i: number) => {
    const p = `subjects[${i}]`;
    if (!s?.name) errs.push(fieldErr.required(`${p}.name`));
    switch (s?.kind) {
      case 'ServiceAccount':
        if (s.apiGroup) errs.push(fieldErr.notSupported(`${p}.apiGroup`, s.apiGroup, ['']));
        if (!namespaced && !s.namespace) errs.push(fieldErr.required(`${p}.namespace`));
        break;
      case 'User':
      case 'Group':
        if (s.apiGroup !== RBAC_GROUP) errs.push(fieldErr.notSupported(`${p}.apiGroup`, s.apiGroup ?? '', [RBAC_GROUP]));
        break;
      default:
        errs.push(fieldErr.notSupported(`${p}.kind`, s?.kind ?? '', ['ServiceAccount', 'User', 'Group']));
    }
  });
  return errs;
}

export const validateRoleBinding = (rb: any) => validateBinding(rb, true);
export const validateClusterRoleBinding = (rb: any) => validateBinding(rb, false);

export function validateBindingUpdate(rb: any, old: any): FieldError[] {
  if (!semanticEqual(rb?.roleRef, old?.roleRef))
    return [invalidRaw('roleRef', `rbac.RoleRef{APIGroup:${JSON.stringify(rb?.roleRef?.apiGroup ?? '')}, Kind:${JSON.stringify(rb?.roleRef?.kind ?? '')}, Name:${JSON.stringify(rb?.roleRef?.name ?? '')}}`, 'cannot change roleRef')];
  return [];
}

// ---------- HorizontalPodAutoscaler (autoscaling/v2) ----------

export function defaultHPA(hpa: any): void {
  const spec = ensureObj(hpa, 'spec');
  spec.minReplicas ??= 1;
  if (!Array.isArray(spec.metrics) || spec.metrics.length === 0) {
    spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
  }
  const behavior = ensureObj(spec, 'behavior');
  const up = ensureObj(behavior, 'scaleUp');
  up.stabilizationWindowSeconds ??= 0;
  if (!up.selectPolicy) up.selectPolicy = 'Max';
  if (!Array.isArray(up.policies) || up.policies.length === 0)
    up.policies = [
      { type: 'Pods', value: 4, periodSeconds: 15 },
      { type: 'Percent', value: 100, periodSeconds: 15 },
    ];
  const down = ensureObj(behavior, 'scaleDown');
  down.stabilizationWindowSeconds ??= 300;
  if (!down.selectPolicy) down.selectPolicy = 'Max';
  if (!Array.isArray(down.policies) || down.policies.length === 0) down.policies = [{ type: 'Percent', value: 100, periodSeconds: 15 }];
}

export function validateHPA(hpa: any): FieldError[] {
  const errs: FieldError[] = [];
  const spec = specOf(hpa);
  const ref = spec.scaleTargetRef;
  if (!isObj(ref)) errs.push(fieldErr.required('spec.scaleTargetRef'));
  else {
    if (!ref.kind) errs.push(fieldErr.required('spec.scaleTargetRef.kind'));
    if (!ref.name) errs.push(fieldErr.required('spec.scaleTargetRef.name'));
  }
  if (typeof spec.minReplicas === 'number' && spec.minReplicas < 1) errs.push(fieldErr.invalid('spec.minReplicas', spec.minReplicas, 'must be greater than or equal to 1'));
  if (typeof spec.maxReplicas !== 'number') errs.push(fieldErr.required('spec.maxReplicas'));
  else {
    if (spec.maxReplicas < 1) errs.push(fieldErr.invalid('spec.maxReplicas', spec.maxReplicas, 'must be greater than 0'));
    if (typeof spec.minReplicas === 'number' && spec.maxReplicas < spec.minReplicas)
      errs.push(fieldErr.invalid('spec.maxReplicas', spec.maxReplicas, 'must be greater than or equal to `minReplicas`'));
  }
  return errs;
}

// ---------- CustomResourceDefinition ----------

export function validateCRD(crd: any): FieldError[] {
  const errs: FieldError[] = [];
  const spec = specOf(crd);
  const plural = spec.names?.plural ?? '';
  const group = spec.group ?? '';
  const name = crd?.metadata?.name ?? '';
  if (name !== `${plural}.${group}`) errs.push(fieldErr.invalid('metadata.name', name, 'must be spec.names.plural+"."+spec.group'));
  if (!group) errs.push(fieldErr.required('spec.group'));
  else if (group.split('.').length < 2) errs.push(fieldErr.invalid('spec.group', group, 'should be a domain with at least one dot'));
  if (!plural) errs.push(fieldErr.required('spec.names.plural'));
  if (!spec.names?.kind) errs.push(fieldErr.required('spec.names.kind'));
  if (!['Namespaced', 'Cluster'].includes(spec.scope)) errs.push(fieldErr.notSupported('spec.scope', spec.scope ?? '', ['Cluster', 'Namespaced']));
  const versions: any[] = Array.isArray(spec.versions) ? spec.versions : [];
  if (versions.length === 0) errs.push(fieldErr.required('spec.versions', 'must have exactly one version marked as storage version'));
  else if (versions.filter((v) => v?.storage === true).length !== 1)
    errs.push(invalidRaw('spec.versions', goValue(versions.map((v) => v?.name)), 'must have exactly one version marked as storage version'));
  return errs;
}
