// The JSON form a revision's data is compared and hashed in: object keys sorted at every level and
// `<`, `>`, `&`, U+2028, U+2029 escaped, as Go's encoding/json writes a map[string]interface{}. A
// revision stored by the server and read back therefore compares equal byte for byte.

/** A deep copy of a JSON value with object keys sorted (undefined fields dropped). */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : sortKeys(v)));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** Canonical JSON text: sorted keys, no whitespace, Go's HTML-safe escapes. */
export function canonicalJSON(value: unknown): string {
  return JSON.stringify(sortKeys(value))
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
