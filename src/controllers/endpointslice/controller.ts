// The EndpointSlice controller: for each Service with a selector, EndpointSlices (at most 100
// endpoints each) listing its pods with ready/serving/terminating conditions.

import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { KubeObject } from '../../api/registry.js';
import {
  ENDPOINT_SLICES,
  NODES,
  PODS,
  ResourceClient,
  SERVICES,
  indexByLabel,
  isNotFound,
  objectOf,
  splitKey,
  type Lister,
} from '../../client/index.js';
import { QueueLoop } from '../common/index.js';
import { isApiserverService, managesService, selectorMatches } from '../endpoints/pods.js';
import { servicesForPod } from '../endpoints/controller.js';
import type { Controller, ControllerContext } from '../types.js';
import { CONTROLLER_NAME, LABEL_MANAGED_BY, LABEL_SERVICE_NAME, LABEL_ZONE, reconcileSlices } from './slices.js';
import { SliceTracker } from './tracker.js';

type ServiceObj = Service & KubeObject;
type PodObj = Pod & KubeObject;
type NodeObj = Node & KubeObject;
type SliceObj = EndpointSlice & KubeObject;

const SERVICE_NAME_INDEX = 'serviceName';

export interface EndpointSliceControllerOptions {
  maxEndpointsPerSlice?: number;
}

export class EndpointSliceController {
  private services!: Lister<ServiceObj>;
  private pods!: Lister<PodObj>;
  private nodes!: Lister<NodeObj>;
  private slices!: Lister<SliceObj>;
  private client!: ResourceClient<SliceObj>;
  private readonly tracker = new SliceTracker();
  readonly loop = new QueueLoop({ name: 'endpointslice', sync: (key) => this.sync(key), maxRetries: 15 });

  constructor(private readonly options: EndpointSliceControllerOptions = {}) {}

  start(ctx: ControllerContext): void {
    const svcInf = ctx.informers.informerFor<ServiceObj>(SERVICES);
    const podInf = ctx.informers.informerFor<PodObj>(PODS);
    const nodeInf = ctx.informers.informerFor<NodeObj>(NODES);
    const sliceInf = ctx.informers.informerFor<SliceObj>(ENDPOINT_SLICES, { indexers: { [SERVICE_NAME_INDEX]: indexByLabel(LABEL_SERVICE_NAME) } });
    this.services = svcInf.lister;
    this.pods = podInf.lister;
    this.nodes = nodeInf.lister;
    this.slices = sliceInf.lister;
    this.client = new ResourceClient<SliceObj>(ctx.client, ENDPOINT_SLICES);

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
    const sliceChanged = (s: SliceObj) => {
      const svc = s.metadata?.labels?.[LABEL_SERVICE_NAME];
      if (svc && s.metadata?.labels?.[LABEL_MANAGED_BY] === CONTROLLER_NAME) this.loop.enqueueKey(`${s.metadata?.namespace}/${svc}`);
    };
    sliceInf.addEventHandler({
      onAdd: sliceChanged,
      onUpdate: (_o, s) => sliceChanged(s),
      onDelete: (s) => sliceChanged(objectOf(s)),
    });
    this.loop.start(ctx, [svcInf, podInf, nodeInf, sliceInf]);
  }

  private podChanged(pod: PodObj, old?: PodObj): void {
    const services = this.services.listNamespace(pod.metadata?.namespace ?? '');
    const keys = new Set(servicesForPod(services, pod));
    if (old) for (const k of servicesForPod(services, old)) keys.add(k);
    for (const k of keys) this.loop.enqueueKey(k);
  }

  private serviceSlices(namespace: string, name: string): SliceObj[] {
    return this.slices.byIndex(SERVICE_NAME_INDEX, name).filter((s) => s.metadata?.namespace === namespace);
  }

  async sync(key: string): Promise<void> {
    const { namespace = '', name } = splitKey(key);
    if (!this.tracker.caughtUp(key, (n) => this.slices.get(namespace, n))) {
      // Our last writes are not in the cache yet: look again shortly.
      this.loop.enqueueAfter(key, 100);
      return;
    }
    const svc = this.services.get(namespace, name);
    if (!svc || isApiserverService(svc) || !managesService(svc)) {
      // The Service is gone (or no longer selects pods): its managed slices go.
      const ours = this.serviceSlices(namespace, name).filter((s) => s.metadata?.labels?.[LABEL_MANAGED_BY] === CONTROLLER_NAME);
      if (svc && isApiserverService(svc)) return;
      for (const s of ours) await this.deleteSlice(key, s);
      if (!svc) this.tracker.forget(key);
      return;
    }
    const pods = this.pods.listNamespace(namespace).filter((p) => selectorMatches(svc, p));
    const plan = reconcileSlices(svc, pods, this.serviceSlices(namespace, name), {
      ...(this.options.maxEndpointsPerSlice ? { maxEndpointsPerSlice: this.options.maxEndpointsPerSlice } : {}),
      zoneOf: (n) => this.nodes.get(undefined, n)?.metadata?.labels?.[LABEL_ZONE],
    });
    // Creates first, then updates, then deletes: consumers never see the endpoints vanish.
    for (const s of plan.create) this.tracker.written(key, await this.client.create(namespace, s as SliceObj));
    for (const s of plan.update) this.tracker.written(key, await this.client.update(namespace, s as SliceObj));
    for (const s of plan.delete) await this.deleteSlice(key, s);
  }

  private async deleteSlice(key: string, s: EndpointSlice): Promise<void> {
    const n = s.metadata?.name ?? '';
    try {
      await this.client.delete(s.metadata?.namespace, n, s.metadata?.uid ? { preconditions: { uid: s.metadata.uid } } : {});
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    this.tracker.deleted(key, n);
  }
}

export function newEndpointSliceController(options: EndpointSliceControllerOptions = {}): Controller {
  return {
    name: 'endpointslice',
    start(ctx: ControllerContext) {
      new EndpointSliceController(options).start(ctx);
    },
  };
}

/** Upstream's "endpointslice" controller. */
export const endpointSliceController: Controller = newEndpointSliceController();
