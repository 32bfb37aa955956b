// Namespace controller: deletes a terminating namespace's content, then finalizes the namespace.

export { namespaceController, newNamespaceController, remainingDelayMs, type NamespaceControllerOptions } from './controller.js';
export { NamespaceDeleter, ContentDeletionError, FINALIZER_KUBERNETES, deletableNamespacedResources, type DeleteResult, type Namespace } from './deleter.js';
export {
  CONDITION_TYPES,
  CONTENT_FAILURE,
  CONTENT_REMAINING,
  FINALIZERS_REMAINING,
  desiredConditions,
  mergeConditions,
  type ContentReport,
  type NamespaceCondition,
} from './conditions.js';
