// The garbage-collector controller: discovers every resource that can be listed, watched and
// deleted, runs a metadata monitor for each (re-discovering periodically so resources added later
// are covered), and starts the collector's workers once the first lists are in.

import { setMaxListeners } from 'node:events';
import { sleep } from '../../client/index.js';
import type { Controller, ControllerContext } from '../types.js';
import { ApiGcClient } from './client.js';
import { GarbageCollector } from './collector.js';
import { discoverResources, RestMapper, apiVersionOfRef, supportsVerbs, type DiscoveredResource } from './discovery.js';
import { MetadataMonitor } from './monitor.js';

/** Resources the collector does not watch (upstream's defaults: events, which are many and never own anything). */
export const IGNORED_RESOURCES = new Set(['events', 'events.events.k8s.io']);

export interface GarbageCollectorOptions {
  /** How often to re-read discovery for new or removed resources (upstream: 30 s). */
  rediscoveryPeriodMs?: number;
  /** Give up waiting for every monitor's first list after this long and start anyway. */
  syncTimeoutMs?: number;
  ignored?: Set<string>;
  /** Longest wait for the monitors to catch up with an owner before its finalizer is removed. */
  graphWaitTimeoutMs?: number;
  /** Receives the running collector (tests and debugging). */
  onStarted?: (gc: GarbageCollector) => void;
}

/** Resources to monitor: listable, watchable and deletable, not ignored. */
export function monitoredResources(resources: DiscoveredResource[], ignored: Set<string> = IGNORED_RESOURCES): DiscoveredResource[] {
  return resources.filter((r) => supportsVerbs(r, 'list', 'watch', 'delete') && !ignored.has(r.group ? `${r.plural}.${r.group}` : r.plural));
}

/**
 * Resolves once every synced monitor has seen `resourceVersion` (the store has one revision counter,
 * so versions compare across resources; watches get bookmarks about every second), or after
 * `timeoutMs`.
 */
export async function waitForMonitors(monitors: MetadataMonitor[], resourceVersion: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const target = Number(resourceVersion);
  if (!Number.isFinite(target)) return;
  const behind = () => monitors.some((m) => m.hasSynced() && !(Number(m.resourceVersion) >= target));
  const end = Date.now() + timeoutMs;
  while (behind() && Date.now() < end && !signal?.aborted) await sleep(25).catch(() => undefined);
}

const monitorKey = (r: DiscoveredResource) => `${apiVersionOfRef(r)}/${r.plural}`;

export function newGarbageCollectorController(options: GarbageCollectorOptions = {}): Controller {
  return {
    name: 'garbage-collector',
    start(ctx: ControllerContext) {
      void runCollector(ctx, options).catch((err) => {
        if (!ctx.signal.aborted) console.error(`garbage collector: ${err instanceof Error ? err.message : String(err)}`);
      });
    },
  };
}

async function runCollector(ctx: ControllerContext, options: GarbageCollectorOptions): Promise<void> {
  const { client } = ctx;
  // One listener on the manager's signal; the monitors listen on ours.
  const stop = new AbortController();
  setMaxListeners(0, stop.signal);
  if (ctx.signal.aborted) return;
  ctx.signal.addEventListener('abort', () => stop.abort(ctx.signal.reason), { once: true });
  const signal = stop.signal;
  const mapper = new RestMapper();
  const monitors = new Map<string, MetadataMonitor>();
  const graphWait = options.graphWaitTimeoutMs ?? 10_000;
  const gc = new GarbageCollector(new ApiGcClient(client, mapper), {
    waitForGraph: (rv) => waitForMonitors([...monitors.values()], rv, graphWait, signal),
  });
  const ignored = options.ignored ?? IGNORED_RESOURCES;
  let lastError = '';
  const onError = (err: unknown) => {
    const msg = err instanceof Error ? err.message : String(err);
    if (msg !== lastError && !signal.aborted) console.error(`garbage collector: monitor: ${msg}`);
    lastError = msg;
  };

  const sync = async (): Promise<void> => {
    const { resources, failed } = await discoverResources(client, signal);
    // Keep what failed to be discovered mapped from the previous round.
    mapper.set(resources);
    const wanted = new Map(monitoredResources(resources, ignored).map((r) => [monitorKey(r), r]));
    for (const [key, r] of wanted) {
      if (monitors.has(key)) continue;
      const m = new MetadataMonitor(client, r, gc, { onError });
      monitors.set(key, m);
      m.start();
    }
    const failedGroups = new Set(failed.map((f) => f.groupVersion));
    for (const [key, m] of monitors) {
      if (wanted.has(key) || failedGroups.has(apiVersionOfRef(m.resource))) continue;
      monitors.delete(key);
      void m.stop();
    }
  };

  // First discovery, retried until it works.
  for (let delay = 500; !signal.aborted; delay = Math.min(delay * 2, 10_000)) {
    try {
      await sync();
      break;
    } catch (err) {
      onError(err);
      await sleep(delay, signal).catch(() => undefined);
    }
  }
  if (signal.aborted) return;
  signal.addEventListener(
    'abort',
    () => {
      gc.shutDown();
      for (const m of monitors.values()) void m.stop();
    },
    { once: true },
  );

  // Wait for the graph to be built from the first lists (bounded), then collect.
  const timeout = options.syncTimeoutMs ?? 60_000;
  await Promise.race([Promise.all([...monitors.values()].map((m) => m.waitForSync(signal))), sleep(timeout, signal)]).catch(() => undefined);
  if (signal.aborted) return;
  options.onStarted?.(gc);
  const workers = gc.run(ctx.options.workers);

  const period = options.rediscoveryPeriodMs ?? 30_000;
  while (!signal.aborted) {
    try {
      await sleep(period, signal);
    } catch {
      break;
    }
    try {
      await sync();
    } catch (err) {
      onError(err);
    }
  }
  await workers;
}

/** The garbage collector with upstream's defaults. */
export const garbageCollectorController: Controller = newGarbageCollectorController();
