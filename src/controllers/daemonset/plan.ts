// The DaemonSet's decisions, pure: which nodes need a daemon pod and which pods go (the manage
// pass), what a rolling update replaces next (maxUnavailable without surge, maxSurge with it), and
// the status counts. Objects in, decisions out; controller.ts carries them out.

import type { DaemonSet, DaemonSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { isPodAvailable, isPodReady } from '../common/index.js';
import { POD_REVISION_LABEL } from '../history/index.js';
import { TEMPLATE_GENERATION_LABEL, nodeShouldRunDaemonPod, targetNodeName, templateGeneration } from './eligibility.js';

export interface DaemonSetState {
  ds: DaemonSet;
  nodes: Node[];
  /** The pods the DaemonSet controls. */
  pods: Pod[];
  /** The current revision's hash (the `controller-revision-hash` of up-to-date pods). */
  hash: string;
  /** Milliseconds since the epoch. */
  now: number;
  /** A failed pod on this node was deleted recently: leave the next one alone for now. */
  inFailedBackoff?: (nodeName: string) => boolean;
}

export interface DaemonSetPlan {
  /** Nodes to create a daemon pod for. */
  createOn: string[];
  /** Pods (names) to delete. */
  delete: string[];
  /** Nodes whose failed pod is among `delete` (the caller starts their backoff). */
  failedOn: string[];
  /** Nodes skipped because of failed-pod backoff (the caller requeues). */
  backedOff: string[];
}

const emptyPlan = (): DaemonSetPlan => ({ createOn: [], delete: [], failedOn: [], backedOff: [] });

/**
 * Pods by the node they are for (spec.nodeName or their node-name affinity). Pods both being
 * deleted and terminal are left out unless asked for; pods with no target node are left out.
 */
export function podsByNode(pods: readonly Pod[], includeDeletedTerminal = false): Map<string, Pod[]> {
  const out = new Map<string, Pod[]>();
  for (const p of pods) {
    const phase = p.status?.phase;
    if (!includeDeletedTerminal && p.metadata?.deletionTimestamp && (phase === 'Succeeded' || phase === 'Failed')) continue;
    const node = targetNodeName(p);
    if (!node) continue;
    let list = out.get(node);
    if (!list) out.set(node, (list = []));
    list.push(p);
  }
  return out;
}

function created(p: Pod): number {
  const t = p.metadata?.creationTimestamp ? Date.parse(p.metadata.creationTimestamp) : NaN;
  return Number.isNaN(t) ? 0 : t;
}

/** Scheduled pods first, then oldest first, then by name (upstream's podByCreationTimestampAndPhase). */
export function comparePods(a: Pod, b: Pod): number {
  const sa = !!a.spec?.nodeName;
  const sb = !!b.spec?.nodeName;
  if (sa !== sb) return sa ? -1 : 1;
  const ca = created(a);
  const cb = created(b);
  if (ca !== cb) return ca - cb;
  const na = a.metadata?.name ?? '';
  const nb = b.metadata?.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/** Up to date: the revision hash matches, or (legacy) the template generation does. */
export function isPodUpdated(pod: Pod, hash: string, generation: number | undefined): boolean {
  const labels = pod.metadata?.labels ?? {};
  if (generation !== undefined && labels[TEMPLATE_GENERATION_LABEL] === String(generation)) return true;
  return hash.length > 0 && labels[POD_REVISION_LABEL] === hash;
}

/** An int or a percentage of `total` (rounded up), as intstr.GetScaledValueFromIntOrPercent. */
export function scaledValue(v: number | string | undefined, total: number, roundUp = true): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) {
    if (/^\d+$/.test(v)) return Number(v);
    throw new Error(`invalid value for IntOrString: ${JSON.stringify(v)}`);
  }
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

function isRollingUpdate(ds: DaemonSet): boolean {
  return (ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

/** maxSurge scaled to the number of nodes that should run the pod (0 unless RollingUpdate). */
export function surgeCount(ds: DaemonSet, desired: number): number {
  if (!isRollingUpdate(ds)) return 0;
  return scaledValue(ds.spec?.updateStrategy?.rollingUpdate?.maxSurge as number | string | undefined, desired);
}

/** maxUnavailable scaled likewise. */
export function unavailableCount(ds: DaemonSet, desired: number): number {
  if (!isRollingUpdate(ds)) return 0;
  return scaledValue(ds.spec?.updateStrategy?.rollingUpdate?.maxUnavailable as number | string | undefined, desired);
}

export function allowsSurge(ds: DaemonSet): boolean {
  return surgeCount(ds, 1) > 0;
}

/** The manage pass: a pod on every node that should run one, none elsewhere, failed pods replaced, extras pruned. */
export function manage(s: DaemonSetState): DaemonSetPlan {
  const plan = emptyPlan();
  const byNode = podsByNode(s.pods);
  const minReady = s.ds.spec?.minReadySeconds ?? 0;
  const surge = allowsSurge(s.ds);
  const nodeNames = new Set<string>();
  for (const node of s.nodes) {
    const name = node.metadata?.name ?? '';
    nodeNames.add(name);
    const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, s.ds);
    const daemonPods = byNode.get(name);
    const exists = daemonPods !== undefined && daemonPods.length > 0;
    if (shouldRun && !exists) {
      plan.createOn.push(name);
      continue;
    }
    if (shouldContinueRunning && exists) {
      const running: Pod[] = [];
      for (const pod of daemonPods) {
        if (pod.metadata?.deletionTimestamp) continue;
        const phase = pod.status?.phase;
        if (phase === 'Failed') {
          if (s.inFailedBackoff?.(name)) {
            plan.backedOff.push(name);
            continue;
          }
          plan.failedOn.push(name);
          plan.delete.push(pod.metadata?.name ?? '');
        } else if (phase === 'Succeeded') {
          plan.delete.push(pod.metadata?.name ?? '');
        } else {
          running.push(pod);
        }
      }
      if (!surge) {
        if (running.length > 1) {
          running.sort(comparePods);
          for (const p of running.slice(1)) plan.delete.push(p.metadata?.name ?? '');
        }
        continue;
      }
      if (running.length <= 1) {
        if (running.length === 0 && shouldRun) plan.createOn.push(name);
        continue;
      }
      // Surging: keep at most the oldest new pod and the oldest old pod, and the old one only
      // while it is ready and the new one is not yet available.
      running.sort(comparePods);
      let oldestNew: Pod | undefined;
      let oldestOld: Pod | undefined;
      for (const p of running) {
        if ((p.metadata?.labels ?? {})[POD_REVISION_LABEL] === s.hash) {
          if (!oldestNew) {
            oldestNew = p;
            continue;
          }
        } else if (!oldestOld) {
          oldestOld = p;
          continue;
        }
        plan.delete.push(p.metadata?.name ?? '');
      }
      if (oldestNew && oldestOld) {
        if (!isPodReady(oldestOld) || isPodAvailable(oldestNew, minReady, s.now)) plan.delete.push(oldestOld.metadata?.name ?? '');
      }
      continue;
    }
    if (!shouldContinueRunning && exists) {
      for (const pod of daemonPods) if (!pod.metadata?.deletionTimestamp) plan.delete.push(pod.metadata?.name ?? '');
    }
  }
  // Pods not yet scheduled whose node is gone will never run: delete them.
  for (const [node, pods] of byNode) {
    if (nodeNames.has(node)) continue;
    for (const p of pods) if (!p.spec?.nodeName && !p.metadata?.deletionTimestamp) plan.delete.push(p.metadata?.name ?? '');
  }
  return plan;
}

interface NodeCounts {
  maxSurge: number;
  maxUnavailable: number;
  desired: number;
  /** Pods by node, with an empty entry for every node that should run a pod but has none. */
  byNode: Map<string, Pod[]>;
  shouldRun: Map<string, boolean>;
}

function updatedDesiredNodeCounts(s: DaemonSetState): NodeCounts {
  const byNode = podsByNode(s.pods);
  const shouldRun = new Map<string, boolean>();
  let desired = 0;
  for (const node of s.nodes) {
    const name = node.metadata?.name ?? '';
    const run = nodeShouldRunDaemonPod(node, s.ds).shouldRun;
    shouldRun.set(name, run);
    if (!run) continue;
    desired++;
    if (!byNode.has(name)) byNode.set(name, []);
  }
  let maxUnavailable = unavailableCount(s.ds, desired);
  const maxSurge = surgeCount(s.ds, desired);
  // An impossible configuration (both 0) falls back to one unavailable at a time.
  if (maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable, desired, byNode, shouldRun };
}

/** At most one new and one old non-deleted pod on a node (ok false when there are more). */
function findUpdatedPodsOnNode(ds: DaemonSet, pods: readonly Pod[], hash: string): { newPod?: Pod; oldPod?: Pod; ok: boolean } {
  const generation = templateGeneration(ds);
  let newPod: Pod | undefined;
  let oldPod: Pod | undefined;
  for (const p of pods) {
    if (p.metadata?.deletionTimestamp) continue;
    if (isPodUpdated(p, hash, generation)) {
      if (newPod) return { ok: false };
      newPod = p;
    } else {
      if (oldPod) return { ok: false };
      oldPod = p;
    }
  }
  return { ...(newPod ? { newPod } : {}), ...(oldPod ? { oldPod } : {}), ok: true };
}

/** One step of a rolling update (run only when the manage pass had nothing to do). */
export function rollingUpdate(s: DaemonSetState): DaemonSetPlan {
  const plan = emptyPlan();
  const { maxSurge, maxUnavailable, desired, byNode, shouldRun } = updatedDesiredNodeCounts(s);
  const minReady = s.ds.spec?.minReadySeconds ?? 0;
  const available = (p: Pod) => isPodAvailable(p, minReady, s.now);
  const nodes = [...byNode.keys()].sort();

  if (maxSurge === 0) {
    // Delete old pods, within maxUnavailable; the manage pass creates their replacements.
    let numUnavailable = 0;
    const allowed: string[] = [];
    const candidates: string[] = [];
    for (const node of nodes) {
      const { newPod, oldPod, ok } = findUpdatedPodsOnNode(s.ds, byNode.get(node)!, s.hash);
      if (!ok) {
        numUnavailable++;
        continue;
      }
      if ((!oldPod && !newPod) || (oldPod && newPod)) numUnavailable++;
      else if (newPod) {
        if (!available(newPod)) numUnavailable++;
      } else if (oldPod) {
        if (!available(oldPod)) {
          allowed.push(oldPod.metadata?.name ?? '');
          numUnavailable++;
        } else if (numUnavailable < maxUnavailable) {
          candidates.push(oldPod.metadata?.name ?? '');
        }
      }
    }
    const remaining = Math.min(Math.max(0, maxUnavailable - numUnavailable), candidates.length);
    plan.delete.push(...allowed, ...candidates.slice(0, remaining));
    return plan;
  }

  // Surging: create new pods next to old ones (up to maxSurge at once), delete an old pod once
  // the new one beside it is available.
  let numSurge = 0;
  let numAvailable = 0;
  const allowedNew: string[] = [];
  const candidateNew: string[] = [];
  const shouldNotRunToDelete: string[] = [];
  for (const node of nodes) {
    const { newPod, oldPod, ok } = findUpdatedPodsOnNode(s.ds, byNode.get(node)!, s.hash);
    if (!ok) {
      numSurge++;
      continue;
    }
    if (oldPod) {
      if (available(oldPod)) numAvailable++;
    } else if (newPod && available(newPod)) numAvailable++;
    if (!oldPod) continue;
    if (!newPod) {
      const run = shouldRun.get(node) ?? false;
      if (!available(oldPod)) {
        if (!run) plan.delete.push(oldPod.metadata?.name ?? '');
        else allowedNew.push(node);
      } else {
        if (!run) shouldNotRunToDelete.push(oldPod.metadata?.name ?? '');
        else if (numSurge < maxSurge) candidateNew.push(node);
      }
      continue;
    }
    if (!available(newPod)) {
      numSurge++;
      continue;
    }
    plan.delete.push(oldPod.metadata?.name ?? '');
  }
  // Keep full availability: pods on nodes that should no longer run them go only as others come up.
  const deletable = Math.min(Math.max(0, numAvailable - desired), shouldNotRunToDelete.length);
  plan.delete.push(...shouldNotRunToDelete.slice(0, deletable));
  const remaining = Math.min(Math.max(0, maxSurge - numSurge), candidateNew.length);
  plan.createOn.push(...allowedNew, ...candidateNew.slice(0, remaining));
  return plan;
}

/** What one sync does: the manage pass, or when that has nothing to do, a rolling-update step. */
export function planDaemonSet(s: DaemonSetState): DaemonSetPlan {
  const m = manage(s);
  if (m.createOn.length || m.delete.length || !isRollingUpdate(s.ds)) return m;
  const r = rollingUpdate(s);
  r.backedOff = m.backedOff;
  return r;
}

export interface DaemonSetStatusResult {
  status: DaemonSetStatus;
  /** Re-check after this long (a ready pod becomes available after minReadySeconds). */
  requeueAfterMs?: number;
}

/** The status counts (upstream's updateDaemonSetStatus). */
export function computeStatus(s: DaemonSetState): DaemonSetStatusResult {
  const byNode = podsByNode(s.pods);
  const minReady = s.ds.spec?.minReadySeconds ?? 0;
  const generation = templateGeneration(s.ds);
  let desired = 0;
  let current = 0;
  let misscheduled = 0;
  let ready = 0;
  let updated = 0;
  let available = 0;
  for (const node of s.nodes) {
    const name = node.metadata?.name ?? '';
    const { shouldRun } = nodeShouldRunDaemonPod(node, s.ds);
    const pods = byNode.get(name) ?? [];
    const scheduled = pods.length > 0;
    if (shouldRun) {
      desired++;
      if (!scheduled) continue;
      current++;
      const pod = [...pods].sort(comparePods)[0]!;
      if (isPodReady(pod)) {
        ready++;
        if (isPodAvailable(pod, minReady, s.now)) available++;
      }
      if (isPodUpdated(pod, s.hash, generation)) updated++;
    } else if (scheduled) {
      misscheduled++;
    }
  }
  const status: DaemonSetStatus = {
    ...(s.ds.status ?? {}),
    currentNumberScheduled: current,
    desiredNumberScheduled: desired,
    numberMisscheduled: misscheduled,
    numberReady: ready,
    updatedNumberScheduled: updated,
    numberAvailable: available,
    numberUnavailable: desired - available,
    observedGeneration: s.ds.metadata?.generation ?? 0,
  };
  if (!status.numberUnavailable) delete status.numberUnavailable;
  if (!status.numberAvailable) delete status.numberAvailable;
  if (!status.updatedNumberScheduled) delete status.updatedNumberScheduled;
  const out: DaemonSetStatusResult = { status };
  if (minReady > 0 && ready !== available) out.requeueAfterMs = minReady * 1000;
  return out;
}
