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

export async function observePod(runtime: ContainerRuntime, uid: string): Promise<ObservedPod> {
  const sbs = await runtime.listPodSandboxes({ labels: { [POD_UID]: uid } });
  const sandboxes: ObservedSandbox[] = [];
  for (const sb of sbs) {
    const st = await runtime.podSandboxStatus(sb.id);
    if (!st) continue;
    sandboxes.push({ id: sb.id, ready: st.state === 'SANDBOX_READY', attempt: sb.metadata.attempt, ip: st.ip, additionalIps: st.additionalIps, createdAt: st.createdAt });
  }
  sandboxes.sort((a, b) => b.createdAt - a.createdAt || b.attempt - a.attempt);
  const cs = await runtime.listContainers({ labels: { [POD_UID]: uid } });
  const containers: ObservedContainer[] = [];
  for (const c of cs) {
    const st = await runtime.containerStatus(c.id);
    if (!st) continue;
    containers.push({
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
    });
  }
  containers.sort((a, b) => b.restartCount - a.restartCount || b.createdAt - a.createdAt);
  return { sandboxes, containers };
}

/** The ready sandbox, if any (the newest). */
export function readySandbox(o: ObservedPod): ObservedSandbox | undefined {
  return o.sandboxes.find((s) => s.ready);
}

/** Instances of a container, newest first. */
export function instances(o: ObservedPod, name: string): ObservedContainer[] {
  return o.containers.filter((c) => c.name === name);
}
