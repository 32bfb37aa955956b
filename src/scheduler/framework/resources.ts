// Pod resource requests as the scheduler counts them: the larger of (sum of containers + sidecars)
// and the largest init-container step (an init container plus the sidecars started before it), plus
// the pod overhead. Quantities become plain numbers: CPU in millicores, everything else in units.

import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { tryParseQuantity } from '../../api/strategies/quantity.js';

/** Scoring defaults for containers that request nothing (upstream's 100m CPU / 200Mi memory). */
export const DefaultMilliCPURequest = 100;
export const DefaultMemoryRequest = 200 * 1024 * 1024;

export const ResourceCPU = 'cpu';
export const ResourceMemory = 'memory';
export const ResourceEphemeralStorage = 'ephemeral-storage';
export const ResourcePods = 'pods';

/** Amounts of resources. Memory and storage in bytes, CPU in millicores. */
export class Resource {
  milliCPU = 0;
  memory = 0;
  ephemeralStorage = 0;
  allowedPodNumber = 0;
  /** Extended resources, hugepages-*, attachable volumes… by name. */
  scalarResources = new Map<string, number>();

  /** Parse a ResourceList (`{cpu: "500m", memory: "1Gi", ...}`); invalid quantities count as 0. */
  static fromList(list: Readonly<Record<string, unknown>> | undefined): Resource {
    const r = new Resource();
    r.addList(list);
    return r;
  }

  addList(list: Readonly<Record<string, unknown>> | undefined): void {
    if (!list) return;
    for (const name of Object.keys(list)) this.addNamed(name, quantityOf(name, list[name]));
  }

  /** Add `v` to the named resource (cpu in millicores). */
  addNamed(name: string, v: number): void {
    switch (name) {
      case ResourceCPU:
        this.milliCPU += v;
        break;
      case ResourceMemory:
        this.memory += v;
        break;
      case ResourceEphemeralStorage:
        this.ephemeralStorage += v;
        break;
      case ResourcePods:
        this.allowedPodNumber += v;
        break;
      default:
        this.scalarResources.set(name, (this.scalarResources.get(name) ?? 0) + v);
    }
  }

  /** The named resource (cpu in millicores); 0 when absent. */
  get(name: string): number {
    switch (name) {
      case ResourceCPU:
        return this.milliCPU;
      case ResourceMemory:
        return this.memory;
      case ResourceEphemeralStorage:
        return this.ephemeralStorage;
      case ResourcePods:
        return this.allowedPodNumber;
      default:
        return this.scalarResources.get(name) ?? 0;
    }
  }

  add(o: Resource): void {
    this.milliCPU += o.milliCPU;
    this.memory += o.memory;
    this.ephemeralStorage += o.ephemeralStorage;
    this.allowedPodNumber += o.allowedPodNumber;
    for (const [k, v] of o.scalarResources) this.scalarResources.set(k, (this.scalarResources.get(k) ?? 0) + v);
  }

  sub(o: Resource): void {
    this.milliCPU -= o.milliCPU;
    this.memory -= o.memory;
    this.ephemeralStorage -= o.ephemeralStorage;
    this.allowedPodNumber -= o.allowedPodNumber;
    for (const [k, v] of o.scalarResources) this.scalarResources.set(k, (this.scalarResources.get(k) ?? 0) - v);
  }

  /** Raise each resource to at least `o`'s amount. */
  setMax(o: Resource): void {
    this.milliCPU = Math.max(this.milliCPU, o.milliCPU);
    this.memory = Math.max(this.memory, o.memory);
    this.ephemeralStorage = Math.max(this.ephemeralStorage, o.ephemeralStorage);
    this.allowedPodNumber = Math.max(this.allowedPodNumber, o.allowedPodNumber);
    for (const [k, v] of o.scalarResources) this.scalarResources.set(k, Math.max(this.scalarResources.get(k) ?? 0, v));
  }

  clone(): Resource {
    const r = new Resource();
    r.milliCPU = this.milliCPU;
    r.memory = this.memory;
    r.ephemeralStorage = this.ephemeralStorage;
    r.allowedPodNumber = this.allowedPodNumber;
    r.scalarResources = new Map(this.scalarResources);
    return r;
  }

  isZero(): boolean {
    if (this.milliCPU || this.memory || this.ephemeralStorage || this.allowedPodNumber) return false;
    for (const v of this.scalarResources.values()) if (v) return false;
    return true;
  }
}

/** A quantity as a number: millicores for cpu, whole units (rounded up) otherwise; 0 if invalid. */
export function quantityOf(name: string, v: unknown): number {
  const q = tryParseQuantity(v);
  if (!q) return 0;
  return name === ResourceCPU ? q.milliValue() : q.value();
}

export function isSidecar(c: Container): boolean {
  return c.restartPolicy === 'Always';
}

export interface PodRequestOptions {
  /** Use DefaultMilliCPURequest / DefaultMemoryRequest for containers without a cpu / memory request (scoring). */
  nonZero?: boolean;
  /** Leave out the pod overhead. */
  excludeOverhead?: boolean;
}

function containerRequests(c: Container, nonZero: boolean): Resource {
  const req = c.resources?.requests as Record<string, unknown> | undefined;
  const r = Resource.fromList(req);
  if (nonZero) {
    if (req?.[ResourceCPU] === undefined) r.milliCPU = DefaultMilliCPURequest;
    if (req?.[ResourceMemory] === undefined) r.memory = DefaultMemoryRequest;
  }
  return r;
}

/**
 * The resources a pod needs on a node: max(sum(containers) + sum(sidecars), max over init containers
 * of (that init container + sidecars declared before it)), plus spec.overhead.
 */
export function podRequests(pod: Pod, opts: PodRequestOptions = {}): Resource {
  const nonZero = opts.nonZero ?? false;
  const spec = pod.spec;
  const total = new Resource();
  for (const c of spec?.containers ?? []) total.add(containerRequests(c, nonZero));

  const sidecars = new Resource();
  const initMax = new Resource();
  for (const c of spec?.initContainers ?? []) {
    const r = containerRequests(c, nonZero);
    if (isSidecar(c)) {
      sidecars.add(r);
      // The sidecar keeps running while later init containers start.
      initMax.setMax(sidecars);
    } else {
      const step = r.clone();
      step.add(sidecars);
      initMax.setMax(step);
    }
  }
  total.add(sidecars);
  total.setMax(initMax);

  if (!opts.excludeOverhead && spec?.overhead) total.addList(spec.overhead as Record<string, unknown>);
  return total;
}

/** The requests used for scoring: only cpu and memory, with the non-zero defaults. */
export function podNonZeroRequests(pod: Pod): { milliCPU: number; memory: number } {
  const r = podRequests(pod, { nonZero: true });
  return { milliCPU: r.milliCPU, memory: r.memory };
}
