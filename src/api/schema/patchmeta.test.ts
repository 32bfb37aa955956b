import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateDefinitions } from './generate.js';
import { applyPatchMetadata, parseFieldMeta } from './patchmeta.js';

test('parseFieldMeta', () => {
  assert.deepEqual(parseFieldMeta('patch:merge/containerPort list:map(containerPort,protocol)'), {
    patchStrategy: 'merge', patchMergeKey: 'containerPort', listType: 'map', listMapKeys: ['containerPort', 'protocol'],
  });
  assert.deepEqual(parseFieldMeta('patch:merge list:set'), { patchStrategy: 'merge', listType: 'set' });
  assert.deepEqual(parseFieldMeta('patch:retainKeys'), { patchStrategy: 'retainKeys' });
  assert.deepEqual(parseFieldMeta('map:atomic'), { mapType: 'atomic' });
  assert.throws(() => parseFieldMeta('list:bogus'));
});

test('merge metadata lands on the generated definitions', () => {
  const { definitions: d } = generateDefinitions();
  const missing = applyPatchMetadata(d);
  assert.deepEqual(missing, [], 'every table entry names a real field');
  const f = (def: string, field: string) => d[def]!.properties![field]!;
  const core = 'io.k8s.api.core.v1.';
  const meta = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
  assert.equal(f(core + 'PodSpec', 'containers').patchStrategy, 'merge');
  assert.equal(f(core + 'PodSpec', 'containers').patchMergeKey, 'name');
  assert.equal(f(core + 'PodSpec', 'containers').listType, 'map');
  assert.deepEqual(f(core + 'PodSpec', 'containers').listMapKeys, ['name']);
  assert.equal(f(core + 'PodSpec', 'volumes').patchStrategy, 'merge,retainKeys');
  assert.equal(f(core + 'PodSpec', 'tolerations').listType, 'atomic');
  assert.equal(f(core + 'PodSpec', 'tolerations').patchStrategy, undefined);
  assert.equal(f(core + 'PodSpec', 'hostAliases').patchMergeKey, 'ip');
  assert.equal(f(core + 'PodSpec', 'imagePullSecrets').patchMergeKey, 'name');
  assert.deepEqual(f(core + 'PodSpec', 'topologySpreadConstraints').listMapKeys, ['topologyKey', 'whenUnsatisfiable']);
  assert.equal(f(core + 'Container', 'env').patchMergeKey, 'name');
  assert.equal(f(core + 'Container', 'ports').patchMergeKey, 'containerPort');
  assert.deepEqual(f(core + 'Container', 'ports').listMapKeys, ['containerPort', 'protocol']);
  assert.equal(f(core + 'Container', 'volumeMounts').patchMergeKey, 'mountPath');
  assert.equal(f(core + 'EphemeralContainer', 'env').patchMergeKey, 'name');
  assert.equal(f(core + 'ServiceSpec', 'ports').patchMergeKey, 'port');
  assert.deepEqual(f(core + 'ServiceSpec', 'ports').listMapKeys, ['port', 'protocol']);
  assert.equal(f(core + 'PodStatus', 'conditions').patchMergeKey, 'type');
  assert.equal(f(core + 'EndpointSubset', 'addresses').listType, 'atomic');
  assert.equal(f(meta + 'ObjectMeta', 'finalizers').patchStrategy, 'merge');
  assert.equal(f(meta + 'ObjectMeta', 'finalizers').listType, 'set');
  assert.equal(f(meta + 'ObjectMeta', 'ownerReferences').patchMergeKey, 'uid');
  assert.equal(f('io.k8s.api.apps.v1.DeploymentSpec', 'strategy').patchStrategy, 'retainKeys');
  assert.equal(f('io.k8s.api.apps.v1.DeploymentStatus', 'conditions').patchMergeKey, 'type');
  assert.equal(d[meta + 'LabelSelector']!.mapType, 'atomic');
});
