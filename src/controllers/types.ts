// The contract every controller implements, and what the controller manager hands it.
// A controller is `informers → workqueue → reconcile(key)` (see DESIGN.md); `start` registers its
// informer handlers on the shared factory and launches its workers; the manager starts the
// factory, waits for caches to sync, and stops everything through the signal.

import type { EventRecorder, InformerFactory, RestClient } from '../client/index.js';

export interface ControllerOptions {
  /** Node lifecycle: how long without a Lease renewal before a node's Ready turns Unknown. */
  nodeMonitorGracePeriodSeconds: number;
  /** PodGC: terminated pods kept before the oldest are deleted. */
  terminatedPodGCThreshold: number;
  /** Workers per controller (concurrent reconciles of different keys). */
  workers: number;
}

export const DEFAULT_CONTROLLER_OPTIONS: ControllerOptions = {
  nodeMonitorGracePeriodSeconds: 40,
  terminatedPodGCThreshold: 12500,
  workers: 5,
};

export interface ControllerContext {
  client: RestClient;
  /** Shared by all controllers: one informer per resource for the whole process. */
  informers: InformerFactory;
  /** An event recorder reporting as `component` (e.g. "deployment-controller"). */
  recorder(component: string): EventRecorder;
  options: ControllerOptions;
  /** Aborted when the manager stops (or loses leadership). */
  signal: AbortSignal;
}

export interface Controller {
  /** Upstream's controller name, e.g. "deployment", "replicaset", "garbage-collector". */
  name: string;
  /**
   * Register informers/handlers and start workers; return once started (workers keep running
   * until ctx.signal aborts). Informers may not have synced yet when this is called: the manager
   * calls `informers.start()` and `waitForSync()` after every controller's start.
   */
  start(ctx: ControllerContext): void | Promise<void>;
}
