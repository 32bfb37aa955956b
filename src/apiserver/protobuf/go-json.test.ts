import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, formatMicroTime, formatTime, parseDuration, parseTime } from './go-json.js';

test('Time is RFC 3339 UTC seconds; MicroTime has six fractional digits', () => {
  assert.equal(formatTime(0), '1970-01-01T00:00:00Z');
  assert.equal(formatTime(1714557600), '2024-05-01T10:00:00Z');
  assert.equal(formatMicroTime(1714557600, 123456789), '2024-05-01T10:00:00.123456Z');
  assert.equal(formatMicroTime(1714557600, 0), '2024-05-01T10:00:00.000000Z');
  assert.deepEqual(parseTime('2024-05-01T12:00:00+02:00'), { seconds: 1714557600, nanos: 0 });
  assert.deepEqual(parseTime('2024-05-01T10:00:00.5Z'), { seconds: 1714557600, nanos: 500000000 });
});

test('Duration prints as Go time.Duration.String()', () => {
  const cases: Array<[bigint, string]> = [
    [0n, '0s'],
    [1n, '1ns'],
    [1500n, '1.5µs'],
    [300_000_000n, '300ms'],
    [1_500_000_000n, '1.5s'],
    [60_000_000_000n, '1m0s'],
    [3_600_000_000_000n, '1h0m0s'],
    [3_723_004_000_000n, '1h2m3.004s'],
    [-90_000_000_000n, '-1m30s'],
  ];
  for (const [ns, s] of cases) {
    assert.equal(formatDuration(ns), s);
    assert.equal(parseDuration(s), ns, s);
  }
});
