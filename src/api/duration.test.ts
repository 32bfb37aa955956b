import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ageSince, humanDuration, shortHumanDuration } from './duration.js';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;
const y = 365 * d;

test('humanDuration follows kubectl age buckets', () => {
  const cases: [number, string][] = [
    [0, '0s'],
    [999, '0s'],
    [-999, '0s'],
    [-1500, '0s'],
    [-2 * s, '<invalid>'],
    [45 * s, '45s'],
    [119 * s, '119s'],
    [2 * m, '2m'],
    [5 * m, '5m'],
    [5 * m + 30 * s, '5m30s'],
    [9 * m + 59 * s, '9m59s'],
    [10 * m, '10m'],
    [10 * m + 30 * s, '10m'],
    [179 * m, '179m'],
    [3 * h, '3h'],
    [3 * h + 20 * m, '3h20m'],
    [7 * h + 59 * m, '7h59m'],
    [8 * h, '8h'],
    [8 * h + 30 * m, '8h'],
    [47 * h, '47h'],
    [48 * h, '2d'],
    [2 * d + 3 * h, '2d3h'],
    [7 * d + 23 * h, '7d23h'],
    [8 * d, '8d'],
    [8 * d + 5 * h, '8d'],
    [729 * d, '729d'],
    [2 * y, '2y'],
    [3 * y, '3y'],
    [3 * y + 10 * d, '3y10d'],
    [7 * y + 364 * d, '7y364d'],
    [8 * y, '8y'],
    [8 * y + 100 * d, '8y'],
    [20 * y, '20y'],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, `humanDuration(${ms})`);
});

test('shortHumanDuration uses one unit', () => {
  const cases: [number, string][] = [
    [-2 * s, '<invalid>'],
    [-1 * s, '0s'],
    [59 * s, '59s'],
    [60 * s, '1m'],
    [59 * m + 59 * s, '59m'],
    [23 * h, '23h'],
    [24 * h, '1d'],
    [364 * d, '364d'],
    [365 * d, '1y'],
    [3 * y + 200 * d, '3y'],
  ];
  for (const [ms, want] of cases) assert.equal(shortHumanDuration(ms), want, `shortHumanDuration(${ms})`);
});

test('ageSince handles missing and bad timestamps', () => {
  const now = Date.parse('2024-05-01T12:00:00Z');
  assert.equal(ageSince('2024-05-01T11:55:00Z', now), '5m');
  assert.equal(ageSince(undefined, now), '<unknown>');
  assert.equal(ageSince('', now), '<unknown>');
  assert.equal(ageSince('not a date', now), '<unknown>');
});
