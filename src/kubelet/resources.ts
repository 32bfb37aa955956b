// A container's resources as Linux cgroup settings: CPU shares from requests, CFS quota from limits,
// the memory limit, and an OOM score from the pod's QoS class (kept ≥ 0: this host cannot lower it).

import { Quantity } from '../api/strategies/quantity.js';
import type { ContainerConfig } from '../runtime/types.js';
import type { Container, Pod } from './types.js';

export const CPU_PERIOD = 100_000;
const MIN_SHARES = 2;
const MAX_SHARES = 262_144;

function milli(q: unknown): number | undefined {
  if (q === undefined || q === null) return undefined;
  return Quantity.parse(String(q)).milliValue();
}
function bytes(q: unknown): number | undefined {
  if (q === undefined || q === null) return undefined;
  return Quantity.parse(String(q)).value();
}

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

/** Upstream's QoS rules over cpu and memory of every (init) container. */
export function qosClass(pod: Pod): QOSClass {
  const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const c of all) {
    for (const r of ['cpu', 'memory']) {
      const req = c.resources?.requests?.[r];
      const lim = c.resources?.limits?.[r];
      if (req !== undefined || lim !== undefined) any = true;
      if (lim === undefined || (req !== undefined && String(req) !== String(lim) && milli(req) !== milli(lim))) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

export function linuxResources(pod: Pod, c: Container, nodeMemoryBytes: number): NonNullable<NonNullable<ContainerConfig['linux']>['resources']> {
  const req = c.resources?.requests ?? {};
  const lim = c.resources?.limits ?? {};
  const cpuReq = milli(req['cpu'] ?? lim['cpu']);
  const cpuLim = milli(lim['cpu']);
  const memLim = bytes(lim['memory']);
  const out: NonNullable<NonNullable<ContainerConfig['linux']>['resources']> = {};
  out.cpuShares = cpuReq === undefined ? MIN_SHARES : Math.min(MAX_SHARES, Math.max(MIN_SHARES, Math.floor((cpuReq * 1024) / 1000)));
  if (cpuLim !== undefined) {
    out.cpuPeriod = CPU_PERIOD;
    out.cpuQuota = Math.max(1000, Math.floor((cpuLim * CPU_PERIOD) / 1000));
  }
  if (memLim !== undefined) out.memoryLimitInBytes = memLim;
  const qos = qosClass(pod);
  if (qos === 'BestEffort') out.oomScoreAdj = 1000;
  else if (qos === 'Guaranteed') out.oomScoreAdj = 0;
  else {
    const memReq = bytes(req['memory']) ?? 0;
    const adj = 1000 - Math.floor((1000 * memReq) / Math.max(1, nodeMemoryBytes));
    out.oomScoreAdj = Math.min(999, Math.max(2, adj));
  }
  return out;
}
