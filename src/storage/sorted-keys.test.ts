import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SortedKeys } from './sorted-keys.js';

test('sorted keys: insert/remove keep store order; ranges by prefix and start key', () => {
  const k = new SortedKeys();
  k.reset(['/r/pods/b/x', '/r/pods/a/y']);
  k.insert('/r/pods/a/a');
  k.insert('/r/pods/ab/z');
  k.insert('/r/pods/a/a'); // duplicate: no-op
  k.remove('/r/pods/missing');
  assert.equal(k.size, 4);
  assert.deepEqual([...k.range('/r/pods/')], ['/r/pods/a/a', '/r/pods/a/y', '/r/pods/ab/z', '/r/pods/b/x']);
  assert.deepEqual([...k.range('/r/pods/a/')], ['/r/pods/a/a', '/r/pods/a/y']);
  assert.deepEqual([...k.range('/r/pods/', '/r/pods/ab/')], ['/r/pods/ab/z', '/r/pods/b/x']);
  k.remove('/r/pods/a/y');
  assert.deepEqual([...k.range('/r/pods/a/')], ['/r/pods/a/a']);
});

test('sorted keys follow UTF-8 byte order, as the stores do', () => {
  const k = new SortedKeys();
  // U+FF5E sorts before U+1F600 in UTF-8 bytes (EF BD 9E < F0 9F 98 80), not in UTF-16 code units.
  for (const key of ['/p/\u{1F600}', '/p/\uFF5E', '/p/a']) assert.equal(k.insert(key), true);
  assert.equal(k.insert('/p/a'), false);
  assert.deepEqual([...k.range('/p/')], ['/p/a', '/p/\uFF5E', '/p/\u{1F600}']);
  assert.equal(k.remove('/p/a'), true);
  assert.equal(k.remove('/p/a'), false);
  assert.equal(k.size, 2);
});
