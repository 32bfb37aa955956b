// PodGC: every period it force-deletes terminated pods over the threshold (evicted and oldest
// first), pods bound to nodes that no longer exist (after a quarantine and a confirming GET), pods
// being deleted that were never scheduled, and pods being deleted on out-of-service nodes.

import { NODES, PODS, indexByNodeName, isNotFound, sleep, type RestClient, type SharedInformer } from '../../client/index.js';
import { rfc3339 } from '../../api/objects.js';
import type { Controller, ControllerContext } from '../types.js';
import {
  NodeQuarantine,
  isPodTerminated,
  missingNodes,
  terminatedPodsToDelete,
  terminatingPodsOnOutOfServiceNodes,
  unscheduledTerminatingPods,
  type NodeLike,
  type PodLike,
} from './decide.js';

/** Shared with other controllers on the same pod informer: same name, same function. */
const NODE_NAME_INDEX = 'nodeName';

export interface PodGCOptions {
  /** Time between passes (upstream: 20 s). */
  gcPeriodMs?: number;
  /** How long a node must be missing before its pods go (upstream: 40 s). */
  quarantineMs?: number;
  /** Concurrent deletes. */
  parallelism?: number;
}

export class PodGC {
  private readonly quarantine: NodeQuarantine;

  constructor(
    private readonly client: RestClient,
    private readonly pods: SharedInformer<PodLike>,
    private readonly nodes: SharedInformer<NodeLike>,
    private readonly threshold: number,
    private readonly options: PodGCOptions = {},
  ) {
    this.quarantine = new NodeQuarantine(options.quarantineMs ?? 40_000);
  }

  /** One pass. */
  async gc(now = Date.now()): Promise<void> {
    const pods = this.pods.lister.list();
    await this.gcTerminated(pods);
    await this.gcOrphaned(pods, now);
    await this.forceDeleteAll(unscheduledTerminatingPods(pods), 'unscheduled terminating');
    await this.forceDeleteAll(terminatingPodsOnOutOfServiceNodes(pods, (n) => this.nodes.lister.get(undefined, n)), 'terminating on out-of-service node');
  }

  private async gcTerminated(pods: PodLike[]): Promise<void> {
    await this.forceDeleteAll(terminatedPodsToDelete(pods, this.threshold), 'terminated');
  }

  private async gcOrphaned(pods: PodLike[], now: number): Promise<void> {
    const missing = missingNodes(pods, (n) => this.nodes.lister.get(undefined, n) !== undefined);
    const ripe = this.quarantine.update(missing, now);
    for (const nodeName of ripe) {
      // The cache may lag: make sure the node really is gone.
      try {
        await this.client.resource(NODES).get(undefined, nodeName);
        this.quarantine.clear(nodeName);
        continue;
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      const onNode = this.pods.lister.byIndex(NODE_NAME_INDEX, nodeName);
      await this.forceDeleteAll(onNode, `orphaned (node ${nodeName} gone)`, async (p) => this.markFailed(p, 'PodGC: node no longer exists'));
      this.quarantine.clear(nodeName);
    }
  }

  /** Before an orphaned pod is deleted, record why (upstream: DisruptionTarget, DeletionByPodGC). Best effort. */
  private async markFailed(pod: PodLike, message: string): Promise<void> {
    if (isPodTerminated(pod)) return;
    const ts = rfc3339();
    try {
      await this.client.resource(PODS).patch(
        pod.metadata?.namespace,
        pod.metadata!.name!,
        { status: { phase: 'Failed', conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message, lastTransitionTime: ts }] } },
        'strategic',
        { subresource: 'status' },
      );
    } catch {
      // The delete below matters; the status is a courtesy.
    }
  }

  private async forceDeleteAll(pods: PodLike[], why: string, before?: (p: PodLike) => Promise<void>): Promise<void> {
    const n = Math.max(1, this.options.parallelism ?? 10);
    const queue = [...pods];
    const errors: unknown[] = [];
    const worker = async () => {
      for (let p = queue.shift(); p; p = queue.shift()) {
        try {
          if (before) await before(p);
          await this.client.resource(PODS).delete(p.metadata?.namespace, p.metadata!.name!, {
            gracePeriodSeconds: 0,
            ...(p.metadata?.uid ? { preconditions: { uid: p.metadata.uid } } : {}),
          });
        } catch (e) {
          if (isNotFound(e)) continue;
          errors.push(e);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(n, queue.length) }, worker));
    if (errors.length > 0) throw new AggregateError(errors, `podgc: deleting ${why} pods: ${errors.length} failed`);
  }
}

export function newPodGCController(options: PodGCOptions = {}): Controller {
  return {
    name: 'pod-garbage-collector',
    start(ctx: ControllerContext) {
      const pods = ctx.informers.informerFor<PodLike>(PODS, { indexers: { [NODE_NAME_INDEX]: indexByNodeName } });
      const nodes = ctx.informers.informerFor<NodeLike>(NODES);
      const gc = new PodGC(ctx.client, pods, nodes, ctx.options.terminatedPodGCThreshold, options);
      const period = options.gcPeriodMs ?? 20_000;
      const signal = ctx.signal;
      void (async () => {
        try {
          await Promise.all([pods.waitForSync(signal), nodes.waitForSync(signal)]);
        } catch {
          return;
        }
        while (!signal.aborted) {
          try {
            await gc.gc();
          } catch (e) {
            if (!signal.aborted) console.error(`podgc: ${e instanceof Error ? e.message : String(e)}`);
          }
          await sleep(period, signal).catch(() => undefined);
        }
      })();
    },
  };
}

/** PodGC with upstream's defaults (20 s period, 40 s quarantine). */
export const podGCController: Controller = newPodGCController();
