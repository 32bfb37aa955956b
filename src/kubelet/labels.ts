// The labels and annotations the kubelet puts on sandboxes and containers, so a restarted kubelet
// can find (and adopt) what it created: pod identity as labels, bookkeeping as annotations.

import type { Container, PodSandbox } from '../runtime/types.js';

export const POD_UID = 'io.kubernetes.pod.uid';
export const POD_NAME = 'io.kubernetes.pod.name';
export const POD_NAMESPACE = 'io.kubernetes.pod.namespace';
export const CONTAINER_NAME = 'io.kubernetes.container.name';
/** Marks everything this kubelet manages (value: the node name). */
export const MANAGED_BY = 'io.k8ts.kubelet.node';

export const RESTART_COUNT = 'io.kubernetes.container.restartCount';
export const CONTAINER_HASH = 'io.kubernetes.container.hash';
export const TERMINATION_GRACE = 'io.kubernetes.pod.terminationGracePeriod';
/** 'init' | 'sidecar' | 'regular'. */
export const CONTAINER_KIND = 'io.k8ts.container.kind';

export interface PodRef {
  uid: string;
  name: string;
  namespace: string;
}

export function sandboxLabels(node: string, pod: PodRef, podLabels: Record<string, string> = {}): Record<string, string> {
  return { ...podLabels, [POD_UID]: pod.uid, [POD_NAME]: pod.name, [POD_NAMESPACE]: pod.namespace, [MANAGED_BY]: node };
}

export function containerLabels(node: string, pod: PodRef, container: string): Record<string, string> {
  return { [POD_UID]: pod.uid, [POD_NAME]: pod.name, [POD_NAMESPACE]: pod.namespace, [CONTAINER_NAME]: container, [MANAGED_BY]: node };
}

export function restartCountOf(c: Pick<Container, 'annotations' | 'metadata'>): number {
  const n = Number(c.annotations[RESTART_COUNT]);
  return Number.isInteger(n) && n >= 0 ? n : c.metadata.attempt;
}

export function podUidOf(x: Pick<PodSandbox, 'labels'>): string | undefined {
  return x.labels[POD_UID];
}
