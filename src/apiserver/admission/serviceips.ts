// Service address allocation, as upstream's service REST does at create (and when a type change
// needs it): a cluster IP from the service CIDR and node ports from 30000–32767. Explicit values
// are checked against what is in use.

import type { KubeObject } from '../../api/registry.js';
import { errors, type FieldError } from '../../api/status.js';
import type { AdmissionPlugin, AdmissionRequest } from './types.js';

export interface ServiceRanges {
  /** Service CIDR as base address + prefix length (IPv4). */
  cidr: string;
  nodePortMin: number;
  nodePortMax: number;
}

export const DEFAULT_SERVICE_RANGES: ServiceRanges = { cidr: '10.96.0.0/16', nodePortMin: 30000, nodePortMax: 32767 };

/** The first address of the range: upstream gives it to the `kubernetes` Service. */
export function firstServiceIP(ranges: ServiceRanges = DEFAULT_SERVICE_RANGES): string {
  const { base } = parseCidr(ranges.cidr);
  return intToIp(base + 1);
}

interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ports?: Array<{ nodePort?: number; port?: number; protocol?: string }>;
}

function parseCidr(cidr: string): { base: number; size: number } {
  const [ip, bits] = cidr.split('/');
  const base = ipToInt(ip!) >>> 0;
  return { base, size: 2 ** (32 - Number(bits)) };
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function serviceAllocation(listServices: () => Promise<KubeObject[]>, ranges = DEFAULT_SERVICE_RANGES): AdmissionPlugin {
  const { base, size } = parseCidr(ranges.cidr);
  // Addresses handed out but maybe not yet visible in the cache; forgotten after a minute.
  const recentIPs = new Map<string, number>();
  const recentPorts = new Map<number, number>();
  const fresh = <K>(m: Map<K, number>) => {
    const now = Date.now();
    for (const [k, t] of m) if (now - t > 60_000) m.delete(k);
    return m;
  };

  return {
    name: 'ServiceAllocation',
    handles: (req) => req.def.group === '' && req.def.kind === 'Service' && !req.subresource,
    async admit(req: AdmissionRequest) {
      const spec = ((req.object as { spec?: ServiceSpec }).spec ??= {});
      const type = spec.type ?? 'ClusterIP';
      const name = req.object.metadata?.name ?? '';
      if (type === 'ExternalName') return;
      const needIP = !spec.clusterIP || spec.clusterIP === '';
      const wantsNodePorts = type === 'NodePort' || type === 'LoadBalancer';
      const explicitIP = !needIP && spec.clusterIP !== 'None' ? spec.clusterIP : undefined;
      const oldSpec = (req.old as { spec?: ServiceSpec } | null)?.spec;
      const checkIP = explicitIP && explicitIP !== oldSpec?.clusterIP;
      if (!needIP && !wantsNodePorts && !checkIP) return;

      const others = (await listServices()).filter((s) => s.metadata?.uid !== req.object.metadata?.uid);
      const usedIPs = new Set<string>(fresh(recentIPs).keys());
      const usedPorts = new Set<number>(fresh(recentPorts).keys());
      for (const s of others) {
        const os = (s.spec ?? {}) as ServiceSpec;
        if (os.clusterIP && os.clusterIP !== 'None') usedIPs.add(os.clusterIP);
        for (const p of os.ports ?? []) if (p.nodePort) usedPorts.add(p.nodePort);
      }
      const errs: FieldError[] = [];
      if (checkIP) {
        const n = ipToInt(explicitIP) >>> 0;
        if (n <= base || n >= base + size - 1) {
          errs.push({ type: 'FieldValueInvalid', field: 'spec.clusterIPs', detail: `Invalid value: ["${explicitIP}"]: failed to allocate IP ${explicitIP}: the provided IP (${explicitIP}) is not in the valid range. The range of valid IPs is ${ranges.cidr}` });
        } else if (usedIPs.has(explicitIP)) {
          errs.push({ type: 'FieldValueInvalid', field: 'spec.clusterIPs', detail: `Invalid value: ["${explicitIP}"]: failed to allocate IP ${explicitIP}: provided IP is already allocated` });
        } else recentIPs.set(explicitIP, Date.now());
      }
      if (needIP) {
        const ip = pickFree(size - 2, (i) => intToIp(base + 1 + i), usedIPs);
        if (!ip) throw errors.internal('failed to allocate a serviceIP: range is full');
        recentIPs.set(ip, Date.now());
        spec.clusterIP = ip;
        spec.clusterIPs = [ip];
      }
      if (wantsNodePorts) {
        const span = ranges.nodePortMax - ranges.nodePortMin + 1;
        (spec.ports ?? []).forEach((p, i) => {
          const keep = p.nodePort && oldSpec?.ports?.some((o) => o.nodePort === p.nodePort);
          if (p.nodePort && !keep) {
            if (p.nodePort < ranges.nodePortMin || p.nodePort > ranges.nodePortMax) {
              errs.push({ type: 'FieldValueInvalid', field: `spec.ports[${i}].nodePort`, detail: `Invalid value: ${p.nodePort}: provided port is not in the valid range. The range of valid ports is ${ranges.nodePortMin}-${ranges.nodePortMax}` });
            } else if (usedPorts.has(p.nodePort)) {
              errs.push({ type: 'FieldValueInvalid', field: `spec.ports[${i}].nodePort`, detail: `Invalid value: ${p.nodePort}: provided port is already allocated` });
            } else {
              usedPorts.add(p.nodePort);
              recentPorts.set(p.nodePort, Date.now());
            }
          } else if (!p.nodePort) {
            const port = pickFree(span, (k) => ranges.nodePortMin + k, usedPorts);
            if (port === undefined) throw errors.internal('failed to allocate a nodePort: range is full');
            usedPorts.add(port);
            recentPorts.set(port, Date.now());
            p.nodePort = port;
          }
        });
      }
      if (errs.length > 0) throw errors.invalid('', 'Service', name, errs);
    },
  };
}

/** A random free value among `count` candidates (random probes, then a scan). */
function pickFree<T>(count: number, at: (i: number) => T, used: Set<T>): T | undefined {
  for (let tries = 0; tries < 32; tries++) {
    const v = at(Math.floor(Math.random() * count));
    if (!used.has(v)) return v;
  }
  for (let i = 0; i < count; i++) {
    const v = at(i);
    if (!used.has(v)) return v;
  }
  return undefined;
}
