// The EndpointSlices a Service should have, from its pods and the slices it has now. Pure.
//
// Endpoints are grouped by the ports they resolve to (one set of slices per port set), at most
// `maxEndpointsPerSlice` per slice. To keep churn low, an endpoint stays in the slice that holds
// it; new endpoints fill slices that are being rewritten anyway, then new slices. A Service with
// no endpoints keeps one empty placeholder slice.

import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import { endpointsLabels, findPort, isPodReady, podIPOf, serviceIPFamily, shouldPodBeInEndpoints, shouldSetHostname } from '../endpoints/pods.js';

export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
export const LABEL_MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
export const MAX_ENDPOINTS_PER_SLICE = 100;
export const LABEL_ZONE = 'topology.kubernetes.io/zone';

export interface SlicePlan {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
}

export interface ReconcileOptions {
  maxEndpointsPerSlice?: number;
  /** The zone of a node (its topology.kubernetes.io/zone label), if known. */
  zoneOf?: (nodeName: string) => string | undefined;
}

/** Whether a slice is one this controller manages for the Service. */
export function isManagedSlice(slice: EndpointSlice, svc: Service): boolean {
  return slice.metadata?.labels?.[LABEL_MANAGED_BY] === CONTROLLER_NAME && slice.metadata?.labels?.[LABEL_SERVICE_NAME] === svc.metadata?.name;
}

export function sliceLabels(svc: Service): Record<string, string> {
  return { ...endpointsLabels(svc), [LABEL_SERVICE_NAME]: svc.metadata?.name ?? '', [LABEL_MANAGED_BY]: CONTROLLER_NAME };
}

export function serviceOwnerRef(svc: Service): OwnerReference {
  return { apiVersion: 'v1', kind: 'Service', name: svc.metadata?.name ?? '', uid: svc.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true };
}

/** The ports of the Service as they resolve in the pod (service ports that do not resolve are left out). */
export function endpointPorts(svc: Service, pod: Pod): EndpointPort[] {
  const out: EndpointPort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    const ep: EndpointPort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
    if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
    out.push(ep);
  }
  return out;
}

/** The slice endpoint for a pod (conditions ready/serving/terminating as upstream). */
export function podToEndpoint(pod: Pod, svc: Service, ip: string, zone?: string): Endpoint {
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata?.deletionTimestamp;
  const ready = svc.spec?.publishNotReadyAddresses === true || (serving && !terminating);
  const ep: Endpoint = {
    addresses: [ip],
    conditions: { ready, serving, terminating },
    targetRef: { kind: 'Pod', namespace: pod.metadata?.namespace ?? '', name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' },
  };
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
  if (zone) ep.zone = zone;
  if (shouldSetHostname(pod, svc)) ep.hostname = pod.spec!.hostname!;
  return ep;
}

const portKey = (p: EndpointPort) => `${p.name ?? ''}/${p.port ?? ''}/${p.protocol ?? 'TCP'}/${p.appProtocol ?? ''}`;
export function portsKey(ports: EndpointPort[] | undefined): string {
  return (ports ?? []).map(portKey).sort().join(',');
}
const sortPorts = (ports: EndpointPort[]) => [...ports].sort((a, b) => portKey(a).localeCompare(portKey(b)));

/** Identity of an endpoint across syncs: its pod (or, without one, its first address). */
export function endpointKey(ep: Endpoint): string {
  const r = ep.targetRef;
  return r?.name ? `${r.namespace ?? ''}/${r.name}` : `addr:${ep.addresses[0] ?? ''}`;
}

/** The fields this controller sets, for comparing an endpoint with what it should be. */
function canonicalEndpoint(ep: Endpoint): string {
  return JSON.stringify([
    ep.addresses,
    ep.conditions?.ready ?? null,
    ep.conditions?.serving ?? null,
    ep.conditions?.terminating ?? null,
    ep.hostname ?? '',
    ep.nodeName ?? '',
    ep.zone ?? '',
    ep.targetRef?.kind ?? '',
    ep.targetRef?.namespace ?? '',
    ep.targetRef?.name ?? '',
    ep.targetRef?.uid ?? '',
  ]);
}

/** Desired endpoints grouped by port set: portsKey → { ports, endpoints by key }. */
export function desiredEndpointGroups(svc: Service, pods: Pod[], zoneOf?: (n: string) => string | undefined): Map<string, { ports: EndpointPort[]; endpoints: Map<string, Endpoint> }> {
  const family = serviceIPFamily(svc);
  const groups = new Map<string, { ports: EndpointPort[]; endpoints: Map<string, Endpoint> }>();
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ip = podIPOf(pod, family);
    if (!ip) continue;
    const ports = sortPorts(endpointPorts(svc, pod));
    const key = portsKey(ports);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ports, endpoints: new Map() }));
    const node = pod.spec?.nodeName;
    const ep = podToEndpoint(pod, svc, ip, node ? zoneOf?.(node) : undefined);
    g.endpoints.set(endpointKey(ep), ep);
  }
  return groups;
}

function sameMap(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ka = Object.keys(a ?? {});
  return ka.length === Object.keys(b ?? {}).length && ka.every((k) => b?.[k] === a?.[k]);
}

