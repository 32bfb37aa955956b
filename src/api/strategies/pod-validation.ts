// Pod, PodSpec and PodTemplateSpec validation with upstream's field paths and messages.

import { fieldErr, type FieldError } from '../status.js';
import { validateAnnotations, validateLabels } from './meta.js';
import {
  inclusiveRangeMsg,
  isDNS1123Label,
  isDNS1123Subdomain,
  isEnvVarName,
  isQualifiedName,
  isValidPortName,
  isValidPortNum,
} from './names.js';
import { volumeSourceNames } from './pod-defaults.js';
import { QUANTITY_FORMAT_MSG, tryParseQuantity, type Quantity } from './quantity.js';
import { clone, isObj, notFound, semanticEqual } from './util.js';

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const HOST_PATH_TYPES = ['', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice'];

export const STANDARD_CONTAINER_RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];

function isHugePages(name: string): boolean {
  return name.startsWith('hugepages-');
}

/** Extended resources: domain-prefixed, outside kubernetes.io, not "requests.*" quota names. */
export function isExtendedResourceName(name: string): boolean {
  if (!name.includes('/') || name.startsWith('requests.')) return false;
  const domain = name.slice(0, name.indexOf('/'));
  if (domain === 'kubernetes.io' || domain.endsWith('.kubernetes.io')) return false;
  return isQualifiedName(`requests.${name}`).length === 0;
}

/** A resources list (limits or requests) of a container: names, quantities, non-negative. */
export function validateResourceList(list: unknown, path: string, forContainer: boolean): { errs: FieldError[]; parsed: Map<string, Quantity> } {
  const errs: FieldError[] = [];
  const parsed = new Map<string, Quantity>();
  if (!isObj(list)) return { errs, parsed };
  for (const [name, raw] of Object.entries(list)) {
    const p = `${path}[${name}]`;
    for (const m of isQualifiedName(name)) errs.push(fieldErr.invalid(p, name, m));
    if (forContainer && !STANDARD_CONTAINER_RESOURCES.includes(name) && !isHugePages(name) && !isExtendedResourceName(name))
      errs.push(fieldErr.invalid(p, name, 'must be a standard resource for containers'));
    const q = tryParseQuantity(raw);
    if (!q) {
      errs.push(fieldErr.invalid(p, raw, QUANTITY_FORMAT_MSG));
      continue;
    }
    if (q.sign() < 0) errs.push(fieldErr.invalid(p, q.toString(), 'must be greater than or equal to 0'));
    if (name === 'cpu' && q.sign() > 0 && q.cmp('1m') < 0) errs.push(fieldErr.invalid(p, q.toString(), 'must be greater than or equal to 1m'));
    parsed.set(name, q);
  }
  return { errs, parsed };
}

/** ResourceRequirements: both lists valid, every request ≤ its limit (= for extended resources). */
export function validateResources(res: unknown, path: string): FieldError[] {
  if (!isObj(res)) return [];
  const lim = validateResourceList(res.limits, `${path}.limits`, true);
  const req = validateResourceList(res.requests, `${path}.requests`, true);
  const errs = [...lim.errs, ...req.errs];
  for (const [name, r] of req.parsed) {
    const l = lim.parsed.get(name);
    if (l && r.cmp(l) > 0) errs.push(fieldErr.invalid(`${path}.requests[${name}]`, r.toString(), `must be less than or equal to ${name} limit of ${l.toString()}`));
    else if (l && isExtendedResourceName(name) && r.cmp(l) !== 0)
      errs.push(fieldErr.invalid(`${path}.requests[${name}]`, r.toString(), `must be equal to ${name} limit of ${l.toString()}`));
    else if (!l && isExtendedResourceName(name)) errs.push(fieldErr.forbidden(`${path}.limits`, `Limit must be set for non overcommitable resources`));
  }
  return errs;
}

