import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UserInfo } from '../http/types.js';
import { createAuthenticator, tokenAuthenticator } from './authenticator.js';
import { createCa, ensurePki, issueClientCert } from './pki.js';

function fakeReq(headers: Record<string, string>): IncomingMessage {
  return { headers, socket: {} } as unknown as IncomingMessage;
}

test('tokenAuthenticator: known bearer token → user + system:authenticated; otherwise null', () => {
  const a = tokenAuthenticator({ t0k3n: { name: 'alice', groups: ['dev'] } });
  assert.deepEqual(a(fakeReq({ authorization: 'Bearer t0k3n' })), { name: 'alice', groups: ['dev', 'system:authenticated'] });
  assert.equal(a(fakeReq({ authorization: 'Bearer nope' })), null);
  assert.equal(a(fakeReq({ authorization: 'Basic dTpw' })), null);
  assert.equal(a(fakeReq({})), null);
});

test('x509 + token authenticator over a real TLS server', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-authn-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const pki = await ensurePki(dir);
  const other = await createCa({ cn: 'other', days: 1 });
  const foreign = await issueClientCert(other, { cn: 'admin', orgs: ['system:masters'] });
  const node = await issueClientCert(pki.ca, { cn: 'system:node:n1', orgs: ['system:nodes', 'extra'] });
  const authn = createAuthenticator({ tokens: new Map([['tok', { name: 'bob', groups: [] }]]) });

  const server = createServer(
    { cert: pki.serving.certPem, key: pki.serving.keyPem, ca: pki.ca.certPem, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      const u = authn(req);
      res.writeHead(u ? 200 : 401, { 'content-type': 'application/json' });
      res.end(JSON.stringify(u));
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const port = (server.address() as AddressInfo).port;

  const get = (opts: { cert?: string; key?: string; token?: string }) =>
    new Promise<{ code: number; user: UserInfo | null }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          servername: 'localhost',
          port,
          path: '/',
          ca: pki.ca.certPem,
          cert: opts.cert,
          key: opts.key,
          agent: false,
          headers: opts.token ? { authorization: `Bearer ${opts.token}` } : {},
        },
        (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve({ code: res.statusCode!, user: JSON.parse(body) }));
        },
      );
      req.on('error', reject);
      req.end();
    });

  assert.deepEqual(await get({ cert: pki.admin.certPem, key: pki.admin.keyPem }), {
    code: 200,
    user: { name: 'admin', groups: ['system:masters', 'system:authenticated'] },
  });
  assert.deepEqual((await get({ cert: node.certPem, key: node.keyPem })).user, {
    name: 'system:node:n1',
    groups: ['system:nodes', 'extra', 'system:authenticated'],
  });
  assert.equal((await get({})).code, 401);
  assert.equal((await get({ cert: foreign.certPem, key: foreign.keyPem })).code, 401, 'cert from another CA');
  assert.equal((await get({ cert: foreign.certPem, key: foreign.keyPem, token: 'tok' })).user?.name, 'bob');
  assert.equal((await get({ token: 'wrong' })).code, 401);
  assert.equal((await get({ cert: pki.serving.certPem, key: pki.serving.keyPem })).code, 401, 'serving cert lacks clientAuth');
});
