// The apiserver → kubelet → runtime path: pods/log and pods/exec|portforward through the
// streaming handler, a real kubelet server, and a fake runtime whose streaming server is started here.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:https';
import { mkdtemp, writeFile, appendFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { StatusError } from '../../api/status.js';
import { createCa, issueClientCert, issueServingCert, type CertKeyPair, type CertificateAuthority } from '../authn/pki.js';
import { x509Authenticator } from '../authn/authenticator.js';
import type { KubeObject } from '../../api/registry.js';
// Test-only imports of the kubelet side: this is the end-to-end path of the two.
import { startKubeletServer, type RunningKubeletServer } from '../../kubelet/server/server.js';
import { EXIT_3_STATUS, fakeRuntime, rawWebSocket, startFakeStreamingServer, type FakeStreamingServer } from '../../kubelet/server/testing.js';
import { FrameReader, HeaderCompressor, dataFrame, synStreamFrame } from '../../kubelet/server/spdy.js';
import { createStreamingHandler, parsePodSubresourcePath } from './handler.js';

let ca: CertificateAuthority;
let apiServing: CertKeyPair;
let kubeletServing: CertKeyPair;
let apiClient: CertKeyPair;
let admin: CertKeyPair;
let dir: string;
let logPath: string;
let fake: FakeStreamingServer;
let kubelet: RunningKubeletServer;
let rt: ReturnType<typeof fakeRuntime>;
let api: Server;
let apiPort: number;
const pods = new Map<string, KubeObject>();

const runningPod = (name: string, containers = ['main']): KubeObject => ({
  metadata: { name, namespace: 'default' },
  spec: { nodeName: 'n1', containers: containers.map((c) => ({ name: c })) },
  status: { phase: 'Running', containerStatuses: containers.map((c) => ({ name: c, state: { running: {} } })) },
});

before(async () => {
  ca = await createCa({ cn: 'ca', days: 1 });
  apiServing = await issueServingCert(ca, { cn: 'apiserver', hosts: ['127.0.0.1'] });
  kubeletServing = await issueServingCert(ca, { cn: 'n1', hosts: ['n1'] }); // names the host, not the IP we dial
  apiClient = await issueClientCert(ca, { cn: 'kube-apiserver-kubelet-client', orgs: ['system:masters'] });
  admin = await issueClientCert(ca, { cn: 'admin', orgs: ['system:masters'] });
  dir = await mkdtemp(join(tmpdir(), 'streaming-'));
  logPath = join(dir, '0.log');
  await writeFile(logPath, '2024-01-01T00:00:01Z stdout F hello\n2024-01-01T00:00:02Z stderr F world\n');
  fake = await startFakeStreamingServer({ v5: true });
  rt = fakeRuntime(() => fake.url, { logPath });
  kubelet = await startKubeletServer({
    port: 0,
    host: '127.0.0.1',
    certPem: kubeletServing.certPem,
    keyPem: kubeletServing.keyPem,
    caPem: ca.certPem,
    runtime: rt,
    resolveContainer: (ns, pod, container) =>
      ns === 'default' && (pod === 'p' || pod === 'multi') ? (container === undefined ? { podSandboxId: 's1' } : { podSandboxId: 's1', containerId: 'c1' }) : null,
  });
  pods.set('p', runningPod('p'));
  pods.set('multi', runningPod('multi', ['a', 'b']));
  pods.set('creating', {
    metadata: { name: 'creating', namespace: 'default' },
    spec: { nodeName: 'n1', containers: [{ name: 'main' }] },
    status: { phase: 'Pending', containerStatuses: [{ name: 'main', state: { waiting: { reason: 'ContainerCreating' } } }] },
  });
  const node: KubeObject = {
    metadata: { name: 'n1' },
    status: { addresses: [{ type: 'Hostname', address: 'n1' }, { type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: kubelet.port } } },
  };
  const handler = createStreamingHandler({
    getPod: async (ns, name) => (ns === 'default' ? (pods.get(name) ?? null) : null),
    getNode: async (name) => (name === 'n1' ? node : null),
    clientCertPem: apiClient.certPem,
    clientKeyPem: apiClient.keyPem,
    caPem: ca.certPem,
    authenticate: x509Authenticator(),
  });
  api = createServer({ cert: apiServing.certPem, key: apiServing.keyPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: false }, async (req, res) => {
    const url = new URL(req.url ?? '/', 'https://x');
    try {
      const rr = parsePodSubresourcePath(url.pathname);
      if (!rr || !(await handler.handleRequest(rr, req, res, url))) throw new StatusError(404, 'NotFound', 'not found');
    } catch (e) {
      const err = e as StatusError;
      if (res.headersSent) return void res.destroy();
      res.writeHead(err.code, { 'Content-Type': 'application/json' }).end(JSON.stringify(err.toStatus()));
    }
  });
  api.on('upgrade', (req, socket, head) => void handler.handleUpgrade(req, socket, head));
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
  apiPort = (api.address() as { port: number }).port;
});

after(async () => {
  await new Promise<void>((r) => {
    api.close(() => r());
    api.closeAllConnections();
  });
  await kubelet.stop();
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

function get(path: string, onChunk?: (c: string) => void): Promise<{ status: number; body: string; type: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: apiPort, path, ca: ca.certPem, cert: admin.certPem, key: admin.keyPem, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
        onChunk?.(c.toString());
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: String(res.headers['content-type']) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('pods/log through the kubelet: text, options, Status errors', async () => {
  const r = await get('/api/v1/namespaces/default/pods/p/log');
  assert.deepEqual([r.status, r.type, r.body], [200, 'text/plain', 'hello\nworld\n']);
  assert.equal((await get('/api/v1/namespaces/default/pods/p/log?container=main&tailLines=1&timestamps=true')).body, '2024-01-01T00:00:02Z world\n');

  const missing = await get('/api/v1/namespaces/default/pods/nope/log');
  assert.equal(missing.status, 404);
  assert.equal(JSON.parse(missing.body).message, 'pods "nope" not found');

  const bad = await get('/api/v1/namespaces/default/pods/p/log?container=x');
  assert.equal(bad.status, 400);
  assert.equal(JSON.parse(bad.body).message, 'container x is not valid for pod p');

  const multi = await get('/api/v1/namespaces/default/pods/multi/log');
  assert.equal(JSON.parse(multi.body).message, 'a container name must be specified for pod multi, choose one of: [a b]');

  const waiting = await get('/api/v1/namespaces/default/pods/creating/log');
  assert.equal(waiting.status, 400);
  assert.equal(JSON.parse(waiting.body).reason, 'BadRequest');
  assert.equal(JSON.parse(waiting.body).message, 'container "main" in pod "creating" is waiting to start: ContainerCreating');

  const prev = await get('/api/v1/namespaces/default/pods/p/log?previous=true');
  assert.equal(JSON.parse(prev.body).message, 'previous terminated container "main" in pod "p" not found');
});

test('pods/log?follow=true streams as the container writes and ends when it exits', async () => {
  rt.state = 'CONTAINER_RUNNING';
  let seen = '';
  let sawWorld!: () => void;
  const gotFirst = new Promise<void>((r) => (sawWorld = r));
  const p = get('/api/v1/namespaces/default/pods/p/log?follow=true', (c) => {
    seen += c;
    if (seen.includes('world')) sawWorld();
  });
  // The first lines arrive before the container writes more or exits: the proxy does not buffer.
  await gotFirst;
  await appendFile(logPath, '2024-01-01T00:00:03Z stdout F later\n');
  await new Promise((r) => setTimeout(r, 400));
  rt.state = 'CONTAINER_EXITED';
  const r = await p;
  assert.equal(r.body, 'hello\nworld\nlater\n');
  rt.state = 'CONTAINER_RUNNING';
});

test('pods/exec over WebSocket v5 through apiserver and kubelet, byte for byte; exit code 3 on the error channel', async () => {
  const path = '/api/v1/namespaces/default/pods/p/exec?command=cat&stdin=true&stdout=true&stderr=true';
  const ws = new WebSocket(`wss://127.0.0.1:${apiPort}${path}`, ['v5.channel.k8s.io'], { ca: ca.certPem, cert: admin.certPem, key: admin.keyPem });
  let stdout = '';
  let error = '';
  await new Promise<void>((resolve, reject) => {
    ws.on('error', reject);
    ws.on('open', () => {
      ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('ping\n')]));
      ws.send(Buffer.from([255, 0]));
    });
    ws.on('message', (raw) => {
      const d = raw as Buffer;
      if (d[0] === 1) stdout += d.subarray(1).toString();
      if (d[0] === 3) error += d.subarray(1).toString();
    });
    ws.on('close', () => resolve());
  });
  assert.equal(ws.protocol, 'v5.channel.k8s.io');
  assert.equal(stdout, 'ping\n');
  const status = JSON.parse(error);
  assert.equal(status.reason, 'NonZeroExitCode');
  assert.equal(status.details.causes[0].message, '3');
  assert.equal(error, EXIT_3_STATUS);
  assert.ok(rt.calls.includes('exec c1 cat'));
});

test('pods/exec errors come back as Status before any upgrade', async () => {
  const statusOf = (path: string, cert = true) =>
    new Promise<{ code: number; body: string }>((resolve) => {
      const ws = new WebSocket(`wss://127.0.0.1:${apiPort}${path}`, ['v5.channel.k8s.io'], { ca: ca.certPem, ...(cert ? { cert: admin.certPem, key: admin.keyPem } : {}) });
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
      });
      ws.on('error', () => resolve({ code: -1, body: '' }));
    });
  const nf = await statusOf('/api/v1/namespaces/default/pods/nope/exec?command=sh&stdout=true');
  assert.equal(nf.code, 404);
  assert.equal(JSON.parse(nf.body).message, 'pods "nope" not found');
  const bad = await statusOf('/api/v1/namespaces/default/pods/p/exec?command=sh&stdout=true&container=zz');
  assert.equal(bad.code, 400);
  assert.equal(JSON.parse(bad.body).message, 'container zz is not valid for pod p');
  assert.equal((await statusOf('/api/v1/namespaces/default/pods/p/exec?command=sh&stdout=true', false)).code, 401);
});

