import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelSelectorScale, mapSelectorScale } from './scale.js';

test('label-selector scale reads and writes replicas and prints the selector', () => {
  const d: any = {
    spec: { replicas: 2, selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['b', 'a'] }] } },
    status: { replicas: 1 },
  };
  assert.equal(labelSelectorScale.specReplicas(d), 2);
  assert.equal(labelSelectorScale.statusReplicas(d), 1);
  assert.equal(labelSelectorScale.selector(d), 'app=web,tier in (a,b)');
  labelSelectorScale.setSpecReplicas(d, 5);
  assert.equal(d.spec.replicas, 5);
  const empty: any = {};
  assert.equal(labelSelectorScale.specReplicas(empty), 1);
  assert.equal(labelSelectorScale.statusReplicas(empty), 0);
  assert.equal(labelSelectorScale.selector(empty), '');
  labelSelectorScale.setSpecReplicas(empty, 0);
  assert.deepEqual(empty, { spec: { replicas: 0 } });
  assert.equal(labelSelectorScale.selector({ spec: { selector: { matchExpressions: [{ key: 'a', operator: 'Bad' }] } } }), '');
});

test('map scale (ReplicationController)', () => {
  const rc: any = { spec: { replicas: 3, selector: { b: '2', a: '1' } } };
  assert.equal(mapSelectorScale.selector(rc), 'a=1,b=2');
  assert.equal(mapSelectorScale.specReplicas(rc), 3);
});
