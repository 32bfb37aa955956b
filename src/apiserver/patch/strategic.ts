// Strategic merge patch (application/strategic-merge-patch+json), driven by the schema's
// patchStrategy / patchMergeKey: merge lists are merged by key (maps) or as sets (primitives),
// other lists are replaced, `null` deletes, and the directives kubectl sends are honoured:
// `$patch: replace|delete` (maps and list elements), `$setElementOrder/<field>`, `$retainKeys`,
// `$deleteFromPrimitiveList/<field>`. Where the schema says nothing, merge-patch semantics apply.
import type { SchemaNode } from '../../api/schema/types.js';
import { StatusError } from '../../api/status.js';
import { deepCopy, deepEqual, goString, isObject, type JsonObject, type JsonValue } from './json.js';
import { childSchema, patchStrategies } from './schema.js';

const DIRECTIVE = '$patch';
const REPLACE = 'replace';
const DELETE = 'delete';
const MERGE = 'merge';
const RETAIN_KEYS = '$retainKeys';
const RETAIN_KEYS_STRATEGY = 'retainKeys';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';
const SET_ELEMENT_ORDER = '$setElementOrder';

/** Upstream's error classes: `bad` → 400, `invalid` → 422, anything else → 500. */
class SmpError extends Error {
  constructor(
    message: string,
    readonly kind: 'bad' | 'invalid' | 'internal',
  ) {
    super(message);
  }
}

const errBadPrimitiveList = () => new SmpError('invalid patch format of primitive list', 'bad');
const errBadRetainKeys = () => new SmpError('invalid patch format of retainKeys', 'bad');
const errBadSetElementOrder = () => new SmpError('invalid patch format of setElementOrder list', 'bad');
const errNoListOfLists = () => new SmpError('lists of lists are not supported', 'invalid');
const errNoMergeKey = (m: JsonObject, k: string) =>
  new SmpError(`map: ${goString(m)} does not contain declared merge key: ${k}`, 'internal');
const errBadArgType = (expected: string, actual: unknown) =>
  new SmpError(`expected a ${expected}, but received a ${goType(actual)}`, 'internal');
const errBadPatchType = (t: unknown, m: JsonObject) =>
  new SmpError(`unknown patch type: ${goString(t)} in map: ${goString(m)}`, 'internal');

function goType(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return '[]interface {}';
  if (isObject(v)) return 'map[string]interface {}';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  return typeof v === 'boolean' ? 'bool' : 'string';
}

type Kind = 'map' | 'slice' | 'null' | 'scalar';
function kindOf(v: unknown): Kind {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'slice';
  if (isObject(v)) return 'map';
  return 'scalar';
}
/** Like Go's reflect.TypeOf equality on decoded JSON: scalars differ by concrete type. */
function sameType(a: unknown, b: unknown): boolean {
  const ka = kindOf(a);
  if (ka !== kindOf(b)) return false;
  return ka !== 'scalar' || goType(a) === goType(b);
}

/**
 * Apply a strategic merge patch to `original`. Returns a new object; inputs are never mutated.
 * Throws StatusError: 400 for malformed patches/directives, 422 for unsupported shapes, 500 otherwise.
 */
export function applyStrategicMergePatch(original: JsonObject, patch: unknown, schema: SchemaNode | undefined): JsonObject {
  if (!isObject(patch)) {
    const got = patch === null ? 'null' : Array.isArray(patch) ? 'array' : typeof patch;
    throw new StatusError(400, 'BadRequest', `json: cannot unmarshal ${got} into Go value of type map[string]interface {}`);
  }
  try {
    return mergeMap(deepCopy(original), deepCopy(patch), schema);
  } catch (e) {
    if (!(e instanceof SmpError)) throw e;
    if (e.kind === 'bad') throw new StatusError(400, 'BadRequest', e.message);
    if (e.kind === 'invalid') {
      throw new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
    }
    throw new StatusError(500, '', e.message);
  }
}

