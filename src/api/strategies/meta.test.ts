import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate, selectorMatches } from './meta.js';
import { nameIsDNS1035Label, nameIsPathSegment, isDNS1123Label, isQualifiedName } from './names.js';

const msgs = (errs: { field: string; detail: string }[]) => errs.map((e) => `${e.field}: ${e.detail}`);

test('name is required unless generateName', () => {
  assert.deepEqual(msgs(validateObjectMeta({ namespace: 'default' }, { namespaced: true })), ['metadata.name: Required value: name or generateName is required']);
  assert.deepEqual(validateObjectMeta({ name: 'web-abcde', generateName: 'web-', namespace: 'default' }, { namespaced: true }), []);
});

test('subdomain names with upstream wording', () => {
  assert.deepEqual(msgs(validateObjectMeta({ name: 'Bad_Name', namespace: 'default' }, { namespaced: true })), [
    `metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
  ]);
  assert.deepEqual(isDNS1123Label('a.b'), ['must not contain dots']);
  assert.match(isDNS1123Label('My')[0]!, /\(e\.g\. 'my-name',  or '123-abc', regex used/);
  assert.match(nameIsDNS1035Label('1abc', false)[0]!, /^a DNS-1035 label must consist/);
  assert.deepEqual(nameIsPathSegment('system:admin', false), []);
  assert.deepEqual(nameIsPathSegment('a/b', false), ["may not contain '/'"]);
});

test('namespace required for namespaced kinds, forbidden for cluster-scoped ones', () => {
  assert.deepEqual(msgs(validateObjectMeta({ name: 'x' }, { namespaced: true })), ['metadata.namespace: Required value']);
  assert.deepEqual(msgs(validateObjectMeta({ name: 'x', namespace: 'default' }, { namespaced: false })), [
    'metadata.namespace: Forbidden: not allowed on this type',
  ]);
  assert.equal(validateObjectMeta({ name: 'x', namespace: 'Bad.NS' }, { namespaced: true })[0]!.field, 'metadata.namespace');
});

test('labels and annotations', () => {
  const errs = validateObjectMeta({ name: 'x', labels: { 'bad key': 'v', ok: 'bad value!' }, annotations: { 'a/b/c': 'x' } }, { namespaced: false });
  assert.deepEqual(
    errs.map((e) => e.field),
    ['metadata.labels', 'metadata.labels', 'metadata.annotations'],
  );
  assert.match(errs[0]!.detail, /^Invalid value: "bad key": name part must consist of alphanumeric characters/);
  assert.match(errs[1]!.detail, /^Invalid value: "bad value!": a valid label must be an empty string/);
  assert.equal(isQualifiedName('example.com/')[0], 'name part must be non-empty');
  const big = validateObjectMeta({ name: 'x', annotations: { a: 'x'.repeat(256 * 1024) } }, { namespaced: false });
  assert.deepEqual(msgs(big), ['metadata.annotations: Too long: may not be more than 262144 bytes']);
});

test('identity fields are immutable', () => {
  const old = { name: 'a', namespace: 'ns', uid: 'u1', creationTimestamp: '2024-01-01T00:00:00Z' };
  assert.deepEqual(validateObjectMetaUpdate({ ...old, labels: { x: 'y' } }, old), []);
  assert.deepEqual(msgs(validateObjectMetaUpdate({ ...old, name: 'b', uid: 'u2' }, old)), [
    'metadata.name: Invalid value: "b": field is immutable',
    'metadata.uid: Invalid value: "u2": field is immutable',
  ]);
  assert.deepEqual(msgs(validateObjectMetaUpdate({ ...old, finalizers: ['x/y'] }, { ...old, deletionTimestamp: 'now' })), [
    'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"x/y"}',
  ]);
});

test('label selectors', () => {
  assert.deepEqual(msgs(validateLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In' }, { key: 'b', operator: 'Exists', values: ['x'] }, { key: 'c', operator: 'Foo' }] }, 'spec.selector')), [
    "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
    'spec.selector.matchExpressions[2].operator: Invalid value: "Foo": not a valid selector operator',
  ]);
  const sel = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] };
  assert.ok(selectorMatches(sel, { app: 'web', tier: 'fe' }));
  assert.ok(!selectorMatches(sel, { app: 'web', tier: 'db' }));
  assert.ok(!selectorMatches(sel, { app: 'api' }));
});
