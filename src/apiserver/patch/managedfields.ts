// metadata.managedFields: encoding/decoding of entries, manager identities, and the ownership
// update for create/update/patch writes (operation "Update").
import type { SchemaNode } from '../../api/schema/types.js';
import { FieldSet, type Path } from './fieldpath.js';
import { deepCopy, isObject, type JsonObject, type JsonValue } from './json.js';
import { childSchema, isNamedField } from './schema.js';
import { updateOwnership, type Managers } from './updater.js';

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time?: string;
  fieldsType: 'FieldsV1';
  fieldsV1: JsonObject;
  subresource?: string;
}

/** Upstream keeps at most this many Update managers; older ones merge into "ancient-changes". */
export const MAX_UPDATE_MANAGERS = 10;
const ANCIENT_CHANGES = 'ancient-changes';
export const BEFORE_FIRST_APPLY = 'before-first-apply';
const MANAGER_MAX_BYTES = 128;

/** Fields never tracked, whoever writes them. */
const STRIP_SET = FieldSet.of(
  [{ field: 'apiVersion' }],
  [{ field: 'kind' }],
  [{ field: 'metadata' }],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion'].map(
    (f): Path => [{ field: 'metadata' }, { field: f }],
  ),
);

/** Remove the never-tracked fields from `manager`'s set (dropping it if nothing is left). */
export function stripMeta(managers: Managers, manager: string): void {
  const vs = managers.get(manager);
  if (!vs) return;
  const set = vs.set.difference(STRIP_SET);
  if (set.empty()) managers.delete(manager);
  else managers.set(manager, { ...vs, set });
}

/** A manager's identity: who, how, and (for Update) at which version, on which subresource. */
export function managerId(manager: string, operation: 'Apply' | 'Update', apiVersion: string, subresource?: string): string {
  const id: Record<string, string> = { manager: manager || 'unknown', operation };
  if (operation === 'Update' && apiVersion) id.apiVersion = apiVersion;
  if (subresource) id.subresource = subresource;
  return JSON.stringify(id);
}

function parseId(id: string): { manager: string; operation: 'Apply' | 'Update'; apiVersion?: string; subresource?: string } {
  return JSON.parse(id);
}

/** How conflict messages name a manager: `"kubectl"`, `"x" using apps/v1`, `"x" with subresource "status" using v1`. */
export function printManager(id: string): string {
  let e: ReturnType<typeof parseId>;
  try {
    e = parseId(id);
  } catch {
    return JSON.stringify(id);
  }
  let s = JSON.stringify(e.manager);
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === 'Update') s += ` using ${e.apiVersion ?? ''}`;
  return s;
}

export interface Managed {
  managers: Managers;
  times: Map<string, string | undefined>;
}

export function emptyManaged(): Managed {
  return { managers: new Map(), times: new Map() };
}

/** Decode metadata.managedFields; throws on malformed entries. */
export function decodeManagedFields(entries: unknown): Managed {
  const out = emptyManaged();
  if (entries === undefined || entries === null) return out;
  if (!Array.isArray(entries)) throw new Error('managedFields must be a list');
  entries.forEach((raw, i) => {
    if (!isObject(raw)) throw new Error(`managed fields entry ${i} must be an object`);
    const op = raw.operation;
    if (op !== 'Apply' && op !== 'Update') throw new Error('operation must be `Apply` or `Update`');
    if (typeof raw.apiVersion !== 'string' || raw.apiVersion.length < 1) throw new Error('apiVersion must not be empty');
    if (raw.fieldsType === undefined || raw.fieldsType === '') throw new Error(`missing fieldsType in managed fields entry ${i}`);
    if (raw.fieldsType !== 'FieldsV1') throw new Error(`invalid fieldsType ${JSON.stringify(raw.fieldsType)} in managed fields entry ${i}`);
    const id = managerId(typeof raw.manager === 'string' ? raw.manager : '', op, raw.apiVersion, typeof raw.subresource === 'string' ? raw.subresource : undefined);
    const set = raw.fieldsV1 === undefined || raw.fieldsV1 === null ? new FieldSet() : FieldSet.fromFieldsV1(raw.fieldsV1);
    out.managers.set(id, { set, apiVersion: raw.apiVersion, applied: op === 'Apply' });
    out.times.set(id, typeof raw.time === 'string' ? raw.time : undefined);
  });
  return out;
}

