import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ensureMasquerade, masqueradeRule } from './masquerade.js';

test('one MASQUERADE rule for traffic leaving the pod CIDR', () => {
  assert.deepEqual(masqueradeRule('10.42.1.0/24', 'k8ts1'), ['POSTROUTING', '-s', '10.42.1.0/24', '!', '-d', '10.42.1.0/24', '-m', 'comment', '--comment', 'k8ts: pods on k8ts1', '-j', 'MASQUERADE']);
});

test('the rule is added only when the check does not find it', async () => {
  const calls: string[][] = [];
  await ensureMasquerade('10.42.0.0/24', 'k8ts0', async (a) => (calls.push(a), a[2] === '-C' ? 1 : 0));
  assert.deepEqual(calls.map((a) => a[2]), ['-C', '-A']);
  calls.length = 0;
  await ensureMasquerade('10.42.0.0/24', 'k8ts0', async (a) => (calls.push(a), 0));
  assert.deepEqual(calls.map((a) => a[2]), ['-C']);
  await assert.rejects(ensureMasquerade('10.42.0.0/24', 'k8ts0', async () => 4), /exit 4/);
});
