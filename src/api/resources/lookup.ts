// Resolving what a user types (`po`, `pods`, `Pod`, `deploy.apps`, `deployments.v1.apps`) to a resource.

import type { Registry, ResourceDef } from '../registry.js';

function names(def: ResourceDef): string[] {
  return [def.plural, def.singular, def.kind.toLowerCase(), ...(def.shortNames ?? [])];
}

/**
 * The resource a name refers to, case-insensitively, by plural, singular, kind or short name,
 * optionally qualified as `name.group` or `name.version.group`. When several groups share a name
 * (`events`, `ev`) the first declared wins, which puts core first as kubectl does.
 */
export function findResource(registry: Registry, input: string): ResourceDef | undefined {
  const q = input.trim().toLowerCase();
  if (!q) return undefined;
  const all = registry.all();
  const unqualified = all.find((d) => names(d).includes(q));
  if (unqualified) return unqualified;
  for (const d of all) {
    if (!d.group) continue;
    for (const n of names(d)) {
      if (q === `${n}.${d.group}` || q === `${n}.${d.version}.${d.group}`) return d;
    }
  }
  return undefined;
}

/** Every resource in a category (`all`), in declaration order. */
export function resourcesInCategory(registry: Registry, category: string): ResourceDef[] {
  return registry.all().filter((d) => d.categories?.includes(category));
}
