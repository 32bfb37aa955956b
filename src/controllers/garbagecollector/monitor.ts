// A metadata-only list+watch of one resource (PartialObjectMetadata renderings): list, then watch
// from the list's resourceVersion; relist on 410 Expired; reconnect with backoff. It keeps only the
// uids it has seen (to notice deletions missed across a relist) and hands every change on.

import type { KubeObject } from '../../api/registry.js';
import { ApiError, isStatus, resourcePath, runListWatch, type RestClient } from '../../client/index.js';
import type { DiscoveredResource } from './discovery.js';
import { apiVersionOfRef } from './discovery.js';
import type { ObjectIdentity, ObservedMeta } from './graph.js';
import { listMetadata, PARTIAL_ACCEPT } from './metadata.js';

export interface MonitorHandlers {
  upsert(id: ObjectIdentity, meta: ObservedMeta): void;
  remove(uid: string): void;
}

export interface MonitorOptions {
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** Reconnect a watch that has been silent (no event or bookmark) this long; default 90 s. */
  idleTimeoutMs?: number;
  onError?: (err: unknown) => void;
}

export class MetadataMonitor {
  private readonly uids = new Set<string>();
  private rv = '';
  private synced = false;
  private syncWaiters: Array<() => void> = [];
  private readonly ac = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly apiVersion: string;

  constructor(
    private readonly client: RestClient,
    readonly resource: DiscoveredResource,
    private readonly handlers: MonitorHandlers,
    private readonly options: MonitorOptions = {},
  ) {
    this.apiVersion = apiVersionOfRef(resource);
  }

  start(): void {
    this.loop ??= this.run(this.ac.signal);
  }

  async stop(): Promise<void> {
    this.ac.abort();
    await this.loop;
  }

  hasSynced(): boolean {
    return this.synced;
  }

  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const done = () => resolve();
      this.syncWaiters.push(done);
      signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  }

  /** The last resourceVersion seen (list, event or bookmark). */
  get resourceVersion(): string {
    return this.rv;
  }

  /** How many objects it knows of. */
  get count(): number {
    return this.uids.size;
  }

  private identity(obj: KubeObject): ObjectIdentity | undefined {
    const m = obj.metadata;
    if (!m?.uid || !m.name) return undefined;
    return { apiVersion: this.apiVersion, kind: this.resource.kind, namespace: m.namespace ?? '', name: m.name, uid: m.uid };
  }

  private observe(obj: KubeObject): void {
    const id = this.identity(obj);
    if (!id) return;
    this.uids.add(id.uid);
    const m = obj.metadata!;
    const meta: ObservedMeta = {};
    if (m.ownerReferences) meta.ownerReferences = m.ownerReferences;
    if (m.deletionTimestamp) meta.deletionTimestamp = m.deletionTimestamp;
    if (m.finalizers) meta.finalizers = m.finalizers;
    this.handlers.upsert(id, meta);
  }

  private forget(uid: string): void {
    if (this.uids.delete(uid)) this.handlers.remove(uid);
  }

  private run(signal: AbortSignal): Promise<void> {
    const o = this.options;
    return runListWatch(
      {
        list: (sig) => this.list(sig),
        watch: (sig) => this.watch(sig),
        ...(o.onError ? { onError: o.onError } : {}),
        ...(o.backoffInitialMs !== undefined ? { backoffInitialMs: o.backoffInitialMs } : {}),
        ...(o.backoffMaxMs !== undefined ? { backoffMaxMs: o.backoffMaxMs } : {}),
      },
      signal,
    );
  }

  private async list(signal: AbortSignal): Promise<void> {
    const { items, metadata } = await listMetadata(this.client, this.resource, undefined, { signal });
    if (signal.aborted) return;
    const seen = new Set<string>();
    for (const it of items) {
      const uid = it.metadata?.uid;
      if (uid) seen.add(uid);
    }
    for (const uid of [...this.uids]) if (!seen.has(uid)) this.forget(uid);
    for (const it of items) this.observe(it);
    this.rv = metadata.resourceVersion ?? '';
    if (!this.synced) {
      this.synced = true;
      const ws = this.syncWaiters;
      this.syncWaiters = [];
      for (const w of ws) w();
    }
  }

  /** One watch connection; true if it delivered anything. */
  private async watch(signal: AbortSignal): Promise<boolean> {
    const ac = new AbortController();
    const onAbort = () => ac.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const idleMs = this.options.idleTimeoutMs ?? 90_000;
    let idle: NodeJS.Timeout | undefined;
    const touch = () => {
      if (idle) clearTimeout(idle);
      idle = setTimeout(() => ac.abort(), idleMs);
      idle.unref();
    };
    let got = false;
    try {
      touch();
      const res = await this.client.stream({
        path: resourcePath(this.resource, undefined),
        query: { watch: 'true', resourceVersion: this.rv, allowWatchBookmarks: 'true', timeoutSeconds: 300 + Math.floor(Math.random() * 300) },
        accept: PARTIAL_ACCEPT,
        signal: ac.signal,
        noRateLimit: true,
      });
      res.setEncoding('utf8');
      let buf = '';
      for await (const chunk of res as AsyncIterable<string>) {
        touch();
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (!line) continue;
          got = true;
          this.dispatch(line);
        }
      }
    } catch (err) {
      if (ac.signal.aborted && !(err instanceof ApiError)) return got;
      throw err;
    } finally {
      if (idle) clearTimeout(idle);
      signal.removeEventListener('abort', onAbort);
      ac.abort();
    }
    return got;
  }

  private dispatch(line: string): void {
    const ev = JSON.parse(line) as { type?: string; object?: KubeObject };
    const obj = ev.object;
    if (ev.type === 'ERROR') {
      if (isStatus(obj)) throw new ApiError(obj);
      throw ApiError.fromResponse(500, line, 'WATCH', this.resource.plural);
    }
    const rv = obj?.metadata?.resourceVersion;
    if (obj) {
      if (ev.type === 'ADDED' || ev.type === 'MODIFIED') this.observe(obj);
      else if (ev.type === 'DELETED' && obj.metadata?.uid) this.forget(obj.metadata.uid);
    }
    if (rv) this.rv = rv;
  }
}
