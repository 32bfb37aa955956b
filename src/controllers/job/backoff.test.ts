import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { NO_BACKOFF, remainingBackoffMs, updateBackoff } from './backoff.js';

const done = (at: number): Pod => ({
  status: { containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 1, finishedAt: new Date(at).toISOString() } } }] },
});

describe('job backoff', () => {
  it('doubles from 10 s per failure since the last success, capped at 6 min', () => {
    let r = updateBackoff(NO_BACKOFF, [], [done(1000_000)], 0);
    assert.equal(remainingBackoffMs(r, 1000_000), 10_000);
    assert.equal(remainingBackoffMs(r, 1004_000), 6_000);
    r = updateBackoff(r, [], [done(1010_000)], 0);
    assert.equal(remainingBackoffMs(r, 1010_000), 20_000);
    r = updateBackoff(r, [], Array.from({ length: 10 }, () => done(1020_000)), 0);
    assert.equal(remainingBackoffMs(r, 1020_000), 360_000);
  });
  it('a success resets the count; failures after it still count', () => {
    let r = updateBackoff(NO_BACKOFF, [], [done(1000), done(2000)], 0);
    r = updateBackoff(r, [done(3000)], [], 0);
    assert.deepEqual(r, { failuresAfterLastSuccess: 0 });
    r = updateBackoff(r, [done(3000)], [done(2000), done(4000)], 0);
    assert.equal(r.failuresAfterLastSuccess, 1);
    assert.equal(remainingBackoffMs(r, 5000), 9000);
    assert.equal(remainingBackoffMs(r, 5000, 100, 1000), 0);
  });
});
