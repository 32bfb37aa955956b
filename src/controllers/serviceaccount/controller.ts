// The ServiceAccount controller: every active namespace has a `default` ServiceAccount; one
// deleted is created again. Keys are namespace names.

import type { KubeObject } from '../../api/registry.js';
import { NAMESPACES, SERVICE_ACCOUNTS, isAlreadyExists, objectOf, ApiError } from '../../client/index.js';
import { QueueLoop } from '../common/index.js';
import type { Controller, ControllerContext } from '../types.js';
import { DEFAULT_SERVICE_ACCOUNTS, missingServiceAccounts } from './reconcile.js';

export interface ServiceAccountControllerOptions {
  /** Service accounts every namespace gets; default ["default"]. */
  serviceAccounts?: string[];
}

export function newServiceAccountController(options: ServiceAccountControllerOptions = {}): Controller {
  const wanted = options.serviceAccounts ?? DEFAULT_SERVICE_ACCOUNTS;
  return {
    name: 'serviceaccount',
    start(ctx: ControllerContext) {
      const namespaces = ctx.informers.informerFor(NAMESPACES);
      const accounts = ctx.informers.informerFor(SERVICE_ACCOUNTS);
      const sas = ctx.client.resource(SERVICE_ACCOUNTS);
      const loop = new QueueLoop({
        name: 'serviceaccount',
        sync: async (ns) => {
          const nsObj = namespaces.lister.get(undefined, ns);
          const have = accounts.lister.listNamespace(ns).map((sa) => sa.metadata?.name ?? '');
          for (const name of missingServiceAccounts(nsObj, have, wanted)) {
            try {
              await sas.create(ns, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } });
            } catch (e) {
              if (isAlreadyExists(e)) continue;
              // The namespace started terminating (or went) meanwhile: nothing to do.
              if (e instanceof ApiError && (e.code === 404 || (e.code === 403 && /being terminated/.test(e.message)))) continue;
              throw e;
            }
          }
        },
      });
      const wantedSet = new Set(wanted);
      namespaces.addEventHandler({
        onAdd: (ns) => loop.enqueueKey(ns.metadata?.name ?? ''),
        onUpdate: (_old, ns) => loop.enqueueKey(ns.metadata?.name ?? ''),
      });
      accounts.addEventHandler({
        onDelete: (obj) => {
          const sa: KubeObject = objectOf(obj);
          if (sa.metadata?.namespace && wantedSet.has(sa.metadata.name ?? '')) loop.enqueueKey(sa.metadata.namespace);
        },
      });
      loop.start(ctx, [namespaces, accounts]);
    },
  };
}

/** The ServiceAccount controller with upstream's defaults. */
export const serviceAccountController: Controller = newServiceAccountController();
