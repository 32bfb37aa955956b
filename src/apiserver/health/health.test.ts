import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PathHandler } from '../http/types.js';
import { HealthChecks } from './checks.js';
import { healthHandler } from './handler.js';
import { versionHandler, versionInfo } from './version.js';

async function serve(t: { after(fn: () => void): void }, ...handlers: PathHandler[]): Promise<string> {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url!, 'http://x');
    for (const h of handlers) if (await h(req, res, url)) return;
    res.writeHead(599);
    res.end();
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  t.after(() => server.close());
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test('livez/readyz/healthz: ok, verbose listing, failures, single checks, exclude', async (t) => {
  let storeUp = true;
  let cachesStarted = false;
  const checks = new HealthChecks(200);
  checks.add('store', () => {
    if (!storeUp) throw new Error('connection refused');
  });
  checks.add('watch-cache', () => cachesStarted, 'ready');
  checks.add('slow', () => new Promise((r) => setTimeout(r, 5)));
  const base = await serve(t, healthHandler(checks));
  const get = async (p: string) => {
    const res = await fetch(base + p);
    return { code: res.status, body: await res.text(), type: res.headers.get('content-type') };
  };

  assert.deepEqual(await get('/livez'), { code: 200, body: 'ok', type: 'text/plain; charset=utf-8' });
  assert.equal((await get('/healthz')).body, 'ok');
  assert.equal((await get('/livez?verbose')).body, '[+]ping ok\n[+]store ok\n[+]slow ok\nlivez check passed\n');

  // Not ready until caches start; liveness unaffected.
  let r = await get('/readyz');
  assert.equal(r.code, 500);
  assert.equal(r.body, '[+]ping ok\n[+]shutdown ok\n[+]store ok\n[-]watch-cache failed: reason withheld\n[+]slow ok\nreadyz check failed\n');
  assert.equal((await get('/livez')).code, 200);
  r = await get('/readyz?exclude=watch-cache&verbose');
  assert.equal(r.code, 200);
  assert.match(r.body, /\[\+\]watch-cache excluded: ok\n/);
  cachesStarted = true;
  assert.equal((await get('/readyz')).code, 200);

  storeUp = false;
  r = await get('/livez');
  assert.equal(r.code, 500);
  assert.equal(r.body, '[+]ping ok\n[-]store failed: reason withheld\n[+]slow ok\nlivez check failed\n');
  r = await get('/livez/store');
  assert.equal(r.code, 500);
  assert.equal(r.body, 'internal server error: connection refused\n');
  assert.deepEqual((await get('/livez/ping')).body, 'ok');
  assert.equal((await get('/livez/watch-cache')).code, 599, 'readiness-only check is not under /livez');
  assert.equal((await get('/readyz/watch-cache')).code, 200);
  assert.equal((await get('/livez/nope')).code, 599);
  assert.equal((await get('/livezz')).code, 599);

  storeUp = true;
  checks.setShuttingDown();
  assert.equal((await get('/readyz')).code, 500);
  assert.equal((await get('/livez')).code, 200);

  r = await get('/livez?verbose&exclude=bogus');
  assert.match(r.body, /warn: some health checks cannot be excluded: no matches for "bogus"\n/);
});

test('a check that hangs fails after the timeout', async () => {
  const checks = new HealthChecks(20);
  checks.add('hang', () => new Promise(() => {}));
  const [ping, hang] = await checks.runAll('livez');
  assert.equal(ping!.ok, true);
  assert.equal(hang!.ok, false);
  assert.match(hang!.error!, /timed out/);
});

test('duplicate or odd check names are refused', () => {
  const checks = new HealthChecks();
  assert.throws(() => checks.add('ping', () => true), /twice/);
  assert.throws(() => checks.add('has space', () => true), /invalid/);
});

test('/version says 1.32 with a semver gitVersion', async (t) => {
  const base = await serve(t, versionHandler());
  const res = await fetch(`${base}/version?timeout=5s`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/json');
  const v = (await res.json()) as Record<string, string>;
  assert.equal(v['major'], '1');
  assert.equal(v['minor'], '32');
  assert.match(v['gitVersion']!, /^v1\.32\.\d+(-[0-9A-Za-z.-]+)?$/);
  assert.equal(v['gitTreeState'], 'clean');
  assert.equal(v['goVersion'], process.version);
  assert.equal(v['compiler'], 'k8ts');
  assert.match(v['platform']!, /^[a-z0-9]+\/[a-z0-9]+$/);
  assert.match(v['buildDate']!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.deepEqual(Object.keys(v), Object.keys(versionInfo()));
});
