// Writes pod status through pods/status, only when it differs from what the API (or our last
// write) holds. A merge patch: lists are replaced whole; fields we dropped are sent as null.

import { deepEqual } from '../api/objects.js';
import type { KubeObject } from '../api/registry.js';
import { isNotFound, type ResourceClient } from '../client/index.js';
import { isStaticPod } from './static-pods.js';
import type { Pod, PodStatus } from './types.js';

export class StatusManager {
  private readonly last = new Map<string, PodStatus>();
  /** Writes performed (for tests and metrics). */
  writes = 0;

  constructor(
    private readonly pods: ResourceClient<KubeObject>,
    private readonly log: (msg: string) => void = () => {},
  ) {}

  /** The status we last wrote for this pod. */
  get(uid: string): PodStatus | undefined {
    return this.last.get(uid);
  }

  async set(pod: Pod, status: PodStatus): Promise<boolean> {
    const uid = pod.metadata?.uid ?? '';
    const known = this.last.get(uid) ?? pod.status;
    if (known && deepEqual(stripVolatile(known), stripVolatile(status))) return false;
    const patch: Record<string, unknown> = { ...status };
    for (const k of Object.keys(pod.status ?? {})) if (!(k in status)) patch[k] = null;
    try {
      // A static pod's status goes to its mirror pod, which has a uid of its own.
      const body = isStaticPod(pod) ? { status: patch } : { metadata: { uid }, status: patch };
      await this.pods.patch(pod.metadata?.namespace, pod.metadata?.name ?? '', body, 'merge', { subresource: 'status' });
      this.last.set(uid, status);
      this.writes++;
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      this.log(`status update for pod ${pod.metadata?.namespace}/${pod.metadata?.name} failed: ${(err as Error).message}`);
      throw err;
    }
  }

  forget(uid: string): void {
    this.last.delete(uid);
  }
}

function stripVolatile(s: PodStatus): PodStatus {
  return { ...s, conditions: (s.conditions ?? []).map((c) => ({ ...c, lastProbeTime: undefined })) };
}
