// The namespace controller: a namespace being deleted (phase Terminating) has its content deleted,
// is watched until the content is gone, and is then finalized so the API server removes it.

import { ExponentialFailureRateLimiter, NAMESPACES, objectOf } from '../../client/index.js';
import { QueueLoop } from '../common/index.js';
import type { Controller, ControllerContext } from '../types.js';
import { NamespaceDeleter, type DeleterOptions, type Namespace } from './deleter.js';

export interface NamespaceControllerOptions {
  /** First and longest wait before looking again at a namespace whose content is still going. */
  remainingBackoffInitialMs?: number;
  remainingBackoffMaxMs?: number;
  /** Resync of the namespace informer handlers (upstream: 5 minutes). */
  resyncPeriodMs?: number;
  /** Injected discovery (tests). */
  discover?: DeleterOptions['discover'];
}

/** Delay before the next look at a namespace with content left: half the estimate, capped by a growing backoff. */
export function remainingDelayMs(estimateSeconds: number, backoffMs: number): number {
  if (estimateSeconds <= 0) return backoffMs;
  return Math.min(backoffMs, (estimateSeconds * 1000) / 2);
}

export function newNamespaceController(options: NamespaceControllerOptions = {}): Controller {
  return {
    name: 'namespace',
    start(ctx: ControllerContext) {
      const informer = ctx.informers.informerFor<Namespace>(NAMESPACES, options.resyncPeriodMs ? { resyncPeriodMs: options.resyncPeriodMs } : {});
      const remaining = new ExponentialFailureRateLimiter<string>(options.remainingBackoffInitialMs ?? 100, options.remainingBackoffMaxMs ?? 10_000);
      const deleter = new NamespaceDeleter(ctx.client, {
        signal: ctx.signal,
        ...(options.discover ? { discover: options.discover } : {}),
      });
      const loop: QueueLoop = new QueueLoop({
        name: 'namespace',
        rateLimiter: new ExponentialFailureRateLimiter<string>(5, 60_000),
        sync: async (key) => {
          const res = await deleter.delete(key);
          if (res.done) {
            remaining.forget(key);
            return;
          }
          loop.enqueueAfter(key, remainingDelayMs(res.estimateSeconds, remaining.when(key)));
        },
      });
      const maybeEnqueue = (ns: Namespace) => {
        if (ns.metadata?.deletionTimestamp) loop.enqueue(ns);
      };
      informer.addEventHandler({
        onAdd: (ns) => maybeEnqueue(ns),
        onUpdate: (_old, ns) => maybeEnqueue(ns),
        onDelete: (ns) => remaining.forget(objectOf(ns).metadata?.name ?? ''),
      });
      loop.start(ctx, [informer]);
    },
  };
}

/** The namespace controller with upstream's defaults. */
export const namespaceController: Controller = newNamespaceController();
