// Defaults for Pod and PodSpec wherever it is embedded (pod templates of every workload), as
// upstream's core/v1 defaulting functions do.

import { tryParseQuantity } from './quantity.js';
import { ensureObj, isObj } from './util.js';

export const DEFAULT_TERMINATION_MESSAGE_PATH = '/dev/termination-log';

/** The tag of an image reference as the container runtime sees it ("latest" when neither tag nor digest). */
export function imageTag(image: string): string {
  const at = image.indexOf('@');
  const ref = at >= 0 ? image.slice(0, at) : image;
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) return ref.slice(colon + 1);
  return at >= 0 ? '' : 'latest';
}

function defaultProbe(p: unknown): void {
  if (!isObj(p)) return;
  p.timeoutSeconds ??= 1;
  p.periodSeconds ??= 10;
  p.successThreshold ??= 1;
  p.failureThreshold ??= 3;
  defaultHandler(p);
}

function defaultHandler(h: unknown): void {
  if (!isObj(h)) return;
  if (isObj(h.httpGet)) {
    if (!h.httpGet.path) h.httpGet.path = '/';
    if (!h.httpGet.scheme) h.httpGet.scheme = 'HTTP';
  }
}

function defaultEnv(env: unknown): void {
  if (!Array.isArray(env)) return;
  for (const e of env) {
    const ref = e?.valueFrom?.fieldRef;
    if (isObj(ref) && !ref.apiVersion) ref.apiVersion = 'v1';
  }
}

/** SetDefaults_Container (also used for init and ephemeral containers). */
export function defaultContainer(c: unknown): void {
  if (!isObj(c)) return;
  if (!c.imagePullPolicy) c.imagePullPolicy = imageTag(String(c.image ?? '')) === 'latest' ? 'Always' : 'IfNotPresent';
  if (!c.terminationMessagePath) c.terminationMessagePath = DEFAULT_TERMINATION_MESSAGE_PATH;
  if (!c.terminationMessagePolicy) c.terminationMessagePolicy = 'File';
  if (Array.isArray(c.ports)) for (const p of c.ports) if (isObj(p) && !p.protocol) p.protocol = 'TCP';
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  if (isObj(c.lifecycle)) {
    defaultHandler(c.lifecycle.postStart);
    defaultHandler(c.lifecycle.preStop);
  }
  defaultEnv(c.env);
}

const VOLUME_SOURCES = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi',
  'glusterfs', 'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc',
  'azureFile', 'configMap', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected',
  'portworxVolume', 'scaleIO', 'storageos', 'csi', 'ephemeral', 'image',
];

export const volumeSourceNames: readonly string[] = VOLUME_SOURCES;

/** SetDefaults_Volume and the volume sources' own defaults. */
export function defaultVolume(v: unknown): void {
  if (!isObj(v)) return;
  if (!VOLUME_SOURCES.some((s) => v[s] !== undefined && v[s] !== null)) v.emptyDir = {};
  for (const src of ['secret', 'configMap', 'downwardAPI', 'projected']) {
    if (isObj(v[src]) && v[src].defaultMode === undefined) v[src].defaultMode = 0o644;
  }
  if (isObj(v.downwardAPI)) for (const it of v.downwardAPI.items ?? []) if (isObj(it?.fieldRef) && !it.fieldRef.apiVersion) it.fieldRef.apiVersion = 'v1';
  if (isObj(v.projected) && Array.isArray(v.projected.sources)) {
    for (const s of v.projected.sources) {
      if (isObj(s?.serviceAccountToken) && s.serviceAccountToken.expirationSeconds === undefined) s.serviceAccountToken.expirationSeconds = 3600;
      for (const it of s?.downwardAPI?.items ?? []) if (isObj(it?.fieldRef) && !it.fieldRef.apiVersion) it.fieldRef.apiVersion = 'v1';
    }
  }
  if (isObj(v.hostPath) && v.hostPath.type === undefined) v.hostPath.type = '';
  if (isObj(v.iscsi) && !v.iscsi.iscsiInterface) v.iscsi.iscsiInterface = 'default';
}

