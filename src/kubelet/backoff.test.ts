import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Backoff } from './backoff.js';

test('10 s doubling to 5 min', () => {
  const b = new Backoff();
  const delays = [];
  for (let i = 0; i < 8; i++) delays.push(b.next('k', 1000 + i));
  assert.deepEqual(delays, [10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
});

test('in back-off until finishedAt + delay', () => {
  const b = new Backoff();
  assert.equal(b.inBackoff('k', 0, 0).waiting, false);
  b.next('k', 0);
  assert.equal(b.inBackoff('k', 100, 5000).waiting, true);
  assert.equal(b.inBackoff('k', 100, 10_100).waiting, false);
});

test('resets after 10 minutes without a restart', () => {
  const b = new Backoff();
  b.next('k', 0);
  b.next('k', 1);
  assert.equal(b.delay('k', 2), 20_000);
  assert.equal(b.delay('k', 1 + 600_001), 0);
  assert.equal(b.next('k', 1 + 600_001), 10_000);
});

test('forgetPrefix drops a pod', () => {
  const b = new Backoff();
  b.next('u1/a', 0);
  b.next('u2/a', 0);
  b.forgetPrefix('u1/');
  assert.equal(b.delay('u1/a', 1), 0);
  assert.equal(b.delay('u2/a', 1), 10_000);
});
