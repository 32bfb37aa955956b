// ServiceAccount controller: a `default` ServiceAccount in every active namespace.

export { serviceAccountController, newServiceAccountController, type ServiceAccountControllerOptions } from './controller.js';
export { DEFAULT_SERVICE_ACCOUNTS, isNamespaceActive, missingServiceAccounts } from './reconcile.js';
