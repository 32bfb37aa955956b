import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from 'kubernetes-types/batch/v1.js';
import { ttlDecision } from './ttl.js';

const T = Date.parse('2026-01-01T00:00:00Z');
const finished = (ttl: number | undefined, type = 'Complete'): Job => ({
  metadata: { name: 'j' },
  spec: { ...(ttl === undefined ? {} : { ttlSecondsAfterFinished: ttl }), template: {} },
  status: { conditions: [{ type, status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }] },
});

describe('ttl-after-finished', () => {
  it('waits until finish + ttl, then deletes', () => {
    assert.deepEqual(ttlDecision(finished(100), T + 40_000), { action: 'wait', afterMs: 60_000 });
    assert.deepEqual(ttlDecision(finished(100, 'Failed'), T + 100_000), { action: 'delete' });
    assert.deepEqual(ttlDecision(finished(0), T), { action: 'delete' });
  });
  it('ignores Jobs without a TTL, unfinished, or being deleted', () => {
    assert.deepEqual(ttlDecision(finished(undefined), T), { action: 'none' });
    assert.deepEqual(ttlDecision(finished(5, 'SuccessCriteriaMet'), T + 10_000), { action: 'none' });
    const deleting: Job = { ...finished(5), metadata: { name: 'j', deletionTimestamp: '2026-01-01T00:00:01Z' } };
    assert.deepEqual(ttlDecision(deleting, T + 10_000), { action: 'none' });
  });
});
