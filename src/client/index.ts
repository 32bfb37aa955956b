// Public API of the k8ts client machinery. Components import from 'client/index.js' only.
//
//   const client = await RestClient.fromKubeconfig(path);            // TLS cert or token, qps 200/burst 400
//   const factory = new InformerFactory(client);
//   const pods = factory.informerFor(PODS, { indexers: { nodeName: indexByNodeName } });
//   const queue = new WorkQueue<string>();
//   pods.addEventHandler({ onAdd: (p) => queue.add(keyOf(p)), onUpdate: (_, p) => queue.add(keyOf(p)),
//                          onDelete: (p) => queue.add(keyOf(objectOf(p))) });
//   factory.start(); await factory.waitForSync();
//   await runWorkers(queue, 4, async (key) => { const { namespace, name } = splitKey(key); … });

export { ApiError, isAlreadyExists, isConflict, isExpired, isInvalid, isNotFound, isStatus, isTooManyRequests } from './errors.js';
export { defaultKubeconfigPath, loadKubeconfig, parseKubeconfig, KubeconfigError, type ClientConfig } from './kubeconfig.js';
export { TokenBucket, sleep } from './ratelimit.js';
export {
  RestClient,
  PATCH_CONTENT_TYPES,
  type PatchType,
  type Query,
  type QueryValue,
  type RawResponse,
  type RequestOptions,
  type RestClientOptions,
} from './rest.js';
export {
  ResourceClient,
  groupVersionPath,
  resourcePath,
  type DeleteOptions,
  type ListMeta,
  type ListOptions,
  type ObjectList,
  type PatchOptions,
  type ResourceRef,
  type WriteOptions,
} from './resource.js';
export * from './resources.js';
export { openWatch, type WatchEvent, type WatchEventType, type WatchHandle, type WatchHandlers, type WatchOptions } from './watch.js';
export {
  Indexer,
  NAMESPACE_INDEX,
  indexByLabel,
  indexByLabels,
  indexByNamespace,
  indexByNodeName,
  keyOf,
  splitKey,
  type IndexFunc,
  type Indexers,
} from './store.js';
export { Lister, type SelectorArg } from './lister.js';
export {
  DeletedFinalStateUnknown,
  SharedInformer,
  objectOf,
  type InformerOptions,
  type ResourceEventHandlers,
} from './informer.js';
export { runListWatch, type ListWatcher } from './list-watch.js';
export { InformerFactory, waitForCacheSync, type InformerFactoryOptions, type InformerForOptions } from './factory.js';
export {
  BucketRateLimiter,
  ExponentialFailureRateLimiter,
  MaxOfRateLimiter,
  WorkQueue,
  defaultControllerRateLimiter,
  runWorkers,
  type RateLimiter,
  type RunWorkersOptions,
  type WorkQueueOptions,
} from './workqueue.js';
export { LeaderElector, formatMicroTime, type LeaderElectionConfig } from './leaderelection.js';
export { EventRecorder, type CoreEvent, type EventRecorderOptions, type EventType } from './events.js';
