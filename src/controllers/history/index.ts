// ControllerRevision history shared by the StatefulSet and DaemonSet controllers.

export { Fnv32a, hashRevisionData, safeEncodeString } from './hash.js';
export { canonicalJSON, sortKeys } from './json.js';
export { applyRevision, revisionTemplate, templatePatch } from './patch.js';
export {
  CONTROLLER_REVISION_HASH_LABEL,
  POD_REVISION_LABEL,
  controllerOf,
  controllerRevisionName,
  equalRevision,
  findEqualRevisions,
  hashControllerRevision,
  maxRevision,
  newControllerRevision,
  nextRevision,
  revisionData,
  revisionsToTruncate,
  sortControllerRevisions,
  type OwnerKind,
} from './revision.js';
export {
  CONTROLLER_REVISIONS,
  createControllerRevision,
  deleteControllerRevision,
  updateControllerRevision,
  type CreatedRevision,
} from './client.js';
