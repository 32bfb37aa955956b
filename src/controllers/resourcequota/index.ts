// ResourceQuota controller: status.hard and status.used from the namespace's objects.

export { resourceQuotaController, newResourceQuotaController, ResourceQuotaController, RESOURCE_QUOTAS, type ResourceQuotaControllerOptions } from './controller.js';
export { quotaStatus, usageOf, podResources, podCountsForQuota, podMatchesScope, isBestEffort, sameResourceList, type NamespaceObjects, type ResourceList } from './usage.js';
