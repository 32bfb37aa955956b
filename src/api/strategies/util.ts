// Small helpers shared by the strategies: field-error constructors beyond status.ts, Go-style value
// rendering for messages, and plain-object utilities.

import { fieldErr, type FieldError } from '../status.js';

export { fieldErr };
export type { FieldError };

export const IMMUTABLE = 'field is immutable';

/** `field.Invalid` whose value is already rendered (e.g. as Go prints a map or struct). */
export function invalidRaw(field: string, rendered: string, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field, detail: `Invalid value: ${rendered}: ${detail}` };
}

/**
 * upstream's field.NotFound. The FieldError union in status.ts has no 'FieldValueNotFound' member yet,
 * so the reason is carried with a cast; the message is upstream's.
 */
export function notFound(field: string, value: unknown): FieldError {
  return { type: 'FieldValueNotFound' as unknown as FieldError['type'], field, detail: `Not found: ${JSON.stringify(value)}` };
}

/** `field.TooLong` on a whole map/object (upstream passes no value). */
export function tooLong(field: string, max: number): FieldError {
  return fieldErr.tooLong(field, max);
}

export function immutable(field: string, newVal: unknown): FieldError {
  return invalidRaw(field, goValue(newVal), IMMUTABLE);
}

/** Append an immutability error when two values differ (undefined, null and empty collections are equal). */
export function checkImmutable(errs: FieldError[], field: string, newVal: unknown, oldVal: unknown): void {
  if (!semanticEqual(newVal, oldVal)) errs.push(immutable(field, newVal));
}

/** Render a value roughly as Go's %#v does in field errors: strings quoted, maps as map[string]string{…}. */
export function goValue(v: unknown): string {
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) return `[]string{${v.map((x) => JSON.stringify(x)).join(', ')}}`;
    return JSON.stringify(v);
  }
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.every(([, x]) => typeof x === 'string')) {
      return `map[string]string{${entries
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, x]) => `${JSON.stringify(k)}:${JSON.stringify(x)}`)
        .join(', ')}}`;
    }
    return JSON.stringify(v);
  }
  return String(v);
}

/** A LabelSelector rendered the way kubectl users see it in "field is immutable" messages. */
export function goLabelSelector(sel: any): string {
  if (!isObj(sel)) return '(*v1.LabelSelector)(nil)';
  const ml = isObj(sel.matchLabels) ? goValue(sel.matchLabels) : 'map[string]string(nil)';
  const exprs = Array.isArray(sel.matchExpressions)
    ? `[]v1.LabelSelectorRequirement{${sel.matchExpressions
        .map(
          (e: any) =>
            `v1.LabelSelectorRequirement{Key:${JSON.stringify(e?.key ?? '')}, Operator:${JSON.stringify(e?.operator ?? '')}, Values:${
              Array.isArray(e?.values) ? goValue(e.values) : '[]string(nil)'
            }}`,
        )
        .join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return `v1.LabelSelector{MatchLabels:${ml}, MatchExpressions:${exprs}}`;
}

export function isObj(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Get (creating if absent) a nested object property. */
export function ensureObj(parent: Record<string, any>, key: string): Record<string, any> {
  if (!isObj(parent[key])) parent[key] = {};
  return parent[key];
}

function isEmptyish(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isObj(v)) return Object.keys(v).length === 0;
  return false;
}

/** Deep equality as apimachinery's Semantic.DeepEqual sees JSON: nil and empty collections are equal. */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isEmptyish(a) && isEmptyish(b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => semanticEqual(x, b[i]));
  }
  if (isObj(a) && isObj(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!semanticEqual(a[k], b[k])) return false;
    return true;
  }
  return false;
}

export function clone<T>(v: T): T {
  return v === undefined ? v : structuredClone(v);
}

/** Non-negative check as upstream's ValidateNonnegativeField. */
export function nonNegative(errs: FieldError[], field: string, v: unknown): void {
  if (typeof v === 'number' && v < 0) errs.push(fieldErr.invalid(field, v, 'must be greater than or equal to 0'));
}

export function positive(errs: FieldError[], field: string, v: unknown): void {
  if (typeof v === 'number' && v <= 0) errs.push(fieldErr.invalid(field, v, 'must be greater than 0'));
}

export function typeCheckInt(errs: FieldError[], field: string, v: unknown): v is number {
  if (v === undefined || v === null) return false;
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    errs.push({ type: 'FieldValueTypeInvalid', field, detail: `Invalid value: ${goValue(v)}: must be an integer` });
    return false;
  }
  return true;
}
