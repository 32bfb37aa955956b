// apps/v1 workloads (Deployment, ReplicaSet, StatefulSet, DaemonSet) and the core
// ReplicationController: defaults, validation and update rules.

import { fieldErr, type FieldError } from '../status.js';
import { mapSelectorMatches, selectorIsEmpty, selectorMatches, validateLabelSelector, validateLabels } from './meta.js';
import { regexMsg } from './names.js';
import { defaultPodTemplateSpec } from './pod-defaults.js';
import { validatePodTemplateSpec } from './pod-validation.js';
import { ensureObj, goLabelSelector, goValue, invalidRaw, isObj, nonNegative, semanticEqual } from './util.js';

// ---------- shared pieces ----------

export function goLabels(labels: unknown): string {
  return isObj(labels) ? goValue(labels) : 'map[string]string(nil)';
}

export function selectorMismatch(path: string, labels: unknown): FieldError {
  return invalidRaw(path, goLabels(labels), '`selector` does not match template `labels`');
}

/** IntOrString that must be a non-negative int or a "N%" string. */
export function validatePositiveIntOrPercent(v: unknown, path: string): FieldError[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'number') return v < 0 ? [fieldErr.invalid(path, v, 'must be greater than or equal to 0')] : [];
  if (typeof v === 'string') {
    if (!/^[0-9]+%$/.test(v)) return [fieldErr.invalid(path, v, regexMsg("a valid percent string must be a numeric string followed by an ending '%'", '[0-9]+%', '1%', '93%'))];
    return [];
  }
  return [fieldErr.invalid(path, v, 'must be an integer or percentage (e.g \'5%\')')];
}

function intOrPercentValue(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^[0-9]+%$/.test(v)) return Number(v.slice(0, -1));
  return 0;
}

function notMoreThan100Percent(v: unknown, path: string): FieldError[] {
  if (typeof v === 'string' && /^[0-9]+%$/.test(v) && Number(v.slice(0, -1)) > 100) return [fieldErr.invalid(path, v, 'must not be greater than 100%')];
  return [];
}

/** Selector + template checks shared by Deployment, ReplicaSet, StatefulSet and DaemonSet. */
function validateSelectorAndTemplate(spec: Record<string, any>, kindWord: string, kindName: string): FieldError[] {
  const errs: FieldError[] = [];
  const sel = spec.selector;
  if (sel === undefined || sel === null) errs.push(fieldErr.required('spec.selector'));
  else {
    errs.push(...validateLabelSelector(sel, 'spec.selector'));
    if (selectorIsEmpty(sel)) errs.push(invalidRaw('spec.selector', `&${goLabelSelector(sel)}`, `empty selector is invalid for ${kindWord}`));
  }
  const tmpl = spec.template;
  if (!isObj(tmpl)) {
    errs.push(fieldErr.required('spec.template'));
    return errs;
  }
  const labels = tmpl.metadata?.labels;
  // An absent selector matches nothing (as upstream's LabelSelectorAsSelector(nil)), so the
  // template's labels are reported too; an empty one matches everything.
  if (sel == null || (isObj(sel) && !selectorIsEmpty(sel) && !selectorMatches(sel, labels))) {
    errs.push(selectorMismatch('spec.template.metadata.labels', labels));
  }
  errs.push(...validatePodTemplateSpec(tmpl, 'spec.template'));
  errs.push(...templateRestartAndDeadline(tmpl, 'spec.template', kindName));
  return errs;
}

function templateRestartAndDeadline(tmpl: Record<string, any>, path: string, kindName: string): FieldError[] {
  const errs: FieldError[] = [];
  const rp = tmpl.spec?.restartPolicy;
  if (rp && rp !== 'Always') errs.push(fieldErr.notSupported(`${path}.spec.restartPolicy`, rp, ['Always']));
  if (tmpl.spec?.activeDeadlineSeconds !== undefined && tmpl.spec?.activeDeadlineSeconds !== null)
    errs.push(fieldErr.forbidden(`${path}.spec.activeDeadlineSeconds`, `activeDeadlineSeconds in ${kindName} is not Supported`));
  return errs;
}

function specOf(obj: any): Record<string, any> {
  return isObj(obj?.spec) ? obj.spec : {};
}

function selectorImmutable(obj: any, old: any): FieldError[] {
  const errs: FieldError[] = [];
  if (!semanticEqual(specOf(obj).selector, specOf(old).selector))
    errs.push(invalidRaw('spec.selector', goLabelSelector(specOf(obj).selector), 'field is immutable'));
  return errs;
}

