import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventRing } from './ring.js';

test('ring keeps the newest `capacity` items addressed by growing sequence numbers', () => {
  const r = new EventRing<number>(3);
  assert.equal(r.push(10), undefined);
  r.push(20);
  r.push(30);
  assert.equal(r.push(40), 10, 'returns the overwritten item');
  assert.equal(r.oldestSeq, 1);
  assert.equal(r.nextSeq, 4);
  assert.deepEqual([1, 2, 3].map((s) => r.at(s)), [20, 30, 40]);
  assert.equal(r.size, 3);
});

test('firstAfter finds the first item past a value, with duplicates', () => {
  const r = new EventRing<number>(8);
  for (const v of [5, 6, 6, 6, 9]) r.push(v);
  const id = (v: number) => v;
  assert.equal(r.firstAfter(4, id), 0);
  assert.equal(r.firstAfter(5, id), 1);
  assert.equal(r.firstAfter(6, id), 4);
  assert.equal(r.firstAfter(9, id), 5);
});

test('clear forgets items but keeps sequence numbers growing', () => {
  const r = new EventRing<number>(2);
  r.push(1);
  r.push(2);
  r.clear();
  assert.equal(r.size, 0);
  assert.equal(r.oldestSeq, 2);
  r.push(3);
  assert.equal(r.at(2), 3);
  assert.throws(() => new EventRing(0), RangeError);
});

test('resize grows keeping every item and shrinks keeping the newest, sequence numbers unchanged', () => {
  const r = new EventRing<number>(3);
  for (const v of [1, 2, 3, 4]) r.push(v); // holds 2,3,4 at seqs 1..3
  assert.equal(r.resize(6), undefined);
  assert.equal(r.capacity, 6);
  assert.deepEqual([1, 2, 3].map((s) => r.at(s)), [2, 3, 4]);
  for (const v of [5, 6, 7]) assert.equal(r.push(v), undefined, 'room after growing');
  assert.equal(r.size, 6);
  assert.equal(r.push(8), 2);
  assert.equal(r.resize(2), 6, 'returns the newest dropped item');
  assert.equal(r.oldestSeq, 6);
  assert.deepEqual([6, 7].map((s) => r.at(s)), [7, 8]);
  assert.equal(r.push(9), 7);
  assert.equal(r.nextSeq, 9);
});
