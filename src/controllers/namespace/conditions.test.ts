import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CONDITION_TYPES, CONTENT_FAILURE, CONTENT_REMAINING, FINALIZERS_REMAINING, desiredConditions, emptyReport, mergeConditions } from './conditions.js';
import { remainingDelayMs } from './controller.js';

describe('namespace deletion conditions', () => {
  it('are all False with the ok reasons when nothing is left', () => {
    const conds = desiredConditions(emptyReport());
    assert.deepEqual(conds.map((c) => c.type), CONDITION_TYPES);
    assert.ok(conds.every((c) => c.status === 'False'));
    assert.equal(conds.find((c) => c.type === CONTENT_REMAINING)?.reason, 'ContentRemoved');
    assert.equal(conds.find((c) => c.type === FINALIZERS_REMAINING)?.reason, 'ContentHasNoFinalizers');
  });

  it('report remaining resources, finalizers and failures, sorted', () => {
    const r = emptyReport();
    r.remaining.set('pods.', 3);
    r.remaining.set('deployments.apps', 1);
    r.finalizers.set('foregroundDeletion', 1);
    r.contentErrors.push('secrets: boom');
    const conds = desiredConditions(r);
    const remaining = conds.find((c) => c.type === CONTENT_REMAINING)!;
    assert.equal(remaining.status, 'True');
    assert.equal(remaining.reason, 'SomeResourcesRemain');
    assert.equal(remaining.message, 'Some resources are remaining: deployments.apps has 1 resource instances, pods. has 3 resource instances');
    const fin = conds.find((c) => c.type === FINALIZERS_REMAINING)!;
    assert.equal(fin.reason, 'SomeFinalizersRemain');
    assert.match(fin.message!, /foregroundDeletion in 1 resource instances/);
    const failure = conds.find((c) => c.type === CONTENT_FAILURE)!;
    assert.equal(failure.reason, 'ContentDeletionFailed');
    assert.match(failure.message!, /1 remaining: secrets: boom/);
  });

  it('merge keeps transition times when the status does not change and other condition types', () => {
    const other = { type: 'Other', status: 'True' as const };
    const first = mergeConditions([other], desiredConditions(emptyReport()), 't1');
    assert.equal(first.changed, true);
    assert.deepEqual(first.conditions[0], other);
    const again = mergeConditions(first.conditions, desiredConditions(emptyReport()), 't2');
    assert.equal(again.changed, false);
    const r = emptyReport();
    r.remaining.set('pods.', 1);
    const third = mergeConditions(again.conditions, desiredConditions(r), 't3');
    assert.equal(third.changed, true);
    const c = third.conditions.find((x) => x.type === CONTENT_REMAINING)!;
    assert.equal(c.lastTransitionTime, 't3');
    assert.equal(third.conditions.find((x) => x.type === CONTENT_FAILURE)!.lastTransitionTime, 't1');
  });

  it('requeue delay: half the estimate, capped by the backoff', () => {
    assert.equal(remainingDelayMs(0, 200), 200);
    assert.equal(remainingDelayMs(30, 200), 200);
    assert.equal(remainingDelayMs(1, 5000), 500);
  });
});
