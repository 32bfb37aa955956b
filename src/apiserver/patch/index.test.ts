import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../api/status.js';
import { applyPatchByContentType, FieldSet } from './index.js';
import { deployment } from './testschema.js';

const live = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', uid: 'u' },
  spec: { replicas: 1, template: { spec: { containers: [{ name: 'c', image: 'a' }] } } },
};
const opts = { manager: 'kubectl', apiVersion: 'apps/v1', kind: 'Deployment', now: new Date('2024-01-01T00:00:00Z') };
const is = (code: number, re?: RegExp) => (e: unknown) => e instanceof StatusError && e.code === code && (!re || re.test(e.message));

test('index: dispatches each patch type', () => {
  const j = applyPatchByContentType('application/json-patch+json', live, '[{"op":"replace","path":"/spec/replicas","value":2}]', deployment, opts);
  assert.equal((j.object.spec as any).replicas, 2);
  const m = applyPatchByContentType('application/merge-patch+json; charset=utf-8', live, Buffer.from('{"spec":{"replicas":3}}'), deployment, opts);
  assert.equal((m.object.spec as any).replicas, 3);
  const s = applyPatchByContentType('application/strategic-merge-patch+json', live, '{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"b"}]}}}}', deployment, opts);
  assert.equal((s.object.spec as any).template.spec.containers[0].image, 'b');
  const y = applyPatchByContentType('application/apply-patch+yaml', null, 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 4\n', deployment, { ...opts, manager: 'kubectl' });
  assert.equal((y.object.spec as any).replicas, 4);
  assert.equal(y.managedFields[0].operation, 'Apply');
  const js = applyPatchByContentType('application/apply-patch+yaml', null, '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"}}', deployment, opts);
  assert.equal(js.changed, true);
});

test('index: unsupported types are 415', () => {
  assert.throws(() => applyPatchByContentType('application/json', live, '{}', deployment, opts), is(415, /accepted media types include: application\/json-patch\+json, application\/merge-patch\+json, application\/strategic-merge-patch\+json, application\/apply-patch\+yaml$/));
  assert.throws(() => applyPatchByContentType('application/apply-patch+cbor', live, '{}', deployment, opts), is(415));
  assert.throws(() => applyPatchByContentType('application/strategic-merge-patch+json', live, '{}', undefined, { ...opts, strategicSupported: false }), is(415));
});

test('index: malformed bodies and options', () => {
  assert.throws(() => applyPatchByContentType('application/merge-patch+json', live, '{', deployment, opts), is(400, /^invalid JSON patch$/));
  assert.throws(() => applyPatchByContentType('application/apply-patch+yaml', live, '{}', deployment, { ...opts, manager: '' }), is(422, /fieldManager: Required value: is required for apply requests/));
  assert.throws(() => applyPatchByContentType('application/merge-patch+json', live, '{}', deployment, { ...opts, force: true }), is(422, /force: Forbidden/));
  assert.throws(() => applyPatchByContentType('application/apply-patch+yaml', live, 'apiVersion: v1\nkind: Pod\n', deployment, opts), is(400, /^invalid object type: \/v1, Kind=Pod$/));
  assert.throws(() => applyPatchByContentType('application/json-patch+json', live, '[{"op":"test","path":"/spec/replicas","value":9}]', deployment, opts), is(422));
});

test('fieldpath: FieldsV1 round trip keeps members, "." and key order', () => {
  const v1 = { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } }, 'f:spec': { 'f:finalizers': { 'v:"a"': {} }, 'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:name': {} } } } };
  const s = FieldSet.fromFieldsV1(v1);
  assert.deepEqual(s.toFieldsV1(), v1);
  assert.equal(JSON.stringify(s.toFieldsV1()), JSON.stringify(v1));
});