const seconds = (t: string | undefined) => (t ? Math.floor(Date.parse(t) / 1000) : 0);
const cmpStr = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Encode managers into entries, in upstream's order: operation, time, manager, apiVersion, subresource. */
export function encodeManagedFields(m: Managed): ManagedFieldsEntry[] {
  const out: ManagedFieldsEntry[] = [];
  for (const [id, vs] of m.managers) {
    const e = parseId(id);
    const entry: ManagedFieldsEntry = {
      manager: e.manager,
      operation: vs.applied ? 'Apply' : 'Update',
      apiVersion: vs.apiVersion,
      fieldsType: 'FieldsV1',
      fieldsV1: vs.set.toFieldsV1(),
    };
    const t = m.times.get(id);
    if (t) {
      // keep upstream's key order: manager, operation, apiVersion, time, fieldsType, fieldsV1, subresource
      const { fieldsType, fieldsV1 } = entry;
      delete (entry as Partial<ManagedFieldsEntry>).fieldsType;
      delete (entry as Partial<ManagedFieldsEntry>).fieldsV1;
      Object.assign(entry, { time: t, fieldsType, fieldsV1 });
    }
    if (e.subresource) entry.subresource = e.subresource;
    out.push(entry);
  }
  return out.sort(
    (p, q) =>
      cmpStr(p.operation, q.operation) ||
      seconds(p.time) - seconds(q.time) ||
      cmpStr(p.manager, q.manager) ||
      cmpStr(p.apiVersion, q.apiVersion) ||
      cmpStr(p.subresource ?? '', q.subresource ?? ''),
  );
}

/** RFC 3339 with second precision, as metav1.Time serializes. */
export function formatTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Keep at most `max` Update managers: the oldest merge into "ancient-changes" per apiVersion. */
export function capUpdateManagers(m: Managed, max = MAX_UPDATE_MANAGERS): void {
  const updaters = [...m.managers].filter(([, vs]) => !vs.applied).map(([id]) => id);
  if (updaters.length <= max) return;
  updaters.sort((a, b) => seconds(m.times.get(a)) - seconds(m.times.get(b)) || cmpStr(a, b));
  const firstByVersion = new Map<string, string>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > max; i++) {
    const id = updaters[i];
    const vs = m.managers.get(id)!;
    const time = m.times.get(id);
    const bucket = managerId(ANCIENT_CHANGES, 'Update', vs.apiVersion);
    const first = firstByVersion.get(vs.apiVersion);
    if (first === undefined) {
      firstByVersion.set(vs.apiVersion, id);
      continue;
    }
    if (!m.managers.has(bucket)) {
      m.managers.set(bucket, m.managers.get(first)!);
      m.managers.delete(first);
    }
    m.managers.set(bucket, { set: vs.set.union(m.managers.get(bucket)!.set), apiVersion: vs.apiVersion, applied: vs.applied });
    m.managers.delete(id);
    m.times.set(bucket, time);
    length--;
  }
}

/**
 * The "old" object a create is compared against: like upstream's zero-valued typed object,
 * nested struct fields exist (empty), so only what was set counts as added.
 */
export function zeroSkeleton(obj: JsonValue, node: SchemaNode | undefined): JsonObject {
  const out: JsonObject = {};
  if (!isObject(obj) || !node?.properties) return out;
  for (const [k, v] of Object.entries(obj)) {
    const child = childSchema(node, k);
    if (isNamedField(node, k) && isObject(v) && child?.properties && child.mapType !== 'atomic') out[k] = zeroSkeleton(v, child);
  }
  return out;
}

export function ignoredSet(paths: string[][] | undefined): FieldSet {
  return FieldSet.of(...(paths ?? []).map((p) => p.map((field) => ({ field }))));
}

/** Record an Update by `managerIdent` going from `oldObj` to `newObj` (mutates `m`). */
export function recordUpdate(
  m: Managed,
  oldObj: JsonObject,
  newObj: JsonObject,
  ident: string,
  apiVersion: string,
  schema: SchemaNode | undefined,
  ignored: FieldSet,
  now: string,
): void {
  const self = 'current-operation';
  const managers = updateOwnership(oldObj, newObj, apiVersion, m.managers, self, { schema, ignored });
  stripMeta(managers, self);
  const cur = managers.get(self);
  if (cur) {
    managers.delete(self);
    const prev = managers.get(ident);
    managers.set(ident, { set: prev ? cur.set.union(prev.set) : cur.set, apiVersion: cur.apiVersion, applied: cur.applied });
    m.times.set(ident, now);
  }
  m.managers = managers;
  capUpdateManagers(m);
}

export function withoutManagedFields(obj: JsonObject): JsonObject {
  const out = deepCopy(obj);
  if (isObject(out.metadata)) delete out.metadata.managedFields;
  return out;
}

