// Which nodes a DaemonSet's pod belongs on: the pod as it would run there (the template, the
// node's name, the default daemon tolerations) checked against the node's name, the required node
// affinity and nodeSelector, and the node's taints. Pure; the predicates are the scheduler's.

import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Affinity, Node, Pod, PodSpec, PodTemplateSpec, Toleration } from 'kubernetes-types/core/v1.js';
import { RequiredNodeAffinity, ObjectNameField } from '../../scheduler/plugins/helper/node-affinity.js';
import { findUntoleratedTaint, TaintEffectNoExecute } from '../../scheduler/plugins/helper/taints.js';
import { POD_REVISION_LABEL } from '../history/index.js';

export const TAINT_NODE_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_NODE_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_NODE_DISK_PRESSURE = 'node.kubernetes.io/disk-pressure';
export const TAINT_NODE_MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure';
export const TAINT_NODE_PID_PRESSURE = 'node.kubernetes.io/pid-pressure';
export const TAINT_NODE_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
export const TAINT_NODE_NETWORK_UNAVAILABLE = 'node.kubernetes.io/network-unavailable';

/** Pods of a DaemonSet carry the template generation they came from (legacy, alongside the hash). */
export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';
/** The DaemonSet annotation holding that generation. */
export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';

/** Add `t`, or replace a toleration with the same key, operator, value and effect (v1helper's AddOrUpdateTolerationInPodSpec). */
function addOrUpdateToleration(spec: PodSpec, t: Toleration): void {
  const list = spec.tolerations ?? [];
  const same = (a: Toleration): boolean =>
    (a.key ?? '') === (t.key ?? '') && (a.operator ?? '') === (t.operator ?? '') && (a.value ?? '') === (t.value ?? '') && (a.effect ?? '') === (t.effect ?? '');
  const i = list.findIndex(same);
  if (i >= 0) list[i] = t;
  else list.push(t);
  spec.tolerations = list;
}

/**
 * The tolerations every daemon pod gets: not-ready and unreachable NoExecute with no time limit (so
 * node problems never evict it), the node-condition NoSchedule taints, and network-unavailable for
 * host-network pods.
 */
export function addDaemonTolerations(spec: PodSpec): void {
  addOrUpdateToleration(spec, { key: TAINT_NODE_NOT_READY, operator: 'Exists', effect: 'NoExecute' });
  addOrUpdateToleration(spec, { key: TAINT_NODE_UNREACHABLE, operator: 'Exists', effect: 'NoExecute' });
  addOrUpdateToleration(spec, { key: TAINT_NODE_DISK_PRESSURE, operator: 'Exists', effect: 'NoSchedule' });
  addOrUpdateToleration(spec, { key: TAINT_NODE_MEMORY_PRESSURE, operator: 'Exists', effect: 'NoSchedule' });
  addOrUpdateToleration(spec, { key: TAINT_NODE_PID_PRESSURE, operator: 'Exists', effect: 'NoSchedule' });
  addOrUpdateToleration(spec, { key: TAINT_NODE_UNSCHEDULABLE, operator: 'Exists', effect: 'NoSchedule' });
  if (spec.hostNetwork) addOrUpdateToleration(spec, { key: TAINT_NODE_NETWORK_UNAVAILABLE, operator: 'Exists', effect: 'NoSchedule' });
}

/** The legacy template generation of a DaemonSet (from its annotation), if any. */
export function templateGeneration(ds: DaemonSet): number | undefined {
  const a = ds.metadata?.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
  if (a === undefined || !/^-?\d+$/.test(a)) return undefined;
  return Number(a);
}

/** The template daemon pods are created from: the default tolerations, the generation and hash labels. */
export function daemonPodTemplate(ds: DaemonSet, hash: string): PodTemplateSpec {
  const t = structuredClone(ds.spec?.template ?? {}) as PodTemplateSpec;
  t.spec ??= { containers: [] };
  addDaemonTolerations(t.spec);
  t.metadata ??= {};
  t.metadata.labels = { ...(t.metadata.labels ?? {}) };
  const gen = templateGeneration(ds);
  if (gen !== undefined) t.metadata.labels[TEMPLATE_GENERATION_LABEL] = String(gen);
  if (hash) t.metadata.labels[POD_REVISION_LABEL] = hash;
  return t;
}

/**
 * The affinity with its required node affinity replaced by one term selecting `nodeName` by
 * `metadata.name` (a copy; other affinity kept), so the scheduler places the pod on that node.
 */
export function nodeNameAffinity(affinity: Affinity | undefined, nodeName: string): Affinity {
  const a = structuredClone(affinity ?? {});
  a.nodeAffinity ??= {};
  a.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = {
    nodeSelectorTerms: [{ matchFields: [{ key: ObjectNameField, operator: 'In', values: [nodeName] }] }],
  };
  return a;
}

/** The node a daemon pod is for: spec.nodeName, else the `metadata.name In [x]` field of its node affinity. */
export function targetNodeName(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const term of terms) {
    for (const f of term.matchFields ?? []) {
      if (f.key === ObjectNameField && f.operator === 'In') return f.values?.length === 1 ? f.values[0] : undefined;
    }
  }
  return undefined;
}

export interface NodeDecision {
  /** A daemon pod should be created here if missing. */
  shouldRun: boolean;
  /** An existing daemon pod may stay (every NoExecute taint tolerated). */
  shouldContinueRunning: boolean;
}

/** The pod as it would run on `node` (upstream's NewPod): template, node name, daemon tolerations. */
export function daemonPodFor(ds: DaemonSet, nodeName: string): Pod {
  const t = ds.spec?.template ?? {};
  const spec = structuredClone(t.spec ?? { containers: [] }) as PodSpec;
  spec.nodeName = nodeName;
  addDaemonTolerations(spec);
  return { metadata: { ...(t.metadata ?? {}), namespace: ds.metadata?.namespace ?? '' }, spec };
}

/** Whether `ds` should run a pod on `node`, and whether an existing one may keep running. */
export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): NodeDecision {
  const name = node.metadata?.name ?? '';
  const fixed = ds.spec?.template?.spec?.nodeName;
  if (fixed && fixed !== name) return { shouldRun: false, shouldContinueRunning: false };
  const pod = daemonPodFor(ds, name);
  if (!new RequiredNodeAffinity(pod).matches(node)) return { shouldRun: false, shouldContinueRunning: false };
  const taints = node.spec?.taints;
  if (findUntoleratedTaint(taints, pod.spec?.tolerations)) {
    const noExecute = findUntoleratedTaint(taints, pod.spec?.tolerations, (t) => t.effect === TaintEffectNoExecute);
    return { shouldRun: false, shouldContinueRunning: !noExecute };
  }
  return { shouldRun: true, shouldContinueRunning: true };
}