/** Field patch metadata: the non-retainKeys strategy ("merge", "replace" or "") and the merge key. */
function fieldMeta(node: SchemaNode | undefined): { strategy: string; mergeKey: string } {
  const strategies = patchStrategies(node);
  let strategy = '';
  if (strategies.length === 1) {
    strategy = strategies[0] === RETAIN_KEYS_STRATEGY ? '' : strategies[0];
  } else if (strategies.length === 2) {
    if (strategies[0] === RETAIN_KEYS_STRATEGY) strategy = strategies[1];
    else if (strategies[1] === RETAIN_KEYS_STRATEGY) strategy = strategies[0];
    else throw new SmpError(`unexpected patch strategy: [${strategies.join(' ')}]`, 'internal');
  } else if (strategies.length > 2) {
    throw new SmpError(`unexpected patch strategy: [${strategies.join(' ')}]`, 'internal');
  }
  return { strategy, mergeKey: node?.patchMergeKey ?? '' };
}

// mergeMap merges `patch` into `original` (both owned copies; both may be modified).
function mergeMap(original: JsonObject | undefined, patch: JsonObject, schema: SchemaNode | undefined): JsonObject {
  if (Object.prototype.hasOwnProperty.call(patch, DIRECTIVE)) {
    const directive = patch[DIRECTIVE];
    if (directive === REPLACE) {
      delete patch[DIRECTIVE];
      return patch;
    }
    if (directive === DELETE) return {};
    throw errBadPatchType(directive, patch);
  }
  const out: JsonObject = original ?? {};
  applyRetainKeys(out, patch);
  mergeOrderedLists(out, patch, schema);

  for (const rawKey of Object.keys(patch)) {
    const patchV = patch[rawKey];
    let key = rawKey;
    let isDeleteList = false;
    if (rawKey.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      key = extractKey(rawKey, DELETE_FROM_PRIMITIVE_LIST);
      isDeleteList = true;
    }
    if (patchV === null) {
      delete out[key];
      continue;
    }
    if (!Object.prototype.hasOwnProperty.call(out, key) || !sameType(out[key], patchV)) {
      if (!isDeleteList) setCleaned(out, key, patchV);
      continue;
    }
    const fieldNode = childSchema(schema, key);
    if (isObject(patchV)) {
      const { strategy } = fieldMeta(fieldNode);
      out[key] = strategy === REPLACE ? patchV : mergeMap(out[key] as JsonObject, patchV, fieldNode);
    } else if (Array.isArray(patchV)) {
      const { strategy, mergeKey } = fieldMeta(fieldNode);
      out[key] = mergeSliceField(out[key], patchV, fieldNode, strategy, mergeKey, isDeleteList);
    } else {
      out[key] = patchV;
    }
  }
  return out;
}

/** Take a patch value as-is for a field the original lacks: nulls and directives are dropped. */
function setCleaned(target: JsonObject, key: string, value: JsonValue): void {
  discardNulls(value);
  const [v, keep] = removeDirectives(value);
  if (keep) target[key] = v as JsonValue;
  else delete target[key];
}

function discardNulls(v: JsonValue): void {
  if (Array.isArray(v)) {
    for (const x of v) discardNulls(x);
  } else if (isObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (x === null) delete v[k];
      else discardNulls(x);
    }
  }
}

/** Strip `$patch` maps (and other directive keys) from a value taken verbatim from the patch. */
function removeDirectives(v: JsonValue): [JsonValue | undefined, boolean] {
  if (Array.isArray(v)) {
    const out: JsonValue[] = [];
    for (const x of v) {
      const [nv, keep] = removeDirectives(x);
      if (keep) out.push(nv as JsonValue);
    }
    return [out, true];
  }
  if (isObject(v)) {
    if (Object.prototype.hasOwnProperty.call(v, DIRECTIVE)) return [undefined, false];
    for (const k of Object.keys(v)) {
      if (k === RETAIN_KEYS || k.startsWith(SET_ELEMENT_ORDER + '/') || k.startsWith(DELETE_FROM_PRIMITIVE_LIST + '/')) {
        delete v[k];
        continue;
      }
      const [nv, keep] = removeDirectives(v[k]);
      if (keep) v[k] = nv as JsonValue;
      else delete v[k];
    }
    return [v, true];
  }
  return [v, true];
}