// ---------- Deployment ----------

export function defaultDeployment(obj: any): void {
  const spec = ensureObj(obj, 'spec');
  spec.replicas ??= 1;
  const strategy = ensureObj(spec, 'strategy');
  if (!strategy.type) strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = ensureObj(strategy, 'rollingUpdate');
    ru.maxUnavailable ??= '25%';
    ru.maxSurge ??= '25%';
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  defaultPodTemplateSpec(spec.template);
}

export function validateDeployment(obj: any): FieldError[] {
  const spec = specOf(obj);
  const errs: FieldError[] = [];
  nonNegative(errs, 'spec.replicas', spec.replicas);
  errs.push(...validateSelectorAndTemplate(spec, 'deployment', 'ReplicaSet'));
  const st = isObj(spec.strategy) ? spec.strategy : {};
  if (st.type === 'Recreate') {
    if (st.rollingUpdate !== undefined && st.rollingUpdate !== null)
      errs.push(fieldErr.forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'"));
  } else if (st.type === 'RollingUpdate') {
    const ru = st.rollingUpdate;
    if (!isObj(ru)) errs.push(fieldErr.required('spec.strategy.rollingUpdate', 'this should be defaulted and never be nil'));
    else {
      const p = 'spec.strategy.rollingUpdate';
      errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`));
      errs.push(...validatePositiveIntOrPercent(ru.maxSurge, `${p}.maxSurge`));
      if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0)
        errs.push(fieldErr.invalid(`${p}.maxUnavailable`, ru.maxUnavailable, 'may not be 0 when `maxSurge` is 0'));
      errs.push(...notMoreThan100Percent(ru.maxUnavailable, `${p}.maxUnavailable`));
    }
  } else {
    errs.push(fieldErr.notSupported('spec.strategy', st, ['Recreate', 'RollingUpdate']));
  }
  nonNegative(errs, 'spec.revisionHistoryLimit', spec.revisionHistoryLimit);
  nonNegative(errs, 'spec.minReadySeconds', spec.minReadySeconds);
  if (typeof spec.progressDeadlineSeconds === 'number') {
    nonNegative(errs, 'spec.progressDeadlineSeconds', spec.progressDeadlineSeconds);
    if (spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0))
      errs.push(fieldErr.invalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
  }
  return errs;
}

// ---------- ReplicaSet ----------

export function defaultReplicaSet(obj: any): void {
  const spec = ensureObj(obj, 'spec');
  spec.replicas ??= 1;
  defaultPodTemplateSpec(spec.template);
}

export function validateReplicaSet(obj: any): FieldError[] {
  const spec = specOf(obj);
  const errs: FieldError[] = [];
  nonNegative(errs, 'spec.replicas', spec.replicas);
  nonNegative(errs, 'spec.minReadySeconds', spec.minReadySeconds);
  errs.push(...validateSelectorAndTemplate(spec, 'deployment', 'ReplicaSet'));
  return errs;
}

// ---------- StatefulSet ----------

export function defaultStatefulSet(obj: any): void {
  const spec = ensureObj(obj, 'spec');
  if (!spec.podManagementPolicy) spec.podManagementPolicy = 'OrderedReady';
  const us = ensureObj(spec, 'updateStrategy');
  if (!us.type) us.type = 'RollingUpdate';
  if (us.type === 'RollingUpdate') {
    const ru = ensureObj(us, 'rollingUpdate');
    ru.partition ??= 0;
  }
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  const pvc = ensureObj(spec, 'persistentVolumeClaimRetentionPolicy');
  if (!pvc.whenDeleted) pvc.whenDeleted = 'Retain';
  if (!pvc.whenScaled) pvc.whenScaled = 'Retain';
  defaultPodTemplateSpec(spec.template);
  if (Array.isArray(spec.volumeClaimTemplates)) {
    for (const t of spec.volumeClaimTemplates) {
      if (!isObj(t)) continue;
      const s = ensureObj(t, 'spec');
      if (!s.volumeMode) s.volumeMode = 'Filesystem';
      // Upstream's PVC defaulting also sets the embedded status phase.
      ensureObj(t, 'status').phase ??= 'Pending';
    }
  }
}

/**
 * The spec as its pods will be: each volumeClaimTemplate becomes a volume of the template (as the
 * controller adds it), so containers may mount claim templates by name.
 */
function withClaimVolumes(spec: Record<string, any>): Record<string, any> {
  const claims = Array.isArray(spec.volumeClaimTemplates) ? spec.volumeClaimTemplates : [];
  const names = claims.map((t: any) => t?.metadata?.name).filter((n: unknown): n is string => typeof n === 'string' && n !== '');
  if (names.length === 0 || !isObj(spec.template) || !isObj(spec.template.spec)) return spec;
  const podSpec = spec.template.spec;
  const existing = new Set((Array.isArray(podSpec.volumes) ? podSpec.volumes : []).map((v: any) => v?.name));
  const added = names.filter((n: string) => !existing.has(n)).map((n: string) => ({ name: n, persistentVolumeClaim: { claimName: n } }));
  return { ...spec, template: { ...spec.template, spec: { ...podSpec, volumes: [...(podSpec.volumes ?? []), ...added] } } };
}

export function validateStatefulSet(obj: any): FieldError[] {
  const spec = specOf(obj);
  const errs: FieldError[] = [];
  const pmp = spec.podManagementPolicy;
  if (pmp && pmp !== 'OrderedReady' && pmp !== 'Parallel')
    errs.push(fieldErr.invalid('spec.podManagementPolicy', pmp, "must be 'OrderedReady' or 'Parallel'"));
  const us = isObj(spec.updateStrategy) ? spec.updateStrategy : {};
  if (us.type === 'OnDelete') {
    if (us.rollingUpdate !== undefined && us.rollingUpdate !== null)
      errs.push(fieldErr.invalid('spec.updateStrategy.rollingUpdate', us.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'"));
  } else if (us.type === 'RollingUpdate') {
    if (isObj(us.rollingUpdate)) {
      nonNegative(errs, 'spec.updateStrategy.rollingUpdate.partition', us.rollingUpdate.partition);
      if (us.rollingUpdate.maxUnavailable !== undefined) {
        errs.push(...validatePositiveIntOrPercent(us.rollingUpdate.maxUnavailable, 'spec.updateStrategy.rollingUpdate.maxUnavailable'));
        if (intOrPercentValue(us.rollingUpdate.maxUnavailable) === 0)
          errs.push(fieldErr.invalid('spec.updateStrategy.rollingUpdate.maxUnavailable', us.rollingUpdate.maxUnavailable, 'must be greater than 0'));
      }
    }
  } else {
    errs.push(fieldErr.invalid('spec.updateStrategy', us, "must be 'RollingUpdate' or 'OnDelete'"));
  }
  const ret = spec.persistentVolumeClaimRetentionPolicy;
  if (isObj(ret)) {
    for (const f of ['whenDeleted', 'whenScaled'])
      if (ret[f] && ret[f] !== 'Retain' && ret[f] !== 'Delete')
        errs.push(fieldErr.notSupported(`spec.persistentVolumeClaimRetentionPolicy.${f}`, ret[f], ['Retain', 'Delete']));
  }
  nonNegative(errs, 'spec.replicas', spec.replicas);
  nonNegative(errs, 'spec.minReadySeconds', spec.minReadySeconds);
  nonNegative(errs, 'spec.revisionHistoryLimit', spec.revisionHistoryLimit);
  if (isObj(spec.ordinals)) nonNegative(errs, 'spec.ordinals.start', spec.ordinals.start);
  if (spec.serviceName) {
    for (const m of /^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(spec.serviceName) && spec.serviceName.length <= 63 ? [] : ['a DNS-1035 label must consist of lower case alphanumeric characters or \'-\', start with an alphabetic character, and end with an alphanumeric character (e.g. \'my-name\',  or \'abc-123\', regex used for validation is \'[a-z]([-a-z0-9]*[a-z0-9])?\')'])
      errs.push(fieldErr.invalid('spec.serviceName', spec.serviceName, m));
  }
  errs.push(...validateSelectorAndTemplate(withClaimVolumes(spec), 'statefulset', 'StatefulSet'));
  if (Array.isArray(spec.volumeClaimTemplates)) {
    spec.volumeClaimTemplates.forEach((t: any, i: number) => {
      const name = t?.metadata?.name;
      if (!name) errs.push(fieldErr.required(`spec.volumeClaimTemplates[${i}].metadata.name`, 'name or generateName is required'));
    });
  }
  return errs;
}

const STS_MUTABLE = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];

export function validateStatefulSetUpdate(obj: any, old: any): FieldError[] {
  const a = { ...specOf(obj) };
  const b = { ...specOf(old) };
  for (const f of STS_MUTABLE) {
    delete a[f];
    delete b[f];
  }
  if (!semanticEqual(a, b))
    return [
      fieldErr.forbidden(
        'spec',
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      ),
    ];
  return [];
}

// ---------- DaemonSet ----------

export function defaultDaemonSet(obj: any): void {
  const spec = ensureObj(obj, 'spec');
  const us = ensureObj(spec, 'updateStrategy');
  if (!us.type) us.type = 'RollingUpdate';
  if (us.type === 'RollingUpdate') {
    const ru = ensureObj(us, 'rollingUpdate');
    ru.maxUnavailable ??= 1;
    ru.maxSurge ??= 0;
  }
  spec.revisionHistoryLimit ??= 10;
  defaultPodTemplateSpec(spec.template);
}

export function validateDaemonSet(obj: any): FieldError[] {
  const spec = specOf(obj);
  const errs: FieldError[] = [];
  errs.push(...validateSelectorAndTemplate(spec, 'daemonset', 'DaemonSet'));
  nonNegative(errs, 'spec.minReadySeconds', spec.minReadySeconds);
  nonNegative(errs, 'spec.templateGeneration', spec.templateGeneration);
  nonNegative(errs, 'spec.revisionHistoryLimit', spec.revisionHistoryLimit);
  const us = isObj(spec.updateStrategy) ? spec.updateStrategy : {};
  if (us.type === 'RollingUpdate') {
    const ru = us.rollingUpdate;
    const p = 'spec.updateStrategy.rollingUpdate';
    if (!isObj(ru)) errs.push(fieldErr.required(p));
    else {
      errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`));
      errs.push(...validatePositiveIntOrPercent(ru.maxSurge, `${p}.maxSurge`));
      const mu = intOrPercentValue(ru.maxUnavailable);
      const ms = intOrPercentValue(ru.maxSurge);
      if (mu === 0 && ms === 0) errs.push(fieldErr.invalid(`${p}.maxUnavailable`, ru.maxUnavailable ?? 0, 'cannot be 0 when maxSurge is 0'));
      if (mu !== 0 && ms !== 0) errs.push(fieldErr.invalid(`${p}.maxSurge`, ru.maxSurge, 'may not be set when maxUnavailable is non-zero'));
      errs.push(...notMoreThan100Percent(ru.maxUnavailable, `${p}.maxUnavailable`));
      errs.push(...notMoreThan100Percent(ru.maxSurge, `${p}.maxSurge`));
    }
  } else if (us.type !== 'OnDelete') {
    errs.push(fieldErr.notSupported('spec.updateStrategy.type', us.type ?? '', ['OnDelete', 'RollingUpdate']));
  }
  return errs;
}

