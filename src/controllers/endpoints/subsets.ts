// The Endpoints object a Service should have, from its pods. Pure.

import type { EndpointAddress, EndpointPort, EndpointSubset, Endpoints, Pod, Service } from 'kubernetes-types/core/v1.js';
import { endpointsLabels, findPort, isHeadless, isPodReady, podIPOf, serviceIPFamily, shouldPodBeInEndpoints, shouldSetHostname } from './pods.js';

/** Upstream's cap on the addresses of one Endpoints object. */
export const MAX_ENDPOINTS_CAPACITY = 1000;
export const ANNOTATION_OVER_CAPACITY = 'endpoints.kubernetes.io/over-capacity';

function podAddress(pod: Pod, svc: Service, ip: string): EndpointAddress {
  const a: EndpointAddress = {
    ip,
    targetRef: { kind: 'Pod', namespace: pod.metadata?.namespace ?? '', name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' },
  };
  if (pod.spec?.nodeName) a.nodeName = pod.spec.nodeName;
  if (shouldSetHostname(pod, svc)) a.hostname = pod.spec!.hostname!;
  return a;
}

/** The ports of the Service as they resolve in this pod (service ports that do not resolve are left out). */
export function podEndpointPorts(svc: Service, pod: Pod): EndpointPort[] {
  const out: EndpointPort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    const ep: EndpointPort = { port, protocol: sp.protocol ?? 'TCP' };
    if (sp.name) ep.name = sp.name;
    if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
    out.push(ep);
  }
  return out;
}

const portKey = (p: EndpointPort) => `${p.name ?? ''}/${p.port}/${p.protocol ?? 'TCP'}/${p.appProtocol ?? ''}`;
const comparePorts = (a: EndpointPort, b: EndpointPort) => (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port || (a.protocol ?? '').localeCompare(b.protocol ?? '');
const compareAddresses = (a: EndpointAddress, b: EndpointAddress) =>
  compareIPs(a.ip, b.ip) || (a.targetRef?.name ?? '').localeCompare(b.targetRef?.name ?? '');

function compareIPs(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  if (pa.length === 4 && pb.length === 4) {
    for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
    return 0;
  }
  return a.localeCompare(b);
}

/**
 * The subsets for a Service and its selected pods: one address per pod (ready, or not ready),
 * grouped so addresses with the same resolved ports share a subset; sorted for stable output.
 */
export function desiredSubsets(svc: Service, pods: Pod[]): EndpointSubset[] {
  const tolerateUnready = svc.spec?.publishNotReadyAddresses === true;
  const family = serviceIPFamily(svc);
  const noPorts = (svc.spec?.ports?.length ?? 0) === 0;
  // group key (port set) → ports, ready addresses, not-ready addresses
  const groups = new Map<string, { ports: EndpointPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }>();
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, tolerateUnready)) continue;
    const ip = podIPOf(pod, family);
    if (!ip) continue;
    let ports: EndpointPort[];
    if (noPorts) {
      if (!isHeadless(svc)) continue;
      ports = [];
    } else {
      ports = podEndpointPorts(svc, pod).sort(comparePorts);
      if (ports.length === 0) continue;
    }
    const key = ports.map(portKey).join(',');
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ports, ready: [], notReady: [] }));
    const addr = podAddress(pod, svc, ip);
    if (tolerateUnready || isPodReady(pod)) g.ready.push(addr);
    else g.notReady.push(addr);
  }
  const subsets: EndpointSubset[] = [];
  for (const key of [...groups.keys()].sort()) {
    const g = groups.get(key)!;
    const s: EndpointSubset = {};
    if (g.ready.length) s.addresses = g.ready.sort(compareAddresses);
    if (g.notReady.length) s.notReadyAddresses = g.notReady.sort(compareAddresses);
    if (g.ports.length) s.ports = g.ports;
    subsets.push(s);
  }
  return subsets;
}

/** Cut subsets down to `max` addresses in all, ready ones first. Returns whether anything was cut. */
export function truncateSubsets(subsets: EndpointSubset[], max = MAX_ENDPOINTS_CAPACITY): { subsets: EndpointSubset[]; truncated: boolean } {
  const total = subsets.reduce((n, s) => n + (s.addresses?.length ?? 0) + (s.notReadyAddresses?.length ?? 0), 0);
  if (total <= max) return { subsets, truncated: false };
  let left = max;
  const out: EndpointSubset[] = [];
  for (const s of subsets) {
    const addresses = (s.addresses ?? []).slice(0, left);
    left -= addresses.length;
    out.push({ ...s, addresses });
  }
  for (const s of out) {
    const orig = subsets[out.indexOf(s)]!;
    const notReady = (orig.notReadyAddresses ?? []).slice(0, left);
    left -= notReady.length;
    if (notReady.length) s.notReadyAddresses = notReady;
    else delete s.notReadyAddresses;
    if (!s.addresses?.length) delete s.addresses;
  }
  return { subsets: out.filter((s) => s.addresses || s.notReadyAddresses), truncated: true };
}

/** The Endpoints object the Service should have (name, labels, subsets; no resourceVersion). */
export function desiredEndpoints(svc: Service, pods: Pod[]): Endpoints {
  const { subsets, truncated } = truncateSubsets(desiredSubsets(svc, pods));
  const ep: Endpoints = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: svc.metadata?.name ?? '', namespace: svc.metadata?.namespace ?? '', labels: endpointsLabels(svc) },
    subsets,
  };
  if (truncated) ep.metadata!.annotations = { [ANNOTATION_OVER_CAPACITY]: 'truncated' };
  return ep;
}

/** The fields this controller owns, in a form that compares equal when nothing needs writing. */
function canonicalSubsets(subsets: EndpointSubset[] | undefined): string {
  const addr = (a: EndpointAddress) => ({
    ip: a.ip,
    hostname: a.hostname ?? '',
    nodeName: a.nodeName ?? '',
    targetRef: a.targetRef ? { kind: a.targetRef.kind ?? '', namespace: a.targetRef.namespace ?? '', name: a.targetRef.name ?? '', uid: a.targetRef.uid ?? '' } : null,
  });
  return JSON.stringify(
    (subsets ?? []).map((s) => ({
      addresses: (s.addresses ?? []).map(addr),
      notReadyAddresses: (s.notReadyAddresses ?? []).map(addr),
      ports: (s.ports ?? []).map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP', appProtocol: p.appProtocol ?? '' })),
    })),
  );
}

/** Whether `current` already says what `desired` says (subsets, labels, over-capacity annotation). */
export function endpointsUpToDate(current: Endpoints, desired: Endpoints): boolean {
  if (canonicalSubsets(current.subsets) !== canonicalSubsets(desired.subsets)) return false;
  if (!sameMap(current.metadata?.labels, desired.metadata?.labels)) return false;
  return (current.metadata?.annotations?.[ANNOTATION_OVER_CAPACITY] ?? '') === (desired.metadata?.annotations?.[ANNOTATION_OVER_CAPACITY] ?? '');
}

function sameMap(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ka = Object.keys(a ?? {});
  if (ka.length !== Object.keys(b ?? {}).length) return false;
  return ka.every((k) => b?.[k] === a?.[k]);
}
