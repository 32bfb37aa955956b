import assert from 'node:assert/strict';
import { test } from 'node:test';
import protobuf from 'protobufjs';
import { parse as parseYaml } from 'yaml';
import { loadSchemas } from '../../api/schema/load.js';
import { buildV2Document } from './documents.js';
import { testRegistry } from './testregistry.js';
import { encodeSwaggerProto } from './proto.js';

// A reader for the part of gnostic's openapi.v2 messages the test looks at (field numbers as upstream).
const root = protobuf.Root.fromJSON({
  nested: {
    Document: { fields: { swagger: { id: 1, type: 'string' }, info: { id: 2, type: 'Info' }, paths: { id: 8, type: 'Paths' }, definitions: { id: 9, type: 'Definitions' } } },
    Info: { fields: { title: { id: 1, type: 'string' }, version: { id: 2, type: 'string' } } },
    Paths: { fields: { path: { id: 2, rule: 'repeated', type: 'NamedPathItem' } } },
    NamedPathItem: { fields: { name: { id: 1, type: 'string' }, value: { id: 2, type: 'PathItem' } } },
    PathItem: { fields: { get: { id: 2, type: 'Operation' }, patch: { id: 8, type: 'Operation' }, parameters: { id: 9, rule: 'repeated', type: 'ParametersItem' } } },
    Operation: { fields: { operationId: { id: 5, type: 'string' }, parameters: { id: 8, rule: 'repeated', type: 'ParametersItem' }, vendorExtension: { id: 13, rule: 'repeated', type: 'NamedAny' } } },
    ParametersItem: { fields: { parameter: { id: 1, type: 'Parameter' } } },
    Parameter: { fields: { bodyParameter: { id: 1, type: 'BodyParameter' }, nonBodyParameter: { id: 2, type: 'NonBodyParameter' } } },
    BodyParameter: { fields: { name: { id: 2, type: 'string' }, schema: { id: 5, type: 'Schema' } } },
    NonBodyParameter: { fields: { query: { id: 3, type: 'SubSchema' }, path: { id: 4, type: 'SubSchema' } } },
    SubSchema: { fields: { required: { id: 1, type: 'bool' }, in: { id: 2, type: 'string' }, name: { id: 4, type: 'string' } } },
    Definitions: { fields: { additionalProperties: { id: 1, rule: 'repeated', type: 'NamedSchema' } } },
    NamedSchema: { fields: { name: { id: 1, type: 'string' }, value: { id: 2, type: 'Schema' } } },
    Schema: {
      fields: {
        ref: { id: 1, type: 'string' }, format: { id: 2, type: 'string' }, description: { id: 4, type: 'string' },
        required: { id: 19, rule: 'repeated', type: 'string' }, additionalProperties: { id: 21, type: 'AdditionalPropertiesItem' },
        type: { id: 22, type: 'TypeItem' }, items: { id: 23, type: 'ItemsItem' }, properties: { id: 25, type: 'Properties' },
        vendorExtension: { id: 31, rule: 'repeated', type: 'NamedAny' },
      },
    },
    AdditionalPropertiesItem: { fields: { schema: { id: 1, type: 'Schema' }, boolean: { id: 2, type: 'bool' } } },
    TypeItem: { fields: { value: { id: 1, rule: 'repeated', type: 'string' } } },
    ItemsItem: { fields: { schema: { id: 1, rule: 'repeated', type: 'Schema' } } },
    Properties: { fields: { additionalProperties: { id: 1, rule: 'repeated', type: 'NamedSchema' } } },
    NamedAny: { fields: { name: { id: 1, type: 'string' }, value: { id: 2, type: 'Any' } } },
    Any: { fields: { yaml: { id: 2, type: 'string' } } },
  },
});

test('the v2 document encodes as gnostic openapi.v2.Document', () => {
  const doc = buildV2Document(testRegistry(), loadSchemas(), { version: 'v1.27.0' });
  const bytes = encodeSwaggerProto(doc);
  const d = root.lookupType('Document').decode(bytes).toJSON() as any;
  assert.equal(d.swagger, '2.0');
  assert.deepEqual(d.info, { title: 'Kubernetes', version: 'v1.27.0' });
  const defs = new Map<string, any>(d.definitions.additionalProperties.map((n: any) => [n.name, n.value]));
  assert.equal(defs.size, Object.keys((doc as any).definitions).length);
  const pod = defs.get('io.k8s.api.core.v1.Pod');
  assert.deepEqual(pod.type.value, ['object']);
  const ext = Object.fromEntries(pod.vendorExtension.map((e: any) => [e.name, parseYaml(e.value.yaml)]));
  assert.deepEqual(ext['x-kubernetes-group-version-kind'], [{ group: '', kind: 'Pod', version: 'v1' }]);
  const spec = defs.get('io.k8s.api.core.v1.PodSpec');
  const containers = spec.properties.additionalProperties.find((p: any) => p.name === 'containers').value;
  assert.deepEqual(containers.type.value, ['array']);
  assert.equal(containers.items.schema[0].ref, '#/definitions/io.k8s.api.core.v1.Container');
  const cext = Object.fromEntries(containers.vendorExtension.map((e: any) => [e.name, parseYaml(e.value.yaml)]));
  assert.equal(cext['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(cext['x-kubernetes-patch-strategy'], 'merge');
  assert.ok(spec.required.includes('containers'));
  const limits = defs.get('io.k8s.api.core.v1.ResourceRequirements').properties.additionalProperties.find((p: any) => p.name === 'limits').value;
  assert.equal(limits.additionalProperties.schema.ref, '#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity');
  const item = d.paths.path.find((p: any) => p.name === '/apis/apps/v1/namespaces/{namespace}/deployments/{name}').value;
  assert.equal(item.patch.operationId, 'patchAppsV1NamespacedDeployment');
  const names = item.patch.parameters.map((p: any) => p.parameter.bodyParameter?.name ?? p.parameter.nonBodyParameter.query.name);
  assert.ok(names.includes('fieldValidation'));
  assert.equal(item.parameters[0].parameter.nonBodyParameter.path.name, 'name');
  assert.equal(item.parameters[0].parameter.nonBodyParameter.path.required, true);
});
