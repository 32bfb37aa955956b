// Static pods: Pod manifests in `<data-dir>/agent/manifests/*.{yaml,yml,json}`, run by this kubelet
// without the API server's say, and mirrored into the API (read-only "mirror pods") so they show
// up in kubectl. The static pod's uid is a hash of its manifest and node, so it survives restarts.

import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Pod } from './types.js';

export const CONFIG_SOURCE = 'kubernetes.io/config.source';
export const CONFIG_HASH = 'kubernetes.io/config.hash';
export const CONFIG_MIRROR = 'kubernetes.io/config.mirror';
export const CONFIG_SEEN = 'kubernetes.io/config.seen';

export function isMirrorPod(p: Pod): boolean {
  return !!p.metadata?.annotations?.[CONFIG_MIRROR];
}

export function isStaticPod(p: Pod): boolean {
  return p.metadata?.annotations?.[CONFIG_SOURCE] === 'file';
}

function uuidFromHash(h: string): string {
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** A manifest's pod as this node runs it: named `<name>-<node>`, bound here, with its hash as uid. */
export function staticPodFrom(manifest: Pod, nodeName: string, source: string): Pod {
  if (manifest.kind !== undefined && manifest.kind !== 'Pod') throw new Error(`${source}: kind ${manifest.kind} is not Pod`);
  const name = manifest.metadata?.name;
  if (!name) throw new Error(`${source}: metadata.name is required`);
  const pod: Pod = structuredClone(manifest);
  pod.apiVersion = 'v1';
  pod.kind = 'Pod';
  const hash = createHash('md5').update(JSON.stringify(manifest)).update(nodeName).update(source).digest('hex');
  pod.metadata = {
    ...pod.metadata,
    name: `${name}-${nodeName}`,
    namespace: pod.metadata?.namespace || 'default',
    uid: uuidFromHash(hash),
    annotations: { ...(pod.metadata?.annotations ?? {}), [CONFIG_SOURCE]: 'file', [CONFIG_HASH]: hash },
  };
  const spec = (pod.spec ??= { containers: [] });
  spec.nodeName = nodeName;
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.tolerations = [...(spec.tolerations ?? []), { operator: 'Exists', effect: 'NoExecute' }];
  return pod;
}

/** The static pods in `dir`, by uid; unreadable manifests are reported and skipped. */
export function readStaticPods(dir: string, nodeName: string, onError: (msg: string) => void = () => {}): Map<string, Pod> {
  const out = new Map<string, Pod>();
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir).sort()) {
    if (f.startsWith('.') || !/\.(ya?ml|json)$/.test(f)) continue;
    const path = join(dir, f);
    try {
      const docs = parseAllDocuments(readFileSync(path, 'utf8'));
      docs.forEach((d, i) => {
        if (d.errors.length) throw d.errors[0];
        const obj = d.toJS() as Pod | null;
        if (!obj) return;
        const p = staticPodFrom(obj, nodeName, docs.length > 1 ? `${path}#${i}` : path);
        out.set(p.metadata!.uid!, p);
      });
    } catch (err) {
      onError(`static pod manifest ${path}: ${(err as Error).message}`);
    }
  }
  return out;
}

/** The mirror pod to create in the API for a static pod (owned by the Node). */
export function mirrorPodFor(pod: Pod, node: { name: string; uid?: string }): Pod {
  const m: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: pod.metadata!.name!,
      namespace: pod.metadata!.namespace!,
      labels: { ...(pod.metadata?.labels ?? {}) },
      annotations: { ...(pod.metadata?.annotations ?? {}), [CONFIG_MIRROR]: pod.metadata!.annotations![CONFIG_HASH]! },
    },
    spec: structuredClone(pod.spec!),
  };
  if (node.uid) m.metadata!.ownerReferences = [{ apiVersion: 'v1', kind: 'Node', name: node.name, uid: node.uid, controller: true }];
  return m;
}
