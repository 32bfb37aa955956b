// Resource quota usage: what the objects of a namespace use of each resource a quota limits.
// Pure: quota + objects in, status out.

import type { Container, PersistentVolumeClaim, Pod, ResourceQuota, ScopedResourceSelectorRequirement, Service } from 'kubernetes-types/core/v1.js';
import { Quantity } from '../../api/strategies/quantity.js';

export interface NamespaceObjects {
  pods: Pod[];
  services: Service[];
  configmaps: unknown[];
  secrets: unknown[];
  persistentvolumeclaims: PersistentVolumeClaim[];
  replicationcontrollers: unknown[];
  resourcequotas: unknown[];
}

export type ResourceList = Record<string, string>;

/** The object counts quotas know, by legacy name and by `count/<resource>`. */
const OBJECT_COUNTS: Record<string, keyof NamespaceObjects> = {
  services: 'services',
  configmaps: 'configmaps',
  secrets: 'secrets',
  persistentvolumeclaims: 'persistentvolumeclaims',
  replicationcontrollers: 'replicationcontrollers',
  resourcequotas: 'resourcequotas',
};

const POD_COMPUTE = ['cpu', 'memory', 'ephemeral-storage'];

/** Terminal pods (and pods past their deletion grace period) use nothing. */
export function podCountsForQuota(pod: Pod, now: number): boolean {
  if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return false;
  const del = pod.metadata?.deletionTimestamp;
  if (del) {
    const grace = pod.metadata?.deletionGracePeriodSeconds ?? 0;
    if (Date.parse(del) + grace * 1000 < now) return false;
  }
  return true;
}

/** a + b, keeping the format of the first quantity (so Mi stays Mi). */
function addQ(a: Quantity | undefined, b: Quantity | string): Quantity {
  return a ? a.add(b) : typeof b === 'string' ? Quantity.parse(b) : b;
}

function sumInto(acc: Map<string, Quantity>, list: Record<string, string> | undefined, names: string[]): void {
  for (const n of names) {
    const v = list?.[n];
    if (v === undefined) continue;
    acc.set(n, addQ(acc.get(n), v));
  }
}

/** A pod's effective requests or limits: max(sum of containers, largest init container) + overhead. */
export function podResources(pod: Pod, which: 'requests' | 'limits'): Map<string, Quantity> {
  const sum = new Map<string, Quantity>();
  for (const c of pod.spec?.containers ?? []) sumInto(sum, c.resources?.[which], POD_COMPUTE);
  // Restartable init containers (sidecars) run alongside: they add to the sum.
  const inits: Container[] = pod.spec?.initContainers ?? [];
  for (const c of inits) if (c.restartPolicy === 'Always') sumInto(sum, c.resources?.[which], POD_COMPUTE);
  for (const c of inits) {
    if (c.restartPolicy === 'Always') continue;
    for (const n of POD_COMPUTE) {
      const v = c.resources?.[which]?.[n];
      if (v !== undefined && (sum.get(n)?.cmp(v) ?? -1) < 0) sum.set(n, Quantity.parse(v));
    }
  }
  sumInto(sum, pod.spec?.overhead, POD_COMPUTE);
  return sum;
}

export function isBestEffort(pod: Pod): boolean {
  const all = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  return all.every((c) => Object.keys(c.resources?.requests ?? {}).length === 0 && Object.keys(c.resources?.limits ?? {}).length === 0);
}

function matchesScopeSelector(pod: Pod, req: ScopedResourceSelectorRequirement): boolean {
  if (req.scopeName !== 'PriorityClass') return podMatchesScope(pod, req.scopeName);
  const pc = pod.spec?.priorityClassName ?? '';
  switch (req.operator) {
    case 'In':
      return (req.values ?? []).includes(pc);
    case 'NotIn':
      return !(req.values ?? []).includes(pc);
    case 'Exists':
      return pc !== '';
    case 'DoesNotExist':
      return pc === '';
    default:
      return false;
  }
}

export function podMatchesScope(pod: Pod, scope: string): boolean {
  switch (scope) {
    case 'Terminating':
      return (pod.spec?.activeDeadlineSeconds ?? undefined) !== undefined;
    case 'NotTerminating':
      return pod.spec?.activeDeadlineSeconds === undefined || pod.spec?.activeDeadlineSeconds === null;
    case 'BestEffort':
      return isBestEffort(pod);
    case 'NotBestEffort':
      return !isBestEffort(pod);
    case 'PriorityClass':
      return (pod.spec?.priorityClassName ?? '') !== '';
    default:
      return false;
  }
}

