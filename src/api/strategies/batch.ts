// batch/v1 Job and CronJob: defaults, generated selectors, validation and update rules.

import { fieldErr, type FieldError } from '../status.js';
import { CronError, isValidTimeZone, parseCron } from './cron.js';
import { selectorMatches, validateAnnotations, validateLabelSelector, validateLabels } from './meta.js';
import { defaultPodTemplateSpec } from './pod-defaults.js';
import { validatePodTemplateSpec } from './pod-validation.js';
import { clone, ensureObj, goLabelSelector, invalidRaw, isObj, nonNegative, semanticEqual } from './util.js';
import { goLabels, selectorMismatch } from './workloads.js';

export const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid';
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const LEGACY_JOB_NAME_LABEL = 'job-name';

function specOf(obj: any): Record<string, any> {
  return isObj(obj?.spec) ? obj.spec : {};
}

/**
 * Selector generation for Jobs without `manualSelector: true` (upstream does it in the Job strategy's
 * PrepareForCreate): job-name and controller-uid labels on the template, selector on the uid.
 * Needs metadata.uid, which the server assigns before strategies run; without it nothing happens.
 */
export function generateJobSelector(job: any): void {
  const spec = ensureObj(job, 'spec');
  if (spec.manualSelector === true) return;
  const uid = job?.metadata?.uid;
  const name = job?.metadata?.name ?? '';
  if (!uid) return;
  const tmpl = ensureObj(spec, 'template');
  const labels = ensureObj(ensureObj(tmpl, 'metadata'), 'labels');
  for (const k of [LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL]) if (!(k in labels)) labels[k] = name;
  for (const k of [LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL]) if (!(k in labels)) labels[k] = uid;
  const sel = ensureObj(spec, 'selector');
  const ml = ensureObj(sel, 'matchLabels');
  if (!(CONTROLLER_UID_LABEL in ml)) ml[CONTROLLER_UID_LABEL] = uid;
}

/** Job labels default to the template's labels (upstream defaulting; seen after selector generation). */
function defaultJobLabels(job: any): void {
  const labels = job?.spec?.template?.metadata?.labels;
  if (!isObj(labels) || Object.keys(labels).length === 0) return;
  const meta = ensureObj(job, 'metadata');
  if (!isObj(meta.labels) || Object.keys(meta.labels).length === 0) meta.labels = { ...labels };
}

export function defaultJob(job: any): void {
  const spec = ensureObj(job, 'spec');
  if ((spec.completions === undefined || spec.completions === null) && (spec.parallelism === undefined || spec.parallelism === null)) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  if (spec.backoffLimit === undefined || spec.backoffLimit === null) spec.backoffLimit = typeof spec.backoffLimitPerIndex === 'number' ? 2147483647 : 6;
  if (!spec.completionMode) spec.completionMode = 'NonIndexed';
  spec.suspend ??= false;
  if (!spec.podReplacementPolicy) spec.podReplacementPolicy = isObj(spec.podFailurePolicy) ? 'Failed' : 'TerminatingOrFailed';
  if (isObj(spec.podFailurePolicy) && Array.isArray(spec.podFailurePolicy.rules)) {
    for (const r of spec.podFailurePolicy.rules) for (const c of r?.onPodConditions ?? []) if (isObj(c) && !c.status) c.status = 'True';
  }
  defaultPodTemplateSpec(spec.template);
  generateJobSelector(job);
  defaultJobLabels(job);
}

export function prepareJobForCreate(job: any): void {
  job.status = {};
  generateJobSelector(job);
  defaultJobLabels(job);
}

function hasLabel(errs: FieldError[], meta: any, path: string, key: string, want: string): void {
  const labels = isObj(meta?.labels) ? meta.labels : {};
  if (!(key in labels)) errs.push(fieldErr.required(`${path}.labels[${key}]`, `must be '${want}'`));
  else if (labels[key] !== want) errs.push(invalidRaw(`${path}.labels[${key}]`, goLabels(labels), `must be '${want}'`));
}

