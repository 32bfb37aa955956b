import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../api/status.js';
import { applyJsonPatch } from './jsonpatch.js';

const pod = { metadata: { name: 'p', labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };

test('jsonpatch: add, replace, remove, move, copy, test', () => {
  const out = applyJsonPatch(pod, [
    { op: 'test', path: '/metadata/name', value: 'p' },
    { op: 'add', path: '/metadata/labels/tier', value: 'fe' },
    { op: 'replace', path: '/spec/containers/0/image', value: 'nginx:1.25' },
    { op: 'remove', path: '/metadata/labels/app' },
    { op: 'copy', from: '/metadata/labels/tier', path: '/metadata/annotations' },
    { op: 'move', from: '/metadata/annotations', path: '/metadata/x' },
    { op: 'add', path: '/spec/containers/-', value: { name: 'd', image: 'busybox' } },
  ]);
  assert.deepEqual(out, {
    metadata: { name: 'p', labels: { tier: 'fe' }, x: 'fe' },
    spec: { containers: [{ name: 'c', image: 'nginx:1.25' }, { name: 'd', image: 'busybox' }] },
  });
  assert.equal(pod.spec.containers[0].image, 'nginx', 'input not mutated');
});

test('jsonpatch: kubectl rollout undo shape (replace /spec/template and /metadata/annotations)', () => {
  const out = applyJsonPatch({ metadata: { annotations: { a: '1' } }, spec: { template: { x: 1 } } }, [
    { op: 'replace', path: '/spec/template', value: { y: 2 } },
    { op: 'replace', path: '/metadata/annotations', value: { b: '2' } },
  ]);
  assert.deepEqual(out, { metadata: { annotations: { b: '2' } }, spec: { template: { y: 2 } } });
});

function assertStatus(fn: () => unknown, code: number, reason: string, message?: string) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof StatusError, String(e));
    assert.equal(e.code, code);
    assert.equal(e.reason, reason);
    if (message !== undefined) assert.equal(e.message, message);
    return true;
  });
}

test('jsonpatch: failed test op is 422 Invalid with upstream generic message', () => {
  assertStatus(
    () => applyJsonPatch(pod, [{ op: 'test', path: '/metadata/name', value: 'other' }]),
    422,
    'Invalid',
    'the server rejected our request due to an error in our request',
  );
});

test('jsonpatch: missing path is 422', () => {
  assertStatus(() => applyJsonPatch(pod, [{ op: 'remove', path: '/metadata/nope' }]), 422, 'Invalid');
  assertStatus(() => applyJsonPatch(pod, [{ op: 'replace', path: '/spec/x/y', value: 1 }]), 422, 'Invalid');
  assertStatus(() => applyJsonPatch(pod, [{ op: 'bogus', path: '/a' }]), 422, 'Invalid');
});

test('jsonpatch: undecodable patch is 400', () => {
  assertStatus(() => applyJsonPatch(pod, { op: 'add' }), 400, 'BadRequest', 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  assertStatus(() => applyJsonPatch(pod, [1]), 400, 'BadRequest');
});

test('jsonpatch: too many operations is 413', () => {
  const ops = Array.from({ length: 10001 }, () => ({ op: 'test', path: '/metadata/name', value: 'p' }));
  assertStatus(() => applyJsonPatch(pod, ops), 413, 'RequestEntityTooLarge', 'The allowed maximum operations in a JSON patch is 10000, got 10001');
});
