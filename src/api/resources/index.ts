// Every built-in resource, registered once. REST routes, discovery, OpenAPI and Tables read this.

import { Registry, type ResourceDef, type Strategy } from '../registry.js';
import { appsResources } from './apps.js';
import { batchResources } from './batch.js';
import { coordinationResources } from './coordination.js';
import { coreResources } from './core.js';
import { discoveryResources } from './discovery.js';
import { eventsResources } from './events.js';
import { networkingResources } from './networking.js';
import { policyResources } from './policy.js';
import { rbacResources } from './rbac.js';
import { schedulingResources } from './scheduling.js';
import { storageResources } from './storage.js';
import { strategyFor } from '../strategies/index.js';

export { findResource, resourcesInCategory } from './lookup.js';
export { fieldGetter, supportedFieldLabels, unsupportedFieldLabels } from './selectable-fields.js';
export { labelSelectorScale, mapSelectorScale } from './scale.js';

/** Declaration order is discovery order: core first, then groups as upstream lists them. */
export const builtinResources: readonly ResourceDef[] = [
  ...coreResources,
  ...appsResources,
  ...eventsResources,
  ...batchResources,
  ...networkingResources,
  ...policyResources,
  ...rbacResources,
  ...storageResources,
  ...schedulingResources,
  ...coordinationResources,
  ...discoveryResources,
];

export const registry: Registry = new Registry();
for (const def of builtinResources) registry.add(def);

/** Attach strategies (defaulting, validation, update rules) to every declaration. */
export function setStrategies(lookup: (def: ResourceDef) => Strategy | undefined): void {
  for (const def of registry.all()) {
    const s = lookup(def);
    if (s) def.strategy = s;
  }
}

setStrategies(strategyFor);
