import assert from 'node:assert/strict';
import { test } from 'node:test';
import { linkSchemas, loadSchemas } from './load.js';

test('loadSchemas links refs into one graph and is memoised', () => {
  const s = loadSchemas();
  assert.equal(loadSchemas(), s);
  const pod = s.forKind('', 'v1', 'Pod')!;
  assert.equal(pod.name, 'io.k8s.api.core.v1.Pod');
  const containers = pod.properties!.spec!.properties!.containers!;
  assert.equal(containers.type, 'array');
  assert.equal(containers.patchMergeKey, 'name');
  assert.equal(containers.items!.name, 'io.k8s.api.core.v1.Container');
  assert.equal(containers.items, s.definition('io.k8s.api.core.v1.Container'));
  assert.equal(containers.items!.properties!.ports!.patchMergeKey, 'containerPort');
  // A field of a named type shares the definition's properties but keeps its own description.
  const spec = pod.properties!.spec!;
  assert.equal(spec.properties, s.definition('io.k8s.api.core.v1.PodSpec')!.properties);
  assert.notEqual(spec.description, s.definition('io.k8s.api.core.v1.PodSpec')!.description);
  assert.equal(spec.gvk, undefined);
  const dep = s.forKind('apps', 'v1', 'Deployment')!;
  assert.equal(dep.properties!.spec!.properties!.strategy!.patchStrategy, 'retainKeys');
  assert.equal(dep.properties!.spec!.properties!.template!.properties!.spec!.properties!.containers!.patchMergeKey, 'name');
  const limits = containers.items!.properties!.resources!.properties!.limits!;
  assert.equal(limits.additionalProperties!.format, 'quantity');
  assert.equal(s.forKind('apps', 'v1', 'Nope'), undefined);
  assert.ok(s.definitions().size > 500);
});

test('linkSchemas handles recursive definitions', () => {
  const s = linkSchemas({
    'x.Node': { type: 'object', properties: { child: { $ref: 'x.Node' }, kids: { type: 'array', items: { $ref: 'x.Node' } } } },
  });
  const n = s.definition('x.Node')!;
  assert.equal(n.properties!.kids!.items, n);
  assert.equal(n.properties!.child!.properties, n.properties);
  assert.throws(() => linkSchemas({ a: { $ref: 'missing' }, b: { type: 'object', properties: { x: { $ref: 'missing' } } } }));
});
