// What the runtime holds for one pod: its sandboxes and container instances, read back through the
// labels and annotations the kubelet set (which is also how a restarted kubelet adopts them).

import type { ContainerRuntime, ContainerState } from '../runtime/types.js';
import { CONTAINER_HASH, CONTAINER_KIND, CONTAINER_NAME, POD_UID, restartCountOf } from './labels.js';

export interface ObservedSandbox {
  id: string;
  ready: boolean;
  attempt: number;
  ip: string;
  additionalIps: string[];
  createdAt: number;
}

export interface ObservedContainer {
  id: string;
  sandboxId: string;
  name: string;
  state: ContainerState;
  restartCount: number;
  hash: string;
  kind: string;
  image: string;
  imageRef: string;
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  reason: string;
  message: string;
}

export interface ObservedPod {
  sandboxes: ObservedSandbox[];
  containers: ObservedContainer[];
}

/**
 * Remembers each pod's sandbox and container statuses by id and state. A CRI status only changes
 * when the state the list reports changes (an exited container is final; a sandbox's IP is fixed),
 * so a pass over an unchanged pod costs the two list calls and no status calls.
 */
export class ObservedCache {
  private readonly pods = new Map<string, Map<string, { state: string; value: ObservedSandbox | ObservedContainer }>>();

  get(uid: string): Map<string, { state: string; value: ObservedSandbox | ObservedContainer }> | undefined {
    return this.pods.get(uid);
  }

  set(uid: string, entries: Map<string, { state: string; value: ObservedSandbox | ObservedContainer }>): void {
    this.pods.set(uid, entries);
  }

  forget(uid: string): void {
    this.pods.delete(uid);
  }

  /** A status read outside observePod (a sandbox just started): the next observation reuses it. */
  remember(uid: string, key: string, state: string, value: ObservedSandbox | ObservedContainer): void {
    let m = this.pods.get(uid);
    if (!m) this.pods.set(uid, (m = new Map()));
    m.set(key, { state, value: { ...value } });
  }
}

/** The ObservedCache key of a sandbox and of a container. */
export const sandboxKey = (id: string): string => `s:${id}`;
export const containerKey = (id: string): string => `c:${id}`;

export async function observePod(runtime: ContainerRuntime, uid: string, cache?: ObservedCache): Promise<ObservedPod> {
  const [sbs, cs] = await Promise.all([runtime.listPodSandboxes({ labels: { [POD_UID]: uid } }), runtime.listContainers({ labels: { [POD_UID]: uid } })]);
  const prev = cache?.get(uid);
  const next = new Map<string, { state: string; value: ObservedSandbox | ObservedContainer }>();
  const cached = <T extends ObservedSandbox | ObservedContainer>(key: string, state: string): T | undefined => {
    const hit = prev?.get(key);
    if (!hit || hit.state !== state) return undefined;
    next.set(key, hit);
    return { ...(hit.value as T) };
  };
  const sandboxes = (
    await Promise.all(
      sbs.map(async (sb): Promise<ObservedSandbox | undefined> => {
        const key = sandboxKey(sb.id);
        const hit = cached<ObservedSandbox>(key, sb.state);
        if (hit) return hit;
        const st = await runtime.podSandboxStatus(sb.id);
        if (!st) return undefined;
        const o: ObservedSandbox = { id: sb.id, ready: st.state === 'SANDBOX_READY', attempt: sb.metadata.attempt, ip: st.ip, additionalIps: st.additionalIps, createdAt: st.createdAt };
        next.set(key, { state: st.state, value: { ...o } });
        return o;
      }),
    )
  ).filter((s): s is ObservedSandbox => s !== undefined);
  sandboxes.sort((a, b) => b.createdAt - a.createdAt || b.attempt - a.attempt);
  const containers = (
    await Promise.all(
      cs.map(async (c): Promise<ObservedContainer | undefined> => {
        const key = containerKey(c.id);
        const hit = cached<ObservedContainer>(key, c.state);
        if (hit) return hit;
        const st = await runtime.containerStatus(c.id);
        if (!st) return undefined;
        const o: ObservedContainer = {
          id: c.id,
          sandboxId: c.podSandboxId,
          name: c.labels[CONTAINER_NAME] ?? c.metadata.name,
          state: st.state,
          restartCount: restartCountOf(c),
          hash: c.annotations[CONTAINER_HASH] ?? '',
          kind: c.annotations[CONTAINER_KIND] ?? 'regular',
          image: st.image,
          imageRef: st.imageRef,
          createdAt: st.createdAt,
          startedAt: st.startedAt,
          finishedAt: st.finishedAt,
          exitCode: st.exitCode,
          reason: st.reason,
          message: st.message,
        };
        next.set(key, { state: st.state, value: { ...o } });
        return o;
      }),
    )
  ).filter((c): c is ObservedContainer => c !== undefined);
  containers.sort((a, b) => b.restartCount - a.restartCount || b.createdAt - a.createdAt);
  cache?.set(uid, next);
  return { sandboxes, containers };
}

/** The pod's runtime state as the PLEG fingerprints it (see pleg.ts). */
export function fingerprintOf(o: ObservedPod): string {
  return [...o.sandboxes.map((s) => `s:${s.id}:${s.ready ? 'SANDBOX_READY' : 'SANDBOX_NOTREADY'}`), ...o.containers.map((c) => `c:${c.id}:${c.state}`)].sort().join(',');
}

/** The ready sandbox, if any (the newest). */
export function readySandbox(o: ObservedPod): ObservedSandbox | undefined {
  return o.sandboxes.find((s) => s.ready);
}

/** Instances of a container, newest first. */
export function instances(o: ObservedPod, name: string): ObservedContainer[] {
  return o.containers.filter((c) => c.name === name);
}