function ownedBy(slice: EndpointSlice, svc: Service): boolean {
  return (slice.metadata?.ownerReferences ?? []).some((r) => r.kind === 'Service' && r.uid === svc.metadata?.uid && r.controller === true);
}

function newSlice(svc: Service, addressType: string, ports: EndpointPort[], endpoints: Endpoint[]): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: `${svc.metadata?.name ?? ''}-`,
      namespace: svc.metadata?.namespace ?? '',
      labels: sliceLabels(svc),
      ownerReferences: [serviceOwnerRef(svc)],
    },
    addressType,
    endpoints,
    ports,
  };
}

const byKey = (a: Endpoint, b: Endpoint) => endpointKey(a).localeCompare(endpointKey(b));

/**
 * Which slices to create, update and delete so the Service's slices list exactly its pods'
 * endpoints. `existing` are the Service's slices (of any manager; others are ignored).
 */
export function reconcileSlices(svc: Service, pods: Pod[], existing: EndpointSlice[], opts: ReconcileOptions = {}): SlicePlan {
  const max = opts.maxEndpointsPerSlice ?? MAX_ENDPOINTS_PER_SLICE;
  const addressType = serviceIPFamily(svc);
  const labels = sliceLabels(svc);
  const plan: SlicePlan = { create: [], update: [], delete: [] };
  const groups = desiredEndpointGroups(svc, pods, opts.zoneOf);
  const ours = existing.filter((s) => isManagedSlice(s, svc));

  // Slices of another address type, or of a port set no longer wanted, go.
  const kept: EndpointSlice[] = [];
  for (const s of ours) {
    if (s.addressType !== addressType || !groups.has(portsKey(s.ports))) plan.delete.push(s);
    else kept.push(s);
  }

  for (const [key, group] of groups) {
    const remaining = new Map(group.endpoints);
    const slices = kept.filter((s) => portsKey(s.ports) === key);
    const touched: Array<{ slice: EndpointSlice; endpoints: Endpoint[] }> = [];
    const untouched: Array<{ slice: EndpointSlice; endpoints: Endpoint[] }> = [];
    for (const s of slices) {
      const eps: Endpoint[] = [];
      let changed = false;
      for (const ep of s.endpoints ?? []) {
        const k = endpointKey(ep);
        const want = remaining.get(k);
        if (!want) {
          changed = true;
          continue;
        }
        remaining.delete(k);
        if (canonicalEndpoint(want) !== canonicalEndpoint(ep)) changed = true;
        eps.push(want);
      }
      if (eps.length === 0) {
        plan.delete.push(s);
        continue;
      }
      const metaChanged = !sameMap(s.metadata?.labels, labels) || !ownedBy(s, svc);
      (changed || metaChanged ? touched : untouched).push({ slice: s, endpoints: eps });
    }
    // New endpoints: first into slices rewritten anyway, then into new slices.
    const fresh = [...remaining.values()].sort(byKey);
    for (const t of touched) {
      while (fresh.length && t.endpoints.length < max) t.endpoints.push(fresh.shift()!);
    }
    // Before creating a slice, fill room in unchanged slices only if that saves a whole create.
    if (fresh.length) {
      const room = untouched.reduce((n, u) => n + Math.max(0, max - u.endpoints.length), 0);
      if (fresh.length % max !== 0 && room >= fresh.length % max) {
        for (const u of untouched) {
          if (fresh.length % max === 0) break;
          let moved = false;
          while (fresh.length % max !== 0 && u.endpoints.length < max) {
            u.endpoints.push(fresh.shift()!);
            moved = true;
          }
          if (moved) touched.push(u);
        }
      }
    }
    for (const t of touched) {
      plan.update.push({
        ...t.slice,
        metadata: { ...t.slice.metadata, labels: { ...labels }, ownerReferences: ownerRefsWith(t.slice, svc) },
        ports: group.ports,
        endpoints: t.endpoints,
      });
    }
    for (let i = 0; i < fresh.length; i += max) plan.create.push(newSlice(svc, addressType, group.ports, fresh.slice(i, i + max)));
  }

  // No endpoints at all: keep (or make) one empty placeholder slice.
  if (groups.size === 0) {
    const placeholder = plan.delete.find((s) => (s.endpoints ?? []).length === 0 && (s.ports ?? []).length === 0 && s.addressType === addressType);
    if (placeholder) {
      plan.delete = plan.delete.filter((s) => s !== placeholder);
      if (!sameMap(placeholder.metadata?.labels, labels) || !ownedBy(placeholder, svc))
        plan.update.push({ ...placeholder, metadata: { ...placeholder.metadata, labels: { ...labels }, ownerReferences: ownerRefsWith(placeholder, svc) } });
    } else {
      plan.create.push(newSlice(svc, addressType, [], []));
    }
  }
  return plan;
}

function ownerRefsWith(slice: EndpointSlice, svc: Service): OwnerReference[] {
  const others = (slice.metadata?.ownerReferences ?? []).filter((r) => !(r.kind === 'Service' && r.controller === true));
  return [...others, serviceOwnerRef(svc)];
}
