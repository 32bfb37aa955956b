// Label selectors given as objects: metav1.LabelSelector (matchLabels + matchExpressions) and the plain
// map ReplicationControllers and Services use.

import type { LabelSelector as LabelSelectorObject } from 'kubernetes-types/meta/v1.js';
import { LabelSelector, LabelSelectorError, requirement, type Labels, type Requirement } from './labels.js';

const OPERATORS = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' } as const;

/**
 * The selector a metav1.LabelSelector describes. Absent (null/undefined) selects nothing; present but
 * empty selects everything. Throws LabelSelectorError for an unknown operator or invalid keys/values.
 */
export function labelSelectorFromObject(sel: LabelSelectorObject | null | undefined): LabelSelector {
  if (sel === null || sel === undefined) return LabelSelector.nothing();
  const reqs: Requirement[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push(requirement(k, '=', [v]));
  for (const expr of sel.matchExpressions ?? []) {
    const op = OPERATORS[expr.operator as keyof typeof OPERATORS];
    if (op === undefined || !Object.prototype.hasOwnProperty.call(OPERATORS, expr.operator)) {
      throw new LabelSelectorError(`"${expr.operator}" is not a valid label selector operator`);
    }
    const values = expr.values ?? [];
    if ((op === 'in' || op === 'notin') && values.length === 0) {
      throw new LabelSelectorError(`label selector "${expr.key}": operator ${expr.operator} needs at least one value`);
    }
    if ((op === 'exists' || op === '!') && values.length !== 0) {
      throw new LabelSelectorError(`label selector "${expr.key}": operator ${expr.operator} takes no values`);
    }
    reqs.push(requirement(expr.key, op, values));
  }
  return LabelSelector.of(reqs);
}

/** The selector a plain label map describes: every pair must match. An empty or absent map selects everything. */
export function labelSelectorFromMap(map: Labels | null | undefined): LabelSelector {
  return LabelSelector.of(Object.entries(map ?? {}).map(([k, v]) => requirement(k, '=', [v])));
}

/** A metav1.LabelSelector as kubectl's SELECTOR column prints it: the string form, "<none>", or "<error>". */
export function formatLabelSelector(sel: LabelSelectorObject | null | undefined): string {
  let s: string;
  try {
    s = labelSelectorFromObject(sel).toString();
  } catch {
    return '<error>';
  }
  return s === '' ? '<none>' : s;
}
