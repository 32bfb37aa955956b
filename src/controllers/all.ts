// Every controller the controller manager can run (the integrator extends this list).

import { deploymentController } from './deployment/controller.js';
import { replicaSetController, replicationControllerController } from './replicaset/controller.js';
import type { Controller } from './types.js';

export function allControllers(): Controller[] {
  return [replicaSetController(), replicationControllerController(), deploymentController()];
}
