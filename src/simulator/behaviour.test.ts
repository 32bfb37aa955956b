import assert from 'node:assert/strict';
import { test } from 'node:test';
import { podBehaviour } from './behaviour.js';
import { parseDuration } from './duration.js';
import { OptionError, parseLabels, parseTaints } from './options.js';

test('parseDuration: Go durations and bare seconds', () => {
  assert.equal(parseDuration('5s'), 5000);
  assert.equal(parseDuration('1m30s'), 90_000);
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('1.5h'), 5_400_000);
  assert.equal(parseDuration('3'), 3000);
  assert.throws(() => parseDuration('5 s'));
  assert.throws(() => parseDuration('abc'));
  assert.throws(() => parseDuration(''));
});

test('podBehaviour: defaults, pod-wide and per-container keys', () => {
  const b = podBehaviour({
    'sim.k8ts.io/fail-after': '3s',
    'sim.k8ts.io/succeed-after.side': '1s',
    'sim.k8ts.io/ready-after': '2s',
    'sim.k8ts.io/exit-code.app': '7',
  });
  assert.deepEqual(b.container('app'), { readyAfterMs: 2000, exitAfterMs: 3000, exitCode: 7 });
  // succeed-after (1 s) comes before fail-after (3 s).
  assert.deepEqual(b.container('side'), { readyAfterMs: 2000, exitAfterMs: 1000, exitCode: 0 });
  assert.deepEqual(podBehaviour(undefined).container('x'), { readyAfterMs: 0, exitCode: 1 });
  assert.equal(podBehaviour({}).startAfterMs, 0);
});

test('podBehaviour: bad values are reported and ignored', () => {
  const b = podBehaviour({ 'sim.k8ts.io/fail-after': 'soon', 'sim.k8ts.io/exit-code': '0' });
  assert.deepEqual(b.container('a'), { readyAfterMs: 0, exitCode: 1 });
  assert.equal(b.errors.length, 2);
  assert.match(b.errors[0]!, /fail-after/);
});

test('parseLabels and parseTaints', () => {
  assert.deepEqual(parseLabels('zone=a, disk=ssd,empty='), { zone: 'a', disk: 'ssd', empty: '' });
  assert.deepEqual(parseLabels(undefined), {});
  assert.throws(() => parseLabels('novalue'), OptionError);
  assert.deepEqual(parseTaints('gpu=true:NoSchedule,dedicated:NoExecute,example.com/k=v:PreferNoSchedule'), [
    { key: 'gpu', value: 'true', effect: 'NoSchedule' },
    { key: 'dedicated', effect: 'NoExecute' },
    { key: 'example.com/k', value: 'v', effect: 'PreferNoSchedule' },
  ]);
  assert.throws(() => parseTaints('gpu=true'), OptionError);
  assert.throws(() => parseTaints('gpu=true:Sometimes'), OptionError);
});
