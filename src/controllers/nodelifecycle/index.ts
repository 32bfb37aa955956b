// Node lifecycle: Lease/status heartbeats → Ready Unknown, condition taints, taint-based eviction.

export { nodeLifecycleController, newNodeLifecycleController, NodeLifecycle, NODE_LEASE_NAMESPACE, type NodeLifecycleControllerOptions } from './controller.js';
export { realClock, FakeClock, rfc3339, type Clock } from './clock.js';
export {
  observeHealth,
  staleConditions,
  remainingGraceMs,
  nodeCondition,
  MONITORED_CONDITIONS,
  REASON_STATUS_UNKNOWN,
  MESSAGE_STATUS_UNKNOWN,
  REASON_NEVER_UPDATED,
  MESSAGE_NEVER_UPDATED,
  type NodeHealth,
} from './health.js';
export {
  reconcileTaints,
  desiredNoExecuteKey,
  desiredNoScheduleKeys,
  TAINT_NOT_READY,
  TAINT_UNREACHABLE,
  TAINT_UNSCHEDULABLE,
  TAINT_MEMORY_PRESSURE,
  TAINT_DISK_PRESSURE,
  TAINT_NETWORK_UNAVAILABLE,
  TAINT_PID_PRESSURE,
} from './taints.js';
export { decideEviction, toleratesTaint, matchingTolerations, minTolerationMs, noExecuteTaints, type EvictionDecision } from './eviction.js';
export { podNotReadyConditions, disruptionTargetConditions, DISRUPTION_TARGET } from './pods.js';