test('pods/portforward: kubectl SPDY-in-WebSocket tunnel through apiserver and kubelet', async () => {
  const fakeSpdy = await startFakeStreamingServer({ v5: false });
  const saved = fake;
  fake = fakeSpdy;
  try {
    const ws = await rawWebSocket({
      port: apiPort,
      path: '/api/v1/namespaces/default/pods/p/portforward',
      protocol: 'SPDY/3.1+portforward.k8s.io',
      ca: ca.certPem,
      cert: admin.certPem,
      key: admin.keyPem,
    });
    assert.equal(ws.status, 101);
    assert.equal(ws.headers['sec-websocket-protocol'], 'SPDY/3.1+portforward.k8s.io');
    const hc = new HeaderCompressor();
    ws.send(synStreamFrame(hc, 1, { streamtype: 'error', port: '8080', requestid: '1' }));
    ws.send(synStreamFrame(hc, 3, { streamtype: 'data', port: '8080', requestid: '1' }));
    ws.send(dataFrame(3, Buffer.from('hi')));
    const reader = new FrameReader();
    const got = await new Promise<string>((resolve) => {
      ws.onMessage((d) => {
        for (const f of reader.push(d)) if (!f.control && f.streamId === 3) resolve(f.data.toString());
      });
    });
    assert.equal(got, 'port 8080: hi');
    ws.close();
    await ws.closed;
  } finally {
    fake = saved;
    await fakeSpdy.close();
  }
});
