// Schema-driven operations on objects for server-side apply (structured-merge-diff semantics):
// the field set of an object, the comparison of two objects, the merge of an applied
// configuration into a live object, and the removal of a set of fields.
// Lists follow listType (map/set/atomic); without it, patchStrategy "merge" lists are
// associative (keyed by patchMergeKey, or sets of primitives) and other lists are atomic.
// Unknown schema: maps are granular, lists atomic.
import type { SchemaNode } from '../../api/schema/types.js';
import { FieldSet, pathString, peKey, type Path, type PathElement } from './fieldpath.js';
import { deepEqual, isObject, type JsonObject, type JsonValue } from './json.js';
import { childSchema, isNamedField, patchStrategies, schemaDefault } from './schema.js';

/** A value that does not fit its schema (bad list element, duplicate keys …). */
export class TypedError extends Error {
  override name = 'TypedError';
}

type ListAtom = { kind: 'list'; rel: 'atomic' | 'set' | 'map'; keys: string[]; items: SchemaNode | undefined };
type MapAtom = { kind: 'map'; atomic: boolean; node: SchemaNode | undefined };
type Atom = { kind: 'leaf' } | ListAtom | MapAtom;

function listAtom(node: SchemaNode | undefined): ListAtom {
  const items = node?.items;
  if (node?.listType) {
    return { kind: 'list', rel: node.listType, keys: node.listType === 'map' ? (node.listMapKeys ?? []) : [], items };
  }
  if (patchStrategies(node).includes('merge')) {
    return node?.patchMergeKey
      ? { kind: 'list', rel: 'map', keys: [node.patchMergeKey], items }
      : { kind: 'list', rel: 'set', keys: [], items };
  }
  return { kind: 'list', rel: 'atomic', keys: [], items };
}

/** How to treat `v` at a node: scalars and nulls are leaves, else the list/map semantics. */
function atomFor(node: SchemaNode | undefined, ...values: (JsonValue | undefined)[]): Atom {
  const v = values.find((x) => x !== undefined && x !== null);
  if (Array.isArray(v)) return listAtom(node);
  if (isObject(v)) return { kind: 'map', atomic: node?.mapType === 'atomic', node };
  return { kind: 'leaf' };
}

function asList(v: JsonValue | undefined): JsonValue[] | undefined {
  return Array.isArray(v) ? v : undefined;
}
function asMap(v: JsonValue | undefined): JsonObject | undefined {
  return isObject(v) ? v : undefined;
}

/**
 * Defaults upstream's OpenAPI declares for list-map key fields, used when the schema carries none
 * (ports are keyed by containerPort+protocol, and protocol defaults to TCP).
 */
const KEY_DEFAULTS: Record<string, JsonValue> = { protocol: 'TCP' };

/** The path element naming a list element: its keys (list-map) or its value (set). */
export function itemElement(atom: ListAtom, item: JsonValue, path: Path): PathElement {
  if (atom.keys.length > 0) {
    if (!isObject(item)) {
      throw new TypedError(`${pathString(path)}: associative list with keys may not have ${item === null ? 'a null element' : 'non-map elements'}`);
    }
    const key: [string, JsonValue][] = [];
    for (const k of atom.keys) {
      if (Object.prototype.hasOwnProperty.call(item, k)) key.push([k, item[k]]);
      else {
        const def = schemaDefault(childSchema(atom.items, k)) ?? KEY_DEFAULTS[k];
        if (def !== undefined && def !== null) key.push([k, def as JsonValue]);
      }
    }
    if (key.length === 0) {
      throw new TypedError(
        `${pathString(path)}: associative list with keys has an element that omits all key fields ${JSON.stringify(atom.keys)} (and doesn't have default values for any key fields)`,
      );
    }
    key.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return { key };
  }
  if (isObject(item)) throw new TypedError(`${pathString(path)}: associative list without keys has an element that's a map type`);
  if (Array.isArray(item)) throw new TypedError(`${pathString(path)}: not supported: associative list with lists as elements`);
  if (item === null) throw new TypedError(`${pathString(path)}: associative list without keys has an element that's an explicit null`);
  return { value: item };
}

// ---------------------------------------------------------------------------------------------
// Field sets

/** Every field path set in `v`: leaves, list elements, map keys, empty/null values, atomic values. */
export function toFieldSet(v: JsonValue, node: SchemaNode | undefined): FieldSet {
  const set = new FieldSet();
  walkFieldSet(v, node, [], set);
  return set;
}

