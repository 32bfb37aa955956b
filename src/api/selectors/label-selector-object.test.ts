import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLabelSelector, labelSelectorFromMap, labelSelectorFromObject } from './label-selector-object.js';
import { LabelSelectorError } from './labels.js';

test('absent selector selects nothing, empty selects everything', () => {
  assert.equal(labelSelectorFromObject(undefined).matches({ a: '1' }), false);
  assert.equal(labelSelectorFromObject(null).matches({}), false);
  assert.equal(labelSelectorFromObject({}).matches({ a: '1' }), true);
  assert.equal(labelSelectorFromObject({ matchLabels: {}, matchExpressions: [] }).empty(), true);
});

test('matchLabels and matchExpressions combine', () => {
  const s = labelSelectorFromObject({
    matchLabels: { app: 'web' },
    matchExpressions: [
      { key: 'tier', operator: 'In', values: ['front', 'api'] },
      { key: 'env', operator: 'NotIn', values: ['dev'] },
      { key: 'team', operator: 'Exists' },
      { key: 'legacy', operator: 'DoesNotExist' },
    ],
  });
  assert.equal(s.toString(), 'app=web,env notin (dev),!legacy,team,tier in (api,front)');
  assert.ok(s.matches({ app: 'web', tier: 'api', team: 'x' }));
  assert.ok(!s.matches({ app: 'web', tier: 'api', team: 'x', legacy: '1' }));
  assert.ok(!s.matches({ app: 'web', tier: 'api', team: 'x', env: 'dev' }));
  assert.ok(!s.matches({ app: 'web', tier: 'db', team: 'x' }));
});

test('invalid selectors throw', () => {
  assert.throws(() => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }), /not a valid label selector operator/);
  assert.throws(() => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'toString' }] }), LabelSelectorError);
  assert.throws(() => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }), LabelSelectorError);
  assert.throws(() => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }), LabelSelectorError);
  assert.throws(() => labelSelectorFromObject({ matchLabels: { 'bad key': 'x' } }), LabelSelectorError);
});

test('map selectors (ReplicationController, Service)', () => {
  const s = labelSelectorFromMap({ tier: 'web', app: 'nginx' });
  assert.equal(s.toString(), 'app=nginx,tier=web');
  assert.ok(s.matches({ app: 'nginx', tier: 'web', extra: '1' }));
  assert.ok(!s.matches({ app: 'nginx' }));
  assert.ok(labelSelectorFromMap(undefined).empty());
  assert.ok(labelSelectorFromMap({}).matches({ a: 'b' }));
});

test('formatLabelSelector as the SELECTOR column', () => {
  assert.equal(formatLabelSelector({ matchLabels: { app: 'web' } }), 'app=web');
  assert.equal(formatLabelSelector({}), '<none>');
  assert.equal(formatLabelSelector(undefined), '<none>');
  assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Bogus' }] }), '<error>');
});
