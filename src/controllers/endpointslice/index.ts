// EndpointSlice controller: Service selector + pods → EndpointSlices.

export { endpointSliceController, newEndpointSliceController, EndpointSliceController, type EndpointSliceControllerOptions } from './controller.js';
export {
  reconcileSlices,
  desiredEndpointGroups,
  endpointPorts,
  podToEndpoint,
  endpointKey,
  portsKey,
  isManagedSlice,
  sliceLabels,
  serviceOwnerRef,
  LABEL_SERVICE_NAME,
  LABEL_MANAGED_BY,
  CONTROLLER_NAME,
  MAX_ENDPOINTS_PER_SLICE,
  type SlicePlan,
  type ReconcileOptions,
} from './slices.js';
export { SliceTracker } from './tracker.js';
