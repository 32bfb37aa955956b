import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCa } from './pki.js';
import { caHash, ensureNodeToken, parseNodeToken, parseTokenCsv } from './tokens.js';

test('ensureNodeToken creates a 0600 token once and reuses it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-tok-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const a = await ensureNodeToken(dir);
  assert.match(a, /^[0-9a-f]{64}$/);
  assert.equal((await stat(join(dir, 'node-token'))).mode & 0o777, 0o600);
  assert.equal(await ensureNodeToken(dir), a);
  assert.equal((await readFile(join(dir, 'node-token'), 'utf8')).trim(), a);
});

test('a node token made with the CA pins it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-tok-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const ca = await createCa({ cn: 'c', days: 1 });
  const tok = await ensureNodeToken(dir, ca.certPem);
  const p = parseNodeToken(tok);
  assert.equal(p.caHash, caHash(ca.certPem));
  assert.match(p.secret, /^[0-9a-f]{64}$/);
  assert.deepEqual(parseNodeToken('plain'), { secret: 'plain' });
});

test('parseTokenCsv reads upstream token files', () => {
  const m = parseTokenCsv('# comment\nt1,alice,1001,"dev,ops"\nt2,bob,\n\n');
  assert.deepEqual(m.get('t1'), { name: 'alice', uid: '1001', groups: ['dev', 'ops'] });
  assert.deepEqual(m.get('t2'), { name: 'bob', groups: [] });
  assert.throws(() => parseTokenCsv('only,two'), /fewer than 3/);
});
