import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Quantity, QuantityError, canonicalQuantity, compareQuantities, parseQuantity, tryParseQuantity } from './quantity.js';

test('parses the usual forms', () => {
  assert.equal(parseQuantity('100m').milliValue(), 100);
  assert.equal(parseQuantity('1').milliValue(), 1000);
  assert.equal(parseQuantity('1Gi').value(), 1024 ** 3);
  assert.equal(parseQuantity('1e3').value(), 1000);
  assert.equal(parseQuantity('1.5').milliValue(), 1500);
  assert.equal(parseQuantity('0.1').milliValue(), 100);
  assert.equal(parseQuantity('.5').milliValue(), 500);
  assert.equal(parseQuantity('-2k').value(), -2000);
  assert.equal(parseQuantity('128974848').value(), 128974848);
  assert.equal(parseQuantity('129M').value(), 129e6);
  assert.equal(parseQuantity('123Mi').value(), 123 * 1024 * 1024);
});

test('rejects malformed quantities with upstream messages', () => {
  for (const bad of ['', 'abc', '1.2.3', '1Xi', '1 Gi', '.', '1ki', '1GiB']) {
    assert.throws(() => parseQuantity(bad), QuantityError, bad);
  }
  assert.throws(() => parseQuantity('x'), /quantities must match the regular expression/);
  assert.throws(() => parseQuantity('1Mb'), /quantities must match|unable to parse quantity's suffix/);
  assert.equal(tryParseQuantity('nope'), undefined);
  assert.equal(tryParseQuantity(2)?.value(), 2);
});

test('canonical strings match upstream', () => {
  const cases: [string, string][] = [
    ['1000m', '1'],
    ['1500m', '1500m'],
    ['1.5', '1500m'],
    ['0.5', '500m'],
    ['1000', '1k'],
    ['1500', '1500'],
    ['1.5Gi', '1536Mi'],
    ['1024Mi', '1Gi'],
    ['1Gi', '1Gi'],
    ['100Ki', '100Ki'],
    ['512', '512'],
    ['0.5Ki', '512'],
    ['1e3', '1e3'],
    ['1.5e3', '1500'],
    ['0', '0'],
    ['0Gi', '0'],
    ['1n', '1n'],
    ['0.1n', '1n'],
    ['12e6', '12e6'],
    ['2M', '2M'],
  ];
  for (const [input, want] of cases) assert.equal(canonicalQuantity(input), want, input);
});

test('compares across formats', () => {
  assert.equal(compareQuantities('1Gi', '1G'), 1);
  assert.equal(compareQuantities('1000m', '1'), 0);
  assert.equal(compareQuantities('100m', '0.2'), -1);
  assert.equal(compareQuantities('1e3', '1k'), 0);
  assert.ok(parseQuantity('1Ki').equals('1024'));
});

test('arithmetic keeps the first operand format', () => {
  const q = parseQuantity('1Gi').add('512Mi');
  assert.equal(q.toString(), '1536Mi');
  assert.equal(parseQuantity('1').sub('250m').toString(), '750m');
  assert.equal(Quantity.milli(2500).toString(), '2500m');
  assert.equal(Quantity.fromNumber(3).toString(), '3');
});
