import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CronError, isValidTimeZone, parseCron } from './cron.js';

const at = (s: string) => new Date(s);
const next = (expr: string, after: string, tz = 'UTC') => parseCron(expr).next(at(after), tz)?.toISOString() ?? null;

test('every minute and simple fields', () => {
  assert.equal(next('* * * * *', '2024-01-01T00:00:00Z'), '2024-01-01T00:01:00.000Z');
  assert.equal(next('* * * * *', '2024-01-01T00:00:30Z'), '2024-01-01T00:01:00.000Z');
  assert.equal(next('*/15 * * * *', '2024-01-01T00:16:00Z'), '2024-01-01T00:30:00.000Z');
  assert.equal(next('5 4 * * *', '2024-01-01T04:05:00Z'), '2024-01-02T04:05:00.000Z');
  assert.equal(next('0 9-17/4 * * *', '2024-01-01T10:00:00Z'), '2024-01-01T13:00:00.000Z');
  assert.equal(next('0,30 * * * *', '2024-01-01T00:10:00Z'), '2024-01-01T00:30:00.000Z');
  assert.equal(next('0 0 1 jan *', '2024-06-01T00:00:00Z'), '2025-01-01T00:00:00.000Z');
  assert.equal(next('0 0 * * MON', '2024-01-03T00:00:00Z'), '2024-01-08T00:00:00.000Z');
  assert.equal(next('10/20 * * * *', '2024-01-01T00:31:00Z'), '2024-01-01T00:50:00.000Z');
});

test('day-of-month and day-of-week: OR when both restricted, AND otherwise', () => {
  // 2024-01-01 is a Monday. "1st of month OR Friday".
  assert.equal(next('0 0 1 * 5', '2024-01-01T00:00:00Z'), '2024-01-05T00:00:00.000Z');
  // dom star: only Fridays.
  assert.equal(next('0 0 * * 5', '2024-01-01T00:00:00Z'), '2024-01-05T00:00:00.000Z');
  // dow star: only the 15th.
  assert.equal(next('0 0 15 * *', '2024-01-01T00:00:00Z'), '2024-01-15T00:00:00.000Z');
  assert.equal(next('0 0 ? * 5', '2024-01-01T00:00:00Z'), '2024-01-05T00:00:00.000Z');
});

test('macros and @every', () => {
  assert.equal(next('@hourly', '2024-01-01T00:00:00Z'), '2024-01-01T01:00:00.000Z');
  assert.equal(next('@daily', '2024-01-01T00:00:00Z'), '2024-01-02T00:00:00.000Z');
  assert.equal(next('@midnight', '2024-01-01T12:00:00Z'), '2024-01-02T00:00:00.000Z');
  assert.equal(next('@weekly', '2024-01-01T00:00:00Z'), '2024-01-07T00:00:00.000Z');
  assert.equal(next('@monthly', '2024-01-15T00:00:00Z'), '2024-02-01T00:00:00.000Z');
  assert.equal(next('@yearly', '2024-01-15T00:00:00Z'), '2025-01-01T00:00:00.000Z');
  assert.equal(next('@annually', '2024-01-15T00:00:00Z'), '2025-01-01T00:00:00.000Z');
  assert.equal(next('@every 1h30m', '2024-01-01T00:00:00.500Z'), '2024-01-01T01:30:00.000Z');
});

test('leap day and impossible dates', () => {
  assert.equal(next('0 0 29 2 *', '2024-03-01T00:00:00Z'), '2028-02-29T00:00:00.000Z');
  assert.equal(next('0 0 30 2 *', '2024-03-01T00:00:00Z'), null);
});

test('time zones, including DST', () => {
  // 09:00 in New York in January is 14:00 UTC.
  assert.equal(next('0 9 * * *', '2024-01-01T00:00:00Z', 'America/New_York'), '2024-01-01T14:00:00.000Z');
  // In July (EDT) it is 13:00 UTC.
  assert.equal(next('0 9 * * *', '2024-07-01T00:00:00Z', 'America/New_York'), '2024-07-01T13:00:00.000Z');
  // 02:30 does not exist on 2024-03-10 in New York: skipped to the next day.
  assert.equal(next('30 2 * * *', '2024-03-10T00:00:00Z', 'America/New_York'), '2024-03-11T06:30:00.000Z');
  // 01:30 happens twice on 2024-11-03: first (EDT) then the second (EST).
  assert.equal(next('30 1 * * *', '2024-11-03T04:00:00Z', 'America/New_York'), '2024-11-03T05:30:00.000Z');
  assert.equal(next('30 1 * * *', '2024-11-03T05:30:00Z', 'America/New_York'), '2024-11-03T06:30:00.000Z');
  // A TZ= prefix wins.
  assert.equal(next('CRON_TZ=Asia/Tokyo 0 9 * * *', '2024-01-01T00:00:00Z', 'UTC'), '2024-01-02T00:00:00.000Z');
  assert.ok(isValidTimeZone('Europe/Berlin'));
  assert.ok(!isValidTimeZone('Mars/Olympus'));
});

test('errors use the upstream parser wording', () => {
  const msg = (e: string) => {
    try {
      parseCron(e);
    } catch (err) {
      assert.ok(err instanceof CronError);
      return (err as Error).message;
    }
    return 'no error';
  };
  assert.equal(msg(''), 'empty spec string');
  assert.equal(msg('* * *'), 'expected exactly 5 fields, found 3: [* * *]');
  assert.equal(msg('* * * * * *'), 'expected exactly 5 fields, found 6: [* * * * * *]');
  assert.equal(msg('@fortnightly'), 'unrecognized descriptor: @fortnightly');
  assert.equal(msg('70 * * * *'), 'end of range (70) above maximum (59): 70');
  assert.equal(msg('0 0 0 * *'), 'beginning of range (0) below minimum (1): 0');
  assert.equal(msg('5-2 * * * *'), 'beginning of range (5) beyond end of range (2): 5-2');
  assert.equal(msg('x * * * *'), 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax');
  assert.equal(msg('1-2-3 * * * *'), 'too many hyphens: 1-2-3');
  assert.equal(msg('*/0 * * * *'), 'step of range should be a positive number: */0');
  assert.equal(msg('0 0 * * 7'), 'end of range (7) above maximum (6): 7');
});
