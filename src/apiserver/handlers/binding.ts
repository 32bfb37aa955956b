// The pods/binding subresource: how the scheduler assigns a pod to a node. Sets spec.nodeName
// once (a bound pod cannot be rebound) and marks the PodScheduled condition True.

import type { KubeObject } from '../../api/registry.js';
import { errors, StatusError } from '../../api/status.js';
import { rfc3339 } from '../../api/objects.js';
import type { ObjectStore } from './objectstore.js';

interface Binding {
  metadata?: { name?: string; uid?: string; annotations?: Record<string, string> };
  target?: { kind?: string; name?: string; apiVersion?: string };
}

interface PodCondition {
  type: string;
  status: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export async function bindPod(
  pods: ObjectStore,
  namespace: string,
  name: string,
  binding: Binding,
  opts: { dryRun: boolean; fieldManager: string },
): Promise<void> {
  const target = binding.target?.name;
  if (!target) {
    throw errors.invalid('', 'Binding', name, [{ type: 'FieldValueRequired', field: 'target.name', detail: 'Required value' }]);
  }
  if (binding.target?.kind && binding.target.kind !== 'Node') {
    throw errors.invalid('', 'Binding', name, [
      { type: 'FieldValueNotSupported', field: 'target.kind', detail: `Unsupported value: "${binding.target.kind}": supported values: "Node"` },
    ]);
  }
  if (binding.metadata?.name && binding.metadata.name !== name) {
    throw errors.badRequest(`the name of the object (${binding.metadata.name}) does not match the name on the URL (${name})`);
  }
  await pods.guaranteedUpdate(namespace, name, { dryRun: opts.dryRun, fieldManager: opts.fieldManager, subresource: 'binding' }, (current) => {
    const pod = current!;
    const meta = pod.metadata!;
    const spec = (pod.spec ??= {}) as { nodeName?: string };
    if (binding.metadata?.uid && binding.metadata.uid !== meta.uid) {
      throw errors.conflict('', 'pods', name, `Precondition failed: UID in precondition: ${binding.metadata.uid}, UID in object meta: ${meta.uid}`);
    }
    if (meta.deletionTimestamp) {
      throw new StatusError(409, 'Conflict', `Operation cannot be fulfilled on pods/binding "${name}": pod ${name} is being deleted, cannot be assigned to a host`, {
        name,
        kind: 'pods/binding',
      });
    }
    if (spec.nodeName) {
      throw new StatusError(409, 'Conflict', `Operation cannot be fulfilled on pods/binding "${name}": pod ${name} is already assigned to node "${spec.nodeName}"`, {
        name,
        kind: 'pods/binding',
      });
    }
    spec.nodeName = target;
    if (binding.metadata?.annotations) meta.annotations = { ...(meta.annotations ?? {}), ...binding.metadata.annotations };
    setScheduledCondition(pod);
    return pod;
  });
}

function setScheduledCondition(pod: KubeObject): void {
  const status = (pod.status ??= {}) as { conditions?: PodCondition[] };
  const conditions = (status.conditions ??= []);
  const existing = conditions.find((c) => c.type === 'PodScheduled');
  if (existing) {
    if (existing.status !== 'True') {
      existing.status = 'True';
      existing.lastTransitionTime = rfc3339();
      delete existing.reason;
      delete existing.message;
    }
  } else {
    conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339() });
  }
}
