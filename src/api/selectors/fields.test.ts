import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FieldSelectorError, escapeFieldValue, fieldsOf, parseFieldSelector } from './fields.js';

const pod = fieldsOf({ 'metadata.name': 'web-1', 'spec.nodeName': 'node-a', 'status.phase': 'Running' });

test('parse and match =, ==, !=', () => {
  assert.ok(parseFieldSelector('spec.nodeName=node-a').matches(pod));
  assert.ok(parseFieldSelector('spec.nodeName==node-a').matches(pod));
  assert.ok(!parseFieldSelector('spec.nodeName!=node-a').matches(pod));
  assert.ok(parseFieldSelector('status.phase!=Succeeded,status.phase!=Failed').matches(pod));
  assert.ok(!parseFieldSelector('metadata.name=web-1,status.phase=Pending').matches(pod));
});

test('unset fields compare as empty', () => {
  assert.ok(parseFieldSelector('spec.nodeName=').matches(fieldsOf({})));
  assert.ok(!parseFieldSelector('spec.nodeName!=').matches(fieldsOf({})));
  assert.ok(parseFieldSelector('spec.nodeName!=').matches(pod));
});

test('empty selector and empty terms', () => {
  assert.ok(parseFieldSelector('').empty());
  assert.ok(parseFieldSelector('').matches(pod));
  assert.equal(parseFieldSelector('a=b,').terms.length, 1);
});

test('string form normalises == and escapes values', () => {
  assert.equal(parseFieldSelector('a==b,c!=d').toString(), 'a=b,c!=d');
  const s = parseFieldSelector('a=x\\,y\\=z\\\\');
  assert.equal(s.terms[0]!.value, 'x,y=z\\');
  assert.equal(s.toString(), 'a=x\\,y\\=z\\\\');
  assert.equal(escapeFieldValue('a,b=c'), 'a\\,b\\=c');
});

test('operator search takes the first operator position', () => {
  const t = parseFieldSelector('a!=b').terms[0]!;
  assert.deepEqual(t, { field: 'a', operator: '!=', value: 'b' });
  assert.throws(() => parseFieldSelector('a=b=c'), /unescaped '='/);
});

test('errors', () => {
  assert.throws(() => parseFieldSelector('nonsense'), FieldSelectorError);
  assert.throws(() => parseFieldSelector('a=b,nonsense'), /can't understand "nonsense"/);
  assert.throws(() => parseFieldSelector('a=b\\x'), /invalid escape/);
});

test('fields, exact match and renaming', () => {
  const s = parseFieldSelector('regarding.name=p,regarding.kind=Pod,type!=Normal');
  assert.deepEqual(s.fields(), ['regarding.name', 'regarding.kind', 'type']);
  assert.equal(s.requiresExactMatch('regarding.name'), 'p');
  assert.equal(s.requiresExactMatch('type'), undefined);
  const r = s.renameFields((f) => f.replace(/^regarding\./, 'involvedObject.'));
  assert.equal(r.toString(), 'involvedObject.name=p,involvedObject.kind=Pod,type!=Normal');
});