// ---------- ReplicationController (core/v1) ----------

export function defaultReplicationController(obj: any): void {
  const spec = ensureObj(obj, 'spec');
  const labels = spec.template?.metadata?.labels;
  if (isObj(labels)) {
    if (!isObj(spec.selector) || Object.keys(spec.selector).length === 0) spec.selector = { ...labels };
    const meta = ensureObj(obj, 'metadata');
    if (!isObj(meta.labels) || Object.keys(meta.labels).length === 0) meta.labels = { ...labels };
  }
  spec.replicas ??= 1;
  defaultPodTemplateSpec(spec.template);
}

export function validateReplicationController(obj: any): FieldError[] {
  const spec = specOf(obj);
  const errs: FieldError[] = [];
  nonNegative(errs, 'spec.replicas', spec.replicas);
  nonNegative(errs, 'spec.minReadySeconds', spec.minReadySeconds);
  const sel = spec.selector;
  if (!isObj(sel) || Object.keys(sel).length === 0) errs.push(fieldErr.required('spec.selector'));
  else errs.push(...validateLabels(sel, 'spec.selector'));
  const tmpl = spec.template;
  if (!isObj(tmpl)) errs.push(fieldErr.required('spec.template'));
  else {
    const labels = tmpl.metadata?.labels;
    if (isObj(sel) && Object.keys(sel).length > 0 && !mapSelectorMatches(sel, labels)) errs.push(selectorMismatch('spec.template.metadata.labels', labels));
    errs.push(...validatePodTemplateSpec(tmpl, 'spec.template'));
    errs.push(...templateRestartAndDeadline(tmpl, 'spec.template', 'ReplicationController'));
  }
  return errs;
}

// ---------- update rules ----------

export const validateDeploymentUpdate = selectorImmutable;
export const validateReplicaSetUpdate = selectorImmutable;
export const validateDaemonSetUpdate = selectorImmutable;

/** Workloads start with an empty status; controllers fill it. */
export function resetStatus(obj: any): void {
  if (isObj(obj)) obj.status = {};
}
