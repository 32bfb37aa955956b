// Deleting a terminating namespace's content: every namespaced resource the server serves
// (discovered), deletecollection where supported else list + delete, then a check of what is left.
// Once nothing is left, the `kubernetes` finalizer is removed through /finalize and the API server
// removes the namespace.

import type { KubeObject } from '../../api/registry.js';
import { ApiError, isConflict, isNotFound, NAMESPACES, resourcePath, type RestClient } from '../../client/index.js';
import { rfc3339 } from '../../api/objects.js';
import { discoverResources, resourceName, supportsVerbs, type DiscoveredResource } from '../garbagecollector/discovery.js';
import { listMetadata } from '../garbagecollector/metadata.js';
import { desiredConditions, emptyReport, mergeConditions, type ContentReport, type NamespaceCondition } from './conditions.js';

/** The finalizer token this controller owns in `spec.finalizers`. */
export const FINALIZER_KUBERNETES = 'kubernetes';
/** Seconds assumed for objects held by finalizers (e.g. the garbage collector's) to go. */
export const FINALIZER_ESTIMATE_SECONDS = 15;

export interface Namespace extends KubeObject {
  spec?: { finalizers?: string[] };
  status?: { phase?: string; conditions?: NamespaceCondition[] };
}

export type DeleteResult =
  /** The namespace is gone or was finalized by us (or is not being deleted). */
  | { done: true }
  /** Content remains; look again in about `estimateSeconds` (0: soon). */
  | { done: false; estimateSeconds: number; report: ContentReport };

/** Content deletion failed for some resources; retry with backoff. */
export class ContentDeletionError extends Error {
  override name = 'ContentDeletionError';
  constructor(
    readonly namespace: string,
    readonly errors: string[],
  ) {
    super(`namespace ${namespace}: ${errors.join('; ')}`);
  }
}

export interface DeleterOptions {
  /** Which resources to look at; default: discovery of the server. Tests inject lists. */
  discover?: (signal?: AbortSignal) => Promise<{ resources: DiscoveredResource[]; failed: Array<{ groupVersion: string; error: unknown }> }>;
  signal?: AbortSignal;
  now?: () => number;
}

/** Namespaced resources whose objects this controller deletes. */
export function deletableNamespacedResources(resources: DiscoveredResource[]): DiscoveredResource[] {
  return resources.filter((r) => r.namespaced && supportsVerbs(r, 'delete'));
}

export class NamespaceDeleter {
  private readonly discover: NonNullable<DeleterOptions['discover']>;
  private readonly now: () => number;

  constructor(
    private readonly client: RestClient,
    private readonly opts: DeleterOptions = {},
  ) {
    this.discover = opts.discover ?? ((signal) => discoverResources(client, signal));
    this.now = opts.now ?? Date.now;
  }

  /** One pass over a namespace. Throws on failures (retry with backoff). */
  async delete(name: string): Promise<DeleteResult> {
    const nsClient = this.client.resource<Namespace>(NAMESPACES);
    let ns: Namespace;
    try {
      ns = await nsClient.get(undefined, name, this.sig());
    } catch (e) {
      if (isNotFound(e)) return { done: true };
      throw e;
    }
    if (!ns.metadata?.deletionTimestamp) return { done: true };
    const uid = ns.metadata.uid;

    if (ns.status?.phase !== 'Terminating') {
      const updated = await this.writeStatus(ns, (n) => {
        n.status = { ...(n.status ?? {}), phase: 'Terminating' };
      });
      if (!updated) return { done: true };
      ns = updated;
    }

    const { estimateSeconds, report } = await this.deleteAllContent(name);

    // Report progress in the namespace's conditions.
    const desired = desiredConditions(report);
    const merged = mergeConditions(ns.status?.conditions, desired, rfc3339(this.now()));
    if (merged.changed) {
      const updated = await this.writeStatus(ns, (n) => {
        n.status = { ...(n.status ?? {}), conditions: mergeConditions(n.status?.conditions, desired, rfc3339(this.now())).conditions };
      });
      if (!updated) return { done: true };
      ns = updated;
    }

    if (report.discoveryErrors.length > 0 || report.contentErrors.length > 0) {
      throw new ContentDeletionError(name, [...report.discoveryErrors, ...report.contentErrors]);
    }
    if ([...report.remaining.values()].some((n) => n > 0)) return { done: false, estimateSeconds, report };

    // Nothing left: drop our finalizer; the server removes the namespace when none remain.
    await this.finalize(name, uid);
    return { done: true };
  }

  /**
   * Delete every namespaced object in `namespace`; count what is left. The estimate is how long
   * pods still terminating gracefully need (or the finalizer estimate when finalizers hold objects).
   */
  async deleteAllContent(namespace: string): Promise<{ estimateSeconds: number; report: ContentReport }> {
    const report = emptyReport();
    const { resources, failed } = await this.discover(this.opts.signal);
    for (const f of failed) report.discoveryErrors.push(`${f.groupVersion}: ${errText(f.error)}`);
    let estimate = 0;
    const targets = deletableNamespacedResources(resources);
    const results = await Promise.allSettled(targets.map((r) => this.deleteResource(r, namespace)));
    results.forEach((res, i) => {
      const r = targets[i]!;
      if (res.status === 'rejected') {
        report.contentErrors.push(`${resourceName(r)}: ${errText(res.reason)}`);
        return;
      }
      const { remaining, finalizers, estimateSeconds, error } = res.value;
      if (error) report.contentErrors.push(`${resourceName(r)}: ${error}`);
      if (remaining > 0) report.remaining.set(`${r.plural}.${r.group}`, remaining);
      for (const [f, n] of finalizers) report.finalizers.set(f, (report.finalizers.get(f) ?? 0) + n);
      estimate = Math.max(estimate, estimateSeconds);
    });
    return { estimateSeconds: estimate, report };
  }

