import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { loadSchemas } from '../../api/schema/load.js';
import { testRegistry } from './testregistry.js';
import { V2_PROTOBUF, V2_PROTOBUF_RESPONSE, createOpenApiHandler } from './handler.js';

let server: Server;
let base: string;

before(async () => {
  const handler = createOpenApiHandler(testRegistry(), loadSchemas(), { version: 'v1.32.0' });
  server = createServer(async (req, res) => {
    const url = new URL(req.url!, 'http://x');
    if (!(await handler(req, res, url))) {
      res.statusCode = 418;
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});
after(() => server.close());

test('index lists every group-version with its hash', async () => {
  const res = await fetch(`${base}/openapi/v3`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/json');
  const body = (await res.json()) as any;
  assert.deepEqual(Object.keys(body.paths).sort(), ['api/v1', 'apis/apps/v1', 'apis/rbac.authorization.k8s.io/v1']);
  assert.match(body.paths['apis/apps/v1'].serverRelativeURL, /^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]{128}$/);
  const etag = res.headers.get('etag')!;
  const again = await fetch(`${base}/openapi/v3`, { headers: { 'if-none-match': etag } });
  assert.equal(again.status, 304);
});

test('group-version documents: hashed URLs are immutable, stale hashes redirect', async () => {
  const index = (await (await fetch(`${base}/openapi/v3`)).json()) as any;
  const url = index.paths['api/v1'].serverRelativeURL as string;
  const res = await fetch(base + url);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('cache-control'), 'public, immutable');
  assert.ok(res.headers.get('expires'));
  const doc = (await res.json()) as any;
  assert.equal(doc.openapi, '3.0.0');
  assert.ok(doc.components.schemas['io.k8s.api.core.v1.Pod']);
  assert.equal(res.headers.get('etag'), `"${url.split('hash=')[1]}"`);
  const plain = await fetch(`${base}/openapi/v3/api/v1`);
  assert.equal(plain.headers.get('cache-control'), 'no-cache, private');
  const stale = await fetch(`${base}/openapi/v3/api/v1?hash=ABC`, { redirect: 'manual' });
  assert.equal(stale.status, 301);
  assert.equal(stale.headers.get('location'), url);
  assert.equal((await fetch(`${base}/openapi/v3/apis/nope/v1`)).status, 404);
  const gz = await fetch(base + url, { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(gz.headers.get('content-encoding'), 'gzip');
  assert.deepEqual(await gz.json(), doc);
});

test('v2: protobuf for kubectl, JSON otherwise, 406 for anything else', async () => {
  const pb = await fetch(`${base}/openapi/v2?timeout=32s`, { headers: { accept: V2_PROTOBUF } });
  assert.equal(pb.status, 200);
  assert.equal(pb.headers.get('content-type'), V2_PROTOBUF_RESPONSE);
  assert.ok((await pb.arrayBuffer()).byteLength > 100000);
  const json = await fetch(`${base}/openapi/v2`, { headers: { accept: 'application/json' } });
  assert.equal(((await json.json()) as any).swagger, '2.0');
  assert.equal((await fetch(`${base}/openapi/v2`, { headers: { accept: 'text/html' } })).status, 406);
  assert.equal((await fetch(`${base}/openapi/v2`, { method: 'POST' })).status, 405);
});

test('other paths are not the handler\'s', async () => {
  assert.equal((await fetch(`${base}/openapi`)).status, 418);
  assert.equal((await fetch(`${base}/api/v1`)).status, 418);
});
