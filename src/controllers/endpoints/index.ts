// Endpoints controller: Service selector + pods → Endpoints subsets.

export { endpointsController, newEndpointsController, EndpointsController, servicesForPod } from './controller.js';
export { desiredEndpoints, desiredSubsets, endpointsUpToDate, podEndpointPorts, truncateSubsets, MAX_ENDPOINTS_CAPACITY, ANNOTATION_OVER_CAPACITY } from './subsets.js';
export {
  endpointsLabels,
  findPort,
  ipFamilyOf,
  isApiserverService,
  isHeadless,
  isPodReady,
  isPodTerminal,
  managesService,
  podIPOf,
  selectorMatches,
  serviceIPFamily,
  shouldPodBeInEndpoints,
  shouldSetHostname,
  LABEL_HEADLESS,
  type IPFamily,
} from './pods.js';