function walkFieldSet(v: JsonValue, node: SchemaNode | undefined, path: Path, set: FieldSet): void {
  const atom = atomFor(node, v);
  if (atom.kind === 'leaf') {
    set.insert(path);
    return;
  }
  if (atom.kind === 'list') {
    if (atom.rel === 'atomic') {
      set.insert(path);
      return;
    }
    const list = v as JsonValue[];
    const seen = new Map<string, number>();
    const pes = list.map((item) => itemElement(atom, item, path));
    for (const pe of pes) seen.set(peKey(pe), (seen.get(peKey(pe)) ?? 0) + 1);
    const done = new Set<string>();
    list.forEach((item, i) => {
      const k = peKey(pes[i]);
      if (done.has(k)) return;
      done.add(k);
      const p = [...path, pes[i]];
      if ((seen.get(k) ?? 0) > 1) {
        set.insert(p); // duplicates are tracked as a whole
        return;
      }
      walkFieldSet(item, atom.items, p, set);
      set.insert(p);
    });
    return;
  }
  if (atom.atomic) {
    set.insert(path);
    return;
  }
  for (const [k, child] of Object.entries(v as JsonObject)) {
    const p = [...path, { field: k }];
    walkFieldSet(child, childSchema(atom.node, k), p, set);
    if (child === null || (isObject(child) && Object.keys(child).length === 0) || !isNamedField(atom.node, k)) set.insert(p);
  }
}

