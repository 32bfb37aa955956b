// Volume payloads from the API: configMap, secret, downwardAPI and projected volumes as files, with
// items, keys and modes. Missing non-optional sources are errors (the pod waits, as upstream's mount).

import { fieldRefValue, resourceFieldValue, type PodContext } from '../fieldref.js';
import type { ObjectSource, Pod, Volume } from '../types.js';
import type { FileContent, Payload } from './atomic-writer.js';

export class VolumeSourceError extends Error {
  override name = 'VolumeSourceError';
}

type KeyToPath = { key: string; path: string; mode?: number };

function fromMap(out: Payload, data: Map<string, Buffer>, items: KeyToPath[] | undefined, mode: number, optional: boolean, what: string): void {
  if (!items || items.length === 0) {
    for (const [k, v] of data) out.set(k, { data: v, mode });
    return;
  }
  for (const it of items) {
    const v = data.get(it.key);
    if (v === undefined) {
      if (optional) continue;
      throw new VolumeSourceError(`configured key "${it.key}" not found in ${what}`);
    }
    out.set(it.path, { data: v, mode: it.mode ?? mode });
  }
}

async function configMapData(source: ObjectSource, ns: string, name: string): Promise<Map<string, Buffer> | undefined> {
  const cm = await source.configMap(ns, name);
  if (!cm) return undefined;
  const m = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(cm.data ?? {})) m.set(k, Buffer.from(v));
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) m.set(k, Buffer.from(v, 'base64'));
  return m;
}

async function secretData(source: ObjectSource, ns: string, name: string): Promise<Map<string, Buffer> | undefined> {
  const s = await source.secret(ns, name);
  if (!s) return undefined;
  const m = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(s.data ?? {})) m.set(k, Buffer.from(v, 'base64'));
  for (const [k, v] of Object.entries(s.stringData ?? {})) m.set(k, Buffer.from(v));
  return m;
}

type DownwardItem = { path: string; mode?: number; fieldRef?: { fieldPath: string }; resourceFieldRef?: { containerName?: string; resource: string; divisor?: unknown } };

function downward(out: Payload, pod: Pod, items: DownwardItem[], mode: number, ctx: PodContext): void {
  for (const it of items) {
    let v = '';
    if (it.fieldRef) v = fieldRefValue(pod, it.fieldRef.fieldPath, ctx);
    else if (it.resourceFieldRef) {
      const c = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((x) => x.name === it.resourceFieldRef!.containerName);
      v = resourceFieldValue(c, it.resourceFieldRef.resource, it.resourceFieldRef.divisor as string | undefined, ctx);
    }
    out.set(it.path, { data: Buffer.from(v), mode: it.mode ?? mode } satisfies FileContent);
  }
}

/** Whether this volume's files come from the API (and so need the atomic writer and resyncs). */
export function isProjectedKind(v: Volume): boolean {
  return !!(v.configMap || v.secret || v.downwardAPI || v.projected);
}

export async function renderVolume(pod: Pod, v: Volume, ctx: PodContext, source: ObjectSource): Promise<Payload> {
  const ns = pod.metadata?.namespace ?? 'default';
  const out: Payload = new Map();
  if (v.configMap) {
    const mode = v.configMap.defaultMode ?? 0o644;
    const data = await configMapData(source, ns, v.configMap.name ?? '');
    if (!data) {
      if (v.configMap.optional) return out;
      throw new VolumeSourceError(`configmap "${v.configMap.name}" not found`);
    }
    fromMap(out, data, v.configMap.items, mode, !!v.configMap.optional, `ConfigMap ${ns}/${v.configMap.name}`);
  } else if (v.secret) {
    const mode = v.secret.defaultMode ?? 0o644;
    const data = await secretData(source, ns, v.secret.secretName ?? '');
    if (!data) {
      if (v.secret.optional) return out;
      throw new VolumeSourceError(`secret "${v.secret.secretName}" not found`);
    }
    fromMap(out, data, v.secret.items, mode, !!v.secret.optional, `Secret ${ns}/${v.secret.secretName}`);
  } else if (v.downwardAPI) {
    downward(out, pod, v.downwardAPI.items ?? [], v.downwardAPI.defaultMode ?? 0o644, ctx);
  } else if (v.projected) {
    const mode = v.projected.defaultMode ?? 0o644;
    for (const s of v.projected.sources ?? []) {
      if (s.configMap) {
        const data = await configMapData(source, ns, s.configMap.name ?? '');
        if (!data) {
          if (s.configMap.optional) continue;
          throw new VolumeSourceError(`configmap "${s.configMap.name}" not found`);
        }
        fromMap(out, data, s.configMap.items, mode, !!s.configMap.optional, `ConfigMap ${ns}/${s.configMap.name}`);
      } else if (s.secret) {
        const data = await secretData(source, ns, s.secret.name ?? '');
        if (!data) {
          if (s.secret.optional) continue;
          throw new VolumeSourceError(`secret "${s.secret.name}" not found`);
        }
        fromMap(out, data, s.secret.items, mode, !!s.secret.optional, `Secret ${ns}/${s.secret.name}`);
      } else if (s.downwardAPI) {
        downward(out, pod, s.downwardAPI.items ?? [], mode, ctx);
      } else if (s.serviceAccountToken) {
        const t = s.serviceAccountToken;
        const token = await source.serviceAccountToken?.(ns, pod.spec?.serviceAccountName || 'default', t.audience, t.expirationSeconds ?? 3600, {
          name: pod.metadata?.name ?? '',
          uid: pod.metadata?.uid ?? '',
        });
        if (token === undefined) throw new VolumeSourceError(`cannot get a token for service account "${pod.spec?.serviceAccountName || 'default'}"`);
        out.set(t.path, { data: Buffer.from(token), mode });
      }
    }
  }
  return out;
}
