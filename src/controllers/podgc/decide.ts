// PodGC's decisions over a snapshot of pods and nodes. Pure.

import type { KubeObject } from '../../api/registry.js';

export interface PodLike extends KubeObject {
  spec?: { nodeName?: string };
  status?: { phase?: string; reason?: string };
}

export interface NodeLike extends KubeObject {
  spec?: { taints?: Array<{ key: string; effect?: string; value?: string }> };
  status?: { conditions?: Array<{ type: string; status: string }> };
}

export const OUT_OF_SERVICE_TAINT = 'node.kubernetes.io/out-of-service';

export function isPodTerminated(p: PodLike): boolean {
  const phase = p.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** Evicted pods first, then the oldest; ties by namespace/name so the order is stable. */
export function compareForTerminatedGC(a: PodLike, b: PodLike): number {
  const ea = a.status?.reason === 'Evicted' ? 0 : 1;
  const eb = b.status?.reason === 'Evicted' ? 0 : 1;
  if (ea !== eb) return ea - eb;
  const ta = a.metadata?.creationTimestamp ?? '';
  const tb = b.metadata?.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ka = `${a.metadata?.namespace}/${a.metadata?.name}`;
  const kb = `${b.metadata?.namespace}/${b.metadata?.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Terminated pods beyond `threshold` (threshold <= 0: none), the ones to go first. */
export function terminatedPodsToDelete(pods: PodLike[], threshold: number): PodLike[] {
  if (threshold <= 0) return [];
  const terminated = pods.filter((p) => isPodTerminated(p) && !p.metadata?.deletionTimestamp);
  const excess = terminated.length - threshold;
  if (excess <= 0) return [];
  return terminated.sort(compareForTerminatedGC).slice(0, excess);
}

/** Names of the nodes pods are bound to that the node cache does not know. */
export function missingNodes(pods: PodLike[], nodeExists: (name: string) => boolean): Set<string> {
  const out = new Set<string>();
  for (const p of pods) {
    const n = p.spec?.nodeName;
    if (n && !nodeExists(n)) out.add(n);
  }
  return out;
}

/** Pods being deleted that were never scheduled: no kubelet will finish them. */
export function unscheduledTerminatingPods(pods: PodLike[]): PodLike[] {
  return pods.filter((p) => !!p.metadata?.deletionTimestamp && !p.spec?.nodeName);
}

function isReady(node: NodeLike): boolean {
  return node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}

/** Pods being deleted on nodes that are not ready and tainted out-of-service: their kubelet will not finish them. */
export function terminatingPodsOnOutOfServiceNodes(pods: PodLike[], node: (name: string) => NodeLike | undefined): PodLike[] {
  return pods.filter((p) => {
    if (!p.metadata?.deletionTimestamp || !p.spec?.nodeName) return false;
    const n = node(p.spec.nodeName);
    if (!n || isReady(n)) return false;
    return (n.spec?.taints ?? []).some((t) => t.key === OUT_OF_SERVICE_TAINT && t.effect === 'NoExecute');
  });
}

/** Quarantine of nodes missing from the cache: a name must stay missing for `quarantineMs` before its pods are collected. */
export class NodeQuarantine {
  private readonly since = new Map<string, number>();
  constructor(readonly quarantineMs: number) {}

  /** Record the currently missing nodes at `now`; returns those missing for the whole quarantine. */
  update(missing: Set<string>, now: number): string[] {
    for (const n of [...this.since.keys()]) if (!missing.has(n)) this.since.delete(n);
    const ripe: string[] = [];
    for (const n of missing) {
      const t = this.since.get(n);
      if (t === undefined) this.since.set(n, now);
      else if (now - t >= this.quarantineMs) ripe.push(n);
    }
    return ripe;
  }

  /** The node turned out to exist (or its pods were handled): start over if it goes missing again. */
  clear(name: string): void {
    this.since.delete(name);
  }

  has(name: string): boolean {
    return this.since.has(name);
  }
}
