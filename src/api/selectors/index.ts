export { labelKeyProblem, labelValueProblem } from './label-syntax.js';
export {
  LabelSelector,
  LabelSelectorError,
  formatLabels,
  requirement,
  requirementMatches,
  requirementToString,
  type LabelOperator,
  type Labels,
  type Requirement,
} from './labels.js';
export { parseLabelSelector } from './parse-labels.js';
export { formatLabelSelector, labelSelectorFromMap, labelSelectorFromObject } from './label-selector-object.js';
export {
  FieldSelector,
  FieldSelectorError,
  escapeFieldValue,
  fieldsOf,
  parseFieldSelector,
  type FieldGetter,
  type FieldTerm,
} from './fields.js';