function validateGeneratedSelector(job: any): FieldError[] {
  const errs: FieldError[] = [];
  const spec = specOf(job);
  if (spec.manualSelector === true) return errs;
  const uid = job?.metadata?.uid ?? '';
  const name = job?.metadata?.name ?? '';
  if (!uid) errs.push(fieldErr.required('metadata.uid'));
  const tm = spec.template?.metadata;
  const p = 'spec.template.metadata';
  hasLabel(errs, tm, p, LEGACY_CONTROLLER_UID_LABEL, uid);
  hasLabel(errs, tm, p, LEGACY_JOB_NAME_LABEL, name);
  hasLabel(errs, tm, p, CONTROLLER_UID_LABEL, uid);
  hasLabel(errs, tm, p, JOB_NAME_LABEL, name);
  const expected = { [CONTROLLER_UID_LABEL]: uid, [JOB_NAME_LABEL]: name, [LEGACY_CONTROLLER_UID_LABEL]: uid, [LEGACY_JOB_NAME_LABEL]: name };
  if (isObj(spec.selector) && !selectorMatches(spec.selector, expected))
    errs.push(invalidRaw('spec.selector', `&${goLabelSelector(spec.selector)}`, '`selector` not auto-generated'));
  return errs;
}

/** ValidateJobSpec; `inTemplate` for a CronJob's jobTemplate (the selector is generated later). */
export function validateJobSpec(spec: any, path: string, inTemplate: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (!isObj(spec)) return [fieldErr.required(path)];
  for (const f of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished', 'backoffLimitPerIndex', 'maxFailedIndexes'])
    nonNegative(errs, `${path}.${f}`, spec[f]);
  const mode = spec.completionMode;
  if (mode && mode !== 'NonIndexed' && mode !== 'Indexed') errs.push(fieldErr.notSupported(`${path}.completionMode`, mode, ['NonIndexed', 'Indexed']));
  if (mode === 'Indexed' && (spec.completions === undefined || spec.completions === null))
    errs.push(fieldErr.required(`${path}.completions`, 'when completion mode is Indexed'));
  const prp = spec.podReplacementPolicy;
  if (prp && prp !== 'TerminatingOrFailed' && prp !== 'Failed') errs.push(fieldErr.notSupported(`${path}.podReplacementPolicy`, prp, ['Failed', 'TerminatingOrFailed']));
  if (isObj(spec.podFailurePolicy) && prp && prp !== 'Failed')
    errs.push(fieldErr.notSupported(`${path}.podReplacementPolicy`, prp, ['Failed']));

  const tmpl = spec.template;
  if (inTemplate) {
    if (spec.manualSelector === true) errs.push(fieldErr.notSupported(`${path}.manualSelector`, true, ['nil', 'false']));
  } else if (spec.selector === undefined || spec.selector === null) {
    errs.push(fieldErr.required(`${path}.selector`));
  } else {
    errs.push(...validateLabelSelector(spec.selector, `${path}.selector`));
    const labels = tmpl?.metadata?.labels;
    if (!selectorMatches(spec.selector, labels)) errs.push(selectorMismatch(`${path}.template.metadata.labels`, labels));
  }
  if (!isObj(tmpl)) {
    errs.push(fieldErr.required(`${path}.template`));
    return errs;
  }
  errs.push(...validatePodTemplateSpec(tmpl, `${path}.template`));
  const rp = tmpl.spec?.restartPolicy;
  if (rp !== 'OnFailure' && rp !== 'Never') {
    if (!rp) errs.push(fieldErr.required(`${path}.template.spec.restartPolicy`, 'valid values: "OnFailure", "Never"'));
    else errs.push(fieldErr.notSupported(`${path}.template.spec.restartPolicy`, rp, ['OnFailure', 'Never']));
  }
  return errs;
}

export function validateJob(job: any): FieldError[] {
  return [...validateGeneratedSelector(job), ...validateJobSpec(job?.spec, 'spec', false)];
}

const SCHEDULING_FIELDS = ['nodeSelector', 'affinity', 'tolerations', 'schedulingGates'];

export function validateJobUpdate(job: any, old: any): FieldError[] {
  const errs: FieldError[] = [];
  const spec = specOf(job);
  const oldSpec = specOf(old);
  if (!semanticEqual(spec.selector, oldSpec.selector)) errs.push(invalidRaw('spec.selector', `&${goLabelSelector(spec.selector)}`, 'field is immutable'));
  if (!semanticEqual(spec.completionMode, oldSpec.completionMode)) errs.push(fieldErr.invalid('spec.completionMode', spec.completionMode ?? '', 'field is immutable'));
  const elastic = spec.completionMode === 'Indexed' && spec.completions === spec.parallelism;
  if (!elastic && !semanticEqual(spec.completions, oldSpec.completions)) errs.push(fieldErr.invalid('spec.completions', spec.completions ?? null, 'field is immutable'));
  // The pod template is immutable, except scheduling directives and metadata of a suspended Job
  // that never started.
  const a: any = clone(spec.template) ?? {};
  const b: any = clone(oldSpec.template) ?? {};
  const mutableScheduling = oldSpec.suspend === true && !old?.status?.startTime;
  if (mutableScheduling) {
    for (const t of [a, b]) {
      if (isObj(t.spec)) for (const f of SCHEDULING_FIELDS) delete t.spec[f];
      if (isObj(t.metadata)) {
        delete t.metadata.labels;
        delete t.metadata.annotations;
      }
    }
  }
  if (!semanticEqual(a, b)) errs.push(invalidRaw('spec.template', `core.PodTemplateSpec${JSON.stringify(spec.template ?? {})}`, 'field is immutable'));
  return errs;
}

// ---------- CronJob ----------

export function defaultCronJob(cj: any): void {
  const spec = ensureObj(cj, 'spec');
  if (!spec.concurrencyPolicy) spec.concurrencyPolicy = 'Allow';
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= 3;
  spec.failedJobsHistoryLimit ??= 1;
  defaultPodTemplateSpec(spec.jobTemplate?.spec?.template);
}

const CONCURRENCY = ['Allow', 'Forbid', 'Replace'];

export function validateSchedule(schedule: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (typeof schedule !== 'string' || schedule.length === 0) return [fieldErr.required(path)];
  try {
    parseCron(schedule);
  } catch (e) {
    errs.push(fieldErr.invalid(path, schedule, e instanceof CronError ? e.message : String(e)));
  }
  if (schedule.includes('TZ')) errs.push(fieldErr.invalid(path, schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  return errs;
}

export function validateTimeZone(tz: unknown, path: string): FieldError[] {
  if (tz === undefined || tz === null) return [];
  const s = String(tz);
  if (s.length === 0) return [fieldErr.invalid(path, s, 'timeZone must be nil or non-empty string')];
  if (s.toLowerCase() === 'local') return [fieldErr.invalid(path, s, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones')];
  if (!/^[A-Za-z._+\-0-9/]*$/.test(s) || !isValidTimeZone(s)) return [fieldErr.invalid(path, s, `unknown time zone ${s}`)];
  return [];
}

export function validateCronJob(cj: any): FieldError[] {
  const errs: FieldError[] = [];
  const name = cj?.metadata?.name;
  if (typeof name === 'string' && name.length > 52) errs.push(fieldErr.invalid('metadata.name', name, 'must be no more than 52 characters'));
  const spec = specOf(cj);
  errs.push(...validateSchedule(spec.schedule, 'spec.schedule'));
  errs.push(...validateTimeZone(spec.timeZone, 'spec.timeZone'));
  nonNegative(errs, 'spec.startingDeadlineSeconds', spec.startingDeadlineSeconds);
  if (!spec.concurrencyPolicy) errs.push(fieldErr.required('spec.concurrencyPolicy'));
  else if (!CONCURRENCY.includes(spec.concurrencyPolicy)) errs.push(fieldErr.notSupported('spec.concurrencyPolicy', spec.concurrencyPolicy, CONCURRENCY));
  nonNegative(errs, 'spec.successfulJobsHistoryLimit', spec.successfulJobsHistoryLimit);
  nonNegative(errs, 'spec.failedJobsHistoryLimit', spec.failedJobsHistoryLimit);
  const jt = spec.jobTemplate;
  if (!isObj(jt)) errs.push(fieldErr.required('spec.jobTemplate'));
  else {
    errs.push(...validateLabels(jt.metadata?.labels, 'spec.jobTemplate.metadata.labels'));
    errs.push(...validateAnnotations(jt.metadata?.annotations, 'spec.jobTemplate.metadata.annotations'));
    errs.push(...validateJobSpec(jt.spec, 'spec.jobTemplate.spec', true));
  }
  return errs;
}
