import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePki, issueClientCert, issueServingCert, readCa, servingCertCovers, signedBy } from './pki.js';

async function tmp(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'k8ts-pki-'));
}

test('ensurePki generates CA, serving and admin certs with the right names and modes', async (t) => {
  const dir = await tmp();
  t.after(() => rm(dir, { recursive: true, force: true }));
  const pki = await ensurePki(dir, { hosts: ['10.0.0.7', 'api.example.test'] });

  const ca = new X509Certificate(pki.ca.certPem);
  assert.equal(ca.ca, true);
  assert.ok(Date.parse(ca.validTo) - Date.now() > 9 * 365 * 86400_000, 'CA valid ~10 years');

  const serving = new X509Certificate(pki.serving.certPem);
  assert.ok(serving.verify(ca.publicKey));
  for (const h of ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', 'api.example.test']) {
    assert.equal(serving.checkHost(h, { wildcards: false }), h, h);
  }
  for (const ip of ['127.0.0.1', '::1', '10.0.0.7']) assert.ok(serving.checkIP(ip), ip);

  const admin = new X509Certificate(pki.admin.certPem);
  assert.ok(admin.verify(ca.publicKey));
  assert.equal(admin.subject, 'CN=admin\nO=system:masters');

  for (const f of [pki.files.caKey, pki.files.servingKey, pki.files.adminKey]) {
    assert.equal((await stat(f)).mode & 0o777, 0o600, f);
  }
  assert.equal(await readFile(pki.files.caCert, 'utf8'), pki.ca.certPem);
});

test('ensurePki reuses files and reissues the serving cert only for a new host', async (t) => {
  const dir = await tmp();
  t.after(() => rm(dir, { recursive: true, force: true }));
  const a = await ensurePki(dir, { hosts: ['10.0.0.7'] });
  const b = await ensurePki(dir, { hosts: ['10.0.0.7'] });
  assert.equal(b.ca.certPem, a.ca.certPem);
  assert.equal(b.serving.certPem, a.serving.certPem);
  assert.equal(b.admin.certPem, a.admin.certPem);

  const c = await ensurePki(dir, { hosts: ['10.0.0.8'] });
  assert.equal(c.ca.certPem, a.ca.certPem);
  assert.notEqual(c.serving.certPem, a.serving.certPem);
  assert.equal(c.admin.certPem, a.admin.certPem);
  assert.ok(servingCertCovers(c.serving.certPem, c.ca.certPem, ['10.0.0.8', 'localhost']));
});

test('issueClientCert: CN is the user, each O a group; readCa can sign', async (t) => {
  const dir = await tmp();
  t.after(() => rm(dir, { recursive: true, force: true }));
  await ensurePki(dir);
  const ca = await readCa(dir);
  const pair = await issueClientCert(ca, { cn: 'system:node:n1', orgs: ['system:nodes', 'extra'], days: 2 });
  const cert = new X509Certificate(pair.certPem);
  assert.equal(cert.subject, 'CN=system:node:n1\nO=system:nodes\nO=extra');
  assert.ok(signedBy(pair.certPem, ca.certPem, 1));
  assert.ok(!signedBy(pair.certPem, ca.certPem, 30), 'expires within 30 days');
  assert.match(pair.keyPem, /^-----BEGIN PRIVATE KEY-----/);
  assert.ok(cert.keyUsage?.includes('1.3.6.1.5.5.7.3.2'), 'clientAuth');
});

test('servingCertCovers rejects a cert from another CA', async (t) => {
  const d1 = await tmp();
  const d2 = await tmp();
  t.after(() => Promise.all([rm(d1, { recursive: true }), rm(d2, { recursive: true })]));
  const p1 = await ensurePki(d1);
  const p2 = await ensurePki(d2);
  assert.ok(!servingCertCovers(p1.serving.certPem, p2.ca.certPem, ['localhost']));
  const s = await issueServingCert(p2.ca, { cn: 'x', hosts: ['a.test'] });
  assert.ok(servingCertCovers(s.certPem, p2.ca.certPem, ['a.test']));
  assert.ok(!servingCertCovers(s.certPem, p2.ca.certPem, ['b.test']));
});