function extractKey(s: string, prefix: string): string {
  const slash = s.indexOf('/');
  if (slash < 0 || s.slice(0, slash) !== prefix) {
    throw prefix === DELETE_FROM_PRIMITIVE_LIST ? errBadPrimitiveList() : errBadSetElementOrder();
  }
  return s.slice(slash + 1);
}

/** `$retainKeys`: drop every key of `original` not listed; every patch key must be listed. */
function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!Object.prototype.hasOwnProperty.call(patch, RETAIN_KEYS)) return;
  const list = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(list)) throw errBadRetainKeys();
  const keep = new Set(list);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!keep.has(k)) throw errBadRetainKeys();
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

/** `$setElementOrder/<field>`: merge the list (if patched) and order it as the directive says. */
function mergeOrderedLists(original: JsonObject, patch: JsonObject, schema: SchemaNode | undefined): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = patch[key];
    delete patch[key];
    if (!Array.isArray(order)) throw errBadArgType('[]interface {}', order);
    const field = extractKey(key, SET_ELEMENT_ORDER);
    const foundOriginal = Object.prototype.hasOwnProperty.call(original, field);
    const foundPatch = Object.prototype.hasOwnProperty.call(patch, field);
    let originalList: JsonValue[] = [];
    let patchList: JsonValue[] = [];
    if (foundOriginal) {
      const v = original[field];
      if (!Array.isArray(v)) throw errBadArgType('[]interface {}', v);
      originalList = v;
    }
    if (foundPatch) {
      const v = patch[field];
      if (!Array.isArray(v)) throw errBadArgType('[]interface {}', v);
      patchList = v;
    }
    const fieldNode = childSchema(schema, field);
    const { strategy, mergeKey } = fieldMeta(fieldNode);
    validateAgainstOrder(patchList, order, mergeKey);

    let merged: JsonValue[];
    if (foundOriginal && !foundPatch) merged = originalList;
    else if (!foundOriginal && foundPatch) merged = removeDirectives(patchList)[0] as JsonValue[];
    else if (foundOriginal && foundPatch) merged = mergeSliceField(originalList, patchList, fieldNode, strategy, mergeKey, false);
    else continue;

    const [patchItems, serverOnly] = partition(merged, order, mergeKey);
    const kind = sliceElementKind(originalList, patchList);
    original[field] = normalizeElementOrder(patchItems, serverOnly, order, originalList, mergeKey, kind);
    delete patch[field];
  }
}

