// fieldRef and resourceFieldRef values, shared by env vars and the downwardAPI volume.

import { Quantity } from '../api/strategies/quantity.js';
import type { Container, Pod } from './types.js';

export interface PodContext {
  nodeName: string;
  hostIP: string;
  podIP: string;
  podIPs?: string[];
  /** Node allocatable, used when a container sets no limit. */
  allocatable: { cpu: string; memory: string; 'ephemeral-storage'?: string };
}

/** `key="escaped value"` lines, sorted, as the downward API renders labels and annotations. */
export function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(m![k])}`)
    .join('\n');
}

export function fieldRefValue(pod: Pod, fieldPath: string, ctx: PodContext): string {
  const md = pod.metadata ?? {};
  const sub = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (sub) return (sub[1] === 'labels' ? md.labels : md.annotations)?.[sub[2]!] ?? '';
  switch (fieldPath) {
    case 'metadata.name':
      return md.name ?? '';
    case 'metadata.namespace':
      return md.namespace ?? '';
    case 'metadata.uid':
      return md.uid ?? '';
    case 'metadata.labels':
      return formatMap(md.labels);
    case 'metadata.annotations':
      return formatMap(md.annotations);
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? ctx.nodeName;
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP':
      return ctx.hostIP;
    case 'status.hostIPs':
      return ctx.hostIP;
    case 'status.podIP':
      return ctx.podIP;
    case 'status.podIPs':
      return (ctx.podIPs ?? (ctx.podIP ? [ctx.podIP] : [])).join(',');
    default:
      throw new Error(`unsupported fieldPath ${fieldPath}`);
  }
}

/** limits.cpu etc., divided by the divisor and rounded up, as upstream's ExtractContainerResourceValue. */
export function resourceFieldValue(container: Container | undefined, resource: string, divisor: string | undefined, ctx: PodContext): string {
  const [kind, name] = resource.split('.') as ['limits' | 'requests', string];
  let q = (kind === 'limits' ? container?.resources?.limits : container?.resources?.requests)?.[name];
  if (q === undefined && kind === 'limits') q = (ctx.allocatable as Record<string, string | undefined>)[name];
  if (q === undefined && kind === 'requests') q = name === 'cpu' ? '0' : '0';
  const value = Quantity.parse(String(q ?? '0'));
  const div = Quantity.parse(divisor && divisor !== '0' ? divisor : '1');
  if (name === 'cpu') {
    const v = Math.ceil(value.milliValue() / div.milliValue());
    return String(Math.max(v, kind === 'limits' || value.milliValue() > 0 ? 1 : 0));
  }
  return String(Math.ceil(value.toNumber() / div.toNumber()));
}
