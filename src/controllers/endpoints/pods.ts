// What a Service's endpoints are made of, per pod: whether the pod belongs at all, its address,
// the port each service port resolves to in it, its hostname. Pure; shared with EndpointSlice.

import type { Pod, Service, ServicePort } from 'kubernetes-types/core/v1.js';

/** The `kubernetes` Service in `default`: its endpoints belong to the apiserver. */
export function isApiserverService(svc: Service): boolean {
  return svc.metadata?.namespace === 'default' && svc.metadata?.name === 'kubernetes';
}

/** Whether the controllers build endpoints for this Service (it has a selector; not ExternalName). */
export function managesService(svc: Service): boolean {
  if (isApiserverService(svc)) return false;
  if (svc.spec?.type === 'ExternalName') return false;
  const sel = svc.spec?.selector;
  return !!sel && Object.keys(sel).length > 0;
}

/** The pod's labels match the Service's selector (an empty selector matches nothing here). */
export function selectorMatches(svc: Service, pod: Pod): boolean {
  const sel = svc.spec?.selector;
  if (!sel || Object.keys(sel).length === 0) return false;
  const labels = pod.metadata?.labels ?? {};
  return Object.entries(sel).every(([k, v]) => labels[k] === v);
}

export function isPodTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Not terminal, has an IP, and (unless includeTerminating) is not being deleted. */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (isPodTerminal(pod)) return false;
  if (!pod.status?.podIP && !(pod.status?.podIPs?.length ?? 0)) return false;
  if (!includeTerminating && pod.metadata?.deletionTimestamp) return false;
  return true;
}

export type IPFamily = 'IPv4' | 'IPv6';

export function ipFamilyOf(ip: string): IPFamily {
  return ip.includes(':') ? 'IPv6' : 'IPv4';
}

/** The Service's primary IP family (IPv4 unless it says otherwise or its clusterIP is IPv6). */
export function serviceIPFamily(svc: Service): IPFamily {
  const fam = svc.spec?.ipFamilies?.[0];
  if (fam === 'IPv4' || fam === 'IPv6') return fam;
  const cip = svc.spec?.clusterIP;
  if (cip && cip !== 'None') return ipFamilyOf(cip);
  return 'IPv4';
}

/** The pod's IP of the family (podIPs first, then podIP). */
export function podIPOf(pod: Pod, family: IPFamily): string | undefined {
  const ips = [...(pod.status?.podIPs ?? []).map((p) => p.ip), pod.status?.podIP].filter((x): x is string => !!x);
  return ips.find((ip) => ipFamilyOf(ip) === family);
}

/**
 * The pod port a service port targets: a number as is; a name looked up in the pod's container
 * ports (and restartable init containers) with the same protocol. Undefined when not found.
 */
export function findPort(pod: Pod, port: ServicePort): number | undefined {
  const target = port.targetPort ?? port.port;
  const protocol = port.protocol ?? 'TCP';
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always')];
  for (const c of containers) {
    for (const p of c.ports ?? []) {
      if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
    }
  }
  return undefined;
}

/** Hostname is published when the pod's subdomain names this Service (in its namespace). */
export function shouldSetHostname(pod: Pod, svc: Service): boolean {
  return !!pod.spec?.hostname && pod.spec?.subdomain === svc.metadata?.name && pod.metadata?.namespace === svc.metadata?.namespace;
}

export const LABEL_HEADLESS = 'service.kubernetes.io/headless';

export function isHeadless(svc: Service): boolean {
  return svc.spec?.clusterIP === 'None';
}

/** The labels endpoints objects take from their Service (plus the headless marker). */
export function endpointsLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = { ...(svc.metadata?.labels ?? {}) };
  delete labels[LABEL_HEADLESS];
  if (isHeadless(svc)) labels[LABEL_HEADLESS] = '';
  return labels;
}