  /** Requests for one resource run concurrently with the others' and carry no abort signal (they time out on their own). */
  private async deleteResource(
    r: DiscoveredResource,
    namespace: string,
  ): Promise<{ remaining: number; finalizers: Map<string, number>; estimateSeconds: number; error?: string }> {
    const canList = supportsVerbs(r, 'list');
    let collectionDone = false;
    if (supportsVerbs(r, 'deletecollection')) {
      try {
        await this.client.request({
          method: 'DELETE',
          path: resourcePath(r, namespace),
          body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' },
        });
        collectionDone = true;
      } catch (e) {
        // Discovery said yes but the server says no: fall back to deleting one by one.
        if (!(e instanceof ApiError && (e.code === 404 || e.code === 405))) throw e;
      }
    }
    if (!canList) return { remaining: 0, finalizers: new Map(), estimateSeconds: 0 };
    if (!collectionDone) {
      const { items } = await listMetadata(this.client, r, namespace);
      for (const it of items) {
        if (it.metadata?.deletionTimestamp) continue;
        try {
          await this.client.request({
            method: 'DELETE',
            path: resourcePath(r, namespace, it.metadata!.name!),
            body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' },
          });
        } catch (e) {
          if (isNotFound(e) || (e instanceof ApiError && e.code === 405)) continue;
          throw e;
        }
      }
    }
    // What is left?
    const { items } = await listMetadata(this.client, r, namespace);
    if (items.length === 0) return { remaining: 0, finalizers: new Map(), estimateSeconds: 0 };
    const finalizers = new Map<string, number>();
    for (const it of items) for (const f of it.metadata?.finalizers ?? []) finalizers.set(f, (finalizers.get(f) ?? 0) + 1);
    const estimate = r.group === '' && r.plural === 'pods' ? this.gracefulEstimate(items) : 0;
    if (estimate > 0) return { remaining: items.length, finalizers, estimateSeconds: estimate };
    if (finalizers.size > 0) return { remaining: items.length, finalizers, estimateSeconds: FINALIZER_ESTIMATE_SECONDS };
    // Deleted yet still there without finalizers or grace: unexpected, but look again soon.
    return { remaining: items.length, finalizers, estimateSeconds: 0, error: `unexpected items still remain in namespace: ${namespace} for gvr: ${r.group}/${r.version}, Resource=${r.plural}` };
  }

  /** Seconds until the last of these objects' graceful deletion ends (pods terminating on nodes). */
  gracefulEstimate(items: KubeObject[]): number {
    let estimate = 0;
    for (const it of items) {
      const ts = it.metadata?.deletionTimestamp ? Date.parse(it.metadata.deletionTimestamp) : NaN;
      if (Number.isNaN(ts)) continue;
      const left = Math.ceil((ts - this.now()) / 1000);
      // Past its deadline the kubelet should finish any moment: look again soon.
      estimate = Math.max(estimate, left > 0 ? left : (it.metadata?.deletionGracePeriodSeconds ?? 0) > 0 ? 1 : 0);
    }
    return estimate;
  }

  /** PUT /finalize without our finalizer token (retrying on conflict). */
  private async finalize(name: string, uid: string | undefined): Promise<void> {
    const nsClient = this.client.resource<Namespace>(NAMESPACES);
    for (let attempt = 0; attempt < 10; attempt++) {
      let ns: Namespace;
      try {
        ns = await nsClient.get(undefined, name, this.sig());
      } catch (e) {
        if (isNotFound(e)) return;
        throw e;
      }
      if (uid && ns.metadata?.uid !== uid) return;
      const fins = ns.spec?.finalizers ?? [];
      if (!fins.includes(FINALIZER_KUBERNETES)) return;
      const next: Namespace = { ...ns, spec: { ...(ns.spec ?? {}), finalizers: fins.filter((f) => f !== FINALIZER_KUBERNETES) } };
      try {
        await this.client.request({ method: 'PUT', path: resourcePath(NAMESPACES, undefined, name, 'finalize'), body: next, ...this.sig() });
        return;
      } catch (e) {
        if (isNotFound(e)) return;
        if (isConflict(e)) continue;
        throw e;
      }
    }
    throw new Error(`namespace ${name}: finalize kept conflicting`);
  }

  /** Update the namespace status with `mutate`, re-reading on conflict; undefined when it is gone or no longer deleting. */
  private async writeStatus(ns: Namespace, mutate: (n: Namespace) => void): Promise<Namespace | undefined> {
    const nsClient = this.client.resource<Namespace>(NAMESPACES);
    const uid = ns.metadata?.uid;
    let cur = ns;
    for (let attempt = 0; attempt < 10; attempt++) {
      const next = structuredClone(cur);
      mutate(next);
      try {
        return await nsClient.updateStatus(undefined, next, this.sig());
      } catch (e) {
        if (isNotFound(e)) return undefined;
        if (!isConflict(e)) throw e;
      }
      try {
        cur = await nsClient.get(undefined, ns.metadata!.name!, this.sig());
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
      if (cur.metadata?.uid !== uid || !cur.metadata?.deletionTimestamp) return undefined;
    }
    throw new Error(`namespace ${ns.metadata?.name}: status update kept conflicting`);
  }

  private sig(): { signal?: AbortSignal } {
    return this.opts.signal ? { signal: this.opts.signal } : {};
  }
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
