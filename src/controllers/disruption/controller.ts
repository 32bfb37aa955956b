// The disruption controller: keeps each PodDisruptionBudget's status (healthy pods, allowed
// disruptions, the DisruptionAllowed condition) in line with its pods and their controllers.

import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { KubeObject } from '../../api/registry.js';
import { labelSelectorFromObject } from '../../api/selectors/index.js';
import {
  DEPLOYMENTS,
  PODS,
  POD_DISRUPTION_BUDGETS,
  REPLICATION_CONTROLLERS,
  REPLICA_SETS,
  ResourceClient,
  STATEFUL_SETS,
  isConflict,
  isNotFound,
  objectOf,
  splitKey,
  type Lister,
} from '../../client/index.js';
import { QueueLoop } from '../common/index.js';
import type { Controller, ControllerContext } from '../types.js';
import { pdbStatus, statusChanged } from './status.js';

type PdbObj = PodDisruptionBudget & KubeObject;
type PodObj = Pod & KubeObject;
interface Scalable extends KubeObject {
  spec?: { replicas?: number };
}

export interface DisruptionControllerOptions {
  now?: () => number;
}

/** The pods a budget covers (an empty selector covers the whole namespace; none covers nothing). */
export function podsForBudget(pdb: PodDisruptionBudget, pods: Pod[]): Pod[] {
  let sel;
  try {
    sel = labelSelectorFromObject(pdb.spec?.selector);
  } catch {
    return [];
  }
  return pods.filter((p) => sel.matches(p.metadata?.labels ?? {}));
}

/**
 * The summed scale of the pods' controllers (each counted once): a ReplicaSet owned by a
 * Deployment counts as the Deployment. Pods without a controller are not counted.
 */
export function controllerScale(pods: Pod[], lookup: (kind: string, namespace: string, name: string) => Scalable | undefined): number {
  const seen = new Set<string>();
  let total = 0;
  for (const pod of pods) {
    const ref = pod.metadata?.ownerReferences?.find((r) => r.controller);
    if (!ref) continue;
    const ns = pod.metadata?.namespace ?? '';
    let kind = ref.kind;
    let name = ref.name;
    let obj = lookup(kind, ns, name);
    if (kind === 'ReplicaSet' && obj) {
      const dep = obj.metadata?.ownerReferences?.find((r) => r.controller && r.kind === 'Deployment');
      if (dep) {
        kind = 'Deployment';
        name = dep.name;
        obj = lookup(kind, ns, name);
      }
    }
    if (!obj) throw new Error(`found no controllers for pod "${pod.metadata?.name}"`);
    const id = `${kind}/${name}`;
    if (seen.has(id)) continue;
    seen.add(id);
    total += obj.spec?.replicas ?? 1;
  }
  return total;
}

export class DisruptionController {
  private pdbs!: Lister<PdbObj>;
  private pods!: Lister<PodObj>;
  private scalables = new Map<string, Lister<Scalable>>();
  private client!: ResourceClient<PdbObj>;
  readonly loop = new QueueLoop({ name: 'disruption', sync: (key) => this.sync(key) });

  constructor(private readonly options: DisruptionControllerOptions = {}) {}

  start(ctx: ControllerContext): void {
    const pdbInf = ctx.informers.informerFor<PdbObj>(POD_DISRUPTION_BUDGETS);
    const podInf = ctx.informers.informerFor<PodObj>(PODS);
    this.pdbs = pdbInf.lister;
    this.pods = podInf.lister;
    this.client = new ResourceClient<PdbObj>(ctx.client, POD_DISRUPTION_BUDGETS);
    pdbInf.addEventHandler({
      onAdd: (p) => this.loop.enqueue(p),
      onUpdate: (_o, p) => this.loop.enqueue(p),
    });
    const podChanged = (p: PodObj) => {
      for (const b of this.pdbs.listNamespace(p.metadata?.namespace ?? '')) if (podsForBudget(b, [p]).length) this.loop.enqueue(b);
    };
    podInf.addEventHandler({
      onAdd: podChanged,
      onUpdate: (old, p) => {
        if (old.metadata?.resourceVersion === p.metadata?.resourceVersion) return;
        podChanged(p);
        podChanged(old);
      },
      onDelete: (p) => podChanged(objectOf(p)),
    });
    const waitFor: Array<{ waitForSync(signal?: AbortSignal): Promise<void> }> = [pdbInf, podInf];
    for (const [kind, ref] of [
      ['ReplicaSet', REPLICA_SETS],
      ['Deployment', DEPLOYMENTS],
      ['StatefulSet', STATEFUL_SETS],
      ['ReplicationController', REPLICATION_CONTROLLERS],
    ] as const) {
      const inf = ctx.informers.informerFor<Scalable>(ref);
      this.scalables.set(kind, inf.lister);
      waitFor.push(inf);
      // A scale change moves expectedPods: look at the namespace's budgets again.
      inf.addEventHandler({
        onUpdate: (old, o) => {
          if (old.spec?.replicas !== o.spec?.replicas) for (const b of this.pdbs.listNamespace(o.metadata?.namespace ?? '')) this.loop.enqueue(b);
        },
      });
    }
    this.loop.start(ctx, waitFor);
  }

  async sync(key: string): Promise<void> {
    const { namespace = '', name } = splitKey(key);
    const pdb = this.pdbs.get(namespace, name);
    if (!pdb) return;
    const pods = podsForBudget(pdb, this.pods.listNamespace(namespace));
    const scale = () => controllerScale(pods, (kind, ns, n) => this.scalables.get(kind)?.get(ns, n));
    const now = (this.options.now ?? Date.now)();
    const status = pdbStatus(pdb, pods, scale, now);
    // An eviction entry holds a pod out until it expires: look again then.
    const next = Object.values(status.disruptedPods ?? {}).map((ts) => Date.parse(ts) + 2 * 60_000 - now);
    if (next.length) this.loop.enqueueAfter(key, Math.max(0, Math.min(...next)) + 100);
    if (!statusChanged(pdb.status, status)) return;
    try {
      await this.client.updateStatus(namespace, { ...pdb, status } as PdbObj);
    } catch (err) {
      if (isConflict(err)) return this.loop.enqueueRateLimited(key);
      if (!isNotFound(err)) throw err;
    }
  }
}

export function newDisruptionController(options: DisruptionControllerOptions = {}): Controller {
  return {
    name: 'disruption',
    start(ctx: ControllerContext) {
      new DisruptionController(options).start(ctx);
    },
  };
}

export const disruptionController: Controller = newDisruptionController();