function validatePortNumOrName(port: unknown, path: string): FieldError[] {
  if (typeof port === 'number') return isValidPortNum(port).map((m) => fieldErr.invalid(path, port, m));
  if (typeof port === 'string') {
    if (/^[0-9]+$/.test(port)) return isValidPortNum(Number(port)).map((m) => fieldErr.invalid(path, port, m));
    return isValidPortName(port).map((m) => fieldErr.invalid(path, port, m));
  }
  return [fieldErr.required(path)];
}

const HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'];

function validateHandler(h: Record<string, any>, path: string, allowed: string[]): FieldError[] {
  const errs: FieldError[] = [];
  const set = allowed.filter((k) => h[k] !== undefined && h[k] !== null);
  if (set.length === 0) return [fieldErr.required(path, 'must specify a handler type')];
  for (const k of set.slice(1)) errs.push(fieldErr.forbidden(`${path}.${k}`, 'may not specify more than 1 handler type'));
  const kind = set[0]!;
  const v = h[kind];
  if (kind === 'exec' && (!Array.isArray(v?.command) || v.command.length === 0)) errs.push(fieldErr.required(`${path}.exec.command`));
  if (kind === 'httpGet') {
    errs.push(...validatePortNumOrName(v?.port, `${path}.httpGet.port`));
    if (v?.scheme && !['HTTP', 'HTTPS'].includes(v.scheme)) errs.push(fieldErr.notSupported(`${path}.httpGet.scheme`, v.scheme, ['HTTP', 'HTTPS']));
  }
  if (kind === 'tcpSocket') errs.push(...validatePortNumOrName(v?.port, `${path}.tcpSocket.port`));
  if (kind === 'grpc' && typeof v?.port === 'number') for (const m of isValidPortNum(v.port)) errs.push(fieldErr.invalid(`${path}.grpc.port`, v.port, m));
  return errs;
}

function validateProbe(p: unknown, path: string, successMustBeOne: boolean): FieldError[] {
  if (!isObj(p)) return [];
  const errs = validateHandler(p, path, HANDLERS);
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold', 'terminationGracePeriodSeconds']) {
    if (typeof p[f] === 'number' && p[f] < 0) errs.push(fieldErr.invalid(`${path}.${f}`, p[f], 'must be greater than or equal to 0'));
  }
  if (successMustBeOne && typeof p.successThreshold === 'number' && p.successThreshold !== 1)
    errs.push(fieldErr.invalid(`${path}.successThreshold`, p.successThreshold, 'must be 1'));
  return errs;
}

