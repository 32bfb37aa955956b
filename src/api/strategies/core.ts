// core/v1 kinds other than Pod and ReplicationController: Service, Namespace, Secret, ConfigMap,
// PersistentVolume(Claim), Node, Endpoints, LimitRange, ResourceQuota, PodTemplate.

import { fieldErr, type FieldError } from '../status.js';
import { validateLabels } from './meta.js';
import { isConfigMapKey, isDNS1123Label, isDNS1123Subdomain, isIPv6, isLabelValue, isQualifiedName, isValidCIDR, isValidIP, isValidPortName, isValidPortNum } from './names.js';
import { defaultPodTemplateSpec } from './pod-defaults.js';
import { validatePodTemplateSpec, validateResourceList } from './pod-validation.js';
import { QUANTITY_FORMAT_MSG, tryParseQuantity } from './quantity.js';
import { checkImmutable, clone, ensureObj, goValue, invalidRaw, isObj, semanticEqual } from './util.js';

export const MAX_SECRET_SIZE = 1024 * 1024;
const IP_MSG = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';

function specOf(obj: any): Record<string, any> {
  return isObj(obj?.spec) ? obj.spec : {};
}

// ---------- Service ----------

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

export function defaultService(svc: any): void {
  const spec = ensureObj(svc, 'spec');
  if (!spec.sessionAffinity) spec.sessionAffinity = 'None';
  if (spec.sessionAffinity === 'ClientIP') {
    const cfg = ensureObj(ensureObj(spec, 'sessionAffinityConfig'), 'clientIP');
    cfg.timeoutSeconds ??= 10800;
  }
  if (!spec.type) spec.type = 'ClusterIP';
  if (Array.isArray(spec.ports)) {
    for (const p of spec.ports) {
      if (!isObj(p)) continue;
      if (!p.protocol) p.protocol = 'TCP';
      if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
    }
  }
  if ((spec.type === 'NodePort' || spec.type === 'LoadBalancer') && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  if (spec.type !== 'ExternalName') {
    if (!spec.internalTrafficPolicy) spec.internalTrafficPolicy = 'Cluster';
    if (spec.clusterIP && (!Array.isArray(spec.clusterIPs) || spec.clusterIPs.length === 0)) spec.clusterIPs = [spec.clusterIP];
    if (!spec.clusterIP && Array.isArray(spec.clusterIPs) && spec.clusterIPs.length > 0) spec.clusterIP = spec.clusterIPs[0];
    // Family policy/families: this cluster is single-stack; an explicit IPv6 clusterIP picks IPv6.
    if (!spec.ipFamilyPolicy) spec.ipFamilyPolicy = 'SingleStack';
    if (!Array.isArray(spec.ipFamilies) || spec.ipFamilies.length === 0) {
      spec.ipFamilies = spec.clusterIP && spec.clusterIP !== 'None' && isIPv6(spec.clusterIP) ? ['IPv6'] : ['IPv4'];
    }
  }
}

export function prepareServiceForCreate(svc: any): void {
  svc.status = { loadBalancer: {} };
}

function isHeadless(spec: Record<string, any>): boolean {
  return spec.clusterIP === 'None' || (Array.isArray(spec.clusterIPs) && spec.clusterIPs[0] === 'None');
}

export function validateService(svc: any): FieldError[] {
  const errs: FieldError[] = [];
  const spec = specOf(svc);
  const type = spec.type;
  if (!type) errs.push(fieldErr.required('spec.type'));
  else if (!SERVICE_TYPES.includes(type)) errs.push(fieldErr.notSupported('spec.type', type, SERVICE_TYPES));
  const ports: any[] = Array.isArray(spec.ports) ? spec.ports : [];
  if (ports.length === 0 && !isHeadless(spec) && type !== 'ExternalName') errs.push(fieldErr.required('spec.ports'));
  const names = new Set<string>();
  const keys = new Set<string>();
  ports.forEach((p: any, i: number) => {
    const path = `spec.ports[${i}]`;
    const name = typeof p?.name === 'string' ? p.name : '';
    if (ports.length > 1 && name.length === 0) errs.push(fieldErr.required(`${path}.name`));
    else if (name.length > 0) for (const m of isDNS1123Label(name)) errs.push(fieldErr.invalid(`${path}.name`, name, m));
    if (name.length > 0) {
      if (names.has(name)) errs.push(fieldErr.duplicate(`${path}.name`, name));
      names.add(name);
    }
    for (const m of isValidPortNum(p?.port)) errs.push(fieldErr.invalid(`${path}.port`, p?.port ?? 0, m));
    if (!p?.protocol) errs.push(fieldErr.required(`${path}.protocol`));
    else if (!PROTOCOLS.includes(p.protocol)) errs.push(fieldErr.notSupported(`${path}.protocol`, p.protocol, PROTOCOLS));
    const tp = p?.targetPort;
    if (typeof tp === 'number') for (const m of isValidPortNum(tp)) errs.push(fieldErr.invalid(`${path}.targetPort`, tp, m));
    else if (typeof tp === 'string') for (const m of isValidPortName(tp)) errs.push(fieldErr.invalid(`${path}.targetPort`, tp, m));
    if (p?.nodePort !== undefined && p?.nodePort !== null && p.nodePort !== 0) {
      if (type === 'ClusterIP') errs.push(fieldErr.forbidden(`${path}.nodePort`, "may not be used when `type` is 'ClusterIP'"));
      else for (const m of isValidPortNum(p.nodePort)) errs.push(fieldErr.invalid(`${path}.nodePort`, p.nodePort, m));
    }
    const key = `${p?.port}/${p?.protocol}`;
    if (keys.has(key)) errs.push(fieldErr.duplicate(path, { port: p?.port, protocol: p?.protocol }));
    keys.add(key);
  });
  if (spec.sessionAffinity && !['ClientIP', 'None'].includes(spec.sessionAffinity))
    errs.push(fieldErr.notSupported('spec.sessionAffinity', spec.sessionAffinity, ['ClientIP', 'None']));
  const timeout = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
  if (spec.sessionAffinity === 'ClientIP' && typeof timeout === 'number' && (timeout <= 0 || timeout > 86400))
    errs.push(fieldErr.invalid('spec.sessionAffinityConfig.clientIP.timeoutSeconds', timeout, 'must be greater than 0 and less than 86400'));
  if (type === 'ExternalName') {
    if (spec.clusterIP || (Array.isArray(spec.clusterIPs) && spec.clusterIPs.length > 0))
      errs.push(fieldErr.forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    if (!spec.externalName) errs.push(fieldErr.required('spec.externalName'));
    else {
      const en = String(spec.externalName).replace(/\.$/, '');
      for (const m of isDNS1123Subdomain(en)) errs.push(fieldErr.invalid('spec.externalName', spec.externalName, m));
    }
  } else {
    const ips: string[] = Array.isArray(spec.clusterIPs) ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
    ips.forEach((ip, i) => {
      if (ip === 'None') {
        if (i > 0 || ips.length > 1) errs.push(invalidRaw('spec.clusterIPs', goValue(ips), "'None' must be the first and only value"));
        else if (type === 'NodePort' || type === 'LoadBalancer')
          errs.push(fieldErr.invalid('spec.clusterIPs[0]', 'None', `may not be set to 'None' for ${type} services`));
      } else if (ip && !isValidIP(ip)) errs.push(fieldErr.invalid(`spec.clusterIPs[${i}]`, ip, IP_MSG));
    });
    if (spec.clusterIP && ips.length > 0 && spec.clusterIP !== ips[0])
      errs.push(invalidRaw('spec.clusterIPs', goValue(ips), 'first value must match `clusterIP`'));
  }
  if (spec.externalTrafficPolicy) {
    if (type !== 'NodePort' && type !== 'LoadBalancer')
      errs.push(fieldErr.invalid('spec.externalTrafficPolicy', spec.externalTrafficPolicy, "may only be set when `type` is 'NodePort' or 'LoadBalancer'"));
    else if (!['Cluster', 'Local'].includes(spec.externalTrafficPolicy))
      errs.push(fieldErr.notSupported('spec.externalTrafficPolicy', spec.externalTrafficPolicy, ['Cluster', 'Local']));
  }
  if (spec.internalTrafficPolicy && !['Cluster', 'Local'].includes(spec.internalTrafficPolicy))
    errs.push(fieldErr.notSupported('spec.internalTrafficPolicy', spec.internalTrafficPolicy, ['Cluster', 'Local']));
  if (spec.ipFamilyPolicy && !['SingleStack', 'PreferDualStack', 'RequireDualStack'].includes(spec.ipFamilyPolicy))
    errs.push(fieldErr.notSupported('spec.ipFamilyPolicy', spec.ipFamilyPolicy, ['SingleStack', 'PreferDualStack', 'RequireDualStack']));
  if (Array.isArray(spec.ipFamilies)) {
    const seen = new Set<string>();
    spec.ipFamilies.forEach((f: string, i: number) => {
      if (f !== 'IPv4' && f !== 'IPv6') errs.push(fieldErr.notSupported(`spec.ipFamilies[${i}]`, f, ['IPv4', 'IPv6']));
      else if (seen.has(f)) errs.push(fieldErr.duplicate(`spec.ipFamilies[${i}]`, f));
      seen.add(f);
    });
  }
  errs.push(...validateLabels(spec.selector, 'spec.selector'));
  if (Array.isArray(spec.externalIPs))
    spec.externalIPs.forEach((ip: string, i: number) => {
      if (!isValidIP(ip)) errs.push(fieldErr.invalid(`spec.externalIPs[${i}]`, ip, IP_MSG));
    });
  return errs;
}

/** Keep allocated values a client left out (clusterIP(s), node ports), as upstream's service REST. */
export function prepareServiceForUpdate(svc: any, old: any): void {
  const spec = specOf(svc);
  const oldSpec = specOf(old);
  if (spec.type === 'ExternalName' || oldSpec.type === 'ExternalName') return;
  if (!spec.clusterIP && (!Array.isArray(spec.clusterIPs) || spec.clusterIPs.length === 0)) {
    if (oldSpec.clusterIP) spec.clusterIP = oldSpec.clusterIP;
    if (Array.isArray(oldSpec.clusterIPs)) spec.clusterIPs = [...oldSpec.clusterIPs];
  }
  if ((spec.type === 'NodePort' || spec.type === 'LoadBalancer') && Array.isArray(spec.ports) && Array.isArray(oldSpec.ports)) {
    for (const p of spec.ports) {
      if (!isObj(p) || p.nodePort) continue;
      const prev = oldSpec.ports.find((o: any) => o?.port === p.port && (o?.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
      if (prev?.nodePort) p.nodePort = prev.nodePort;
    }
  }
  if (spec.healthCheckNodePort === undefined && oldSpec.healthCheckNodePort) spec.healthCheckNodePort = oldSpec.healthCheckNodePort;
}

export function validateServiceUpdate(svc: any, old: any): FieldError[] {
  const errs: FieldError[] = [];
  const spec = specOf(svc);
  const oldSpec = specOf(old);
  if (spec.type === 'ExternalName' || oldSpec.type === 'ExternalName') return errs;
  const oldIPs: string[] = Array.isArray(oldSpec.clusterIPs) ? oldSpec.clusterIPs : oldSpec.clusterIP ? [oldSpec.clusterIP] : [];
  const newIPs: string[] = Array.isArray(spec.clusterIPs) ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
  if (oldIPs.length > 0 && oldIPs[0] !== newIPs[0]) errs.push(invalidRaw('spec.clusterIPs[0]', goValue(newIPs), 'may not change once set'));
  const oldFam: string[] = Array.isArray(oldSpec.ipFamilies) ? oldSpec.ipFamilies : [];
  const newFam: string[] = Array.isArray(spec.ipFamilies) ? spec.ipFamilies : [];
  if (oldFam.length > 0 && newFam.length > 0 && oldFam[0] !== newFam[0])
    errs.push(invalidRaw('spec.ipFamilies[0]', goValue(newFam), 'may not change once set'));
  return errs;
}

// ---------- Namespace ----------

const STANDARD_FINALIZERS = ['kubernetes', 'orphan', 'foregroundDeletion'];

export function defaultNamespace(ns: any): void {
  const meta = ensureObj(ns, 'metadata');
  if (meta.name) ensureObj(meta, 'labels')['kubernetes.io/metadata.name'] = meta.name;
  const status = ensureObj(ns, 'status');
  if (!status.phase) status.phase = 'Active';
}

export function prepareNamespaceForCreate(ns: any): void {
  ns.status = { phase: 'Active' };
  const spec = ensureObj(ns, 'spec');
  const fin: string[] = Array.isArray(spec.finalizers) ? spec.finalizers : [];
  if (!fin.includes('kubernetes')) spec.finalizers = [...fin, 'kubernetes'];
}

/** spec.finalizers change only through /finalize; a plain update keeps the old ones. */
export function prepareNamespaceForUpdate(ns: any, old: any): void {
  const spec = ensureObj(ns, 'spec');
  const oldFin = old?.spec?.finalizers;
  if (oldFin === undefined) delete spec.finalizers;
  else spec.finalizers = clone(oldFin);
}

export function validateNamespace(ns: any): FieldError[] {
  const errs: FieldError[] = [];
  const fin = ns?.spec?.finalizers;
  if (Array.isArray(fin)) {
    for (const f of fin) {
      for (const m of isQualifiedName(String(f))) errs.push(fieldErr.invalid('spec.finalizers', f, m));
      if (!String(f).includes('/') && !STANDARD_FINALIZERS.includes(f))
        errs.push(fieldErr.invalid('spec.finalizers', f, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  }
  return errs;
}

// ---------- ConfigMap / Secret ----------

function validateDataKeys(errs: FieldError[], data: unknown, field: string, other: unknown, otherField: string): void {
  if (!isObj(data)) return;
  for (const k of Object.keys(data)) {
    for (const m of isConfigMapKey(k)) errs.push(fieldErr.invalid(`${field}[${k}]`, k, m));
    if (isObj(other) && k in other) errs.push(fieldErr.invalid(`${field}[${k}]`, k, `duplicate of key present in ${otherField}`));
  }
}

export function validateConfigMap(cm: any): FieldError[] {
  const errs: FieldError[] = [];
  validateDataKeys(errs, cm?.data, 'data', cm?.binaryData, 'binaryData');
  validateDataKeys(errs, cm?.binaryData, 'binaryData', cm?.data, 'data');
  let size = 0;
  if (isObj(cm?.data)) for (const v of Object.values(cm.data)) size += Buffer.byteLength(String(v ?? ''));
  if (isObj(cm?.binaryData)) for (const v of Object.values(cm.binaryData)) size += Buffer.from(String(v ?? ''), 'base64').length;
  if (size > MAX_SECRET_SIZE) errs.push(fieldErr.tooLong('', MAX_SECRET_SIZE));
  return errs;
}

function validateImmutableData(obj: any, old: any, fields: string[]): FieldError[] {
  const errs: FieldError[] = [];
  if (old?.immutable !== true) return errs;
  if (obj?.immutable !== true) errs.push(fieldErr.forbidden('immutable', 'field is immutable when `immutable` is set'));
  for (const f of fields) if (!semanticEqual(obj?.[f], old?.[f])) errs.push(fieldErr.forbidden(f, 'field is immutable when `immutable` is set'));
  return errs;
}

export function validateConfigMapUpdate(cm: any, old: any): FieldError[] {
  return validateImmutableData(cm, old, ['data', 'binaryData']);
}

/** Secret defaults: type Opaque; stringData merges into data (upstream does this in v1 conversion). */
export function defaultSecret(s: any): void {
  if (!isObj(s)) return;
  if (!s.type) s.type = 'Opaque';
  if (isObj(s.stringData)) {
    const data = ensureObj(s, 'data');
    for (const [k, v] of Object.entries(s.stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
    delete s.stringData;
  }
}

const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

export function validateSecret(s: any): FieldError[] {
  const errs: FieldError[] = [];
  const data: Record<string, any> = isObj(s?.data) ? s.data : {};
  let size = 0;
  for (const [k, v] of Object.entries(data)) {
    for (const m of isConfigMapKey(k)) errs.push(fieldErr.invalid(`data[${k}]`, k, m));
    const str = String(v ?? '');
    if (str.length % 4 !== 0 || !BASE64_RE.test(str)) errs.push(fieldErr.invalid(`data[${k}]`, '<secret contents redacted>', 'must be base64-encoded'));
    size += Buffer.from(str, 'base64').length;
  }
  if (size > MAX_SECRET_SIZE) errs.push(fieldErr.tooLong('data', MAX_SECRET_SIZE));
  const has = (k: string) => k in data;
  switch (s?.type) {
    case 'kubernetes.io/service-account-token':
      if (!s?.metadata?.annotations?.['kubernetes.io/service-account.name'])
        errs.push(fieldErr.required('metadata.annotations[kubernetes.io/service-account.name]'));
      break;
    case 'kubernetes.io/dockercfg':
      if (!has('.dockercfg')) errs.push(fieldErr.required('data[.dockercfg]'));
      break;
    case 'kubernetes.io/dockerconfigjson':
      if (!has('.dockerconfigjson')) errs.push(fieldErr.required('data[.dockerconfigjson]'));
      break;
    case 'kubernetes.io/basic-auth':
      if (!has('username') && !has('password')) errs.push(fieldErr.required('data[username]'), fieldErr.required('data[password]'));
      break;
    case 'kubernetes.io/ssh-auth':
      if (!has('ssh-privatekey')) errs.push(fieldErr.required('data[ssh-privatekey]'));
      break;
    case 'kubernetes.io/tls':
      if (!has('tls.crt')) errs.push(fieldErr.required('data[tls.crt]'));
      if (!has('tls.key')) errs.push(fieldErr.required('data[tls.key]'));
      break;
    default:
      if (typeof s?.type === 'string' && s.type.length > 0) for (const m of isQualifiedName(s.type)) errs.push(fieldErr.invalid('type', s.type, m));
  }
  return errs;
}

export function validateSecretUpdate(s: any, old: any): FieldError[] {
  const errs: FieldError[] = [];
  checkImmutable(errs, 'type', s?.type ?? '', old?.type ?? '');
  errs.push(...validateImmutableData(s, old, ['data']));
  return errs;
}

// ---------- PersistentVolume / PersistentVolumeClaim ----------

const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];

export function defaultPersistentVolume(pv: any): void {
  const spec = ensureObj(pv, 'spec');
  if (!spec.persistentVolumeReclaimPolicy) spec.persistentVolumeReclaimPolicy = 'Retain';
  if (!spec.volumeMode) spec.volumeMode = 'Filesystem';
  const status = ensureObj(pv, 'status');
  if (!status.phase) status.phase = 'Pending';
}

export function defaultPersistentVolumeClaim(pvc: any): void {
  const spec = ensureObj(pvc, 'spec');
  if (!spec.volumeMode) spec.volumeMode = 'Filesystem';
  const status = ensureObj(pvc, 'status');
  if (!status.phase) status.phase = 'Pending';
}

function validateAccessModes(errs: FieldError[], modes: unknown, path: string, requiredDetail: string): void {
  if (!Array.isArray(modes) || modes.length === 0) {
    errs.push(fieldErr.required(path, requiredDetail));
    return;
  }
  for (const m of modes) if (!ACCESS_MODES.includes(m)) errs.push(fieldErr.notSupported(path, m, ACCESS_MODES));
  if (modes.includes('ReadWriteOncePod') && modes.length > 1)
    errs.push(fieldErr.forbidden(path, 'may not use ReadWriteOncePod with other access modes'));
}

const PV_SOURCES = [
  'gcePersistentDisk', 'awsElasticBlockStore', 'hostPath', 'glusterfs', 'nfs', 'rbd', 'iscsi', 'cinder', 'cephfs', 'fc',
  'flocker', 'flexVolume', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'portworxVolume',
  'scaleIO', 'local', 'storageos', 'csi',
];

export function validatePersistentVolume(pv: any): FieldError[] {
  const errs: FieldError[] = [];
  const spec = specOf(pv);
  validateAccessModes(errs, spec.accessModes, 'spec.accessModes', '');
  if (!isObj(spec.capacity) || Object.keys(spec.capacity).length === 0) errs.push(fieldErr.required('spec.capacity'));
  else {
    for (const k of Object.keys(spec.capacity)) if (k !== 'storage') errs.push(fieldErr.notSupported('spec.capacity', k, ['storage']));
    errs.push(...validateResourceList(spec.capacity, 'spec.capacity', false).errs);
  }
  const rp = spec.persistentVolumeReclaimPolicy;
  if (rp && !['Delete', 'Recycle', 'Retain'].includes(rp)) errs.push(fieldErr.notSupported('spec.persistentVolumeReclaimPolicy', rp, ['Delete', 'Recycle', 'Retain']));
  const sources = PV_SOURCES.filter((s) => spec[s] !== undefined && spec[s] !== null);
  if (sources.length === 0) errs.push(fieldErr.required('spec', 'must specify a volume type'));
  for (const s of sources.slice(1)) errs.push(fieldErr.forbidden(`spec.${s}`, 'may not specify more than 1 volume type'));
  if (isObj(spec.hostPath) && !spec.hostPath.path) errs.push(fieldErr.required('spec.hostPath.path'));
  if (isObj(spec.local) && !spec.local.path) errs.push(fieldErr.required('spec.local.path'));
  if (spec.volumeMode && !['Block', 'Filesystem'].includes(spec.volumeMode)) errs.push(fieldErr.notSupported('spec.volumeMode', spec.volumeMode, ['Block', 'Filesystem']));
  return errs;
}

export function validatePersistentVolumeUpdate(pv: any, old: any): FieldError[] {
  const a: any = { ...specOf(pv) };
  const b: any = { ...specOf(old) };
  const errs: FieldError[] = [];
  const src = (s: any) => Object.fromEntries(PV_SOURCES.filter((k) => s[k] !== undefined).map((k) => [k, s[k]]));
  if (!semanticEqual(src(a), src(b))) errs.push(fieldErr.forbidden('spec.persistentvolumesource', 'spec.persistentvolumesource is immutable after creation'));
  checkImmutable(errs, 'spec.volumeMode', a.volumeMode, b.volumeMode);
  return errs;
}

export function validatePersistentVolumeClaim(pvc: any): FieldError[] {
  const errs: FieldError[] = [];
  const spec = specOf(pvc);
  validateAccessModes(errs, spec.accessModes, 'spec.accessModes', 'at least 1 access mode is required');
  const storage = spec.resources?.requests?.storage;
  if (storage === undefined) errs.push(fieldErr.required('spec.resources[storage]'));
  else {
    const q = tryParseQuantity(storage);
    if (!q) errs.push(fieldErr.invalid('spec.resources.requests[storage]', storage, QUANTITY_FORMAT_MSG));
    else if (q.sign() <= 0) errs.push(fieldErr.invalid('spec.resources[storage]', q.toString(), 'must be greater than zero'));
  }
  if (spec.volumeMode && !['Block', 'Filesystem'].includes(spec.volumeMode)) errs.push(fieldErr.notSupported('spec.volumeMode', spec.volumeMode, ['Block', 'Filesystem']));
  if (isObj(spec.selector)) errs.push(...validateLabels(spec.selector.matchLabels, 'spec.selector.matchLabels'));
  return errs;
}

export function validatePersistentVolumeClaimUpdate(pvc: any, old: any): FieldError[] {
  const a: any = clone(specOf(pvc));
  const b: any = clone(specOf(old));
  for (const s of [a, b]) {
    if (isObj(s.resources)) delete s.resources.requests;
    delete s.volumeAttributesClassName;
  }
  // A claim may be bound (volumeName set once) by the controller.
  if (!b.volumeName) delete a.volumeName;
  if (!semanticEqual(a, b))
    return [fieldErr.forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims')];
  return [];
}

// ---------- Node ----------

export function defaultNode(node: any): void {
  const status = node?.status;
  if (isObj(status) && isObj(status.capacity) && !isObj(status.allocatable)) status.allocatable = { ...status.capacity };
}

export function validateNode(node: any): FieldError[] {
  const errs: FieldError[] = [];
  const spec = specOf(node);
  const cidrs: string[] = Array.isArray(spec.podCIDRs) ? spec.podCIDRs : spec.podCIDR ? [spec.podCIDR] : [];
  cidrs.forEach((c, i) => {
    if (!isValidCIDR(c)) errs.push(fieldErr.invalid(`spec.podCIDRs[${i}]`, c, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'));
  });
  if (cidrs.length > 2) errs.push(invalidRaw('spec.podCIDRs', goValue(cidrs), 'may specify no more than one CIDR for each IP family'));
  if (Array.isArray(spec.taints)) {
    const seen = new Set<string>();
    spec.taints.forEach((t: any, i: number) => {
      const p = `spec.taints[${i}]`;
      for (const m of isQualifiedName(String(t?.key ?? ''))) errs.push(fieldErr.invalid(`${p}.key`, t?.key ?? '', m));
      if (t?.value) for (const m of isLabelValue(t.value)) errs.push(fieldErr.invalid(`${p}.value`, t.value, m));
      if (!t?.effect) errs.push(fieldErr.required(`${p}.effect`));
      else if (!['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(t.effect))
        errs.push(fieldErr.notSupported(`${p}.effect`, t.effect, ['NoSchedule', 'PreferNoSchedule', 'NoExecute']));
      const key = `${t?.key}:${t?.effect}`;
      if (seen.has(key)) errs.push({ type: 'FieldValueDuplicate', field: p, detail: `Duplicate value: ${goValue(t)}: taints must be unique by key and effect pair` });
      seen.add(key);
    });
  }
  return errs;
}

export function validateNodeUpdate(node: any, old: any): FieldError[] {
  const errs: FieldError[] = [];
  const spec = specOf(node);
  const oldSpec = specOf(old);
  const oldCidrs: string[] = Array.isArray(oldSpec.podCIDRs) ? oldSpec.podCIDRs : [];
  if (oldCidrs.length > 0 && !semanticEqual(spec.podCIDRs, oldCidrs))
    errs.push(fieldErr.forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
  if (oldSpec.providerID && spec.providerID !== oldSpec.providerID)
    errs.push(fieldErr.forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  return errs;
}

// ---------- Endpoints ----------

export function defaultEndpoints(ep: any): void {
  if (!Array.isArray(ep?.subsets)) return;
  for (const s of ep.subsets) for (const p of s?.ports ?? []) if (isObj(p) && !p.protocol) p.protocol = 'TCP';
}

export function validateEndpoints(ep: any): FieldError[] {
  const errs: FieldError[] = [];
  if (!Array.isArray(ep?.subsets)) return errs;
  ep.subsets.forEach((s: any, i: number) => {
    const p = `subsets[${i}]`;
    for (const f of ['addresses', 'notReadyAddresses'])
      (s?.[f] ?? []).forEach((a: any, j: number) => {
        if (!a?.ip || !isValidIP(a.ip)) errs.push(fieldErr.invalid(`${p}.${f}[${j}].ip`, a?.ip ?? '', IP_MSG));
      });
    (s?.ports ?? []).forEach((port: any, j: number) => {
      const pp = `${p}.ports[${j}]`;
      if (port?.name) for (const m of isDNS1123Label(port.name)) errs.push(fieldErr.invalid(`${pp}.name`, port.name, m));
      for (const m of isValidPortNum(port?.port)) errs.push(fieldErr.invalid(`${pp}.port`, port?.port ?? 0, m));
      if (!port?.protocol) errs.push(fieldErr.required(`${pp}.protocol`));
      else if (!PROTOCOLS.includes(port.protocol)) errs.push(fieldErr.notSupported(`${pp}.protocol`, port.protocol, PROTOCOLS));
    });
  });
  return errs;
}

// ---------- LimitRange / ResourceQuota ----------

export function defaultLimitRange(lr: any): void {
  for (const item of lr?.spec?.limits ?? []) {
    if (!isObj(item) || item.type !== 'Container') continue;
    const def = ensureObj(item, 'default');
    const defReq = ensureObj(item, 'defaultRequest');
    for (const [k, v] of Object.entries(isObj(item.max) ? item.max : {})) if (def[k] === undefined) def[k] = v;
    for (const [k, v] of Object.entries(def)) if (defReq[k] === undefined) defReq[k] = v;
    for (const [k, v] of Object.entries(isObj(item.min) ? item.min : {})) if (defReq[k] === undefined) defReq[k] = v;
  }
}

export function validateLimitRange(lr: any): FieldError[] {
  const errs: FieldError[] = [];
  const items = lr?.spec?.limits;
  if (!Array.isArray(items)) return errs;
  items.forEach((item: any, i: number) => {
    const p = `spec.limits[${i}]`;
    if (!item?.type) errs.push(fieldErr.required(`${p}.type`));
    const lists: Record<string, Map<string, any>> = {};
    for (const f of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio']) {
      const r = validateResourceList(item?.[f], `${p}.${f}`, false);
      errs.push(...r.errs);
      lists[f] = r.parsed;
    }
    for (const [k, min] of lists.min!) {
      const max = lists.max!.get(k);
      if (max && min.cmp(max) > 0) errs.push(fieldErr.invalid(`${p}.min[${k}]`, min.toString(), `min value ${min} is greater than max value ${max}`));
    }
    for (const [k, d] of lists.defaultRequest!) {
      const dl = lists.default!.get(k);
      if (dl && d.cmp(dl) > 0) errs.push(fieldErr.invalid(`${p}.defaultRequest[${k}]`, d.toString(), `default request value ${d} is greater than default limit value ${dl}`));
    }
  });
  return errs;
}

export function validateResourceQuota(rq: any): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateResourceList(rq?.spec?.hard, 'spec.hard', false).errs);
  const scopes = rq?.spec?.scopes;
  const SCOPES = ['Terminating', 'NotTerminating', 'BestEffort', 'NotBestEffort', 'PriorityClass', 'CrossNamespacePodAffinity', 'VolumeAttributesClass'];
  if (Array.isArray(scopes)) for (const s of scopes) if (!SCOPES.includes(s)) errs.push(fieldErr.notSupported('spec.scopes', s, SCOPES));
  return errs;
}

export function prepareResourceQuotaForCreate(rq: any): void {
  rq.status = {};
}

// ---------- PodTemplate ----------

export function defaultPodTemplate(pt: any): void {
  defaultPodTemplateSpec(pt?.template);
}

export function validatePodTemplate(pt: any): FieldError[] {
  return validatePodTemplateSpec(pt?.template, 'template');
}

export function validatePodTemplateUpdate(_pt: any, _old: any): FieldError[] {
  return [];
}
