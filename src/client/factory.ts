// InformerFactory: one SharedInformer per resource + namespace + selectors, started and stopped together.

import type { KubeObject } from '../api/registry.js';
import { SharedInformer, type InformerOptions } from './informer.js';
import type { ResourceRef } from './resource.js';
import type { RestClient } from './rest.js';

export interface InformerFactoryOptions {
  /** Default namespace for informers (default: all). */
  namespace?: string;
  resyncPeriodMs?: number;
  onError?: (err: unknown) => void;
}

export type InformerForOptions<T extends KubeObject> = Pick<InformerOptions<T>, 'namespace' | 'labelSelector' | 'fieldSelector' | 'indexers' | 'resyncPeriodMs'>;

export class InformerFactory {
  private readonly informers = new Map<string, SharedInformer<any>>();
  private running = false;

  constructor(
    readonly client: RestClient,
    readonly options: InformerFactoryOptions = {},
  ) {}

  /**
   * The shared informer for this resource and selection (created on first use). Indexers given here
   * are added to the shared informer. Informers created after start() start at once.
   */
  informerFor<T extends KubeObject = KubeObject>(ref: ResourceRef, opts: InformerForOptions<T> = {}): SharedInformer<T> {
    const namespace = opts.namespace ?? this.options.namespace;
    const key = [ref.group, ref.version, ref.plural, namespace ?? '', opts.labelSelector ?? '', opts.fieldSelector ?? ''].join('|');
    let inf = this.informers.get(key) as SharedInformer<T> | undefined;
    if (!inf) {
      const io: InformerOptions<T> = {};
      if (namespace) io.namespace = namespace;
      if (opts.labelSelector) io.labelSelector = opts.labelSelector;
      if (opts.fieldSelector) io.fieldSelector = opts.fieldSelector;
      const resync = opts.resyncPeriodMs ?? this.options.resyncPeriodMs;
      if (resync) io.resyncPeriodMs = resync;
      if (this.options.onError) io.onError = this.options.onError;
      inf = new SharedInformer<T>(this.client, ref, io);
      this.informers.set(key, inf);
      if (this.running) inf.start();
    }
    if (opts.indexers) inf.addIndexers(opts.indexers);
    return inf;
  }

  /** Start every informer not yet started. */
  start(): void {
    this.running = true;
    for (const inf of this.informers.values()) inf.start();
  }

  /** Resolves when every informer created so far has synced. */
  async waitForSync(signal?: AbortSignal): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.waitForSync(signal)));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }
}

/** Resolves when all the given informers have synced. */
export async function waitForCacheSync(informers: Array<{ waitForSync(signal?: AbortSignal): Promise<void> }>, signal?: AbortSignal): Promise<void> {
  await Promise.all(informers.map((i) => i.waitForSync(signal)));
}
