// The resource quota controller: keeps each ResourceQuota's status (hard, used) up to date with
// what its namespace holds. Any change to a counted object re-syncs the quotas of its namespace;
// every quota is also re-synced periodically (upstream: 5 minutes).

import type { ResourceQuota } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/registry.js';
import {
  CONFIGMAPS,
  PERSISTENT_VOLUME_CLAIMS,
  PODS,
  REPLICATION_CONTROLLERS,
  ResourceClient,
  SECRETS,
  SERVICES,
  isConflict,
  isNotFound,
  objectOf,
  splitKey,
  type Lister,
  type ResourceRef,
  type SharedInformer,
} from '../../client/index.js';
import { QueueLoop } from '../common/index.js';
import type { Controller, ControllerContext } from '../types.js';
import { quotaStatus, sameResourceList, type NamespaceObjects } from './usage.js';

export const RESOURCE_QUOTAS: ResourceRef = { group: '', version: 'v1', plural: 'resourcequotas', namespaced: true };
type QuotaObj = ResourceQuota & KubeObject;

export interface ResourceQuotaControllerOptions {
  /** Full resync of every quota (upstream's resource-quota-sync-period, 5 minutes). */
  resyncPeriodMs?: number;
  now?: () => number;
}

const COUNTED: Array<[keyof NamespaceObjects, ResourceRef]> = [
  ['pods', PODS],
  ['services', SERVICES],
  ['configmaps', CONFIGMAPS],
  ['secrets', SECRETS],
  ['persistentvolumeclaims', PERSISTENT_VOLUME_CLAIMS],
  ['replicationcontrollers', REPLICATION_CONTROLLERS],
];

export class ResourceQuotaController {
  private quotas!: Lister<QuotaObj>;
  private listers = new Map<keyof NamespaceObjects, Lister<KubeObject>>();
  private client!: ResourceClient<QuotaObj>;
  readonly loop = new QueueLoop({ name: 'resourcequota', sync: (key) => this.sync(key) });

  constructor(private readonly options: ResourceQuotaControllerOptions = {}) {}

  start(ctx: ControllerContext): void {
    const quotaInf = ctx.informers.informerFor<QuotaObj>(RESOURCE_QUOTAS, { resyncPeriodMs: this.options.resyncPeriodMs ?? 5 * 60_000 });
    this.quotas = quotaInf.lister;
    this.client = new ResourceClient<QuotaObj>(ctx.client, RESOURCE_QUOTAS);
    quotaInf.addEventHandler({
      onAdd: (q) => this.loop.enqueue(q),
      onUpdate: (_o, q) => this.loop.enqueue(q),
      onDelete: (q) => this.enqueueNamespace(objectOf(q).metadata?.namespace ?? ''),
    });
    const informers: SharedInformer<KubeObject>[] = [quotaInf as unknown as SharedInformer<KubeObject>];
    for (const [name, ref] of COUNTED) {
      const inf = ctx.informers.informerFor<KubeObject>(ref);
      this.listers.set(name, inf.lister);
      informers.push(inf);
      inf.addEventHandler({
        onAdd: (o) => this.enqueueNamespace(o.metadata?.namespace ?? ''),
        onUpdate: (old, o) => {
          if (old.metadata?.resourceVersion !== o.metadata?.resourceVersion) this.enqueueNamespace(o.metadata?.namespace ?? '');
        },
        onDelete: (o) => this.enqueueNamespace(objectOf(o).metadata?.namespace ?? ''),
      });
    }
    this.loop.start(ctx, informers);
  }

  private enqueueNamespace(ns: string): void {
    for (const q of this.quotas.listNamespace(ns)) this.loop.enqueue(q);
  }

  async sync(key: string): Promise<void> {
    const { namespace = '', name } = splitKey(key);
    const q = this.quotas.get(namespace, name);
    if (!q) return;
    const list = (k: keyof NamespaceObjects) => this.listers.get(k)?.listNamespace(namespace) ?? [];
    const objs: NamespaceObjects = {
      pods: list('pods'),
      services: list('services'),
      configmaps: list('configmaps'),
      secrets: list('secrets'),
      persistentvolumeclaims: list('persistentvolumeclaims'),
      replicationcontrollers: list('replicationcontrollers'),
      resourcequotas: this.quotas.listNamespace(namespace),
    } as NamespaceObjects;
    const status = quotaStatus(q, objs, (this.options.now ?? Date.now)());
    if (sameResourceList(q.status?.hard, status.hard) && sameResourceList(q.status?.used, status.used)) return;
    try {
      await this.client.updateStatus(namespace, { ...q, status } as QuotaObj);
    } catch (err) {
      if (isNotFound(err)) return;
      // Someone else (quota admission) wrote in between: the cache will bring the new copy.
      if (isConflict(err)) return this.loop.enqueueRateLimited(key);
      throw err;
    }
  }
}

export function newResourceQuotaController(options: ResourceQuotaControllerOptions = {}): Controller {
  return {
    name: 'resourcequota',
    start(ctx: ControllerContext) {
      new ResourceQuotaController(options).start(ctx);
    },
  };
}

export const resourceQuotaController: Controller = newResourceQuotaController();

