// Node selectors as the scheduler evaluates them: a pod's nodeSelector AND its required node affinity
// (terms ORed, the expressions and fields of one term ANDed), and the weighted preferred terms.
// A term with nothing in it selects no node; a term that does not parse is ignored (it never matches)
// while the other terms still count, as upstream's lazy-error node selector does.

import type { Node, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, Pod, PreferredSchedulingTerm } from 'kubernetes-types/core/v1.js';
import { requirement, requirementMatches, type LabelOperator, type Labels, type Requirement } from '../../../api/selectors/index.js';

const LABEL_OPERATORS: Record<string, LabelOperator> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
  Gt: 'gt',
  Lt: 'lt',
};

/** The only field a node selector may match on. */
export const ObjectNameField = 'metadata.name';

interface FieldRequirement {
  key: string;
  /** true: the field must equal `value`; false: it must differ. */
  equal: boolean;
  value: string;
}

/** One parsed NodeSelectorTerm. */
export class ParsedNodeSelectorTerm {
  readonly labels: readonly Requirement[];
  readonly fields: readonly FieldRequirement[];
  readonly parseError?: string;

  constructor(term: NodeSelectorTerm) {
    const labels: Requirement[] = [];
    const fields: FieldRequirement[] = [];
    let err: string | undefined;
    for (const expr of term.matchExpressions ?? []) {
      try {
        labels.push(labelRequirement(expr));
      } catch (e) {
        err ??= (e as Error).message;
      }
    }
    for (const f of term.matchFields ?? []) {
      if ((f.operator !== 'In' && f.operator !== 'NotIn') || (f.values ?? []).length !== 1) {
        err ??= `invalid field selector requirement for "${f.key}": operator ${f.operator} with ${(f.values ?? []).length} values`;
        continue;
      }
      fields.push({ key: f.key, equal: f.operator === 'In', value: f.values![0]! });
    }
    this.labels = labels;
    this.fields = fields;
    if (err !== undefined) this.parseError = err;
  }

  matches(nodeLabels: Labels | undefined, nodeName: string): boolean {
    if (this.parseError !== undefined) return false;
    for (const r of this.labels) if (!requirementMatches(r, nodeLabels)) return false;
    for (const f of this.fields) {
      const v = f.key === ObjectNameField ? nodeName : undefined;
      if (f.equal ? v !== f.value : v === f.value) return false;
    }
    return true;
  }
}

function labelRequirement(expr: NodeSelectorRequirement): Requirement {
  const op = Object.prototype.hasOwnProperty.call(LABEL_OPERATORS, expr.operator) ? LABEL_OPERATORS[expr.operator] : undefined;
  if (op === undefined) throw new Error(`"${expr.operator}" is not a valid node selector operator`);
  return requirement(expr.key, op, expr.values ?? []);
}

export function isEmptyNodeSelectorTerm(t: NodeSelectorTerm | undefined): boolean {
  return !t || ((t.matchExpressions ?? []).length === 0 && (t.matchFields ?? []).length === 0);
}

/** A NodeSelector (ORed terms). Empty terms are dropped: they match nothing. */
export class ParsedNodeSelector {
  readonly terms: readonly ParsedNodeSelectorTerm[];
  constructor(ns: NodeSelector) {
    this.terms = (ns.nodeSelectorTerms ?? []).filter((t) => !isEmptyNodeSelectorTerm(t)).map((t) => new ParsedNodeSelectorTerm(t));
  }
  matches(node: Node): boolean {
    const labels = node.metadata?.labels;
    const name = node.metadata?.name ?? '';
    for (const t of this.terms) if (t.matches(labels, name)) return true;
    return false;
  }
}

/** A pod's hard node constraints: spec.nodeSelector AND the required node affinity. */
export class RequiredNodeAffinity {
  private readonly selector: readonly [string, string][] | undefined;
  private readonly nodeSelector: ParsedNodeSelector | undefined;

  constructor(pod: Pod) {
    const ns = pod.spec?.nodeSelector;
    this.selector = ns && Object.keys(ns).length > 0 ? Object.entries(ns) : undefined;
    const req = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    this.nodeSelector = req ? new ParsedNodeSelector(req) : undefined;
  }

  /** True when the pod places no constraint at all. */
  isEmpty(): boolean {
    return this.selector === undefined && this.nodeSelector === undefined;
  }

  matches(node: Node): boolean {
    if (this.selector) {
      const labels = node.metadata?.labels;
      if (!labels) return false;
      for (const [k, v] of this.selector) if (labels[k] !== v) return false;
    }
    return this.nodeSelector ? this.nodeSelector.matches(node) : true;
  }
}

/** Weighted preferred terms; a node's score is the sum of the weights of the terms it matches. */
export class PreferredSchedulingTerms {
  private readonly terms: readonly { term: ParsedNodeSelectorTerm; weight: number }[];

  /** Throws when a term does not parse (upstream refuses the whole list). */
  constructor(terms: readonly PreferredSchedulingTerm[]) {
    const parsed: { term: ParsedNodeSelectorTerm; weight: number }[] = [];
    for (const t of terms) {
      if (!t.weight || isEmptyNodeSelectorTerm(t.preference)) continue;
      const term = new ParsedNodeSelectorTerm(t.preference);
      if (term.parseError !== undefined) throw new Error(term.parseError);
      parsed.push({ term, weight: t.weight });
    }
    this.terms = parsed;
  }

  get length(): number {
    return this.terms.length;
  }

  score(node: Node): number {
    const labels = node.metadata?.labels;
    const name = node.metadata?.name ?? '';
    let s = 0;
    for (const { term, weight } of this.terms) if (term.matches(labels, name)) s += weight;
    return s;
  }
}
