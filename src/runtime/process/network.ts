// Pod networking without containerd: a named network namespace (`ip netns add`) wired by running the
// CNI plugins of our conflist (bridge + host-local, + portmap for pods with hostPorts) directly, as a CNI runtime would.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureMasquerade } from '../masquerade.js';
import type { PortMapping } from '../types.js';
import { ProcessRuntimeError, run } from './util.js';

export interface NetworkOptions {
  /** Bridge device (max 15 chars). Default k8ts0, as the containerd path uses. */
  bridge: string;
  /** Pod subnet, e.g. 10.42.0.0/24. */
  subnet: string;
  cniBinDir: string;
  /** host-local IPAM state. */
  ipamDir: string;
  /** Network name in the conflist (also keys host-local's allocations). */
  name: string;
}

/** The first host address of an IPv4 subnet: the bridge's address and the pods' gateway. */
export function gatewayOf(subnet: string): string {
  const [addr] = subnet.split('/');
  const parts = (addr ?? '').split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !(p >= 0 && p <= 255))) throw new ProcessRuntimeError(`bad subnet ${subnet}`);
  const n = ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
  const g = n + 1;
  return [g >>> 24, (g >>> 16) & 255, (g >>> 8) & 255, g & 255].join('.');
}

/** The CNI conflist, identical in shape to the one the containerd path writes. */
export function conflist(o: NetworkOptions): { cniVersion: string; name: string; plugins: Record<string, unknown>[] } {
  return {
    cniVersion: '1.0.0',
    name: o.name,
    plugins: [
      {
        type: 'bridge',
        bridge: o.bridge,
        isGateway: true,
        // Outbound NAT is one rule for the subnet (../masquerade.ts), not a chain per pod.
        ipMasq: false,
        hairpinMode: true,
        ipam: {
          type: 'host-local',
          dataDir: o.ipamDir,
          ranges: [[{ subnet: o.subnet, gateway: gatewayOf(o.subnet) }]],
          routes: [{ dst: '0.0.0.0/0' }],
        },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  };
}

export const netnsPath = (name: string): string => join('/run/netns', name);

export interface CniResult {
  ips?: { address: string; gateway?: string; interface?: number }[];
  [k: string]: unknown;
}

interface PodRef {
  namespace: string;
  name: string;
  uid: string;
}

export class PodNetwork {
  /** Outbound NAT for the subnet, ensured once (before the first pod). */
  private masquerade: Promise<void> | undefined;

  constructor(readonly opts: NetworkOptions) {}

  private async invoke(
    command: 'ADD' | 'DEL',
    plugin: Record<string, unknown>,
    containerId: string,
    netns: string,
    pod: PodRef,
    prevResult: CniResult | undefined,
    portMappings: PortMapping[],
  ): Promise<CniResult | undefined> {
    const list = conflist(this.opts);
    const conf: Record<string, unknown> = { cniVersion: list.cniVersion, name: list.name, ...plugin };
    if (prevResult) conf.prevResult = prevResult;
    const caps = plugin.capabilities as Record<string, boolean> | undefined;
    if (caps?.portMappings) {
      conf.runtimeConfig = {
        portMappings: portMappings
          .filter((p) => p.hostPort > 0)
          .map((p) => ({ hostPort: p.hostPort, containerPort: p.containerPort, protocol: p.protocol.toLowerCase(), ...(p.hostIp ? { hostIP: p.hostIp } : {}) })),
      };
    }
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
      CNI_COMMAND: command,
      CNI_CONTAINERID: containerId,
      CNI_NETNS: existsSync(netns) ? netns : '',
      CNI_IFNAME: 'eth0',
      CNI_PATH: this.opts.cniBinDir,
      CNI_ARGS: `IgnoreUnknown=1;K8S_POD_NAMESPACE=${pod.namespace};K8S_POD_NAME=${pod.name};K8S_POD_INFRA_CONTAINER_ID=${containerId};K8S_POD_UID=${pod.uid}`,
    };
    const res = await run(join(this.opts.cniBinDir, String(plugin.type)), [], { input: JSON.stringify(conf), env, timeoutMs: 30_000, check: false });
    if (res.code !== 0) {
      let msg = res.stderr.toString().trim();
      try {
        const e = JSON.parse(res.stdout.toString()) as { msg?: string; details?: string };
        msg = [e.msg, e.details].filter(Boolean).join(': ') || msg;
      } catch {
        /* not JSON */
      }
      throw new ProcessRuntimeError(`CNI ${command} ${String(plugin.type)} failed: ${msg}`);
    }
    if (command === 'DEL') return undefined;
    return JSON.parse(res.stdout.toString()) as CniResult;
  }

  /** portmap only for a pod with hostPorts (a Go binary run per ADD and DEL otherwise for nothing). */
  private plugins(portMappings: PortMapping[]): Record<string, unknown>[] {
    const hostPorts = portMappings.some((p) => p.hostPort > 0);
    return conflist(this.opts).plugins.filter((p) => hostPorts || p.type !== 'portmap');
  }

  /** Creates netns `name`, runs CNI ADD through the chain, and returns the final result and pod IP. */
  async setUp(name: string, containerId: string, pod: PodRef, portMappings: PortMapping[]): Promise<{ result: CniResult; ip: string }> {
    this.masquerade ??= ensureMasquerade(this.opts.subnet, this.opts.bridge).catch((err: unknown) => {
      process.stderr.write(`k8ts: pod masquerade: ${(err as Error).message}\n`);
    });
    await this.masquerade;
    await run('ip', ['netns', 'add', name]);
    try {
      await run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
      let prev: CniResult | undefined;
      for (const plugin of this.plugins(portMappings)) {
        prev = await this.invoke('ADD', plugin, containerId, netnsPath(name), pod, prev, portMappings);
      }
      const ip = prev?.ips?.[0]?.address.split('/')[0] ?? '';
      if (!ip) throw new ProcessRuntimeError('CNI returned no IP');
      return { result: prev!, ip };
    } catch (err) {
      await this.tearDown(name, containerId, pod, undefined, portMappings).catch(() => {});
      throw err;
    }
  }

  /** CNI DEL in reverse order (tolerating a missing netns), then deletes the netns. Idempotent. */
  async tearDown(name: string, containerId: string, pod: PodRef, result: CniResult | undefined, portMappings: PortMapping[]): Promise<void> {
    const errors: unknown[] = [];
    for (const plugin of [...this.plugins(portMappings)].reverse()) {
      try {
        await this.invoke('DEL', plugin, containerId, netnsPath(name), pod, result, portMappings);
      } catch (err) {
        errors.push(err);
      }
    }
    if (existsSync(netnsPath(name))) await run('ip', ['netns', 'del', name]);
    if (errors.length) throw errors[0];
  }
}
