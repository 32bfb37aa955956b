// The scale subresource: an autoscaling/v1 Scale view of a workload's replica count.

import type { KubeObject, ResourceDef } from '../../api/registry.js';
import { errors } from '../../api/status.js';
import type { ObjectStore } from './objectstore.js';

export function scaleOf(def: ResourceDef, obj: KubeObject): KubeObject {
  const s = def.scale;
  if (!s) throw errors.notFound(def.group, `${def.plural}/scale`, obj.metadata?.name ?? '');
  const m = obj.metadata ?? {};
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: m.name,
      namespace: m.namespace,
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      creationTimestamp: m.creationTimestamp,
    },
    spec: { replicas: s.specReplicas(obj) },
    status: { replicas: s.statusReplicas(obj), selector: s.selector(obj) },
  };
}

/** Read-modify-write of the replica count through a Scale object computed by `next`. */
export async function scaleSubresource(
  store: ObjectStore,
  def: ResourceDef,
  namespace: string | undefined,
  name: string,
  p: { dryRun: boolean; fieldManager: string },
  next: (currentScale: KubeObject) => KubeObject,
): Promise<KubeObject> {
  const s = def.scale;
  if (!s) throw errors.notFound(def.group, `${def.plural}/scale`, name);
  const updated = await store.guaranteedUpdate(namespace, name, { dryRun: p.dryRun, fieldManager: p.fieldManager, subresource: 'scale' }, (current) => {
    const cur = current!;
    const scale = next(scaleOf(def, cur));
    const want = scale.metadata?.resourceVersion;
    if (want && want !== cur.metadata?.resourceVersion) throw store.conflict(name);
    const replicas = (scale.spec as { replicas?: unknown } | undefined)?.replicas;
    if (replicas !== undefined && (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0)) {
      throw errors.invalid('autoscaling', 'Scale', name, [
        { type: 'FieldValueInvalid', field: 'spec.replicas', detail: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0` },
      ]);
    }
    s.setSpecReplicas(cur, typeof replicas === 'number' ? replicas : 0);
    return cur;
  });
  return scaleOf(def, updated);
}