/** Adds, as members, the struct fields that only appear as parents of other paths. */
export function ensureNamedFieldsAreMembers(set: FieldSet, node: SchemaNode | undefined): FieldSet {
  const out = new FieldSet();
  for (const [k, pe] of set.members) out.members.set(k, pe);
  for (const [k, c] of set.children) {
    let sub: SchemaNode | undefined;
    if ('field' in c.pe) {
      if (isNamedField(node, c.pe.field)) out.members.set(k, c.pe);
      sub = childSchema(node, c.pe.field);
    } else if ('key' in c.pe) {
      sub = node?.items;
    }
    out.children.set(k, { pe: c.pe, set: ensureNamedFieldsAreMembers(c.set, sub) });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Comparison

export interface Comparison {
  removed: FieldSet;
  modified: FieldSet;
  added: FieldSet;
}

/** Fields removed, modified and added going from `lhs` to `rhs`. */
export function compare(lhs: JsonValue, rhs: JsonValue, node: SchemaNode | undefined): Comparison {
  const cmp: Comparison = { removed: new FieldSet(), modified: new FieldSet(), added: new FieldSet() };
  walkCompare(lhs, rhs, node, [], cmp);
  return cmp;
}

/**
 * True when `a` and `b` are the same JSON (same keys, same values, list order included) and hold
 * no `undefined` anywhere (an undefined-valued key still counts as a field for walkCompare). Cheap
 * compared with a walk: no allocation, and it stops at the first difference.
 */
function sameJson(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  if (a === b) return typeof a !== 'object' || a === null || sameJsonDeep(a, a);
  return sameJsonDeep(a, b);
}

function sameJsonDeep(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  if (typeof a !== 'object' || a === null) return a === b;
  if (typeof b !== 'object' || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJsonDeep(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ak = Object.keys(a);
  if (ak.length !== Object.keys(b).length) return false;
  for (const k of ak) {
    if (!Object.prototype.hasOwnProperty.call(b, k) || !sameJsonDeep(a[k], b[k])) return false;
  }
  return true;
}

function walkCompare(l: JsonValue | undefined, r: JsonValue | undefined, node: SchemaNode | undefined, path: Path, cmp: Comparison): void {
  // A subtree only on the right (most of a create) is all added: fill the set directly.
  if (l === undefined && r !== undefined && path.length > 0) {
    let parent = cmp.added;
    for (let i = 0; i < path.length - 1; i++) parent = parent.childSet(path[i]!);
    const stack = path.slice(0, -1);
    addSubtree(parent, path[path.length - 1]!, r, node, stack);
    return;
  }
  // Equal subtrees add nothing to any of the three sets: skip the walk (most of an update is unchanged).
  if (typeof l === 'object' && l !== null && sameJson(l, r)) return;
  const la = atomFor(node, l);
  const ra = atomFor(node, r);
  let leaf = l === undefined || r === undefined ? false : la.kind !== ra.kind && la.kind !== 'leaf' && ra.kind !== 'leaf';
  const atom = r === undefined || r === null ? la : ra;
  if (!leaf) {
    if (atom.kind === 'leaf' || (l !== undefined && l !== null && r !== undefined && r !== null && la.kind !== ra.kind)) leaf = true;
    else if (atom.kind === 'list') {
      const ll = asList(l) ?? [];
      const rl = asList(r) ?? [];
      if (atom.rel === 'atomic' || (ll.length === 0 && rl.length === 0)) leaf = true;
      else compareListItems(atom, ll, rl, path, cmp);
    } else {
      const lm = asMap(l) ?? {};
      const rm = asMap(r) ?? {};
      if (atom.atomic || (Object.keys(lm).length === 0 && Object.keys(rm).length === 0)) leaf = true;
      else {
        const keys = new Set([...Object.keys(lm), ...Object.keys(rm)]);
        for (const k of keys) walkCompare(lm[k], rm[k], childSchema(atom.node, k), [...path, { field: k }], cmp);
      }
    }
  }
  if (leaf) {
    if (l === undefined) cmp.added.insert(path);
    else if (r === undefined) cmp.removed.insert(path);
    else if (!deepEqual(l, r)) cmp.modified.insert(path);
  } else if (l === undefined) cmp.added.insert(path);
  else if (r === undefined) cmp.removed.insert(path);
}

/**
 * What walkCompare(undefined, r) adds, written straight into `parent` (the set of `pe`'s parent):
 * `pe` itself, and below it every field, map key and list element of `r` with the same rules
 * (atomic or empty values are leaves; list elements that share a key are tracked as a whole).
 * `stack` is the path down to the parent, kept only for error messages (pushed and popped, not copied).
 */
function addSubtree(parent: FieldSet, pe: PathElement, r: JsonValue | undefined, node: SchemaNode | undefined, stack: Path): void {
  parent.addMember(pe);
  if (r === undefined || r === null) return;
  const atom = atomFor(node, r);
  if (atom.kind === 'leaf') return;
  stack.push(pe);
  try {
    if (atom.kind === 'list') {
      const list = r as JsonValue[];
      if (atom.rel === 'atomic' || list.length === 0) return;
      const byKey = new Map<string, { pe: PathElement; item: JsonValue; count: number }>();
      for (const item of list) {
        const ipe = itemElement(atom, item, stack);
        const k = peKey(ipe);
        const e = byKey.get(k);
        if (e) e.count++;
        else byKey.set(k, { pe: ipe, item, count: 1 });
      }
      const set = parent.childSet(pe);
      for (const e of byKey.values()) {
        if (e.count > 1) set.addMember(e.pe);
        else addSubtree(set, e.pe, e.item, atom.items, stack);
      }
      return;
    }
    const map = r as JsonObject;
    const keys = Object.keys(map);
    if (atom.atomic || keys.length === 0) return;
    const set = parent.childSet(pe);
    for (const k of keys) addSubtree(set, { field: k }, map[k], childSchema(atom.node, k), stack);
  } finally {
    stack.pop();
  }
}

function compareListItems(atom: ListAtom, l: JsonValue[], r: JsonValue[], path: Path, cmp: Comparison): void {
  const index = (list: JsonValue[]) => {
    const m = new Map<string, { pe: PathElement; values: JsonValue[] }>();
    for (const item of list) {
      const pe = itemElement(atom, item, path);
      const k = peKey(pe);
      const e = m.get(k);
      if (e) e.values.push(item);
      else m.set(k, { pe, values: [item] });
    }
    return m;
  };
  const lm = index(l);
  const rm = index(r);
  const all = new Map<string, PathElement>();
  for (const [k, e] of lm) all.set(k, e.pe);
  for (const [k, e] of rm) if (!all.has(k)) all.set(k, e.pe);
  for (const [k, pe] of all) {
    const lv = lm.get(k)?.values ?? [];
    const rv = rm.get(k)?.values ?? [];
    const p = [...path, pe];
    if (lv.length <= 1 && rv.length <= 1) walkCompare(lv[0], rv[0], atom.items, p, cmp);
    else if (lv.length >= 2 && rv.length >= 2) {
      if (!deepEqual(lv, rv)) cmp.modified.insert(p);
    } else if (lv.length >= 2) {
      if (rv.length) walkCompare(undefined, rv[0], atom.items, p, cmp);
      cmp.removed.insert(p);
    } else {
      if (lv.length) walkCompare(lv[0], undefined, atom.items, p, cmp);
      cmp.added.insert(p);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Merge (applied configuration over live object)

/** Merge `rhs` (the applied configuration) over `lhs` (the live object); rhs wins on leaves. */
export function merge(lhs: JsonValue | undefined, rhs: JsonValue | undefined, node: SchemaNode | undefined, path: Path = []): JsonValue | undefined {
  const la = atomFor(node, lhs);
  const ra = atomFor(node, rhs);
  const atom = rhs === undefined || rhs === null ? la : ra;
  const keepRhs = () => (rhs !== undefined ? rhs : lhs);
  if (lhs !== undefined && lhs !== null && rhs !== undefined && rhs !== null && la.kind !== ra.kind) return keepRhs();
  if (atom.kind === 'leaf') return keepRhs();
  if (atom.kind === 'list') {
    const ll = asList(lhs) ?? [];
    const rl = asList(rhs) ?? [];
    if (atom.rel === 'atomic' || (ll.length === 0 && rl.length === 0)) return keepRhs();
    const out = mergeListItems(atom, ll, rl, path);
    return out.length > 0 ? out : undefined;
  }
  const lm = asMap(lhs) ?? {};
  const rm = asMap(rhs) ?? {};
  if (atom.atomic || (Object.keys(lm).length === 0 && Object.keys(rm).length === 0)) return keepRhs();
  const out: JsonObject = {};
  for (const k of new Set([...Object.keys(lm), ...Object.keys(rm)])) {
    const v = merge(lm[k], rm[k], childSchema(atom.node, k), [...path, { field: k }]);
    if (v !== undefined) out[k] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function mergeListItems(atom: ListAtom, lhs: JsonValue[], rhs: JsonValue[], path: Path): JsonValue[] {
  const rPes = rhs.map((item) => itemElement(atom, item, path));
  const observedR = new Map<string, JsonValue>();
  for (let i = 0; i < rhs.length; i++) {
    const k = peKey(rPes[i]);
    if (observedR.has(k)) throw new TypedError(`${pathString(path)}: duplicate entries for key ${pathString([rPes[i]])}`);
    observedR.set(k, rhs[i]);
  }
  const lPes = lhs.map((item) => itemElement(atom, item, path));
  const observedL = new Map<string, JsonValue | null>();
  for (let i = 0; i < lhs.length; i++) {
    const k = peKey(lPes[i]);
    observedL.set(k, observedL.has(k) ? null : lhs[i]); // duplicated live items are not merged
  }
  const lKeys = lPes.map(peKey);
  const rKeys = rPes.map(peKey);
  const shared = rKeys.filter((k) => observedL.has(k));
  let sharedIdx = 0;
  let nextShared: string | undefined = shared[sharedIdx++];
  const advanceShared = () => {
    nextShared = shared[sharedIdx++];
  };
  const mergedR = new Set<string>();
  const out: JsonValue[] = [];
  const push = (pe: PathElement, l: JsonValue | undefined, r: JsonValue | undefined) => {
    const v = merge(l === null && r !== undefined ? undefined : l, r, atom.items, [...path, pe]);
    if (v !== undefined) out.push(v);
  };
  let li = 0;
  let ri = 0;
  while (li < lKeys.length || ri < rKeys.length) {
    if (li < lKeys.length && ri < rKeys.length) {
      const k = lKeys[li];
      if (k === rKeys[ri]) {
        mergedR.add(k);
        push(lPes[li], observedL.get(k) ?? undefined, observedR.get(k));
        li++;
        ri++;
        advanceShared();
        continue;
      }
      if (observedR.has(k) && nextShared !== undefined && nextShared !== k) {
        li++;
        continue;
      }
    }
    if (li < lKeys.length) {
      const k = lKeys[li];
      if (!observedR.has(k)) {
        push(lPes[li], lhs[li], undefined);
        li++;
        continue;
      } else if (mergedR.has(k)) {
        li++;
      }
    }
    if (ri < rKeys.length) {
      const k = rKeys[ri];
      mergedR.add(k);
      const l = observedL.get(k);
      push(rPes[ri], l === null ? undefined : l, observedR.get(k));
      ri++;
      if (nextShared === k) advanceShared();
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Removal

/** `v` without the fields in `toRemove` (a removed path takes its whole subtree). undefined if nothing is left. */
export function removeItems(v: JsonValue, toRemove: FieldSet, node: SchemaNode | undefined): JsonValue | undefined {
  const atom = atomFor(node, v);
  if (atom.kind === 'leaf') return v;
  if (atom.kind === 'list') {
    const list = v as JsonValue[];
    if (list.length === 0 || atom.rel === 'atomic') return undefined;
    const out: JsonValue[] = [];
    for (const item of list) {
      const pe = itemElement(atom, item, []);
      if (toRemove.has([pe])) continue;
      const sub = toRemove.withPrefix(pe);
      const nv = sub.empty() ? item : removeItems(item, sub, atom.items);
      if (nv !== undefined) out.push(nv);
    }
    return out.length > 0 ? out : undefined;
  }
  const m = v as JsonObject;
  if (Object.keys(m).length === 0 || atom.atomic) return undefined;
  const out: JsonObject = {};
  for (const [k, child] of Object.entries(m)) {
    const pe = { field: k };
    if (toRemove.has([pe])) continue;
    const sub = toRemove.withPrefix(pe);
    const nv = sub.empty() ? child : removeItems(child, sub, childSchema(atom.node, k));
    if (nv !== undefined) out[k] = nv;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