function validateEnv(env: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!Array.isArray(env)) return errs;
  env.forEach((ev: any, i: number) => {
    const p = `${path}[${i}]`;
    const name = typeof ev?.name === 'string' ? ev.name : '';
    if (name.length === 0) errs.push(fieldErr.required(`${p}.name`));
    else for (const m of isEnvVarName(name)) errs.push(fieldErr.invalid(`${p}.name`, name, m));
    if (isObj(ev?.valueFrom)) {
      const vf = ev.valueFrom;
      const sources = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef', 'fileKeyRef'].filter((k) => isObj(vf[k]));
      if (sources.length === 0)
        errs.push(fieldErr.invalid(`${p}.valueFrom`, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
      else if (sources.length > 1) errs.push(fieldErr.invalid(`${p}.valueFrom`, '', 'may not have more than one field specified at a time'));
      if (typeof ev.value === 'string' && ev.value.length > 0) errs.push(fieldErr.invalid(`${p}.valueFrom`, '', 'may not be specified when `value` is not empty'));
      for (const k of ['configMapKeyRef', 'secretKeyRef']) {
        if (!isObj(vf[k])) continue;
        if (!vf[k].key) errs.push(fieldErr.required(`${p}.valueFrom.${k}.key`));
        else for (const m of isConfigKey(vf[k].key)) errs.push(fieldErr.invalid(`${p}.valueFrom.${k}.key`, vf[k].key, m));
      }
      if (isObj(vf.fieldRef)) {
        if (!vf.fieldRef.fieldPath) errs.push(fieldErr.required(`${p}.valueFrom.fieldRef.fieldPath`));
        if (!vf.fieldRef.apiVersion) errs.push(fieldErr.required(`${p}.valueFrom.fieldRef.apiVersion`));
      }
      if (isObj(vf.resourceFieldRef) && !vf.resourceFieldRef.resource) errs.push(fieldErr.required(`${p}.valueFrom.resourceFieldRef.resource`));
    }
  });
  return errs;
}

function isConfigKey(k: string): string[] {
  return /^[-._a-zA-Z0-9]+$/.test(k) ? [] : ["a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"];
}

function validateVolumeMounts(mounts: unknown, volumes: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!Array.isArray(mounts)) return errs;
  const paths = new Set<string>();
  mounts.forEach((m: any, i: number) => {
    const p = `${path}[${i}]`;
    const name = typeof m?.name === 'string' ? m.name : '';
    if (name.length === 0) errs.push(fieldErr.required(`${p}.name`));
    else if (!volumes.has(name)) errs.push(notFound(`${p}.name`, name));
    const mp = typeof m?.mountPath === 'string' ? m.mountPath : '';
    if (mp.length === 0) errs.push(fieldErr.required(`${p}.mountPath`));
    else if (paths.has(mp)) errs.push(fieldErr.invalid(`${p}.mountPath`, mp, 'must be unique'));
    paths.add(mp);
    if (typeof m?.subPath === 'string' && m.subPath.length > 0) {
      if (m.subPath.startsWith('/')) errs.push(fieldErr.invalid(`${p}.subPath`, m.subPath, 'must be a relative path'));
      if (m.subPath.split('/').includes('..')) errs.push(fieldErr.invalid(`${p}.subPath`, m.subPath, "must not contain '..'"));
    }
  });
  return errs;
}

interface PodCtx {
  volumes: Set<string>;
  portNames: Set<string>;
  hostPorts: Set<string>;
}

type ContainerKind = 'container' | 'init' | 'ephemeral';

