import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLabelSelector } from './parse-labels.js';
import { LabelSelectorError } from './labels.js';

const match = (sel: string, labels: Record<string, string>): boolean => parseLabelSelector(sel).matches(labels);

test('empty selector matches everything', () => {
  const s = parseLabelSelector('');
  assert.ok(s.empty());
  assert.ok(s.matches({}));
  assert.ok(s.matches(undefined));
  assert.equal(s.toString(), '');
  assert.ok(parseLabelSelector('   ').empty());
});

test('equality operators', () => {
  assert.ok(match('app=web', { app: 'web' }));
  assert.ok(match('app==web', { app: 'web' }));
  assert.ok(!match('app=web', { app: 'db' }));
  assert.ok(!match('app=web', {}));
  assert.ok(match('app!=web', { app: 'db' }));
  assert.ok(match('app!=web', {}), '!= matches when the label is absent');
  assert.ok(!match('app!=web', { app: 'web' }));
});

test('empty value after = matches the empty label value only', () => {
  assert.ok(match('app=', { app: '' }));
  assert.ok(!match('app=', {}));
  assert.ok(match('app=,tier=x', { app: '', tier: 'x' }));
  assert.equal(parseLabelSelector('app=').toString(), 'app=');
});

test('set operators', () => {
  assert.ok(match('env in (prod, staging)', { env: 'prod' }));
  assert.ok(match('env in (prod,staging)', { env: 'staging' }));
  assert.ok(!match('env in (prod)', { env: 'dev' }));
  assert.ok(!match('env in (prod)', {}));
  assert.ok(match('env notin (prod)', { env: 'dev' }));
  assert.ok(match('env notin (prod)', {}));
  assert.ok(!match('env notin (prod,dev)', { env: 'dev' }));
  // an empty slot is the empty value
  assert.ok(match('env in (a,)', { env: '' }));
});

test('existence', () => {
  assert.ok(match('app', { app: 'x' }));
  assert.ok(!match('app', {}));
  assert.ok(match('!app', {}));
  assert.ok(!match('!app', { app: '' }));
  assert.ok(match('! app', { other: '1' }), 'space after ! is allowed');
});

test('numeric comparisons', () => {
  assert.ok(match('n>3', { n: '4' }));
  assert.ok(!match('n>3', { n: '3' }));
  assert.ok(match('n<3', { n: '2' }));
  assert.ok(!match('n<3', { n: 'x' }));
  assert.ok(!match('n<3', {}));
});

test('conjunction, whitespace and + from URL decoding handled by caller', () => {
  const sel = 'tier in (web, api),  app = nginx , !legacy, env!=dev';
  assert.ok(match(sel, { tier: 'web', app: 'nginx', env: 'prod' }));
  assert.ok(!match(sel, { tier: 'web', app: 'nginx', legacy: 'y' }));
  assert.ok(!match(sel, { tier: 'db', app: 'nginx' }));
});

test('toString sorts by key and values, keeps operators', () => {
  assert.equal(parseLabelSelector('z=1,a in (c, b, b),m notin (x),!q,e,k==v,n>5').toString(), 'a in (b,c),e,k==v,m notin (x),n>5,!q,z=1');
});

test('keys may carry a DNS prefix; values may be keywords', () => {
  assert.ok(match('app.kubernetes.io/name=web', { 'app.kubernetes.io/name': 'web' }));
  assert.ok(match('mode=in', { mode: 'in' }));
  assert.ok(match('mode in (in, notin)', { mode: 'notin' }));
});

test('syntax errors are LabelSelectorError with a position', () => {
  const bad = ['app=web,', ',app', 'app in prod', 'app in (a', 'app in (a b)', 'app web', '=web', '!', '!=a', 'app=(x)', 'in=x', 'a=b=c'];
  for (const s of bad) {
    assert.throws(() => parseLabelSelector(s), LabelSelectorError, s);
  }
  assert.throws(() => parseLabelSelector('app web'), /found 'web' at position 4/);
});

test('validation errors name the problem', () => {
  assert.throws(() => parseLabelSelector('app in ()'), /at least one value/);
  assert.throws(() => parseLabelSelector('-app=x'), /invalid label key "-app"/);
  assert.throws(() => parseLabelSelector('a/b/c=x'), /at most one "\/"/);
  assert.throws(() => parseLabelSelector('Bad_Prefix/a=x'), /prefix/);
  assert.throws(() => parseLabelSelector(`${'k'.repeat(64)}=x`), /at most 63/);
  assert.throws(() => parseLabelSelector('app=-x'), /invalid label value "-x"/);
  assert.throws(() => parseLabelSelector(`app=${'v'.repeat(64)}`), /at most 63/);
  assert.throws(() => parseLabelSelector('n>x'), /integer/);
});
