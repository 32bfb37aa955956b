import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatIndexes, parseIndexes } from './indexes.js';

describe('completion index sets', () => {
  it('formats runs of three or more as ranges', () => {
    assert.equal(formatIndexes([1, 3, 4, 5, 7]), '1,3-5,7');
    assert.equal(formatIndexes([5, 4, 4, 3]), '3-5');
    assert.equal(formatIndexes([3, 4]), '3,4');
    assert.equal(formatIndexes([]), '');
  });
  it('parses ranges and singles, dropping out-of-range entries', () => {
    assert.deepEqual(parseIndexes('1,3-5,7'), [1, 3, 4, 5, 7]);
    assert.deepEqual(parseIndexes('0-9', 3), [0, 1, 2]);
    assert.deepEqual(parseIndexes(''), []);
    assert.deepEqual(parseIndexes(undefined), []);
  });
});
