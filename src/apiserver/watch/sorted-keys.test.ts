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
