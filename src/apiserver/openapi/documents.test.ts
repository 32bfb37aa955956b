import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadSchemas } from '../../api/schema/load.js';
import { buildV2Document, buildV3Document } from './documents.js';
import { groupIdentifier } from './operations.js';
import { testRegistry } from './testregistry.js';

const schemas = loadSchemas();

function refsIn(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) refsIn(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.add(v);
      else refsIn(v, out);
    }
  }
  return out;
}

test('operation ids follow upstream naming', () => {
  assert.equal(groupIdentifier(''), 'Core');
  assert.equal(groupIdentifier('apps'), 'Apps');
  assert.equal(groupIdentifier('rbac.authorization.k8s.io'), 'RbacAuthorization');
  assert.equal(groupIdentifier('flowcontrol.apiserver.k8s.io'), 'FlowcontrolApiserver');
});

test('v3 group-version document: paths, operations, kinds', () => {
  const doc = buildV3Document(testRegistry(), schemas, '', 'v1', { version: 'v1.32.0' }) as any;
  assert.equal(doc.openapi, '3.0.0');
  assert.equal(doc.info.version, 'v1.32.0');
  assert.deepEqual(Object.keys(doc.paths).sort(), [
    '/api/v1/namespaces',
    '/api/v1/namespaces/{name}',
    '/api/v1/namespaces/{name}/status',
    '/api/v1/namespaces/{namespace}/pods',
    '/api/v1/namespaces/{namespace}/pods/{name}',
    '/api/v1/namespaces/{namespace}/pods/{name}/status',
    '/api/v1/pods',
  ].sort());
  const item = doc.paths['/api/v1/namespaces/{namespace}/pods/{name}'];
  assert.deepEqual(Object.keys(item).sort(), ['delete', 'get', 'parameters', 'patch', 'put']);
  assert.deepEqual(item.patch['x-kubernetes-group-version-kind'], { group: '', kind: 'Pod', version: 'v1' });
  assert.equal(item.patch['x-kubernetes-action'], 'patch');
  assert.equal(item.patch.operationId, 'patchCoreV1NamespacedPod');
  const fv = item.patch.parameters.find((p: any) => p.name === 'fieldValidation');
  assert.equal(fv.in, 'query');
  assert.ok(item.patch.requestBody.content['application/strategic-merge-patch+json']);
  assert.ok(item.patch.requestBody.content['application/apply-patch+yaml']);
  assert.equal(item.get.responses['200'].content['application/json'].schema.$ref, '#/components/schemas/io.k8s.api.core.v1.Pod');
  assert.deepEqual(item.parameters.map((p: any) => p.name), ['name', 'namespace', 'pretty']);
  // every patch operation of a kind carries fieldValidation (kubectl checks whichever it finds first)
  for (const pi of Object.values<any>(doc.paths)) {
    if (pi.patch) assert.ok(pi.patch.parameters.some((p: any) => p.name === 'fieldValidation'));
  }
  const collection = doc.paths['/api/v1/namespaces/{namespace}/pods'];
  assert.equal(collection.get['x-kubernetes-action'], 'list');
  assert.equal(collection.post['x-kubernetes-action'], 'post');
  assert.equal(collection.delete['x-kubernetes-action'], 'deletecollection');
  assert.equal(collection.get.responses['200'].content['application/json'].schema.$ref, '#/components/schemas/io.k8s.api.core.v1.PodList');
  assert.equal(doc.paths['/api/v1/pods'].get.operationId, 'listCoreV1PodForAllNamespaces');
});

test('v3 components: kinds with gvk, fields with merge metadata, closed over refs', () => {
  const doc = buildV3Document(testRegistry(), schemas, '', 'v1') as any;
  const s = doc.components.schemas;
  assert.deepEqual(s['io.k8s.api.core.v1.Pod']['x-kubernetes-group-version-kind'], [{ group: '', kind: 'Pod', version: 'v1' }]);
  assert.deepEqual(s['io.k8s.api.core.v1.Pod'].properties.spec.allOf, [{ $ref: '#/components/schemas/io.k8s.api.core.v1.PodSpec' }]);
  const containers = s['io.k8s.api.core.v1.PodSpec'].properties.containers;
  assert.equal(containers.type, 'array');
  assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(containers['x-kubernetes-patch-strategy'], 'merge');
  assert.equal(containers['x-kubernetes-list-type'], 'map');
  assert.deepEqual(containers['x-kubernetes-list-map-keys'], ['name']);
  assert.equal(containers.items.$ref, '#/components/schemas/io.k8s.api.core.v1.Container');
  const ports = s['io.k8s.api.core.v1.Container'].properties.ports;
  assert.deepEqual(ports['x-kubernetes-list-map-keys'], ['containerPort', 'protocol']);
  assert.equal(s['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'].properties.finalizers['x-kubernetes-list-type'], 'set');
  assert.equal(s['io.k8s.apimachinery.pkg.apis.meta.v1.Time'].format, 'date-time');
  assert.deepEqual(s['io.k8s.apimachinery.pkg.util.intstr.IntOrString'].oneOf, [{ type: 'integer' }, { type: 'string' }]);
  assert.ok(s['io.k8s.apimachinery.pkg.apis.meta.v1.Patch']);
  assert.ok(s['io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions']);
  assert.ok(!s['io.k8s.api.apps.v1.Deployment'], 'other group-versions stay out');
  for (const ref of refsIn(doc)) {
    assert.ok(s[ref.replace('#/components/schemas/', '')], `dangling ${ref}`);
  }
  const apps = buildV3Document(testRegistry(), schemas, 'apps', 'v1') as any;
  assert.equal(apps.components.schemas['io.k8s.api.apps.v1.DeploymentSpec'].properties.strategy['x-kubernetes-patch-strategy'], 'retainKeys');
  const scale = apps.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'];
  assert.deepEqual(scale.patch['x-kubernetes-group-version-kind'], { group: 'autoscaling', kind: 'Scale', version: 'v1' });
  assert.ok(apps.components.schemas['io.k8s.api.autoscaling.v1.Scale']);
});

test('v2 document: swagger definitions for every schema and paths for every resource', () => {
  const doc = buildV2Document(testRegistry(), schemas) as any;
  assert.equal(doc.swagger, '2.0');
  assert.ok(doc.definitions['io.k8s.api.apps.v1.Deployment']);
  assert.ok(doc.definitions['io.k8s.api.batch.v1.Job'], 'all definitions, not only served ones');
  assert.equal(doc.definitions['io.k8s.api.core.v1.Pod'].properties.spec.$ref, '#/definitions/io.k8s.api.core.v1.PodSpec');
  assert.equal(doc.definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString'].type, 'string');
  assert.equal(doc.definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString'].format, 'int-or-string');
  const patch = doc.paths['/apis/rbac.authorization.k8s.io/v1/namespaces/{namespace}/roles/{name}'].patch;
  assert.equal(patch.operationId, 'patchRbacAuthorizationV1NamespacedRole');
  assert.equal(patch.parameters[0].in, 'body');
  assert.ok(patch.parameters.some((p: any) => p.name === 'fieldValidation' && p.in === 'query'));
  for (const ref of refsIn(doc)) assert.ok(doc.definitions[ref.replace('#/definitions/', '')], `dangling ${ref}`);
});
