import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultCronJob, defaultJob, prepareJobForCreate, validateCronJob, validateJob, validateJobUpdate } from './batch.js';

const msgs = (errs: { field: string; detail: string }[]) => errs.map((e) => `${e.field}: ${e.detail}`);

function job(spec: any, uid = 'u-1'): any {
  const j = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'pi', namespace: 'default', uid }, spec };
  defaultJob(j);
  return j;
}
const tmpl = (restartPolicy?: string) => ({ spec: { ...(restartPolicy ? { restartPolicy } : {}), containers: [{ name: 'pi', image: 'perl' }] } });

test('job defaults and generated selector', () => {
  const j = job({ template: tmpl('Never') });
  assert.equal(j.spec.completions, 1);
  assert.equal(j.spec.parallelism, 1);
  assert.equal(j.spec.backoffLimit, 6);
  assert.equal(j.spec.completionMode, 'NonIndexed');
  assert.equal(j.spec.suspend, false);
  assert.equal(j.spec.podReplacementPolicy, 'TerminatingOrFailed');
  assert.deepEqual(j.spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u-1' } });
  assert.deepEqual(j.spec.template.metadata.labels, {
    'job-name': 'pi',
    'batch.kubernetes.io/job-name': 'pi',
    'controller-uid': 'u-1',
    'batch.kubernetes.io/controller-uid': 'u-1',
  });
  assert.deepEqual(j.metadata.labels, j.spec.template.metadata.labels);
  assert.deepEqual(validateJob(j), []);
  const p = job({ parallelism: 3, template: tmpl('Never') });
  assert.equal(p.spec.completions, undefined);
  assert.equal(p.spec.parallelism, 3);
});

test('prepareForCreate generates the selector when defaults ran before the uid was known', () => {
  const j = job({ template: tmpl('Never') }, '');
  assert.equal(j.spec.selector, undefined);
  j.metadata.uid = 'u-2';
  prepareJobForCreate(j);
  assert.equal(j.spec.selector.matchLabels['batch.kubernetes.io/controller-uid'], 'u-2');
  assert.deepEqual(j.status, {});
  assert.deepEqual(validateJob(j), []);
});

test('job template restartPolicy must be OnFailure or Never', () => {
  const j = job({ template: tmpl() });
  assert.deepEqual(msgs(validateJob(j)), ['spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"']);
});

test('manual selectors must match the template', () => {
  const j = job({ manualSelector: true, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'c' } }, ...tmpl('Never') } });
  assert.deepEqual(msgs(validateJob(j)), ['spec.template.metadata.labels: Invalid value: map[string]string{"a":"c"}: `selector` does not match template `labels`']);
});

test('job selector and template are immutable', () => {
  const old = job({ template: tmpl('Never') });
  const sel = structuredClone(old);
  sel.spec.selector.matchLabels.x = 'y';
  assert.equal(validateJobUpdate(sel, old)[0]!.field, 'spec.selector');
  const t = structuredClone(old);
  t.spec.template.spec.containers[0].image = 'other';
  const errs = validateJobUpdate(t, old);
  assert.equal(errs.length, 1);
  assert.equal(errs[0]!.field, 'spec.template');
  assert.match(errs[0]!.detail, /field is immutable$/);
  // A suspended job that never started may change scheduling directives.
  const s = job({ suspend: true, template: tmpl('Never') });
  const s2 = structuredClone(s);
  s2.spec.template.spec.nodeSelector = { zone: 'a' };
  assert.deepEqual(validateJobUpdate(s2, s), []);
  const bumped = structuredClone(old);
  bumped.spec.backoffLimit = 10;
  assert.deepEqual(validateJobUpdate(bumped, old), []);
});

function cronjob(spec: any, name = 'hello'): any {
  const c = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name, namespace: 'default' }, spec };
  defaultCronJob(c);
  return c;
}

test('cronjob defaults and validation', () => {
  const c = cronjob({ schedule: '*/5 * * * *', jobTemplate: { spec: { template: tmpl('OnFailure') } } });
  assert.equal(c.spec.concurrencyPolicy, 'Allow');
  assert.equal(c.spec.suspend, false);
  assert.equal(c.spec.successfulJobsHistoryLimit, 3);
  assert.equal(c.spec.failedJobsHistoryLimit, 1);
  assert.equal(c.spec.jobTemplate.spec.template.spec.dnsPolicy, 'ClusterFirst');
  assert.deepEqual(validateCronJob(c), []);
  assert.deepEqual(validateCronJob(cronjob({ schedule: '@daily', timeZone: 'Europe/Paris', jobTemplate: { spec: { template: tmpl('Never') } } })), []);
});

test('cronjob schedule errors', () => {
  assert.deepEqual(msgs(validateCronJob(cronjob({ jobTemplate: { spec: { template: tmpl('Never') } } }))), ['spec.schedule: Required value']);
  assert.deepEqual(msgs(validateCronJob(cronjob({ schedule: '* * *', jobTemplate: { spec: { template: tmpl('Never') } } }))), [
    'spec.schedule: Invalid value: "* * *": expected exactly 5 fields, found 3: [* * *]',
  ]);
  assert.deepEqual(msgs(validateCronJob(cronjob({ schedule: 'TZ=UTC * * * * *', jobTemplate: { spec: { template: tmpl('Never') } } }))), [
    'spec.schedule: Invalid value: "TZ=UTC * * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
  ]);
  assert.deepEqual(msgs(validateCronJob(cronjob({ schedule: '@daily', timeZone: 'Nowhere/Land', jobTemplate: { spec: { template: tmpl() } } }))), [
    'spec.timeZone: Invalid value: "Nowhere/Land": unknown time zone Nowhere/Land',
    'spec.jobTemplate.spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"',
  ]);
  assert.deepEqual(msgs(validateCronJob(cronjob({ schedule: '@daily', jobTemplate: { spec: { template: tmpl('Never') } } }, 'x'.repeat(53)))), [
    `metadata.name: Invalid value: "${'x'.repeat(53)}": must be no more than 52 characters`,
  ]);
});
