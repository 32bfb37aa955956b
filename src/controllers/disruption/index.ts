// Disruption controller: PodDisruptionBudget status.

export { disruptionController, newDisruptionController, DisruptionController, controllerScale, podsForBudget, type DisruptionControllerOptions } from './controller.js';
export {
  pdbStatus,
  statusChanged,
  expectation,
  scaledValue,
  countHealthy,
  liveDisruptedPods,
  CONDITION_DISRUPTION_ALLOWED,
  REASON_SUFFICIENT_PODS,
  REASON_INSUFFICIENT_PODS,
  REASON_SYNC_FAILED,
} from './status.js';
