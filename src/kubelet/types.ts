// The API types the kubelet reads (from kubernetes-types), and the error a pod's config can fail with.

export type { ConfigMap, Container, EnvVar, Pod, PodSpec, PodStatus, Probe, Secret, Volume, ContainerStatus as V1ContainerStatus, PodCondition, Node } from 'kubernetes-types/core/v1.js';

/** A container whose config cannot be built (missing ConfigMap key …): CreateContainerConfigError. */
export class ContainerConfigError extends Error {
  override name = 'ContainerConfigError';
}

/** Where the kubelet reads ConfigMaps, Secrets and ServiceAccount tokens (informer caches or the API). */
export interface ObjectSource {
  configMap(namespace: string, name: string): Promise<import('kubernetes-types/core/v1.js').ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<import('kubernetes-types/core/v1.js').Secret | undefined>;
  /** A token for the pod's ServiceAccount (TokenRequest), or undefined when unavailable. */
  serviceAccountToken?(namespace: string, serviceAccount: string, audience: string | undefined, expirationSeconds: number, pod: { name: string; uid: string }): Promise<string | undefined>;
}
