// Server-side apply (application/apply-patch+yaml): merge the applied configuration into the
// live object under the schema's list/map semantics, track ownership in managedFields, and
// refuse (409) to change fields other managers own unless forced.
import type { SchemaNode } from '../../api/schema/types.js';
import { StatusError } from '../../api/status.js';
import { FieldSet, pathString } from './fieldpath.js';
import { deepCopy, deepEqual, isObject, type JsonObject, type JsonValue } from './json.js';
import {
  BEFORE_FIRST_APPLY,
  decodeManagedFields,
  encodeManagedFields,
  formatTime,
  ignoredSet,
  managerId,
  printManager,
  recordUpdate,
  setManagedFields,
  stripMeta,
  withoutManagedFields,
  zeroSkeleton,
  type Managed,
  type ManagedFieldsEntry,
} from './managedfields.js';
import { compare, toFieldSet, TypedError } from './typed.js';
import { applyOwnership, ConflictsError, type Conflict } from './updater.js';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

export interface ApplyOptions {
  /** The stored object, or null when the apply creates it. */
  live: object | null;
  /** The applied configuration (decoded body). */
  applied: object;
  /** fieldManager (required for apply). */
  manager: string;
  force: boolean;
  schema: SchemaNode | undefined;
  now: Date;
  /** "group/version" of the request, e.g. "apps/v1". */
  apiVersion: string;
  subresource?: string;
  /** Top-level paths reset by this write, e.g. [["status"]] for main-resource writes. */
  ignoredPaths?: string[][];
}

export interface ApplyResult {
  /** The new object, carrying its managedFields. */
  object: JsonObject;
  managedFields: ManagedFieldsEntry[];
  /** False when nothing (object or managedFields) changed: no write is needed. */
  changed: boolean;
}

/** Build the 409 upstream returns for apply conflicts. */
export function conflictError(conflicts: Conflict[]): StatusError {
  const causes = conflicts.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${printManager(c.manager)}`,
    field: pathString(c.path),
  }));
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0].manager)}: ${pathString(conflicts[0].path)}`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) byManager.set(c.manager, [...(byManager.get(c.manager) ?? []), pathString(c.path)]);
    const lines: string[] = [];
    for (const m of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${printManager(m)}:`);
      for (const p of byManager.get(m)!) lines.push(`- ${p}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new StatusError(409, 'Conflict', message, { causes });
}

/** Go's json.Marshal of decoded JSON: sorted keys, HTML-safe escapes. */
function goMarshal(v: JsonValue): string {
  if (Array.isArray(v)) return `[${v.map(goMarshal).join(',')}]`;
  if (isObject(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${goMarshal(k)}:${goMarshal(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function lastApplied(obj: JsonObject): string | undefined {
  const ann = isObject(obj.metadata) ? obj.metadata.annotations : undefined;
  const v = isObject(ann) ? ann[LAST_APPLIED_ANNOTATION] : undefined;
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/**
 * Conflicts a "kubectl" apply may override: fields of the last client-side applied configuration
 * whose value is still what it said (upstream's client-side → server-side apply upgrade path).
 */
function allowedFromLastApplied(live: JsonObject, apiVersion: string, schema: SchemaNode | undefined): FieldSet | undefined {
  const raw = lastApplied(live);
  if (!raw) return undefined;
  let obj: unknown;
  try {
    obj = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!isObject(obj) || obj.apiVersion !== apiVersion) return undefined;
  const cmp = compare(obj, withoutManagedFields(live), schema);
  return toFieldSet(obj, schema).difference(cmp.modified).difference(cmp.added).difference(cmp.removed);
}

/**
 * Server-side apply. Returns the new object and its managedFields, or throws StatusError:
 * 409 Conflict (details.causes FieldManagerConflict) for fields owned by other managers,
 * 400 for a malformed configuration, 500 when the configuration does not fit the schema.
 */
export function applyPatch(o: ApplyOptions): ApplyResult {
  const applied = o.applied as JsonObject;
  const live = o.live as JsonObject | null;
  if (isObject(applied.metadata) && applied.metadata.managedFields !== undefined && applied.metadata.managedFields !== null) {
    throw new StatusError(400, 'BadRequest', 'metadata.managedFields must be nil');
  }
  let decoded: Managed;
  try {
    decoded = decodeManagedFields(live && isObject(live.metadata) ? live.metadata.managedFields : undefined);
  } catch (e) {
    throw new StatusError(500, '', `failed to decode managed fields: ${(e as Error).message}`);
  }
  const liveObj = live ? withoutManagedFields(live) : {};
  const config = deepCopy(applied);
  const now = formatTime(o.now);
  const ignored = ignoredSet(o.ignoredPaths);
  const ident = managerId(o.manager, 'Apply', o.apiVersion, o.subresource);

  const run = (force: boolean): { object: JsonObject; managed: Managed } => {
    const m: Managed = { managers: new Map(decoded.managers), times: new Map(decoded.times) };
    let base = liveObj;
    if (m.managers.size === 0) {
      // Fields that predate tracking are attributed to "before-first-apply".
      const before = managerId(BEFORE_FIRST_APPLY, 'Update', o.apiVersion, o.subresource);
      recordUpdate(m, zeroSkeleton(liveObj, o.schema), liveObj, before, o.apiVersion, o.schema, ignored, now);
      base = liveObj;
    }
    const res = applyOwnership(base, config, o.apiVersion, m.managers, ident, force, { schema: o.schema, ignored });
    m.managers = res.managers;
    stripMeta(m.managers, ident);
    let object: JsonObject;
    if (res.object) {
      m.times.set(ident, now);
      object = res.object;
    } else {
      object = deepCopy(liveObj);
    }
    return { object, managed: m };
  };

  let out: { object: JsonObject; managed: Managed };
  try {
    try {
      out = run(o.force);
    } catch (e) {
      if (!(e instanceof ConflictsError) || o.manager !== 'kubectl' || !live) throw e;
      const allowed = allowedFromLastApplied(live, o.apiVersion, o.schema);
      if (!allowed) throw e;
      const remaining = e.conflicts.filter((c) => !allowed.has(c.path));
      if (remaining.length > 0) throw new ConflictsError(remaining);
      out = run(true);
    }
  } catch (e) {
    if (e instanceof ConflictsError) throw conflictError(e.conflicts);
    if (e instanceof TypedError) {
      throw new StatusError(500, '', `failed to create typed patch object: ${e.message}`);
    }
    throw e;
  }

  const object = out.object;
  if (o.manager === 'kubectl' && lastApplied(object)) {
    const cfg = deepCopy(applied);
    if (isObject(cfg.metadata) && isObject(cfg.metadata.annotations)) delete cfg.metadata.annotations[LAST_APPLIED_ANNOTATION];
    (object.metadata as JsonObject).annotations = {
      ...((object.metadata as JsonObject).annotations as JsonObject),
      [LAST_APPLIED_ANNOTATION]: goMarshal(cfg) + '\n',
    };
  }
  const managedFields = encodeManagedFields(out.managed);
  setManagedFields(object, managedFields);
  return { object, managedFields, changed: !live || !deepEqual(object, live) };
}