/** SetDefaults_PodSpec and everything below it (containers, volumes, probes …). */
export function defaultPodSpec(spec: unknown): void {
  if (!isObj(spec)) return;
  if (!spec.dnsPolicy) spec.dnsPolicy = 'ClusterFirst';
  if (!spec.restartPolicy) spec.restartPolicy = 'Always';
  if (!isObj(spec.securityContext)) spec.securityContext = {};
  if (spec.terminationGracePeriodSeconds === undefined || spec.terminationGracePeriodSeconds === null) spec.terminationGracePeriodSeconds = 30;
  if (!spec.schedulerName) spec.schedulerName = 'default-scheduler';
  for (const list of [spec.initContainers, spec.containers, spec.ephemeralContainers]) {
    if (Array.isArray(list)) for (const c of list) defaultContainer(c);
  }
  if (spec.hostNetwork === true) {
    for (const list of [spec.initContainers, spec.containers]) {
      if (!Array.isArray(list)) continue;
      for (const c of list) for (const p of c?.ports ?? []) if (isObj(p) && !p.hostPort) p.hostPort = p.containerPort;
    }
  }
  if (Array.isArray(spec.volumes)) for (const v of spec.volumes) defaultVolume(v);
  // The deprecated v1 alias mirrors serviceAccountName (conversion does this upstream).
  if (spec.serviceAccountName && !spec.serviceAccount) spec.serviceAccount = spec.serviceAccountName;
  else if (spec.serviceAccount && !spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount;
}

export function defaultPodTemplateSpec(tmpl: unknown): void {
  if (!isObj(tmpl)) return;
  defaultPodSpec(tmpl.spec);
}

/** Requests default to limits for each resource that has a limit and no request. */
function defaultRequestsFromLimits(c: unknown): void {
  if (!isObj(c) || !isObj(c.resources) || !isObj(c.resources.limits)) return;
  const req = ensureObj(c.resources, 'requests');
  for (const [k, v] of Object.entries(c.resources.limits)) if (req[k] === undefined) req[k] = v;
}

/**
 * SetDefaults_Pod on top of the PodSpec defaults: enableServiceLinks, requests from limits. The
 * service account name is filled with "default" here; upstream's ServiceAccount admission does that.
 */
export function defaultPod(pod: unknown): void {
  if (!isObj(pod)) return;
  const spec = ensureObj(pod, 'spec');
  if (spec.enableServiceLinks === undefined || spec.enableServiceLinks === null) spec.enableServiceLinks = true;
  for (const list of [spec.initContainers, spec.containers]) if (Array.isArray(list)) for (const c of list) defaultRequestsFromLimits(c);
  defaultRequestsFromLimits(spec);
  if (!spec.serviceAccountName && !spec.serviceAccount) spec.serviceAccountName = 'default';
  defaultPodSpec(spec);
}

const QOS_RESOURCES = ['cpu', 'memory'];

/** The QoS class of a pod from its (defaulted) container resources, as upstream's GetPodQOS. */
export function podQOSClass(pod: unknown): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const spec: any = isObj(pod) && isObj(pod.spec) ? pod.spec : {};
  const containers: any[] = [...(Array.isArray(spec.initContainers) ? spec.initContainers : []), ...(Array.isArray(spec.containers) ? spec.containers : [])];
  const sources: any[] = isObj(spec.resources) ? [spec] : containers;
  let anySet = false;
  let guaranteed = true;
  for (const c of sources) {
    const req = isObj(c?.resources?.requests) ? c.resources.requests : {};
    const lim = isObj(c?.resources?.limits) ? c.resources.limits : {};
    for (const r of QOS_RESOURCES) {
      const hasReq = req[r] !== undefined && !isZeroish(req[r]);
      const hasLim = lim[r] !== undefined && !isZeroish(lim[r]);
      if (hasReq || hasLim) anySet = true;
      if (!hasLim) guaranteed = false;
      else if (hasReq && String(req[r]) !== String(lim[r]) && !sameQuantity(req[r], lim[r])) guaranteed = false;
    }
  }
  if (!anySet) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}


function isZeroish(v: unknown): boolean {
  return tryParseQuantity(v)?.isZero() ?? false;
}

function sameQuantity(a: unknown, b: unknown): boolean {
  const qa = tryParseQuantity(a);
  const qb = tryParseQuantity(b);
  return !!qa && !!qb && qa.cmp(qb) === 0;
}
