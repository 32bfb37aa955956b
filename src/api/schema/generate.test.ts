import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateDefinitions } from './generate.js';
import { definitionPrefix } from './names.js';

const { definitions: defs } = generateDefinitions();

test('definition names follow upstream', () => {
  assert.equal(definitionPrefix('core/v1'), 'io.k8s.api.core.v1');
  assert.equal(definitionPrefix('meta/v1'), 'io.k8s.apimachinery.pkg.apis.meta.v1');
  for (const name of [
    'io.k8s.api.core.v1.Pod',
    'io.k8s.api.apps.v1.Deployment',
    'io.k8s.api.batch.v1.Job',
    'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
    'io.k8s.apimachinery.pkg.api.resource.Quantity',
    'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
    'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition',
  ]) {
    assert.ok(defs[name], name);
  }
});

test('properties carry types, refs, arrays, maps and required', () => {
  const pod = defs['io.k8s.api.core.v1.Pod']!;
  assert.deepEqual(pod.gvk, [{ group: '', version: 'v1', kind: 'Pod' }]);
  assert.equal(pod.properties!.spec!.$ref, 'io.k8s.api.core.v1.PodSpec');
  assert.equal(pod.properties!.metadata!.$ref, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
  const spec = defs['io.k8s.api.core.v1.PodSpec']!;
  assert.deepEqual(spec.required, ['containers']);
  assert.equal(spec.properties!.containers!.type, 'array');
  assert.equal(spec.properties!.containers!.items!.$ref, 'io.k8s.api.core.v1.Container');
  assert.equal(spec.properties!.nodeSelector!.type, 'object');
  assert.deepEqual(spec.properties!.nodeSelector!.additionalProperties, { type: 'string' });
  assert.equal(spec.properties!.hostNetwork!.type, 'boolean');
  assert.equal(spec.properties!.terminationGracePeriodSeconds!.type, 'integer');
  assert.match(spec.properties!.containers!.description!, /containers belonging to the pod/i);
  const container = defs['io.k8s.api.core.v1.Container']!;
  assert.deepEqual(container.required, ['name']);
  assert.equal(container.properties!.image!.type, 'string');
  const resources = defs['io.k8s.api.core.v1.ResourceRequirements']!;
  assert.equal(resources.properties!.limits!.additionalProperties!.$ref, 'io.k8s.apimachinery.pkg.api.resource.Quantity');
  const dep = defs['io.k8s.api.apps.v1.Deployment']!;
  assert.deepEqual(dep.gvk, [{ group: 'apps', version: 'v1', kind: 'Deployment' }]);
  assert.deepEqual(defs['io.k8s.api.apps.v1.DeploymentList']!.gvk, [{ group: 'apps', version: 'v1', kind: 'DeploymentList' }]);
});

test('special types', () => {
  assert.equal(defs['io.k8s.apimachinery.pkg.api.resource.Quantity']!.format, 'quantity');
  assert.equal(defs['io.k8s.apimachinery.pkg.api.resource.Quantity']!.type, 'string');
  assert.equal(defs['io.k8s.apimachinery.pkg.util.intstr.IntOrString']!.format, 'int-or-string');
  assert.equal(defs['io.k8s.apimachinery.pkg.apis.meta.v1.Time']!.format, 'date-time');
  assert.equal(defs['io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime']!.format, 'date-time');
  assert.equal(defs['io.k8s.apimachinery.pkg.runtime.RawExtension']!.preserveUnknownFields, true);
  assert.equal(defs['io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON']!.preserveUnknownFields, true);
  const ru = defs['io.k8s.api.apps.v1.RollingUpdateDeployment']!;
  assert.equal(ru.properties!.maxSurge!.$ref, 'io.k8s.apimachinery.pkg.util.intstr.IntOrString');
  const props = defs['io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps']!;
  assert.equal(props.properties!.maximum!.type, 'number');
  assert.equal(props.properties!.maxLength!.type, 'integer');
  assert.equal(defs['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']!.properties!.creationTimestamp!.$ref,
    'io.k8s.apimachinery.pkg.apis.meta.v1.Time');
});

test('every $ref resolves', () => {
  const seen: string[] = [];
  const check = (s: any, where: string) => {
    if (!s) return;
    if (s.$ref && !defs[s.$ref]) seen.push(`${where} → ${s.$ref}`);
    for (const [k, v] of Object.entries(s.properties ?? {})) check(v, `${where}.${k}`);
    check(s.items, where + '[]');
    check(s.additionalProperties, where + '{}');
  };
  for (const [name, d] of Object.entries(defs)) check(d, name);
  assert.deepEqual(seen, []);
});
