import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LabelSelector, LabelSelectorError, formatLabels, requirement } from './labels.js';

test('requirement validates operator arity', () => {
  assert.throws(() => requirement('a', '=', []), LabelSelectorError);
  assert.throws(() => requirement('a', '=', ['x', 'y']), LabelSelectorError);
  assert.throws(() => requirement('a', 'exists', ['x']), LabelSelectorError);
  assert.throws(() => requirement('a', 'in', []), LabelSelectorError);
  assert.deepEqual(requirement('a', 'in', ['y', 'x', 'y']).values, ['x', 'y']);
});

test('nothing matches nothing; everything matches all', () => {
  assert.equal(LabelSelector.nothing().matches({}), false);
  assert.equal(LabelSelector.nothing().empty(), false);
  assert.equal(LabelSelector.nothing().toString(), '');
  assert.equal(LabelSelector.everything().matches(null), true);
  assert.equal(LabelSelector.of([]).empty(), true);
});

test('requiresExactMatch finds equality requirements', () => {
  const s = LabelSelector.of([requirement('a', '=', ['1']), requirement('b', 'in', ['2']), requirement('c', 'in', ['3', '4'])]);
  assert.equal(s.requiresExactMatch('a'), '1');
  assert.equal(s.requiresExactMatch('b'), '2');
  assert.equal(s.requiresExactMatch('c'), undefined);
  assert.equal(s.requiresExactMatch('d'), undefined);
});

test('formatLabels', () => {
  assert.equal(formatLabels({ b: '2', a: '1' }), 'a=1,b=2');
  assert.equal(formatLabels({}), '<none>');
  assert.equal(formatLabels(undefined), '<none>');
});

test('labels inherited from Object.prototype are not labels', () => {
  const s = LabelSelector.of([requirement('constructor', 'exists')]);
  assert.equal(s.matches({}), false);
});
