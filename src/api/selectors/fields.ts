// Field selectors (`?fieldSelector=`): comma-separated `field=value`, `field==value`, `field!=value`.
// In values, '\' escapes ',', '=' and '\' itself. An empty string selects everything.

export class FieldSelectorError extends Error {
  override name = 'FieldSelectorError';
}

export interface FieldTerm {
  readonly field: string;
  /** '==' is read as '='. */
  readonly operator: '=' | '!=';
  readonly value: string;
}

/** Reads one field of an object; undefined (an unset field) compares as the empty string. */
export type FieldGetter = (field: string) => string | undefined;

/** Escape a value for the string form. */
export function escapeFieldValue(v: string): string {
  return v.replace(/[\\,=]/g, (c) => `\\${c}`);
}

function unescapeFieldValue(term: string, v: string): string {
  if (!/[\\,=]/.test(v)) return v;
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (c === '\\') {
      const n = v[i + 1];
      if (n !== '\\' && n !== ',' && n !== '=') {
        throw new FieldSelectorError(`invalid field selector "${term}": invalid escape sequence in value "${v}"`);
      }
      out += n;
      i++;
    } else if (c === ',' || c === '=') {
      throw new FieldSelectorError(`invalid field selector "${term}": unescaped '${c}' in value "${v}"`);
    } else {
      out += c;
    }
  }
  return out;
}

/** Split on commas that are not escaped. */
function splitTerms(s: string): string[] {
  const terms: string[] = [];
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

/** The first operator in the term, trying '!=' then '==' then '=' at each position. */
function splitTerm(term: string): FieldTerm | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ['!=', '==', '='] as const) {
      if (term.startsWith(op, i)) {
        return {
          field: term.slice(0, i),
          operator: op === '!=' ? '!=' : '=',
          value: unescapeFieldValue(term, term.slice(i + op.length)),
        };
      }
    }
  }
  return undefined;
}

export class FieldSelector {
  constructor(readonly terms: readonly FieldTerm[]) {}

  static everything(): FieldSelector {
    return new FieldSelector([]);
  }

  empty(): boolean {
    return this.terms.length === 0;
  }

  /** The field names the selector uses (to check against what a resource supports). */
  fields(): string[] {
    return [...new Set(this.terms.map((t) => t.field))];
  }

  matches(get: FieldGetter): boolean {
    return this.terms.every((t) => ((get(t.field) ?? '') === t.value) === (t.operator === '='));
  }

  /** The value `field` must equal for any object to match (for index look-ups), if there is one. */
  requiresExactMatch(field: string): string | undefined {
    return this.terms.find((t) => t.field === field && t.operator === '=')?.value;
  }

  /** The same selector with fields renamed (e.g. `regarding.name` → `involvedObject.name`). */
  renameFields(rename: (field: string) => string): FieldSelector {
    return new FieldSelector(this.terms.map((t) => ({ ...t, field: rename(t.field) })));
  }

  toString(): string {
    return this.terms.map((t) => `${t.field}${t.operator}${escapeFieldValue(t.value)}`).join(',');
  }
}

/** Parse the string form; throws FieldSelectorError for a term without an operator or a bad escape. */
export function parseFieldSelector(s: string): FieldSelector {
  const terms: FieldTerm[] = [];
  for (const part of splitTerms(s)) {
    if (part === '') continue;
    const term = splitTerm(part);
    if (term === undefined) throw new FieldSelectorError(`invalid field selector "${s}": can't understand "${part}"`);
    terms.push(term);
  }
  return new FieldSelector(terms);
}

/** A getter over a plain map of field values. */
export function fieldsOf(values: Readonly<Record<string, string | undefined>>): FieldGetter {
  return (f) => (Object.prototype.hasOwnProperty.call(values, f) ? values[f] : undefined);
}
