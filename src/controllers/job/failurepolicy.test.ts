import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { matchPodFailurePolicy } from './failurepolicy.js';

const failed = (exit: Record<string, number>, conditions: Array<{ type: string; status: string }> = []): Pod => ({
  metadata: { name: 'p', namespace: 'ns' },
  status: {
    phase: 'Failed',
    conditions,
    containerStatuses: Object.entries(exit).map(([name, exitCode]) => ({ name, image: 'i', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode } } })),
  },
});

describe('podFailurePolicy', () => {
  const policy = {
    rules: [
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
      { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } },
      { action: 'Count', onExitCodes: { operator: 'NotIn', values: [1, 2] } },
    ],
  };
  it('matches rules in order', () => {
    assert.equal(matchPodFailurePolicy(policy, failed({ main: 1 }, [{ type: 'DisruptionTarget', status: 'True' }]))?.action, 'Ignore');
    const m = matchPodFailurePolicy(policy, failed({ main: 42 }));
    assert.equal(m?.action, 'FailJob');
    assert.equal(m?.message, 'Container main for pod ns/p failed with exit code 42 matching FailJob rule at index 1');
    assert.equal(matchPodFailurePolicy(policy, failed({ side: 42 }))?.ruleIndex, 2);
  });
  it('ignores exit code 0 and falls through to default handling', () => {
    assert.equal(matchPodFailurePolicy(policy, failed({ main: 0, side: 1 })), undefined);
    assert.equal(matchPodFailurePolicy(policy, failed({ main: 2 })), undefined);
    assert.equal(matchPodFailurePolicy(undefined, failed({ main: 2 })), undefined);
  });
});