function validateContainer(c: any, path: string, ctx: PodCtx, kind: ContainerKind): FieldError[] {
  const errs: FieldError[] = [];
  if (!isObj(c)) return [fieldErr.required(path)];
  const name = typeof c.name === 'string' ? c.name : '';
  if (name.length === 0) errs.push(fieldErr.required(`${path}.name`));
  else for (const m of isDNS1123Label(name)) errs.push(fieldErr.invalid(`${path}.name`, name, m));
  const image = typeof c.image === 'string' ? c.image : '';
  if (image.length === 0) errs.push(fieldErr.required(`${path}.image`));
  else if (image.trim() !== image) errs.push(fieldErr.invalid(`${path}.image`, image, 'must not have leading or trailing whitespace'));
  if (!c.imagePullPolicy) errs.push(fieldErr.required(`${path}.imagePullPolicy`));
  else if (!PULL_POLICIES.includes(c.imagePullPolicy)) errs.push(fieldErr.notSupported(`${path}.imagePullPolicy`, c.imagePullPolicy, PULL_POLICIES));
  if (c.terminationMessagePolicy && !TERMINATION_MESSAGE_POLICIES.includes(c.terminationMessagePolicy))
    errs.push(fieldErr.notSupported(`${path}.terminationMessagePolicy`, c.terminationMessagePolicy, TERMINATION_MESSAGE_POLICIES));

  if (Array.isArray(c.ports)) {
    if (kind === 'ephemeral' && c.ports.length > 0) errs.push(fieldErr.forbidden(`${path}.ports`, 'cannot be set for an Ephemeral Container'));
    c.ports.forEach((port: any, i: number) => {
      const p = `${path}.ports[${i}]`;
      if (typeof port?.name === 'string' && port.name.length > 0) {
        const msgs = isValidPortName(port.name);
        for (const m of msgs) errs.push(fieldErr.invalid(`${p}.name`, port.name, m));
        if (msgs.length === 0) {
          if (ctx.portNames.has(port.name)) errs.push(fieldErr.duplicate(`${p}.name`, port.name));
          ctx.portNames.add(port.name);
        }
      }
      if (port?.containerPort === undefined || port?.containerPort === 0) errs.push(fieldErr.required(`${p}.containerPort`));
      else for (const m of isValidPortNum(port.containerPort)) errs.push(fieldErr.invalid(`${p}.containerPort`, port.containerPort, m));
      if (port?.hostPort) {
        for (const m of isValidPortNum(port.hostPort)) errs.push(fieldErr.invalid(`${p}.hostPort`, port.hostPort, m));
        const key = `${port.protocol ?? 'TCP'}/${port.hostIP ?? ''}/${port.hostPort}`;
        if (ctx.hostPorts.has(key)) errs.push(fieldErr.duplicate(`${p}.hostPort`, key));
        ctx.hostPorts.add(key);
      }
      if (!port?.protocol) errs.push(fieldErr.required(`${p}.protocol`));
      else if (!PROTOCOLS.includes(port.protocol)) errs.push(fieldErr.notSupported(`${p}.protocol`, port.protocol, PROTOCOLS));
    });
  }
  errs.push(...validateEnv(c.env, `${path}.env`));
  if (Array.isArray(c.envFrom)) {
    c.envFrom.forEach((ef: any, i: number) => {
      const p = `${path}.envFrom[${i}]`;
      const n = ['configMapRef', 'secretRef'].filter((k) => isObj(ef?.[k])).length;
      if (n === 0) errs.push(fieldErr.invalid(p, '', 'must specify one of: `configMapRef` or `secretRef`'));
      else if (n > 1) errs.push(fieldErr.invalid(p, '', 'may not have more than one field specified at a time'));
      if (typeof ef?.prefix === 'string' && ef.prefix.length > 0) for (const m of isEnvVarName(ef.prefix)) errs.push(fieldErr.invalid(`${p}.prefix`, ef.prefix, m));
    });
  }
  errs.push(...validateVolumeMounts(c.volumeMounts, ctx.volumes, `${path}.volumeMounts`));
  errs.push(...validateResources(c.resources, `${path}.resources`));

  const isSidecar = kind === 'init' && c.restartPolicy === 'Always';
  if (c.restartPolicy !== undefined && c.restartPolicy !== null) {
    if (kind !== 'init') errs.push(fieldErr.forbidden(`${path}.restartPolicy`, 'may not be set for non-init containers'));
    else if (c.restartPolicy !== 'Always') errs.push(fieldErr.notSupported(`${path}.restartPolicy`, c.restartPolicy, ['Always']));
  }
  if ((kind === 'init' && !isSidecar) || kind === 'ephemeral') {
    const why = kind === 'init' ? 'may not be set for init containers without restartPolicy=Always' : 'cannot be set for an Ephemeral Container';
    for (const f of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe'])
      if (c[f] !== undefined && c[f] !== null) errs.push(fieldErr.forbidden(`${path}.${f}`, why));
  } else {
    errs.push(...validateProbe(c.livenessProbe, `${path}.livenessProbe`, true));
    errs.push(...validateProbe(c.readinessProbe, `${path}.readinessProbe`, false));
    errs.push(...validateProbe(c.startupProbe, `${path}.startupProbe`, true));
    if (isObj(c.lifecycle)) {
      for (const hook of ['postStart', 'preStop'])
        if (isObj(c.lifecycle[hook])) errs.push(...validateHandler(c.lifecycle[hook], `${path}.lifecycle.${hook}`, ['exec', 'httpGet', 'tcpSocket', 'sleep']));
    }
  }
  return errs;
}

function validateVolumes(volumes: unknown, path: string): { errs: FieldError[]; names: Set<string> } {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  if (!Array.isArray(volumes)) return { errs, names };
  volumes.forEach((v: any, i: number) => {
    const p = `${path}[${i}]`;
    const name = typeof v?.name === 'string' ? v.name : '';
    if (name.length === 0) errs.push(fieldErr.required(`${p}.name`));
    else {
      for (const m of isDNS1123Label(name)) errs.push(fieldErr.invalid(`${p}.name`, name, m));
      if (names.has(name)) errs.push(fieldErr.duplicate(`${p}.name`, name));
      names.add(name);
    }
    if (!isObj(v)) return;
    const sources = volumeSourceNames.filter((s) => v[s] !== undefined && v[s] !== null);
    if (sources.length === 0) errs.push(fieldErr.required(p, 'must specify a volume type'));
    for (const s of sources.slice(1)) errs.push(fieldErr.forbidden(`${p}.${s}`, 'may not specify more than 1 volume type'));
    if (isObj(v.secret) && !v.secret.secretName) errs.push(fieldErr.required(`${p}.secret.secretName`));
    if (isObj(v.configMap) && !v.configMap.name) errs.push(fieldErr.required(`${p}.configMap.name`));
    if (isObj(v.persistentVolumeClaim) && !v.persistentVolumeClaim.claimName) errs.push(fieldErr.required(`${p}.persistentVolumeClaim.claimName`));
    if (isObj(v.hostPath)) {
      if (!v.hostPath.path) errs.push(fieldErr.required(`${p}.hostPath.path`));
      if (v.hostPath.type !== undefined && !HOST_PATH_TYPES.includes(v.hostPath.type))
        errs.push(fieldErr.notSupported(`${p}.hostPath.type`, v.hostPath.type, HOST_PATH_TYPES));
    }
    if (isObj(v.nfs)) {
      if (!v.nfs.server) errs.push(fieldErr.required(`${p}.nfs.server`));
      if (!v.nfs.path) errs.push(fieldErr.required(`${p}.nfs.path`));
      else if (!String(v.nfs.path).startsWith('/')) errs.push(fieldErr.invalid(`${p}.nfs.path`, v.nfs.path, 'must be an absolute path'));
    }
    if (isObj(v.emptyDir) && v.emptyDir.medium && !['Memory', 'HugePages'].includes(v.emptyDir.medium) && !String(v.emptyDir.medium).startsWith('HugePages-'))
      errs.push(fieldErr.notSupported(`${p}.emptyDir.medium`, v.emptyDir.medium, ['', 'Memory', 'HugePages']));
    if (isObj(v.emptyDir) && v.emptyDir.sizeLimit !== undefined) {
      const q = tryParseQuantity(v.emptyDir.sizeLimit);
      if (!q) errs.push(fieldErr.invalid(`${p}.emptyDir.sizeLimit`, v.emptyDir.sizeLimit, QUANTITY_FORMAT_MSG));
      else if (q.sign() < 0) errs.push(fieldErr.forbidden(`${p}.emptyDir.sizeLimit`, 'SizeLimit field must be a valid resource quantity'));
    }
  });
  return { errs, names };
}

function validateTolerations(tols: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!Array.isArray(tols)) return errs;
  tols.forEach((t: any, i: number) => {
    const p = `${path}[${i}]`;
    if (!isObj(t)) return;
    if (t.key) for (const m of isQualifiedName(t.key)) errs.push(fieldErr.invalid(`${p}.key`, t.key, m));
    if (!t.key && t.operator !== 'Exists')
      errs.push(fieldErr.invalid(`${p}.operator`, t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && t.effect !== 'NoExecute')
      errs.push(fieldErr.invalid(`${p}.effect`, t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    switch (t.operator) {
      case undefined:
      case '':
      case 'Equal':
        if (t.value) for (const m of isQualifiedLabelValue(t.value)) errs.push(fieldErr.invalid(`${p}.operator`, t.value, m));
        break;
      case 'Exists':
        if (t.value) errs.push(fieldErr.invalid(`${p}.operator`, t.value, "value must be empty when `operator` is 'Exists'"));
        break;
      default:
        errs.push(fieldErr.notSupported(`${p}.operator`, t.operator, ['Equal', 'Exists']));
    }
    if (t.effect && !TAINT_EFFECTS.includes(t.effect)) errs.push(fieldErr.notSupported(`${p}.effect`, t.effect, TAINT_EFFECTS));
  });
  return errs;
}

function isQualifiedLabelValue(v: string): string[] {
  return /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(v) && v.length <= 63
    ? []
    : ["a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"];
}

/** Upstream's ValidatePodSpec; `path` is where the spec sits ("spec", "spec.template.spec" …). */
export function validatePodSpec(spec: unknown, path: string): FieldError[] {
  if (!isObj(spec)) return [fieldErr.required(path)];
  const vols = validateVolumes(spec.volumes, `${path}.volumes`);
  const errs = [...vols.errs];
  const ctx: PodCtx = { volumes: vols.names, portNames: new Set(), hostPorts: new Set() };
  const allNames = new Set<string>();
  const each = (list: unknown, field: string, kind: ContainerKind) => {
    if (!Array.isArray(list)) return;
    list.forEach((c: any, i: number) => {
      const p = `${path}.${field}[${i}]`;
      errs.push(...validateContainer(c, p, ctx, kind));
      const n = typeof c?.name === 'string' ? c.name : '';
      if (n.length > 0) {
        if (allNames.has(n)) errs.push(fieldErr.duplicate(`${p}.name`, n));
        allNames.add(n);
      }
    });
  };
  each(spec.initContainers, 'initContainers', 'init');
  if (!Array.isArray(spec.containers) || spec.containers.length === 0) errs.push(fieldErr.required(`${path}.containers`));
  else each(spec.containers, 'containers', 'container');
  each(spec.ephemeralContainers, 'ephemeralContainers', 'ephemeral');

  if (!spec.restartPolicy) errs.push(fieldErr.required(`${path}.restartPolicy`));
  else if (!RESTART_POLICIES.includes(spec.restartPolicy)) errs.push(fieldErr.notSupported(`${path}.restartPolicy`, spec.restartPolicy, RESTART_POLICIES));
  if (!spec.dnsPolicy) errs.push(fieldErr.required(`${path}.dnsPolicy`));
  else if (!DNS_POLICIES.includes(spec.dnsPolicy)) errs.push(fieldErr.notSupported(`${path}.dnsPolicy`, spec.dnsPolicy, DNS_POLICIES));
  else if (spec.dnsPolicy === 'None' && !isObj(spec.dnsConfig)) errs.push(fieldErr.required(`${path}.dnsConfig`, 'must provide `dnsConfig` when `dnsPolicy` is None'));
  errs.push(...validateLabels(spec.nodeSelector, `${path}.nodeSelector`));
  for (const f of ['serviceAccountName', 'nodeName', 'priorityClassName']) {
    const v = spec[f];
    if (typeof v === 'string' && v.length > 0) for (const m of isDNS1123Subdomain(v)) errs.push(fieldErr.invalid(`${path}.${f}`, v, m));
  }
  for (const f of ['hostname', 'subdomain']) {
    const v = spec[f];
    if (typeof v === 'string' && v.length > 0) for (const m of isDNS1123Label(v)) errs.push(fieldErr.invalid(`${path}.${f}`, v, m));
  }
  if (typeof spec.activeDeadlineSeconds === 'number' && (spec.activeDeadlineSeconds < 1 || spec.activeDeadlineSeconds > 2147483647))
    errs.push(fieldErr.invalid(`${path}.activeDeadlineSeconds`, spec.activeDeadlineSeconds, inclusiveRangeMsg(1, 2147483647)));
  errs.push(...validateTolerations(spec.tolerations, `${path}.tolerations`));
  if (isObj(spec.resources)) {
    const lim = validateResourceList(spec.resources.limits, `${path}.resources.limits`, false);
    const req = validateResourceList(spec.resources.requests, `${path}.resources.requests`, false);
    errs.push(...lim.errs, ...req.errs);
  }
  if (Array.isArray(spec.imagePullSecrets)) {
    spec.imagePullSecrets.forEach((s: any, i: number) => {
      if (!s?.name) errs.push(fieldErr.required(`${path}.imagePullSecrets[${i}].name`));
    });
  }
  if (spec.hostNetwork === true) {
    const each2 = (list: unknown, field: string) => {
      if (!Array.isArray(list)) return;
      list.forEach((c: any, i: number) =>
        (c?.ports ?? []).forEach((port: any, j: number) => {
          if (port?.hostPort && port.hostPort !== port.containerPort)
            errs.push(fieldErr.invalid(`${path}.${field}[${i}].ports[${j}].containerPort`, port.containerPort, 'must match `hostPort` when `hostNetwork` is true'));
        }),
      );
    };
    each2(spec.containers, 'containers');
    each2(spec.initContainers, 'initContainers');
  }
  return errs;
}

/** Upstream's ValidatePodTemplateSpec: labels, annotations and the pod spec. */
export function validatePodTemplateSpec(tmpl: unknown, path: string): FieldError[] {
  if (!isObj(tmpl)) return [fieldErr.required(path)];
  const meta = isObj(tmpl.metadata) ? tmpl.metadata : {};
  return [
    ...validateLabels(meta.labels, `${path}.metadata.labels`),
    ...validateAnnotations(meta.annotations, `${path}.metadata.annotations`),
    ...validatePodSpec(tmpl.spec, `${path}.spec`),
  ];
}

export function validatePod(pod: any): FieldError[] {
  return validatePodSpec(pod?.spec, 'spec');
}

const POD_UPDATE_MSG =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/** Pod spec is immutable except images, activeDeadlineSeconds, added tolerations, removed scheduling gates. */
export function validatePodUpdate(pod: any, old: any): FieldError[] {
  const errs: FieldError[] = [];
  const spec = isObj(pod?.spec) ? pod.spec : {};
  const oldSpec = isObj(old?.spec) ? old.spec : {};
  if (typeof oldSpec.activeDeadlineSeconds === 'number') {
    if (typeof spec.activeDeadlineSeconds !== 'number')
      errs.push(fieldErr.invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
    else if (spec.activeDeadlineSeconds > oldSpec.activeDeadlineSeconds)
      errs.push(fieldErr.invalid('spec.activeDeadlineSeconds', spec.activeDeadlineSeconds, 'must be less than or equal to previous value'));
  }
  const munged: any = clone(spec);
  for (const field of ['containers', 'initContainers']) {
    const a = munged[field];
    const b = oldSpec[field];
    if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) a.forEach((c: any, i: number) => isObj(c) && (c.image = b[i]?.image));
  }
  munged.activeDeadlineSeconds = oldSpec.activeDeadlineSeconds;
  // Tolerations may only be added to.
  const oldTols: any[] = Array.isArray(oldSpec.tolerations) ? oldSpec.tolerations : [];
  const newTols: any[] = Array.isArray(spec.tolerations) ? spec.tolerations : [];
  if (oldTols.every((t) => newTols.some((n) => semanticEqual(n, t)))) munged.tolerations = oldSpec.tolerations;
  if (typeof oldSpec.terminationGracePeriodSeconds === 'number' && oldSpec.terminationGracePeriodSeconds < 0 && spec.terminationGracePeriodSeconds === 1)
    munged.terminationGracePeriodSeconds = oldSpec.terminationGracePeriodSeconds;
  // Scheduling gates may only be removed; nodeName is set through binding, not update.
  const oldGates: any[] = Array.isArray(oldSpec.schedulingGates) ? oldSpec.schedulingGates : [];
  const newGates: any[] = Array.isArray(spec.schedulingGates) ? spec.schedulingGates : [];
  if (newGates.every((g) => oldGates.some((o) => o?.name === g?.name))) munged.schedulingGates = oldSpec.schedulingGates;
  else errs.push(fieldErr.forbidden('spec.schedulingGates', 'only deletion is allowed, but found new scheduling gate'));
  if (!semanticEqual(munged, oldSpec)) errs.push(fieldErr.forbidden('spec', POD_UPDATE_MSG));
  return errs;
}
