// Field paths and field sets as server-side apply tracks them, with the FieldsV1 encoding:
// `f:<name>` a field or map key, `k:{"name":"x"}` a list-map element, `v:<json>` a set element,
// `i:<n>` a list index, and `.` marking a node that is itself a member while having children.
import { isObject, type JsonObject, type JsonValue } from './json.js';

export type PathElement =
  | { field: string }
  | { key: [string, JsonValue][] } // sorted by field name
  | { value: JsonValue }
  | { index: number };
export type Path = PathElement[];

/** Go's encoding/json escapes these; managedFields written by upstream use the same bytes. */
const GO_ESCAPED = /[<>&\u2028\u2029]/;

function goJson(v: JsonValue): string {
  const s = JSON.stringify(v);
  // Most keys and values need no escaping: test first, replace only when needed.
  if (!GO_ESCAPED.test(s)) return s;
  return s.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Keys of list-element path elements, computed once per element (paths share their elements). */
const elementKeys = new WeakMap<PathElement, string>();

/** The FieldsV1 key of a path element; also its identity. */
export function peKey(pe: PathElement): string {
  if ('field' in pe) return `f:${pe.field}`;
  let k = elementKeys.get(pe);
  if (k !== undefined) return k;
  if ('key' in pe) k = `k:{${pe.key.map(([n, v]) => `${goJson(n)}:${goJson(v)}`).join(',')}}`;
  else if ('value' in pe) k = `v:${goJson(pe.value)}`;
  else k = `i:${pe.index}`;
  elementKeys.set(pe, k);
  return k;
}

export function parsePeKey(s: string): PathElement {
  if (s.length < 2 || s[1] !== ':') throw new Error(`missing colon: ${s}`);
  const body = s.slice(2);
  switch (s[0]) {
    case 'f':
      return { field: body };
    case 'v':
      return { value: JSON.parse(body) as JsonValue };
    case 'k': {
      const obj = JSON.parse(body) as unknown;
      if (!isObject(obj)) throw new Error(`invalid key element: ${s}`);
      return { key: Object.entries(obj).sort(([a], [b]) => cmpStr(a, b)) };
    }
    case 'i': {
      const n = Number(body);
      if (!Number.isInteger(n)) throw new Error(`invalid index: ${s}`);
      return { index: n };
    }
    default:
      throw new Error('unknown path element type');
  }
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function rank(v: JsonValue): number {
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return 2;
  if (typeof v === 'boolean') return 3;
  if (Array.isArray(v)) return 4;
  if (isObject(v)) return 5;
  return 6; // null
}

/** Total order on values (numbers, strings, bools, lists, maps, null), as upstream orders them. */
export function compareValues(a: JsonValue, b: JsonValue): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'number') return a < (b as number) ? -1 : a > (b as number) ? 1 : 0;
  if (typeof a === 'string') return cmpStr(a, b as string);
  if (typeof a === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (Array.isArray(a)) {
    const bl = b as JsonValue[];
    for (let i = 0; i < Math.min(a.length, bl.length); i++) {
      const c = compareValues(a[i], bl[i]);
      if (c) return c;
    }
    return a.length - bl.length;
  }
  if (isObject(a)) {
    const bo = b as JsonObject;
    const ka = Object.keys(a).sort(cmpStr);
    const kb = Object.keys(bo).sort(cmpStr);
    for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
      const c = cmpStr(ka[i], kb[i]) || compareValues(a[ka[i]], bo[kb[i]]);
      if (c) return c;
    }
    return ka.length - kb.length;
  }
  return 0;
}

const typeRank = (pe: PathElement) => ('field' in pe ? 0 : 'key' in pe ? 1 : 'value' in pe ? 2 : 3);

export function comparePe(a: PathElement, b: PathElement): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  if ('field' in a) return cmpStr(a.field, (b as { field: string }).field);
  if ('key' in a) {
    const bk = (b as { key: [string, JsonValue][] }).key;
    for (let i = 0; i < Math.min(a.key.length, bk.length); i++) {
      const c = cmpStr(a.key[i][0], bk[i][0]) || compareValues(a.key[i][1], bk[i][1]);
      if (c) return c;
    }
    return a.key.length - bk.length;
  }
  if ('value' in a) return compareValues(a.value, (b as { value: JsonValue }).value);
  return a.index - (b as { index: number }).index;
}

