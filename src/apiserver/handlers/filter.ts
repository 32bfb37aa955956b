// Label and field selectors of a list/watch request turned into one predicate on objects.

import type { KubeObject, ResourceDef } from '../../api/registry.js';
import { errors } from '../../api/status.js';
import { fieldGetter, unsupportedFieldLabels } from '../../api/resources/index.js';
import { FieldSelectorError, LabelSelectorError, parseFieldSelector, parseLabelSelector } from '../../api/selectors/index.js';

export interface ObjectFilter {
  matchesAll: boolean;
  matches: (obj: KubeObject) => boolean;
}

/** `name` narrows to one object (watch on a named URL). */
export function buildFilter(def: ResourceDef, q: URLSearchParams, name?: string): ObjectFilter {
  let labels;
  let fields;
  try {
    labels = parseLabelSelector(q.get('labelSelector') ?? '');
  } catch (e) {
    if (e instanceof LabelSelectorError) throw errors.badRequest(`unable to parse requirement: ${e.message}`);
    throw e;
  }
  try {
    fields = parseFieldSelector(q.get('fieldSelector') ?? '');
  } catch (e) {
    if (e instanceof FieldSelectorError) throw errors.badRequest(e.message);
    throw e;
  }
  const unsupported = unsupportedFieldLabels(def, fields.fields());
  if (unsupported.length > 0) throw errors.badRequest(`field label not supported: ${unsupported[0]}`);
  const matchesAll = labels.empty() && fields.empty() && !name;
  return {
    matchesAll,
    matches: (obj) =>
      (!name || obj.metadata?.name === name) &&
      labels.matches(obj.metadata?.labels) &&
      (fields.empty() || fields.matches(fieldGetter(def, obj))),
  };
}
