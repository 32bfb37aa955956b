// ObjectMeta validation on create and update, label/annotation syntax, and label selectors
// (metav1.LabelSelector objects: validation and matching).

import { fieldErr, type FieldError } from '../status.js';
import { isDNS1123Label, isQualifiedName, isLabelValue, nameIsDNSSubdomain, type NameFn } from './names.js';
import { checkImmutable, invalidRaw, goValue, isObj } from './util.js';

export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

export interface MetaRules {
  namespaced: boolean;
  nameFn?: NameFn;
}

export function validateLabels(labels: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (labels === undefined || labels === null) return errs;
  if (!isObj(labels)) return [{ type: 'FieldValueTypeInvalid', field: path, detail: `Invalid value: ${goValue(labels)}: must be a map of strings` }];
  for (const [k, v] of Object.entries(labels)) {
    for (const m of isQualifiedName(k)) errs.push(fieldErr.invalid(path, k, m));
    if (typeof v !== 'string') {
      errs.push({ type: 'FieldValueTypeInvalid', field: path, detail: `Invalid value: ${goValue(v)}: must be a string` });
      continue;
    }
    for (const m of isLabelValue(v)) errs.push(fieldErr.invalid(path, v, m));
  }
  return errs;
}

export function validateAnnotations(ann: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (ann === undefined || ann === null) return errs;
  if (!isObj(ann)) return [{ type: 'FieldValueTypeInvalid', field: path, detail: `Invalid value: ${goValue(ann)}: must be a map of strings` }];
  let size = 0;
  for (const [k, v] of Object.entries(ann)) {
    // Qualified-name rules, case-insensitive.
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(fieldErr.invalid(path, k, m));
    size += Buffer.byteLength(k) + Buffer.byteLength(typeof v === 'string' ? v : String(v));
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(fieldErr.tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

function validateOwnerReferences(refs: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!Array.isArray(refs)) return errs;
  let firstController = '';
  for (const ref of refs) {
    if (!isObj(ref)) continue;
    const apiVersion = String(ref.apiVersion ?? '');
    const version = apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion;
    if (!version) errs.push(fieldErr.invalid(`${path}.apiVersion`, apiVersion, 'version must not be empty'));
    if (!ref.kind) errs.push(fieldErr.invalid(`${path}.kind`, ref.kind ?? '', 'must not be empty'));
    if (!ref.name) errs.push(fieldErr.invalid(`${path}.name`, ref.name ?? '', 'must not be empty'));
    if (!ref.uid) errs.push(fieldErr.invalid(`${path}.uid`, ref.uid ?? '', 'must not be empty'));
    if (version === 'v1' && !apiVersion.includes('/') && ref.kind === 'Event')
      errs.push(fieldErr.invalid(path, ref, '/v1, Kind=Event is disallowed from being an owner'));
    if (ref.controller === true) {
      const cur = `${ref.kind}/${ref.name}`;
      if (firstController)
        errs.push(
          fieldErr.invalid(path, refs, `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${cur}`),
        );
      else firstController = cur;
    }
  }
  return errs;
}

function validateFinalizers(finalizers: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!Array.isArray(finalizers)) return errs;
  for (const f of finalizers) {
    for (const m of isQualifiedName(String(f))) errs.push(fieldErr.invalid(path, f, m));
  }
  if (finalizers.includes('orphan') && finalizers.includes('foregroundDeletion'))
    errs.push(invalidRaw(path, goValue(finalizers), 'finalizer orphan and foregroundDeletion cannot be both set'));
  return errs;
}

/** Upstream's ValidateObjectMeta (the name is expected to be generated already when generateName is used). */
export function validateObjectMeta(meta: unknown, rules: MetaRules, path = 'metadata'): FieldError[] {
  const errs: FieldError[] = [];
  const m: Record<string, any> = isObj(meta) ? meta : {};
  const nameFn = rules.nameFn ?? nameIsDNSSubdomain;
  if (typeof m.generateName === 'string' && m.generateName.length > 0) {
    for (const msg of nameFn(m.generateName, true)) errs.push(fieldErr.invalid(`${path}.generateName`, m.generateName, msg));
  }
  const name = typeof m.name === 'string' ? m.name : '';
  if (name.length === 0) errs.push(fieldErr.required(`${path}.name`, 'name or generateName is required'));
  else for (const msg of nameFn(name, false)) errs.push(fieldErr.invalid(`${path}.name`, name, msg));

  const ns = typeof m.namespace === 'string' ? m.namespace : '';
  if (rules.namespaced) {
    if (ns.length === 0) errs.push(fieldErr.required(`${path}.namespace`));
    else for (const msg of isDNS1123Label(ns)) errs.push(fieldErr.invalid(`${path}.namespace`, ns, msg));
  } else if (ns.length > 0) {
    errs.push(fieldErr.forbidden(`${path}.namespace`, 'not allowed on this type'));
  }
  if (typeof m.generation === 'number' && m.generation < 0)
    errs.push(fieldErr.invalid(`${path}.generation`, m.generation, 'must be greater than or equal to 0'));
  errs.push(...validateLabels(m.labels, `${path}.labels`));
  errs.push(...validateAnnotations(m.annotations, `${path}.annotations`));
  errs.push(...validateOwnerReferences(m.ownerReferences, `${path}.ownerReferences`));
  errs.push(...validateFinalizers(m.finalizers, `${path}.finalizers`));
  return errs;
}

/** Upstream's ValidateObjectMetaUpdate: identity fields are immutable. */
export function validateObjectMetaUpdate(meta: unknown, old: unknown, path = 'metadata'): FieldError[] {
  const errs: FieldError[] = [];
  const m: Record<string, any> = isObj(meta) ? meta : {};
  const o: Record<string, any> = isObj(old) ? old : {};
  if (o.deletionTimestamp && Array.isArray(m.finalizers)) {
    const oldSet = new Set<string>(Array.isArray(o.finalizers) ? o.finalizers : []);
    const extra = [...new Set<string>(m.finalizers)].filter((f) => !oldSet.has(f)).sort();
    if (extra.length > 0)
      errs.push(
        fieldErr.forbidden(`${path}.finalizers`, `no new finalizers can be added if the object is being deleted, found new finalizers ${goValue(extra)}`),
      );
  }
  if (typeof m.generation === 'number' && typeof o.generation === 'number' && m.generation < o.generation)
    errs.push(fieldErr.invalid(`${path}.generation`, m.generation, 'must not be decremented'));
  checkImmutable(errs, `${path}.name`, m.name ?? '', o.name ?? '');
  checkImmutable(errs, `${path}.namespace`, m.namespace ?? '', o.namespace ?? '');
  checkImmutable(errs, `${path}.uid`, m.uid ?? '', o.uid ?? '');
  checkImmutable(errs, `${path}.creationTimestamp`, m.creationTimestamp ?? null, o.creationTimestamp ?? null);
  errs.push(...validateLabels(m.labels, `${path}.labels`));
  errs.push(...validateAnnotations(m.annotations, `${path}.annotations`));
  errs.push(...validateOwnerReferences(m.ownerReferences, `${path}.ownerReferences`));
  errs.push(...validateFinalizers(m.finalizers, `${path}.finalizers`));
  return errs;
}

const SELECTOR_OPS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** Upstream's ValidateLabelSelector for metav1.LabelSelector objects. */
export function validateLabelSelector(sel: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (sel === undefined || sel === null) return errs;
  if (!isObj(sel)) return [{ type: 'FieldValueTypeInvalid', field: path, detail: `Invalid value: ${goValue(sel)}: must be a label selector` }];
  const exprs = sel.matchExpressions;
  if (Array.isArray(exprs)) {
    exprs.forEach((r: any, i: number) => {
      const p = `${path}.matchExpressions[${i}]`;
      const op = r?.operator;
      const values = Array.isArray(r?.values) ? r.values : [];
      if (op === 'In' || op === 'NotIn') {
        if (values.length === 0) errs.push(fieldErr.required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
      } else if (op === 'Exists' || op === 'DoesNotExist') {
        if (values.length > 0) errs.push(fieldErr.forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      } else {
        errs.push(fieldErr.invalid(`${p}.operator`, op ?? '', 'not a valid selector operator'));
      }
      for (const m of isQualifiedName(String(r?.key ?? ''))) errs.push(fieldErr.invalid(`${p}.key`, r?.key ?? '', m));
    });
  }
  errs.push(...validateLabels(sel.matchLabels, `${path}.matchLabels`));
  return errs;
}

export function selectorIsEmpty(sel: unknown): boolean {
  if (!isObj(sel)) return true;
  const ml = isObj(sel.matchLabels) ? Object.keys(sel.matchLabels).length : 0;
  const me = Array.isArray(sel.matchExpressions) ? sel.matchExpressions.length : 0;
  return ml + me === 0;
}

/** Does a metav1.LabelSelector select these labels? An empty selector selects everything. */
export function selectorMatches(sel: unknown, labels: unknown): boolean {
  if (!isObj(sel)) return false;
  const l: Record<string, unknown> = isObj(labels) ? labels : {};
  if (isObj(sel.matchLabels)) {
    for (const [k, v] of Object.entries(sel.matchLabels)) if (l[k] !== v) return false;
  }
  if (Array.isArray(sel.matchExpressions)) {
    for (const r of sel.matchExpressions) {
      const has = Object.prototype.hasOwnProperty.call(l, r?.key);
      const values: unknown[] = Array.isArray(r?.values) ? r.values : [];
      switch (r?.operator) {
        case 'In':
          if (!has || !values.includes(l[r.key])) return false;
          break;
        case 'NotIn':
          if (has && values.includes(l[r.key])) return false;
          break;
        case 'Exists':
          if (!has) return false;
          break;
        case 'DoesNotExist':
          if (has) return false;
          break;
        default:
          return false;
      }
    }
  }
  return true;
}

export function isValidSelectorOperator(op: unknown): boolean {
  return SELECTOR_OPS.includes(op as string);
}

/** A plain map selector (ReplicationController, Service) selects labels holding every pair. */
export function mapSelectorMatches(sel: unknown, labels: unknown): boolean {
  if (!isObj(sel)) return false;
  const l: Record<string, unknown> = isObj(labels) ? labels : {};
  return Object.entries(sel).every(([k, v]) => l[k] === v);
}