/** The relative order of items in the patch list must agree with the `$setElementOrder` list. */
function validateAgainstOrder(patchList: JsonValue[], order: JsonValue[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  const nonDelete = mergeKey ? splitDeletes(patchList)[0] : patchList;
  let p = 0;
  let o = 0;
  while (p < nonDelete.length && o < order.length) {
    const item = nonDelete[p];
    if (isObject(item) && Object.prototype.hasOwnProperty.call(item, DIRECTIVE)) {
      p++;
      continue;
    }
    if (mergeKeyEqual(item, order[o], mergeKey)) p++;
    o++;
  }
  if (p < nonDelete.length && o >= order.length) {
    throw new SmpError(
      `The order in patch list:\n${goString(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${goString(order)}\n`,
      'internal',
    );
  }
}

function mergeKeyEqual(left: JsonValue, right: JsonValue, mergeKey: string): boolean {
  if (!mergeKey) return left === right;
  if (!isObject(left)) throw errBadArgType('map[string]interface {}', left);
  if (!isObject(right)) throw errBadArgType('map[string]interface {}', right);
  if (!(mergeKey in left)) throw errNoMergeKey(left, mergeKey);
  if (!(mergeKey in right)) throw errNoMergeKey(right, mergeKey);
  return left[mergeKey] === right[mergeKey];
}

function mergeSliceField(
  original: JsonValue,
  patch: JsonValue[],
  itemsOwner: SchemaNode | undefined,
  strategy: string,
  mergeKey: string,
  isDeleteList: boolean,
): JsonValue[] {
  if (!Array.isArray(original)) throw errBadArgType('[]interface {}', original);
  if (strategy === MERGE || isDeleteList) return mergeSlice(original, patch, itemsOwner?.items, mergeKey, isDeleteList, itemsOwner);
  return patch;
}

type ElemKind = 'map' | 'scalar';

/** The common element kind of the lists; lists of lists are rejected. */
function sliceElementKind(...lists: JsonValue[][]): ElemKind {
  let kind: string | undefined;
  for (const list of lists) {
    for (const v of list) {
      const k = Array.isArray(v) ? 'slice' : isObject(v) ? 'map' : goType(v);
      if (kind === undefined) {
        if (k === 'slice') throw errNoListOfLists();
        kind = k;
      } else if (kind !== k) {
        throw new SmpError(`list element types are not identical: ${lists.map(goString).join(' ')}`, 'internal');
      }
    }
  }
  if (kind === undefined) throw new SmpError('no elements in any of the given slices', 'internal');
  return kind === 'map' ? 'map' : 'scalar';
}

function mergeSlice(
  original: JsonValue[],
  patch: JsonValue[],
  items: SchemaNode | undefined,
  mergeKey: string,
  isDeleteList: boolean,
  owner: SchemaNode | undefined,
): JsonValue[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = sliceElementKind(original, patch);
  let merged: JsonValue[];
  if (kind !== 'map') {
    if (isDeleteList) return original.filter((v) => !patch.some((d) => d === v));
    merged = [];
    for (const v of [...original, ...patch]) if (!merged.some((m) => m === v)) merged.push(v);
  } else {
    if (!mergeKey) throw new SmpError(`cannot merge lists without merge key for ${owner?.name ?? ''}`, 'internal');
    [original, patch] = applySpecialElements(original, patch, mergeKey);
    merged = mergeByKey(original, patch, mergeKey, items);
  }
  const [patchItems, serverOnly] = partition(merged, patch, kind === 'map' ? mergeKey : '');
  return normalizeElementOrder(patchItems, serverOnly, patch, original, mergeKey, kind);
}

/** Handle `$patch` elements of a merge list: delete by key, or replace the whole list. */
function applySpecialElements(original: JsonValue[], patch: JsonValue[], mergeKey: string): [JsonValue[], JsonValue[]] {
  const plain: JsonValue[] = [];
  let replace = false;
  for (const v of patch) {
    const m = v as JsonObject;
    if (!Object.prototype.hasOwnProperty.call(m, DIRECTIVE)) {
      plain.push(v);
      continue;
    }
    const directive = m[DIRECTIVE];
    if (directive === DELETE) {
      if (!(mergeKey in m)) throw errNoMergeKey(m, mergeKey);
      const key = m[mergeKey];
      original = original.filter((o) => !(isObject(o) && mergeKey in o && o[mergeKey] === key));
    } else if (directive === REPLACE) {
      replace = true;
    } else if (directive === MERGE) {
      throw new SmpError('merging lists cannot yet be specified in the patch', 'internal');
    } else {
      throw errBadPatchType(directive, m);
    }
  }
  return replace ? [plain, []] : [original, plain];
}

function mergeByKey(original: JsonValue[], patch: JsonValue[], mergeKey: string, items: SchemaNode | undefined): JsonValue[] {
  const out = [...original];
  for (const v of patch) {
    const m = v as JsonObject;
    if (!(mergeKey in m)) throw errNoMergeKey(m, mergeKey);
    const idx = findByKey(out, mergeKey, m[mergeKey]);
    if (idx >= 0) {
      out[idx] = mergeMap(out[idx] as JsonObject, m, items);
    } else {
      discardNulls(m);
      const [clean, keep] = removeDirectives(m);
      if (keep) out.push(clean as JsonValue);
    }
  }
  return out;
}

function findByKey(list: JsonValue[], key: string, value: JsonValue): number {
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (!isObject(v)) throw new SmpError(`value for key ${i} is not a map`, 'internal');
    if (key in v && v[key] === value) return i;
  }
  return -1;
}