function quotaHasScopes(q: ResourceQuota): boolean {
  return (q.spec?.scopes?.length ?? 0) > 0 || (q.spec?.scopeSelector?.matchExpressions?.length ?? 0) > 0;
}

function podInScope(q: ResourceQuota, pod: Pod): boolean {
  for (const s of q.spec?.scopes ?? []) if (!podMatchesScope(pod, s)) return false;
  for (const r of q.spec?.scopeSelector?.matchExpressions ?? []) if (!matchesScopeSelector(pod, r)) return false;
  return true;
}

/** The usage of one resource name, or undefined when quotas do not know it. */
export function usageOf(name: string, q: ResourceQuota, objs: NamespaceObjects, now: number): Quantity | undefined {
  const scoped = quotaHasScopes(q);
  const pods = () => objs.pods.filter((p) => podCountsForQuota(p, now) && (!scoped || podInScope(q, p)));
  if (name === 'pods' || name === 'count/pods') return Quantity.fromNumber(pods().length);
  let m = /^(?:requests\.)?(cpu|memory|ephemeral-storage)$/.exec(name);
  if (m) return sumPods(pods(), 'requests', m[1]!);
  m = /^limits\.(cpu|memory|ephemeral-storage)$/.exec(name);
  if (m) return sumPods(pods(), 'limits', m[1]!);
  // Everything below is not pod-scoped: a scoped quota does not count it.
  const legacy = OBJECT_COUNTS[name] ?? OBJECT_COUNTS[name.replace(/^count\//, '')];
  if (legacy && (name in OBJECT_COUNTS || name.startsWith('count/'))) return Quantity.fromNumber(scoped ? 0 : objs[legacy].length);
  if (name === 'services.loadbalancers') return Quantity.fromNumber(scoped ? 0 : objs.services.filter((s) => s.spec?.type === 'LoadBalancer').length);
  if (name === 'services.nodeports') {
    if (scoped) return Quantity.fromNumber(0);
    let n = 0;
    for (const s of objs.services) if (s.spec?.type === 'NodePort' || s.spec?.type === 'LoadBalancer') n += s.spec?.ports?.length ?? 0;
    return Quantity.fromNumber(n);
  }
  if (name === 'requests.storage') {
    let total: Quantity | undefined;
    if (!scoped) for (const c of objs.persistentvolumeclaims) total = addQ(total, c.spec?.resources?.requests?.['storage'] ?? '0');
    return total ?? Quantity.fromNumber(0);
  }
  m = /^(.+)\.storageclass\.storage\.k8s\.io\/(requests\.storage|persistentvolumeclaims)$/.exec(name);
  if (m) {
    const claims = scoped ? [] : objs.persistentvolumeclaims.filter((c) => (c.spec?.storageClassName ?? '') === m![1]);
    if (m[2] === 'persistentvolumeclaims') return Quantity.fromNumber(claims.length);
    return claims.reduce<Quantity | undefined>((t, c) => addQ(t, c.spec?.resources?.requests?.['storage'] ?? '0'), undefined) ?? Quantity.fromNumber(0);
  }
  return undefined;
}

function sumPods(pods: Pod[], which: 'requests' | 'limits', res: string): Quantity {
  let total: Quantity | undefined;
  for (const p of pods) {
    const v = podResources(p, which).get(res);
    if (v) total = addQ(total, v);
  }
  return total ?? Quantity.fromNumber(0);
}

/**
 * The quota's status: hard = spec.hard, used = the usage of every hard resource (a resource we
 * do not know keeps its previous used value, if any).
 */
export function quotaStatus(q: ResourceQuota, objs: NamespaceObjects, now: number): { hard: ResourceList; used: ResourceList } {
  const hard: ResourceList = { ...(q.spec?.hard ?? {}) };
  const used: ResourceList = {};
  for (const name of Object.keys(hard)) {
    const u = usageOf(name, q, objs, now);
    if (u) used[name] = u.toString();
    else if (q.status?.used?.[name] !== undefined) used[name] = q.status.used[name]!;
  }
  return { hard, used };
}

/** Whether two resource lists hold the same names and equal quantities. */
export function sameResourceList(a: ResourceList | undefined, b: ResourceList | undefined): boolean {
  const ka = Object.keys(a ?? {});
  if (ka.length !== Object.keys(b ?? {}).length) return false;
  return ka.every((k) => {
    const x = a![k]!;
    const y = b?.[k];
    if (y === undefined) return false;
    try {
      return Quantity.parse(x).equals(y);
    } catch {
      return x === y;
    }
  });
}
