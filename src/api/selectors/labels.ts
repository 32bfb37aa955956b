// Label selectors: a conjunction of requirements on an object's labels, matched and printed as upstream does.

import { labelKeyProblem, labelValueProblem } from './label-syntax.js';

export type Labels = Readonly<Record<string, string>>;

/**
 * Requirement operators. '=', '==' and '!=' compare one value; 'in'/'notin' a set; 'exists' and
 * '!' (does not exist) take none; 'gt'/'lt' compare one integer.
 */
export type LabelOperator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

export interface Requirement {
  readonly key: string;
  readonly operator: LabelOperator;
  /** Sorted and de-duplicated for 'in'/'notin'; one value for comparisons; empty for existence. */
  readonly values: readonly string[];
}

export class LabelSelectorError extends Error {
  override name = 'LabelSelectorError';
}

const INTEGER_RE = /^[-+]?\d+$/;

/** A checked requirement; throws LabelSelectorError with a message naming the key and the problem. */
export function requirement(key: string, operator: LabelOperator, values: readonly string[] = []): Requirement {
  const keyProblem = labelKeyProblem(key);
  if (keyProblem) throw new LabelSelectorError(`invalid label key "${key}": ${keyProblem}`);
  switch (operator) {
    case 'in':
    case 'notin':
      if (values.length === 0) throw new LabelSelectorError(`label selector "${key}": '${operator}' needs at least one value`);
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) throw new LabelSelectorError(`label selector "${key}": '${operator}' needs exactly one value`);
      break;
    case 'exists':
    case '!':
      if (values.length !== 0) throw new LabelSelectorError(`label selector "${key}": an existence test takes no values`);
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1) throw new LabelSelectorError(`label selector "${key}": '${operator}' needs exactly one value`);
      if (!INTEGER_RE.test(values[0]!)) {
        throw new LabelSelectorError(`label selector "${key}": '${operator}' needs an integer value, got "${values[0]}"`);
      }
      break;
    default:
      throw new LabelSelectorError(`label selector "${key}": unknown operator '${operator as string}'`);
  }
  for (const v of values) {
    const problem = labelValueProblem(v);
    if (problem) throw new LabelSelectorError(`invalid label value "${v}" for key "${key}": ${problem}`);
  }
  const sorted = operator === 'in' || operator === 'notin' ? [...new Set(values)].sort() : [...values];
  return { key, operator, values: sorted };
}

export function requirementMatches(r: Requirement, labels: Labels | undefined): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? labels![r.key]! : undefined;
  switch (r.operator) {
    case '=':
    case '==':
    case 'in':
      return has && r.values.includes(value!);
    case '!=':
    case 'notin':
      return !has || !r.values.includes(value!);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || !INTEGER_RE.test(value!)) return false;
      const have = BigInt(value!);
      const want = BigInt(r.values[0]!);
      return r.operator === 'gt' ? have > want : have < want;
    }
  }
}

export function requirementToString(r: Requirement): string {
  switch (r.operator) {
    case 'exists':
      return r.key;
    case '!':
      return `!${r.key}`;
    case 'in':
    case 'notin':
      return `${r.key} ${r.operator} (${r.values.join(',')})`;
    case 'gt':
      return `${r.key}>${r.values[0]}`;
    case 'lt':
      return `${r.key}<${r.values[0]}`;
    default:
      return `${r.key}${r.operator}${r.values[0]}`;
  }
}

export class LabelSelector {
  private static readonly EVERYTHING = new LabelSelector([], false);
  private static readonly NOTHING = new LabelSelector([], true);

  /** Requirements sorted by key (stable), as upstream prints them. */
  readonly requirements: readonly Requirement[];

  private constructor(
    requirements: readonly Requirement[],
    /** True only for the selector of an absent metav1.LabelSelector: it matches no object. */
    readonly matchesNothing: boolean,
  ) {
    this.requirements = [...requirements].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  static of(requirements: readonly Requirement[]): LabelSelector {
    return requirements.length === 0 ? LabelSelector.EVERYTHING : new LabelSelector(requirements, false);
  }

  static everything(): LabelSelector {
    return LabelSelector.EVERYTHING;
  }

  static nothing(): LabelSelector {
    return LabelSelector.NOTHING;
  }

  /** True when the selector matches every object (no requirements). */
  empty(): boolean {
    return !this.matchesNothing && this.requirements.length === 0;
  }

  matches(labels: Labels | undefined | null): boolean {
    if (this.matchesNothing) return false;
    const l = labels ?? undefined;
    return this.requirements.every((r) => requirementMatches(r, l));
  }

  /** The string form (`app=web,tier in (a,b)`); "" for everything and for nothing. */
  toString(): string {
    return this.requirements.map(requirementToString).join(',');
  }

  /** The value a key must equal for any object to match (for index look-ups), if there is one. */
  requiresExactMatch(key: string): string | undefined {
    for (const r of this.requirements) {
      if (r.key !== key) continue;
      if (r.operator === '=' || r.operator === '==' || (r.operator === 'in' && r.values.length === 1)) return r.values[0];
    }
    return undefined;
  }
}

/** Labels as kubectl prints them: `a=1,b=2` sorted by key, or "<none>". */
export function formatLabels(labels: Labels | undefined | null): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${labels![k]}`).join(',');
}
