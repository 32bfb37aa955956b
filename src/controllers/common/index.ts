// Shared pieces of the workload controllers.

export { controllerKey, controllerRef, getControllerOf, splitKey, type OwnerKind } from './keys.js';
export { filterActivePods, isPodActive, isPodAvailable, isPodReady, podCondition, podReadySince, podRestarts } from './pods.js';
export { Expectations, EXPECTATIONS_TTL_MS } from './expectations.js';
export { slowStartBatch, type SlowStartResult } from './slowstart.js';
export { PodControl, errorMessage, podFromTemplate, type PodControlOptions } from './podcontrol.js';
export { claimObjects, planClaim, recheckOwner, type ClaimOptions, type ClaimPlan } from './controllerref.js';
export { QueueLoop, type QueueLoopOptions } from './loop.js';
export { CONTROLLER_UID_INDEX, indexByControllerUid } from './indexes.js';
