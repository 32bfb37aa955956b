import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyMergePatch } from './mergepatch.js';

test('mergepatch: kubectl label / annotate add and remove', () => {
  const live = { metadata: { name: 'x', labels: { app: 'web', old: 'y' } } };
  assert.deepEqual(applyMergePatch(live, { metadata: { labels: { tier: 'fe', old: null } } }), {
    metadata: { name: 'x', labels: { app: 'web', tier: 'fe' } },
  });
  assert.deepEqual(live.metadata.labels, { app: 'web', old: 'y' }, 'input not mutated');
});

test('mergepatch: scale-style patch and list replacement', () => {
  const live = { spec: { replicas: 1, containers: [{ name: 'a' }, { name: 'b' }] } };
  assert.deepEqual(applyMergePatch(live, { spec: { replicas: 3, containers: [{ name: 'c' }] } }), {
    spec: { replicas: 3, containers: [{ name: 'c' }] },
  });
});

test('mergepatch: RFC 7386 appendix cases', () => {
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [doc, patch, want] of cases) {
    assert.deepEqual(applyMergePatch(doc as never, patch as never), want, JSON.stringify([doc, patch]));
  }
});
