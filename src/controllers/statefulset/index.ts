// The StatefulSet controller and its pure parts.

export { statefulSetController, StatefulSetController } from './controller.js';
export {
  POD_INDEX_LABEL,
  POD_NAME_LABEL,
  STATEFUL_SET_KIND,
  STATEFUL_SET_REVISION_LABEL,
  claimName,
  claimOwnerMatchesSetAndPod,
  claimOwnerRefs,
  claimsFor,
  getOrdinal,
  identityMatches,
  isMemberOf,
  newStatefulSetPod,
  newVersionedPod,
  podName,
  storageMatches,
} from './identity.js';
export { allowsBurst, completeRollingUpdate, planStatefulSet, statusChanged, type StatefulSetAction, type StatefulSetPlan, type StatefulSetState } from './plan.js';
export { decideUpdateRevision, getStatefulSetRevisions, newRevision, revisionsToDelete } from './revisions.js';