function goQuote(v: JsonValue): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(goQuote).join(',')}]`;
  if (isObject(v)) return Object.entries(v).map(([k, x]) => `${k}=${goQuote(x)}`).join('');
  return v === null ? 'null' : String(v);
}

/** Human form used in conflict messages: `.spec.containers[name="nginx"].image`, `[="a"]`, `[0]`. */
export function pathString(path: Path): string {
  return path
    .map((pe) => {
      if ('field' in pe) return `.${pe.field}`;
      if ('key' in pe) return `[${pe.key.map(([n, v]) => `${n}=${goQuote(v)}`).join(',')}]`;
      if ('value' in pe) return `[=${goQuote(pe.value)}]`;
      return `[${pe.index}]`;
    })
    .join('');
}

interface Child {
  pe: PathElement;
  set: FieldSet;
}

/** A set of field paths: `members` are paths ending here, `children` lead deeper. Immutable ops return new sets. */
export class FieldSet {
  readonly members = new Map<string, PathElement>();
  readonly children = new Map<string, Child>();

  static of(...paths: Path[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  insert(path: Path): void {
    if (path.length === 0) return;
    let s: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) {
      const k = peKey(path[i]);
      let c = s.children.get(k);
      if (!c) {
        c = { pe: path[i], set: new FieldSet() };
        s.children.set(k, c);
      }
      s = c.set;
    }
    const last = path[path.length - 1];
    s.members.set(peKey(last), last);
  }

  /** Adds the one-element path `pe` (a member of this set). */
  addMember(pe: PathElement): void {
    this.members.set(peKey(pe), pe);
  }

  /** The set of paths below `pe`, created empty when absent (mutates this set). */
  childSet(pe: PathElement): FieldSet {
    const k = peKey(pe);
    let c = this.children.get(k);
    if (!c) this.children.set(k, (c = { pe, set: new FieldSet() }));
    return c.set;
  }

  has(path: Path): boolean {
    if (path.length === 0) return false;
    let s: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) {
      const c = s.children.get(peKey(path[i]));
      if (!c) return false;
      s = c.set;
    }
    return s.members.has(peKey(path[path.length - 1]));
  }

  empty(): boolean {
    return this.members.size === 0 && this.children.size === 0;
  }

  /** The paths below `pe` (without the prefix); empty when none. */
  withPrefix(pe: PathElement): FieldSet {
    return this.children.get(peKey(pe))?.set ?? new FieldSet();
  }

  union(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of [...this.members, ...o.members]) out.members.set(k, pe);
    for (const [k, c] of this.children) out.children.set(k, c);
    for (const [k, c] of o.children) {
      const mine = out.children.get(k);
      out.children.set(k, mine ? { pe: c.pe, set: mine.set.union(c.set) } : c);
    }
    return out;
  }

  intersection(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (o.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const other = o.children.get(k);
      if (!other) continue;
      const s = c.set.intersection(other.set);
      if (!s.empty()) out.children.set(k, { pe: c.pe, set: s });
    }
    return out;
  }

  /** Paths in this set and not in `o` (children of a removed member survive). */
  difference(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (!o.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const other = o.children.get(k);
      if (!other) {
        out.children.set(k, c);
        continue;
      }
      const s = c.set.difference(other.set);
      if (!s.empty()) out.children.set(k, { pe: c.pe, set: s });
    }
    return out;
  }

  /** Like difference, but a member of `o` also removes everything below it. */
  recursiveDifference(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (!o.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      if (o.members.has(k)) continue;
      const other = o.children.get(k);
      if (!other) {
        out.children.set(k, c);
        continue;
      }
      const s = c.set.recursiveDifference(other.set);
      if (!s.empty()) out.children.set(k, { pe: c.pe, set: s });
    }
    return out;
  }

  equals(o: FieldSet): boolean {
    return this.difference(o).empty() && o.difference(this).empty();
  }

  /** Every path, in upstream's order: this level's members sorted, then each child sorted, depth first. */
  paths(prefix: Path = []): Path[] {
    const out: Path[] = [];
    for (const pe of [...this.members.values()].sort(comparePe)) out.push([...prefix, pe]);
    for (const c of [...this.children.values()].sort((a, b) => comparePe(a.pe, b.pe))) {
      out.push(...c.set.paths([...prefix, c.pe]));
    }
    return out;
  }

  /** FieldsV1 JSON object, keys in upstream's order. */
  toFieldsV1(): JsonObject {
    return this.emit(false);
  }

  private emit(includeSelf: boolean): JsonObject {
    const out: JsonObject = {};
    if (includeSelf && !this.empty()) out['.'] = {};
    const keys = new Map<string, PathElement>();
    for (const [k, pe] of this.members) keys.set(k, pe);
    for (const [k, c] of this.children) keys.set(k, c.pe);
    for (const [k] of [...keys].sort((a, b) => comparePe(a[1], b[1]))) {
      const c = this.children.get(k);
      out[k] = c ? c.set.emit(this.members.has(k)) : {};
    }
    return out;
  }

  static fromFieldsV1(v: unknown): FieldSet {
    const s = new FieldSet();
    if (!isObject(v)) throw new Error('FieldsV1 must be an object');
    for (const [k, sub] of Object.entries(v)) {
      if (k === '.') continue;
      const pe = parsePeKey(k);
      if (!isObject(sub)) throw new Error(`FieldsV1 value for ${k} must be an object`);
      const keys = Object.keys(sub);
      if (keys.length === 0 || Object.prototype.hasOwnProperty.call(sub, '.')) s.members.set(k, pe);
      if (keys.some((x) => x !== '.')) s.children.set(k, { pe, set: FieldSet.fromFieldsV1(sub) });
    }
    return s;
  }
}
