// PodGC: terminated pods over the threshold, pods on deleted nodes, unscheduled terminating pods.

export { podGCController, newPodGCController, PodGC, type PodGCOptions } from './controller.js';
export {
  NodeQuarantine,
  OUT_OF_SERVICE_TAINT,
  compareForTerminatedGC,
  isPodTerminated,
  missingNodes,
  terminatedPodsToDelete,
  terminatingPodsOnOutOfServiceNodes,
  unscheduledTerminatingPods,
} from './decide.js';
