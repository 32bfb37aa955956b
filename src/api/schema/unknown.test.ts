import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadSchemas } from './load.js';
import { findUnknownFields, pruneUnknownFields, strictDecodingMessage, unknownFieldMessage } from './unknown.js';

const pod = () => loadSchemas().forKind('', 'v1', 'Pod')!;
const deployment = () => loadSchemas().forKind('apps', 'v1', 'Deployment')!;

const badPod = () => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', labels: { a: 'b' }, annotations: { x: 'y' }, bogusMeta: 1 },
  spec: {
    foo: true,
    containers: [
      { name: 'a', image: 'nginx', resources: { limits: { cpu: '1' } }, env: [{ name: 'E', value: 'v', nope: 1 }] },
      { name: 'b', image: 'busybox', bogus: 'x', ports: [{ containerPort: 80 }] },
    ],
    nodeSelector: { anything: 'goes' },
  },
  status: { phase: 'Pending' },
});

test('findUnknownFields reports paths', () => {
  assert.deepEqual(findUnknownFields(pod(), badPod()), [
    '.metadata.bogusMeta',
    '.spec.foo',
    '.spec.containers[0].env[0].nope',
    '.spec.containers[1].bogus',
  ]);
  assert.deepEqual(findUnknownFields(pod(), { apiVersion: 'v1', kind: 'Pod', spec: { containers: [{ name: 'a' }] } }), []);
  assert.deepEqual(findUnknownFields(pod(), { Spec: {} }), ['.Spec'], 'field names are case-sensitive');
  assert.deepEqual(findUnknownFields(pod(), { spec: { toString: 1, constructor: 2 } }), ['.spec.toString', '.spec.constructor']);
});

test('preserve-unknown-fields and int-or-string subtrees are not checked', () => {
  const d = {
    spec: {
      selector: { matchLabels: { app: 'x' } },
      strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
      template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'i', livenessProbe: { httpGet: { port: 'http', path: '/' } } }] } },
    },
  };
  assert.deepEqual(findUnknownFields(deployment(), d), []);
  const cr = loadSchemas().forKind('apps', 'v1', 'ControllerRevision')!;
  assert.deepEqual(findUnknownFields(cr, { data: { anything: { at: ['all'] } }, revision: 1, extra: 1 }), ['.extra']);
});

test('pruneUnknownFields drops them in place', () => {
  const p = badPod();
  const removed = pruneUnknownFields(pod(), p);
  assert.equal(removed.length, 4);
  assert.deepEqual(findUnknownFields(pod(), p), []);
  assert.equal((p.spec as any).foo, undefined);
  assert.deepEqual(p.spec.containers[1], { name: 'b', image: 'busybox', ports: [{ containerPort: 80 }] });
  assert.deepEqual(p.metadata, { name: 'p', labels: { a: 'b' }, annotations: { x: 'y' } });
  assert.deepEqual(p.spec.nodeSelector, { anything: 'goes' });
});

test('messages match upstream wording', () => {
  assert.equal(unknownFieldMessage('.spec.foo'), 'unknown field "spec.foo"');
  assert.equal(
    strictDecodingMessage(['.spec.foo', '.spec.containers[0].bogus']),
    'strict decoding error: unknown field "spec.foo", unknown field "spec.containers[0].bogus"',
  );
});

test('fast enough for every write', () => {
  const node = pod();
  const obj = badPod();
  findUnknownFields(node, obj);
  const n = 20000;
  const t = performance.now();
  for (let i = 0; i < n; i++) findUnknownFields(node, obj);
  const perCall = (performance.now() - t) / n;
  assert.ok(perCall < 0.05, `${perCall.toFixed(4)} ms per pod`);
});
