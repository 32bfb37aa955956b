import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyProbe, initialState, probeTiming } from './probe-state.js';

test('initial results per kind', () => {
  assert.equal(initialState('liveness').result, 'success');
  assert.equal(initialState('readiness').result, 'failure');
  assert.equal(initialState('startup').result, 'unknown');
});

test('upstream defaults for the timing fields', () => {
  assert.deepEqual(probeTiming({}), { initialDelayMs: 0, periodMs: 10_000, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 });
  assert.deepEqual(probeTiming({ initialDelaySeconds: 2, periodSeconds: 3, timeoutSeconds: 4, successThreshold: 2, failureThreshold: 5 }), {
    initialDelayMs: 2000,
    periodMs: 3000,
    timeoutSeconds: 4,
    successThreshold: 2,
    failureThreshold: 5,
  });
});

test('flips only after the thresholds in a row', () => {
  const t = { successThreshold: 2, failureThreshold: 3 };
  let s = initialState('readiness');
  s = applyProbe(s, true, t);
  assert.equal(s.result, 'failure');
  s = applyProbe(s, true, t);
  assert.equal(s.result, 'success');
  s = applyProbe(s, false, t);
  s = applyProbe(s, false, t);
  assert.equal(s.result, 'success');
  s = applyProbe(s, true, t); // a success resets the failure run
  s = applyProbe(s, false, t);
  s = applyProbe(s, false, t);
  assert.equal(s.result, 'success');
  s = applyProbe(s, false, t, 'boom');
  assert.equal(s.result, 'failure');
  assert.equal(s.lastMessage, 'boom');
});
