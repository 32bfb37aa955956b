import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { readFile } from 'node:fs/promises';
import { loadKubeconfig, parseKubeconfig, writeKubeconfig } from './kubeconfig.js';

const CA = '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n';
const CERT = '-----BEGIN CERTIFICATE-----\nCERT\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n';

test('writeKubeconfig writes a standard 0600 kubeconfig that loadKubeconfig reads back', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-kc-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'sub', 'kubeconfig.yaml');
  await writeKubeconfig(path, { server: 'https://127.0.0.1:6443', caPem: CA, clientCertPem: CERT, clientKeyPem: KEY, user: 'admin' });
  assert.equal((await stat(path)).mode & 0o777, 0o600);

  const doc = parse(await readFile(path, 'utf8'));
  assert.equal(doc['current-context'], 'k8ts');
  assert.equal(doc.clusters[0].name, 'k8ts');
  assert.equal(Buffer.from(doc.clusters[0].cluster['certificate-authority-data'], 'base64').toString(), CA);
  assert.equal(doc.users[0].name, 'admin');
  assert.ok(doc.users[0].user['client-certificate-data']);
  assert.deepEqual(doc.contexts[0], { name: 'k8ts', context: { cluster: 'k8ts', user: 'admin' } });

  const kc = await loadKubeconfig(path);
  assert.equal(kc.server, 'https://127.0.0.1:6443');
  assert.equal(kc.caPem, CA);
  assert.equal(kc.clientCertPem, CERT);
  assert.equal(kc.clientKeyPem, KEY);
  assert.equal(kc.userName, 'admin');
  assert.equal(kc.token, undefined);
});

test('loadKubeconfig resolves file references relative to the kubeconfig and picks a context', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-kc-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'ca.crt'), CA);
  await writeFile(join(dir, 'tok'), 'secret-token\n');
  const path = join(dir, 'config');
  await writeFile(
    path,
    `apiVersion: v1
kind: Config
current-context: a
clusters:
- name: c1
  cluster: {server: "https://one:6443", certificate-authority: ca.crt}
- name: c2
  cluster: {server: "https://two:6443", insecure-skip-tls-verify: true}
users:
- name: u1
  user: {tokenFile: tok}
- name: u2
  user: {token: abc}
contexts:
- name: a
  context: {cluster: c1, user: u1, namespace: ns1}
- name: b
  context: {cluster: c2, user: u2}
`,
  );
  const a = await loadKubeconfig(path);
  assert.equal(a.server, 'https://one:6443');
  assert.equal(a.caPem, CA);
  assert.equal(a.token, 'secret-token');
  assert.equal(a.namespace, 'ns1');
  const b = await loadKubeconfig(path, { context: 'b' });
  assert.equal(b.server, 'https://two:6443');
  assert.equal(b.insecureSkipTlsVerify, true);
  assert.equal(b.token, 'abc');
  await assert.rejects(loadKubeconfig(path, { context: 'zzz' }), /context "zzz" not found/);
  await assert.rejects(parseKubeconfig('apiVersion: v1\n'), /no current-context/);
});
