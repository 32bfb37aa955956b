// The Endpoints controller: for each Service with a selector, one Endpoints object of the same
// name listing the selected pods' addresses (ready and not ready) and resolved ports.

import type { Endpoints, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/registry.js';
import { ENDPOINTS, PODS, ResourceClient, SERVICES, isNotFound, objectOf, splitKey, type Lister } from '../../client/index.js';
import { QueueLoop } from '../common/index.js';
import type { Controller, ControllerContext } from '../types.js';
import { isApiserverService, managesService, selectorMatches } from './pods.js';
import { desiredEndpoints, endpointsUpToDate } from './subsets.js';

type ServiceObj = Service & KubeObject;
type PodObj = Pod & KubeObject;
type EndpointsObj = Endpoints & KubeObject;

/** Keys (namespace/name) of the Services in the pod's namespace whose selector matches it. */
export function servicesForPod(services: Service[], pod: Pod): string[] {
  return services.filter((s) => managesService(s) && selectorMatches(s, pod)).map((s) => `${s.metadata?.namespace}/${s.metadata?.name}`);
}

export class EndpointsController {
  private services!: Lister<ServiceObj>;
  private pods!: Lister<PodObj>;
  private endpoints!: Lister<EndpointsObj>;
  private client!: ResourceClient<EndpointsObj>;
  readonly loop = new QueueLoop({ name: 'endpoint', sync: (key) => this.sync(key), maxRetries: 15 });

  start(ctx: ControllerContext): void {
    const svcInf = ctx.informers.informerFor<ServiceObj>(SERVICES);
    const podInf = ctx.informers.informerFor<PodObj>(PODS);
    const epInf = ctx.informers.informerFor<EndpointsObj>(ENDPOINTS);
    this.services = svcInf.lister;
    this.pods = podInf.lister;
    this.endpoints = epInf.lister;
    this.client = new ResourceClient<EndpointsObj>(ctx.client, ENDPOINTS);

    svcInf.addEventHandler({
      onAdd: (s) => this.loop.enqueue(s),
      onUpdate: (_o, s) => this.loop.enqueue(s),
      onDelete: (s) => this.loop.enqueue(objectOf(s)),
    });
    podInf.addEventHandler({
      onAdd: (p) => this.podChanged(p),
      onUpdate: (old, p) => {
        if (old === p || old.metadata?.resourceVersion === p.metadata?.resourceVersion) return;
        this.podChanged(p, old);
      },
      onDelete: (p) => this.podChanged(objectOf(p)),
    });
    epInf.addEventHandler({
      // Someone deleted or changed an Endpoints object we own: look at its Service again.
      onUpdate: (_o, e) => {
        if (this.services.get(e.metadata?.namespace, e.metadata?.name ?? '')) this.loop.enqueue(e);
      },
      onDelete: (e) => {
        const o = objectOf(e);
        if (this.services.get(o.metadata?.namespace, o.metadata?.name ?? '')) this.loop.enqueue(o);
      },
    });
    this.loop.start(ctx, [svcInf, podInf, epInf]);
  }

  private podChanged(pod: PodObj, old?: PodObj): void {
    const ns = pod.metadata?.namespace ?? '';
    const services = this.services.listNamespace(ns);
    const keys = new Set(servicesForPod(services, pod));
    if (old) for (const k of servicesForPod(services, old)) keys.add(k);
    for (const k of keys) this.loop.enqueueKey(k);
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const svc = this.services.get(namespace, name);
    if (!svc) {
      // The Service is gone: so are its endpoints (unless it is the apiserver's).
      if (namespace === 'default' && name === 'kubernetes') return;
      if (!this.endpoints.get(namespace, name)) return;
      try {
        await this.client.delete(namespace, name);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      return;
    }
    if (isApiserverService(svc) || !managesService(svc)) return;
    const pods = this.pods.listNamespace(namespace ?? '').filter((p) => selectorMatches(svc, p));
    const desired = desiredEndpoints(svc, pods) as EndpointsObj;
    const current = this.endpoints.get(namespace, name);
    if (current && endpointsUpToDate(current, desired)) return;
    if (!current) {
      await this.client.create(namespace, desired);
      return;
    }
    const annotations = { ...(current.metadata?.annotations ?? {}), ...(desired.metadata?.annotations ?? {}) };
    if (!desired.metadata?.annotations) delete annotations['endpoints.kubernetes.io/over-capacity'];
    await this.client.update(namespace, {
      ...current,
      metadata: { ...current.metadata, labels: desired.metadata?.labels ?? {}, annotations },
      subsets: desired.subsets ?? [],
    } as EndpointsObj);
  }
}

export function newEndpointsController(): Controller {
  return {
    name: 'endpoint',
    start(ctx) {
      new EndpointsController().start(ctx);
    },
  };
}

/** Upstream's "endpoint" controller. */
export const endpointsController: Controller = newEndpointsController();

