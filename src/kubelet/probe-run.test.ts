import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { test } from 'node:test';
import { FakeRuntime } from '../runtime/fake/index.js';
import { resolvePort, runProbe } from './probe-run.js';

const container = { name: 'c', ports: [{ name: 'web', containerPort: 8080 }] };

test('named and numeric ports', () => {
  assert.equal(resolvePort('web', container), 8080);
  assert.equal(resolvePort(81, container), 81);
  assert.equal(resolvePort('82', container), 82);
  assert.throws(() => resolvePort('nope', container), /not found/);
});

test('httpGet: 2xx/3xx succeed, others fail, headers are sent, timeouts fail', async () => {
  let seenHeader = '';
  const server = http.createServer((req, res) => {
    seenHeader = String(req.headers['x-probe'] ?? '');
    if (req.url === '/slow') return void setTimeout(() => res.end('late'), 3000);
    res.statusCode = req.url === '/ok' ? 200 : req.url === '/redirect' ? 302 : 500;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const ctx = { runtime: new FakeRuntime(), containerId: 'x', container, podIP: '127.0.0.1', timeoutSeconds: 1 };
  try {
    assert.equal((await runProbe({ httpGet: { path: '/ok', port, httpHeaders: [{ name: 'X-Probe', value: 'yes' }] } }, ctx)).ok, true);
    assert.equal(seenHeader, 'yes');
    assert.equal((await runProbe({ httpGet: { path: '/redirect', port } }, ctx)).ok, true);
    const bad = await runProbe({ httpGet: { path: '/fail', port } }, ctx);
    assert.equal(bad.ok, false);
    assert.match(bad.message, /500/);
    assert.equal((await runProbe({ httpGet: { path: '/slow', port } }, ctx)).ok, false);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

test('tcpSocket: connect succeeds or fails', async () => {
  const server = net.createServer((s) => s.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const ctx = { runtime: new FakeRuntime(), containerId: 'x', container, podIP: '127.0.0.1', timeoutSeconds: 1 };
  assert.equal((await runProbe({ tcpSocket: { port } }, ctx)).ok, true);
  await new Promise((r) => server.close(r));
  assert.equal((await runProbe({ tcpSocket: { port } }, ctx)).ok, false);
});

test('exec: exit code decides; a slow command times out', async () => {
  const runtime = new FakeRuntime({
    images: ['i'],
    exec: async (_c, cmd) => {
      if (cmd[0] === 'slow') await new Promise((r) => setTimeout(r, 2000));
      return { stdout: Buffer.from('out'), stderr: Buffer.alloc(0), exitCode: cmd[0] === 'true' || cmd[0] === 'slow' ? 0 : 1 };
    },
  });
  const sb = await runtime.runPodSandbox({ metadata: { name: 'p', uid: 'u', namespace: 'n', attempt: 0 }, logDirectory: '/l', portMappings: [], labels: {}, annotations: {} });
  const id = await runtime.createContainer(sb, { metadata: { name: 'c', attempt: 0 }, image: 'i', command: [], args: [], envs: [], mounts: [], logPath: 'c/0.log', labels: {}, annotations: {} }, runtime.sandboxes.get(sb)!.config);
  await runtime.startContainer(id);
  const ctx = { runtime, containerId: id, container, podIP: '', timeoutSeconds: 1 };
  assert.equal((await runProbe({ exec: { command: ['true'] } }, ctx)).ok, true);
  const f = await runProbe({ exec: { command: ['false'] } }, ctx);
  assert.equal(f.ok, false);
  assert.equal(f.message, 'out');
  const slow = await runProbe({ exec: { command: ['slow'] } }, ctx);
  assert.equal(slow.ok, false);
  assert.match(slow.message, /timed out/);
});