/** Split `list` into items present in `by` (compared by merge key, or by value) and the rest. */
function partition(list: JsonValue[], by: JsonValue[], mergeKey: string): [JsonValue[], JsonValue[]] {
  const inPatch: JsonValue[] = [];
  const serverOnly: JsonValue[] = [];
  for (const v of list) {
    let found: boolean;
    if (mergeKey) {
      if (!isObject(v)) throw errBadArgType('map[string]interface {}', v);
      if (!(mergeKey in v)) throw errNoMergeKey(v, mergeKey);
      found = findByKey(by, mergeKey, v[mergeKey]) >= 0;
    } else {
      found = by.some((b) => (isObject(v) || Array.isArray(v) ? deepEqual(b, v) : b === v));
    }
    (found ? inPatch : serverOnly).push(v);
  }
  return [inPatch, serverOnly];
}

function splitDeletes(list: JsonValue[]): [JsonValue[], JsonValue[]] {
  const keep: JsonValue[] = [];
  const del: JsonValue[] = [];
  for (const v of list) {
    if (!isObject(v)) throw errBadArgType('map[string]interface {}', v);
    (v[DIRECTIVE] === DELETE ? del : keep).push(v);
  }
  return [keep, del];
}

/** Position of `v` in `list`: by merge key value for maps, by value otherwise; -1 if absent. */
function indexIn(list: JsonValue[], v: JsonValue, mergeKey: string, kind: ElemKind): number {
  const key = (x: JsonValue) => (kind === 'map' ? (isObject(x) ? x[mergeKey] : undefined) : x);
  const want = key(v);
  for (let i = 0; i < list.length; i++) if (key(list[i]) === want) return i;
  return -1;
}

/** Sort patch items by the patch order and server-only items by the live order, then interleave. */
function normalizeElementOrder(
  patchItems: JsonValue[],
  serverOnly: JsonValue[],
  patchOrder: JsonValue[],
  serverOrder: JsonValue[],
  mergeKey: string,
  kind: ElemKind,
): JsonValue[] {
  const p = sortByOrder(patchItems, patchOrder, mergeKey, kind);
  const s = sortByOrder(serverOnly, serverOrder, mergeKey, kind);
  return interleave(s, p, serverOrder, mergeKey, kind);
}

function sortByOrder(toSort: JsonValue[], order: JsonValue[], mergeKey: string, kind: ElemKind): JsonValue[] {
  let items = [...toSort];
  let deletes: JsonValue[] = [];
  if (kind === 'map') {
    for (const list of [items, order]) {
      for (const v of list) {
        if (!isObject(v)) throw errBadArgType('map[string]interface {}', v);
        if (!(mergeKey in v)) throw errNoMergeKey(v, mergeKey);
      }
    }
    [items, deletes] = splitDeletes(items);
  }
  // Insertion sort with upstream's "less": known positions compare, unknown ones sort first.
  const less = (a: JsonValue, b: JsonValue) => {
    const ia = indexIn(order, a, mergeKey, kind);
    if (ia >= 0) {
      const ib = indexIn(order, b, mergeKey, kind);
      if (ib >= 0) return ia < ib;
    }
    return true;
  };
  for (let i = 1; i < items.length; i++) {
    for (let j = i; j > 0 && less(items[j], items[j - 1]); j--) {
      [items[j], items[j - 1]] = [items[j - 1], items[j]];
    }
  }
  return [...items, ...deletes];
}

/** Insert server-only items (`left`) among patch items (`right`), keeping both relative orders. */
function interleave(left: JsonValue[], right: JsonValue[], serverOrder: JsonValue[], mergeKey: string, kind: ElemKind): JsonValue[] {
  const out: JsonValue[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey, kind);
      const ri = indexIn(serverOrder, right[j], mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}
