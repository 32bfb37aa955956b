// Field ownership bookkeeping for one write (structured-merge-diff's Updater): who owns what
// after an update, and the merged, pruned object plus conflicts for an apply.
import type { SchemaNode } from '../../api/schema/types.js';
import { FieldSet, type Path } from './fieldpath.js';
import { deepEqual, type JsonObject, type JsonValue } from './json.js';
import { compare, ensureNamedFieldsAreMembers, merge, removeItems, toFieldSet, type Comparison } from './typed.js';

export interface VersionedSet {
  set: FieldSet;
  apiVersion: string;
  applied: boolean;
}
/** Manager identity (see managedfields.ts) → the fields it owns. */
export type Managers = Map<string, VersionedSet>;

export interface Conflict {
  manager: string;
  path: Path;
}

/** An apply would change fields other managers own. */
export class ConflictsError extends Error {
  override name = 'ConflictsError';
  constructor(readonly conflicts: Conflict[]) {
    super(`${conflicts.length} conflict(s)`);
  }
}

export interface UpdaterOptions {
  schema: SchemaNode | undefined;
  /** Fields never owned by anyone for this write (recursively), e.g. status on main-resource writes. */
  ignored: FieldSet;
}

function filtered(s: FieldSet, ignored: FieldSet): FieldSet {
  return ignored.empty() ? s : s.recursiveDifference(ignored);
}

/** Compare old and new; take changed fields away from other managers (or report conflicts). */
function update(
  oldObj: JsonValue,
  newObj: JsonValue,
  managers: Managers,
  workflow: string,
  force: boolean,
  opts: UpdaterOptions,
): { managers: Managers; cmp: Comparison } {
  const raw = compare(oldObj, newObj, opts.schema);
  const cmp: Comparison = {
    removed: filtered(raw.removed, opts.ignored),
    modified: filtered(raw.modified, opts.ignored),
    added: filtered(raw.added, opts.ignored),
  };
  const changed = cmp.modified.union(cmp.added);
  const conflicts: Conflict[] = [];
  const out: Managers = new Map(managers);
  for (const [manager, vs] of managers) {
    if (manager === workflow) continue;
    const conflictSet = vs.set.intersection(changed);
    if (!conflictSet.empty()) {
      for (const path of conflictSet.paths()) conflicts.push({ manager, path });
    }
    let set = vs.set;
    if (!conflictSet.empty()) set = set.difference(conflictSet);
    if (!cmp.removed.empty()) set = set.difference(cmp.removed);
    out.set(manager, { ...vs, set });
  }
  if (!force && conflicts.length > 0) throw new ConflictsError(conflicts);
  for (const [m, vs] of out) if (vs.set.empty()) out.delete(m);
  return { managers: out, cmp };
}

/** Ownership after a create/update/patch by `manager`: it owns what it changed, others lose it. */
export function updateOwnership(
  live: JsonValue,
  newObj: JsonValue,
  apiVersion: string,
  managers: Managers,
  manager: string,
  opts: UpdaterOptions,
): Managers {
  const { managers: out, cmp } = update(live, newObj, managers, manager, true, opts);
  const prev = out.get(manager)?.set ?? new FieldSet();
  const set = filtered(prev.difference(cmp.removed).union(cmp.modified).union(cmp.added), opts.ignored);
  if (set.empty()) out.delete(manager);
  else out.set(manager, { set, apiVersion, applied: false });
  return out;
}

/**
 * Apply `config` as `manager`: merge it over `live`, drop fields the manager applied last time
 * but omits now (unless someone else owns them), and take ownership of its fields.
 * Returns object null when the result equals `live`. Throws ConflictsError unless `force`.
 */
export function applyOwnership(
  live: JsonObject,
  config: JsonObject,
  apiVersion: string,
  managers: Managers,
  manager: string,
  force: boolean,
  opts: UpdaterOptions,
): { object: JsonObject | null; managers: Managers } {
  let merged = (merge(live, config, opts.schema) ?? {}) as JsonObject;
  const lastSet = managers.get(manager);
  const next: Managers = new Map(managers);
  next.set(manager, { set: filtered(toFieldSet(config, opts.schema), opts.ignored), apiVersion, applied: true });
  merged = prune(merged, next, lastSet, opts.schema);
  const { managers: out } = update(live, merged, next, manager, force, opts);
  return { object: deepEqual(live, merged) ? null : merged, managers: out };
}

function prune(merged: JsonObject, managers: Managers, lastSet: VersionedSet | undefined, schema: SchemaNode | undefined): JsonObject {
  if (!lastSet || lastSet.set.empty()) return merged;
  const ensure = (s: FieldSet) => ensureNamedFieldsAreMembers(s, schema);
  const strip = (v: JsonObject, s: FieldSet) => (removeItems(v, s, schema) ?? {}) as JsonObject;
  const last = ensure(lastSet.set);
  let pruned = strip(merged, last);
  // Add back whatever anyone (including the new config) still owns.
  let managed = new FieldSet();
  for (const vs of managers.values()) managed = managed.union(vs.set);
  const mergedSet = ensure(toFieldSet(merged, schema));
  pruned = strip(merged, mergedSet.difference(ensure(toFieldSet(pruned, schema)).union(ensure(managed))));
  // Only remove what the applier owned last time (leave unowned and updater-owned fields).
  const prunedSet = ensure(toFieldSet(pruned, schema));
  return strip(merged, mergedSet.difference(prunedSet).intersection(last));
}
