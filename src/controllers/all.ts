// Every controller the controller manager runs, fresh instances each call (a controller may keep
// per-run state such as timers).

import { cronJobController } from './cronjob/index.js';
import { daemonSetController } from './daemonset/index.js';
import { deploymentController } from './deployment/controller.js';
import { newDisruptionController } from './disruption/index.js';
import { newEndpointsController } from './endpoints/index.js';
import { newEndpointSliceController } from './endpointslice/index.js';
import { newGarbageCollectorController } from './garbagecollector/index.js';
import { jobController, ttlAfterFinishedController } from './job/index.js';
import { newNamespaceController } from './namespace/index.js';
import { newNodeLifecycleController } from './nodelifecycle/index.js';
import { newPodGCController } from './podgc/index.js';
import { replicaSetController, replicationControllerController } from './replicaset/controller.js';
import { newResourceQuotaController } from './resourcequota/index.js';
import { newServiceAccountController } from './serviceaccount/index.js';
import { statefulSetController } from './statefulset/index.js';
import type { Controller } from './types.js';

export function allControllers(): Controller[] {
  return [
    replicaSetController(),
    replicationControllerController(),
    deploymentController(),
    daemonSetController,
    statefulSetController,
    jobController,
    ttlAfterFinishedController,
    cronJobController,
    newEndpointsController(),
    newEndpointSliceController(),
    newNodeLifecycleController(),
    newNamespaceController(),
    newGarbageCollectorController(),
    newServiceAccountController(),
    newPodGCController(),
    newResourceQuotaController(),
    newDisruptionController(),
  ];
}
