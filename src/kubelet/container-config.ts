// Runtime configs built from the pod spec: the sandbox (hostname, DNS, port mappings, namespaces)
// and each container (image, command, env, mounts, resources, security context, labels).

import { createHash } from 'node:crypto';
import type { ContainerConfig, Mount, PodSandboxConfig, PortMapping } from '../runtime/types.js';
import { expandCommand } from './env.js';
import { CONTAINER_HASH, CONTAINER_KIND, RESTART_COUNT, TERMINATION_GRACE, containerLabels, sandboxLabels } from './labels.js';
import { linuxResources } from './resources.js';
import type { Container, Pod } from './types.js';
import type { KeyValue } from '../runtime/types.js';

export interface DNSSettings {
  /** Cluster DNS servers (empty: ClusterFirst falls back to the host's resolv.conf). */
  clusterDNS: string[];
  clusterDomain: string;
}

export function podRef(pod: Pod) {
  return { uid: pod.metadata?.uid ?? '', name: pod.metadata?.name ?? '', namespace: pod.metadata?.namespace ?? 'default' };
}

export function isHostNetwork(pod: Pod): boolean {
  return pod.spec?.hostNetwork === true;
}

/** The pod's hostname (spec.hostname or its name, at most 63 characters). */
export function podHostname(pod: Pod, nodeHostname: string): string {
  if (isHostNetwork(pod)) return nodeHostname;
  return (pod.spec?.hostname || pod.metadata?.name || '').slice(0, 63).replace(/[-.]+$/, '');
}

export function dnsConfig(pod: Pod, dns: DNSSettings): PodSandboxConfig['dnsConfig'] {
  const policy = pod.spec?.dnsPolicy ?? 'ClusterFirst';
  const custom = pod.spec?.dnsConfig;
  let base: { servers: string[]; searches: string[]; options: string[] } | undefined;
  const clusterFirst = policy === 'ClusterFirst' || (policy === 'ClusterFirstWithHostNet' && isHostNetwork(pod));
  if (clusterFirst && dns.clusterDNS.length > 0 && !(policy === 'ClusterFirst' && isHostNetwork(pod))) {
    const ns = pod.metadata?.namespace ?? 'default';
    const d = dns.clusterDomain;
    base = { servers: [...dns.clusterDNS], searches: [`${ns}.svc.${d}`, `svc.${d}`, d], options: ['ndots:5'] };
  } else if (policy === 'None') {
    base = { servers: [], searches: [], options: [] };
  }
  if (!custom) return base;
  base ??= { servers: [], searches: [], options: [] };
  const opts = new Map<string, string>();
  for (const o of base.options) opts.set(o.split(':')[0]!, o);
  for (const o of custom.options ?? []) opts.set(o.name ?? '', o.value !== undefined ? `${o.name}:${o.value}` : (o.name ?? ''));
  return {
    servers: [...new Set([...base.servers, ...(custom.nameservers ?? [])])],
    searches: [...new Set([...base.searches, ...(custom.searches ?? [])])],
    options: [...opts.values()],
  };
}

export function portMappings(pod: Pod): PortMapping[] {
  const out: PortMapping[] = [];
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort) continue;
      const m: PortMapping = { protocol: (p.protocol ?? 'TCP') as PortMapping['protocol'], containerPort: p.containerPort, hostPort: p.hostPort };
      if (p.hostIP) m.hostIp = p.hostIP;
      out.push(m);
    }
  }
  return out;
}

export function sandboxConfig(pod: Pod, opts: { nodeName: string; nodeHostname: string; logRoot: string; dns: DNSSettings; attempt: number }): PodSandboxConfig {
  const ref = podRef(pod);
  const cfg: PodSandboxConfig = {
    metadata: { ...ref, attempt: opts.attempt },
    hostname: podHostname(pod, opts.nodeHostname),
    logDirectory: `${opts.logRoot}/${ref.namespace}_${ref.name}_${ref.uid}`,
    portMappings: portMappings(pod),
    labels: sandboxLabels(opts.nodeName, ref, pod.metadata?.labels ?? {}),
    annotations: { ...(pod.metadata?.annotations ?? {}) },
    linux: {
      namespaceOptions: {
        network: isHostNetwork(pod) ? 'NODE' : 'POD',
        pid: pod.spec?.hostPID ? 'NODE' : pod.spec?.shareProcessNamespace ? 'POD' : 'CONTAINER',
        ipc: pod.spec?.hostIPC ? 'NODE' : 'POD',
      },
      privileged: [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].some((c) => c.securityContext?.privileged === true),
    },
  };
  const d = dnsConfig(pod, opts.dns);
  if (d) cfg.dnsConfig = d;
  return cfg;
}

/** A hash of the parts of a container's spec that, when changed, mean the container is restarted. */
export function containerHash(c: Container): string {
  return createHash('sha256')
    .update(JSON.stringify([c.name, c.image, c.command ?? [], c.args ?? [], c.workingDir ?? '']))
    .digest('hex')
    .slice(0, 16);
}

export type ContainerKind = 'init' | 'sidecar' | 'regular';

export function containerConfig(
  pod: Pod,
  c: Container,
  opts: { nodeName: string; kind: ContainerKind; restartCount: number; env: KeyValue[]; mounts: Mount[]; nodeMemoryBytes: number },
): ContainerConfig {
  const { command, args } = expandCommand(c, opts.env);
  const sc = c.securityContext ?? {};
  const psc = pod.spec?.securityContext ?? {};
  const securityContext: NonNullable<NonNullable<ContainerConfig['linux']>['securityContext']> = {};
  const runAsUser = sc.runAsUser ?? psc.runAsUser;
  const runAsGroup = sc.runAsGroup ?? psc.runAsGroup;
  if (runAsUser !== undefined) securityContext.runAsUser = runAsUser;
  if (runAsGroup !== undefined) securityContext.runAsGroup = runAsGroup;
  if (sc.readOnlyRootFilesystem) securityContext.readonlyRootfs = true;
  if (sc.privileged) securityContext.privileged = true;
  if (sc.capabilities) securityContext.capabilities = { addCapabilities: [...(sc.capabilities.add ?? [])], dropCapabilities: [...(sc.capabilities.drop ?? [])] };
  const cfg: ContainerConfig = {
    metadata: { name: c.name, attempt: opts.restartCount },
    image: c.image ?? '',
    command,
    args,
    envs: opts.env,
    mounts: opts.mounts,
    logPath: `${c.name}/${opts.restartCount}.log`,
    labels: containerLabels(opts.nodeName, podRef(pod), c.name),
    annotations: {
      [RESTART_COUNT]: String(opts.restartCount),
      [CONTAINER_HASH]: containerHash(c),
      [CONTAINER_KIND]: opts.kind,
      [TERMINATION_GRACE]: String(pod.spec?.terminationGracePeriodSeconds ?? 30),
    },
    linux: { resources: linuxResources(pod, c, opts.nodeMemoryBytes), securityContext },
  };
  if (c.workingDir) cfg.workingDir = c.workingDir;
  if (c.stdin) cfg.stdin = true;
  if (c.stdinOnce) cfg.stdinOnce = true;
  if (c.tty) cfg.tty = true;
  return cfg;
}
