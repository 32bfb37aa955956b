// A container's environment from its spec: env (value, valueFrom configMapKeyRef/secretKeyRef/
// fieldRef/resourceFieldRef) and envFrom, with $(VAR) expansion; command and args expansion too.

import type { KeyValue } from '../runtime/types.js';
import { fieldRefValue, resourceFieldValue, type PodContext } from './fieldref.js';
import { ContainerConfigError, type Container, type ObjectSource, type Pod } from './types.js';

/** Expand `$(NAME)` from `vars`; `$$` escapes a `$`; unknown references stay as written. */
export function expand(s: string, vars: Map<string, string>): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch !== '$' || i + 1 >= s.length) {
      out += ch;
      continue;
    }
    const nx = s[i + 1];
    if (nx === '$') {
      out += '$';
      i++;
    } else if (nx === '(') {
      const end = s.indexOf(')', i + 2);
      if (end < 0) {
        out += s.slice(i);
        break;
      }
      const name = s.slice(i + 2, end);
      out += vars.has(name) ? vars.get(name)! : s.slice(i, end + 1);
      i = end;
    } else {
      out += ch;
    }
  }
  return out;
}

function decode(b64: string): string {
  return Buffer.from(b64, 'base64').toString('utf8');
}

/** The environment, in order (later entries win for duplicate names; envFrom first, then env). */
export async function renderEnv(pod: Pod, container: Container, ctx: PodContext, source: ObjectSource): Promise<KeyValue[]> {
  const ns = pod.metadata?.namespace ?? 'default';
  const vars = new Map<string, string>();
  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    if (from.configMapRef) {
      const cm = await source.configMap(ns, from.configMapRef.name ?? '');
      if (!cm) {
        if (from.configMapRef.optional) continue;
        throw new ContainerConfigError(`configmap "${from.configMapRef.name}" not found`);
      }
      for (const [k, v] of Object.entries(cm.data ?? {})) vars.set(prefix + k, v);
    } else if (from.secretRef) {
      const sec = await source.secret(ns, from.secretRef.name ?? '');
      if (!sec) {
        if (from.secretRef.optional) continue;
        throw new ContainerConfigError(`secret "${from.secretRef.name}" not found`);
      }
      for (const [k, v] of Object.entries(sec.data ?? {})) vars.set(prefix + k, decode(v));
    }
  }
  for (const e of container.env ?? []) {
    let value: string | undefined;
    const vf = e.valueFrom;
    if (!vf) value = expand(e.value ?? '', vars);
    else if (vf.fieldRef) value = fieldRefValue(pod, vf.fieldRef.fieldPath, ctx);
    else if (vf.resourceFieldRef) {
      const target = vf.resourceFieldRef.containerName
        ? [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((c) => c.name === vf.resourceFieldRef!.containerName)
        : container;
      value = resourceFieldValue(target, vf.resourceFieldRef.resource, vf.resourceFieldRef.divisor as string | undefined, ctx);
    } else if (vf.configMapKeyRef) {
      const ref = vf.configMapKeyRef;
      const cm = await source.configMap(ns, ref.name ?? '');
      value = cm?.data?.[ref.key] ?? (cm?.binaryData?.[ref.key] !== undefined ? decode(cm.binaryData[ref.key]!) : undefined);
      if (value === undefined) {
        if (ref.optional) continue;
        throw new ContainerConfigError(cm ? `couldn't find key ${ref.key} in ConfigMap ${ns}/${ref.name}` : `configmap "${ref.name}" not found`);
      }
    } else if (vf.secretKeyRef) {
      const ref = vf.secretKeyRef;
      const sec = await source.secret(ns, ref.name ?? '');
      const raw = sec?.data?.[ref.key];
      if (raw === undefined) {
        if (ref.optional) continue;
        throw new ContainerConfigError(sec ? `couldn't find key ${ref.key} in Secret ${ns}/${ref.name}` : `secret "${ref.name}" not found`);
      }
      value = decode(raw);
    }
    vars.set(e.name, value ?? '');
  }
  return [...vars].map(([key, value]) => ({ key, value }));
}

/** Command and args with $(VAR) references expanded from the environment. */
export function expandCommand(container: Container, env: KeyValue[]): { command: string[]; args: string[] } {
  const vars = new Map(env.map((e) => [e.key, e.value]));
  return { command: (container.command ?? []).map((s) => expand(s, vars)), args: (container.args ?? []).map((s) => expand(s, vars)) };
}