/**
 * `obj` without metadata.managedFields, copying only the top level and metadata: the rest is shared
 * with `obj`, so the result is for reading (comparison) and for setting managedFields on.
 */
function withoutManagedFieldsShallow(obj: JsonObject): JsonObject {
  const out = { ...obj };
  if (isObject(out.metadata)) {
    const meta = { ...out.metadata };
    delete meta.managedFields;
    out.metadata = meta;
  }
  return out;
}

/** Set (or, when empty, remove) metadata.managedFields on `obj` in place. */
export function setManagedFields(obj: JsonObject, entries: ManagedFieldsEntry[]): void {
  if (entries.length === 0) {
    if (isObject(obj.metadata)) delete obj.metadata.managedFields;
    return;
  }
  if (!isObject(obj.metadata)) obj.metadata = {};
  (obj.metadata as JsonObject).managedFields = entries as unknown as JsonValue;
}

function isResetManagedFields(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  return v.length === 0 || (v.length === 1 && isObject(v[0]) && Object.keys(v[0]).length === 0);
}

function decodeOrEmpty(entries: unknown): Managed {
  try {
    return decodeManagedFields(entries);
  } catch {
    return emptyManaged();
  }
}

export interface UpdateManagedFieldsOptions {
  /** The stored object before the write; null on create. */
  old: object | null;
  /** The object about to be stored (its own managedFields, if any, are honoured as upstream does). */
  updated: object;
  manager: string;
  operation: 'Update';
  subresource?: string;
  schema: SchemaNode | undefined;
  now: Date;
  /** "group/version" of the request, e.g. "apps/v1". */
  apiVersion: string;
  /** Top-level paths reset by this write, e.g. [["status"]] for main-resource writes. */
  ignoredPaths?: string[][];
}

/**
 * Field ownership for create/update/patch: `manager` gains the fields it changed (on create, all
 * it set), others lose them, empty entries are dropped, same-manager Update entries merge.
 * Returns a new object carrying the new managedFields (nested values shared with `updated`); inputs are not mutated.
 */
export function updateManagedFields(o: UpdateManagedFieldsOptions): { object: JsonObject; managedFields: ManagedFieldsEntry[] } {
  const updated = o.updated as JsonObject;
  const old = o.old as JsonObject | null;
  const oldEntries = old && isObject(old.metadata) ? old.metadata.managedFields : undefined;
  const newObj = withoutManagedFieldsShallow(updated);
  try {
    let m: Managed;
    const requested = isObject(updated.metadata) ? updated.metadata.managedFields : undefined;
    if (o.subresource) m = decodeOrEmpty(oldEntries);
    else if (isResetManagedFields(requested)) m = emptyManaged();
    else {
      let fromRequest: Managed | undefined;
      try {
        fromRequest = decodeManagedFields(requested);
      } catch {
        fromRequest = undefined;
      }
      m = fromRequest && fromRequest.managers.size > 0 ? fromRequest : decodeOrEmpty(oldEntries);
    }
    // Objects that existed before field tracking stay untracked until someone applies.
    const hasUid = !!old && isObject(old.metadata) && typeof old.metadata.uid === 'string' && old.metadata.uid !== '';
    if (m.managers.size === 0 && old && hasUid) {
      return { object: newObj, managedFields: [] };
    }
    const oldObj = old ? withoutManagedFieldsShallow(old) : zeroSkeleton(newObj, o.schema);
    const ident = managerId(o.manager, 'Update', o.apiVersion, o.subresource);
    recordUpdate(m, oldObj, newObj, ident, o.apiVersion, o.schema, ignoredSet(o.ignoredPaths), formatTime(o.now));
    const entries = encodeManagedFields(m);
    setManagedFields(newObj, entries);
    return { object: newObj, managedFields: entries };
  } catch {
    // Never fail a write over bookkeeping: keep the previous managedFields.
    const entries = (Array.isArray(oldEntries) ? deepCopy(oldEntries) : []) as unknown as ManagedFieldsEntry[];
    setManagedFields(newObj, entries);
    return { object: newObj, managedFields: entries };
  }
}

/** Upstream's default manager when a request names none: the User-Agent up to the first "/". */
export function managerFromUserAgent(ua: string): string {
  let out = '';
  let bytes = 0;
  for (const ch of ua.split('/')[0]) {
    if (!/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(ch)) continue;
    const n = Buffer.byteLength(ch, 'utf8');
    if (bytes + n > MANAGER_MAX_BYTES) break;
    out += ch;
    bytes += n;
  }
  return out;
}
