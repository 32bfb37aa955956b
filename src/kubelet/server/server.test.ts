import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, appendFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:https';
import { connect } from 'node:tls';
import { WebSocket } from 'ws';
// Test-only: the cluster PKI helpers issue the certificates a real cluster would have.
import { createCa, issueClientCert, issueServingCert, type CertKeyPair, type CertificateAuthority } from '../../apiserver/authn/pki.js';
import { startKubeletServer, type RunningKubeletServer } from './server.js';
import { EXIT_3_STATUS, fakeRuntime, rawWebSocket, startFakeStreamingServer, type FakeStreamingServer } from './testing.js';
import { FrameReader, HeaderCompressor, dataFrame, synStreamFrame } from './spdy.js';

let ca: CertificateAuthority;
let serving: CertKeyPair;
let client: CertKeyPair;
let dir: string;

before(async () => {
  ca = await createCa({ cn: 'test-ca', days: 1 });
  serving = await issueServingCert(ca, { cn: 'kubelet', hosts: ['127.0.0.1', 'localhost'] });
  client = await issueClientCert(ca, { cn: 'kube-apiserver', orgs: [] });
  dir = await mkdtemp(join(tmpdir(), 'kubelet-server-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function withKubelet(
  fake: FakeStreamingServer,
  fn: (k: RunningKubeletServer, rt: ReturnType<typeof fakeRuntime>) => Promise<void>,
  logPath?: string,
): Promise<void> {
  const rt = fakeRuntime(() => fake.url, { logPath });
  const k = await startKubeletServer({
    port: 0,
    host: '127.0.0.1',
    certPem: serving.certPem,
    keyPem: serving.keyPem,
    caPem: ca.certPem,
    runtime: rt,
    resolveContainer(ns, pod, container) {
      if (ns !== 'default' || pod !== 'p') return null;
      if (container === undefined) return { podSandboxId: 's1' };
      if (container === 'main') return { podSandboxId: 's1', containerId: 'c1', previous: { containerId: 'c0', logPath: logPath ? `${logPath}.prev` : undefined } };
      if (container === 'pending') return { podSandboxId: 's1', waitingReason: 'ContainerCreating' };
      return null;
    },
  });
  try {
    await fn(k, rt);
  } finally {
    await k.stop();
  }
}

function get(port: number, path: string, cert = true): Promise<{ status: number; body: string; chunks: string[] }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, ca: ca.certPem, ...(cert ? { cert: client.certPem, key: client.keyPem } : {}), agent: false },
      (res) => {
        const chunks: string[] = [];
        res.on('data', (c: Buffer) => chunks.push(c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: chunks.join(''), chunks }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** A v5 exec session: send stdin, close it, collect stdout and the error channel. */
async function v5Exec(port: number, path: string, input: string): Promise<{ stdout: string; error: string; protocol: string }> {
  const ws = new WebSocket(`wss://127.0.0.1:${port}${path}`, ['v5.channel.k8s.io'], { ca: ca.certPem, cert: client.certPem, key: client.keyPem });
  let stdout = '';
  let error = '';
  await new Promise<void>((resolve, reject) => {
    ws.on('error', reject);
    ws.on('open', () => {
      ws.send(Buffer.concat([Buffer.from([0]), Buffer.from(input)]));
      ws.send(Buffer.from([255, 0]));
    });
    ws.on('message', (raw) => {
      const d = raw as Buffer;
      if (d[0] === 1) stdout += d.subarray(1).toString();
      if (d[0] === 3) error += d.subarray(1).toString();
    });
    ws.on('close', () => resolve());
  });
  return { stdout, error, protocol: ws.protocol };
}

test('rejects clients without a certificate from the CA', async () => {
  const fake = await startFakeStreamingServer({ v5: true });
  try {
    await withKubelet(fake, async (k) => {
      await assert.rejects(get(k.port, '/containerLogs/default/p/main', false));
      const other = await createCa({ cn: 'other', days: 1 });
      const stranger = await issueClientCert(other, { cn: 'x' });
      await assert.rejects(
        new Promise((resolve, reject) => {
          const s = connect({ host: '127.0.0.1', port: k.port, ca: ca.certPem, cert: stranger.certPem, key: stranger.keyPem });
          s.on('error', reject);
          s.on('secureConnect', () => {
            s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
          });
          s.on('data', resolve);
          s.on('close', () => reject(new Error('closed')));
        }),
      );
    });
  } finally {
    await fake.close();
  }
});

test('containerLogs: plain, tail, timestamps, previous, waiting, unknown, follow until exit', async () => {
  const fake = await startFakeStreamingServer({ v5: true });
  const log = join(dir, 'main.log');
  await writeFile(log, '2024-01-01T00:00:01Z stdout F one\n2024-01-01T00:00:02Z stderr F two\n');
  await writeFile(`${log}.prev`, '2024-01-01T00:00:00Z stdout F before crash\n');
  try {
    await withKubelet(
      fake,
      async (k, rt) => {
        assert.deepEqual(await get(k.port, '/containerLogs/default/p/main').then((r) => [r.status, r.body]), [200, 'one\ntwo\n']);
        assert.equal((await get(k.port, '/containerLogs/default/p/main?tailLines=1&timestamps=true')).body, '2024-01-01T00:00:02Z two\n');
        assert.equal((await get(k.port, '/containerLogs/default/p/main?previous=true')).body, 'before crash\n');
        assert.equal((await get(k.port, '/containerLogs/default/p/main?limitBytes=2')).body, 'on');
        const waiting = await get(k.port, '/containerLogs/default/p/pending');
        assert.deepEqual([waiting.status, waiting.body], [400, 'container "pending" in pod "p" is waiting to start: ContainerCreating']);
        assert.equal((await get(k.port, '/containerLogs/default/nope/main')).status, 404);
        assert.equal((await get(k.port, '/containerLogs/default/p/main?limitBytes=0')).status, 400);

        // follow: data written later arrives as it is written; the response ends once the container exits.
        const followed = get(k.port, '/containerLogs/default/p/main?follow=true');
        await new Promise((r) => setTimeout(r, 300));
        await appendFile(log, '2024-01-01T00:00:03Z stdout F three\n');
        await new Promise((r) => setTimeout(r, 500));
        rt.state = 'CONTAINER_EXITED';
        const r = await followed;
        assert.equal(r.body, 'one\ntwo\nthree\n');
        assert.ok(r.chunks.length >= 2, 'streamed in several chunks');
      },
      log,
    );
  } finally {
    await fake.close();
  }
});

test('exec over WebSocket v5: byte-for-byte to a runtime that speaks v5', async () => {
  const fake = await startFakeStreamingServer({ v5: true });
  try {
    await withKubelet(fake, async (k, rt) => {
      const r = await v5Exec(k.port, '/exec/default/p/main?command=cat&input=1&output=1&error=1', 'hello\n');
      assert.equal(r.protocol, 'v5.channel.k8s.io');
      assert.equal(r.stdout, 'hello\n');
      assert.equal(r.error, EXIT_3_STATUS);
      assert.deepEqual(rt.calls, ['exec c1 cat']);
      assert.deepEqual(fake.seen, ['GET /exec/t1 websocket/v5.channel.k8s.io']);
    });
  } finally {
    await fake.close();
  }
});

test('exec over WebSocket v5: bridged to SPDY when the runtime refuses v5 (containerd 1.6)', async () => {
  const fake = await startFakeStreamingServer({ v5: false });
  try {
    await withKubelet(fake, async (k, rt) => {
      const r = await v5Exec(k.port, '/exec/default/p/main?command=cat&stdin=true&stdout=true&stderr=true', 'over spdy\n');
      assert.equal(r.protocol, 'v5.channel.k8s.io');
      assert.equal(r.stdout, 'over spdy\n');
      assert.equal(r.error, EXIT_3_STATUS);
      // First try refused (URL consumed), then a fresh URL over SPDY.
      assert.deepEqual(fake.seen, ['GET /exec/t1 websocket/v5.channel.k8s.io', 'POST /exec/t2 spdy/3.1/v4.channel.k8s.io, v3.channel.k8s.io, v2.channel.k8s.io, channel.k8s.io']);
      // Once learnt, the next session goes straight to SPDY.
      const again = await v5Exec(k.port, '/exec/default/p/main?command=cat&input=1&output=1', 'x');
      assert.equal(again.stdout, 'x');
      assert.equal(fake.seen.length, 3);
      assert.equal(rt.calls.length, 3);
    });
  } finally {
    await fake.close();
  }
});

test('exec over WebSocket v5 bridged to SPDY: a runtime that ends without a status is a failure, not exit 0', async () => {
  const fake = await startFakeStreamingServer({ v5: false, noStatus: true });
  try {
    await withKubelet(fake, async (k) => {
      const r = await v5Exec(k.port, '/exec/default/p/main?command=cat&input=1&output=1', 'bye\n');
      assert.equal(r.stdout, 'bye\n');
      const status = JSON.parse(r.error) as { status: string; reason: string; message: string };
      assert.equal(status.status, 'Failure');
      assert.equal(status.reason, 'InternalError');
      assert.match(status.message, /without an exit status/);
    });
  } finally {
    await fake.close();
  }
});

test('exec errors: unknown container 404, waiting container 400, no streams 400', async () => {
  const fake = await startFakeStreamingServer({ v5: true });
  try {
    await withKubelet(fake, async (k) => {
      for (const [path, code] of [
        ['/exec/default/p/nope?command=sh&output=1', 404],
        ['/exec/default/p/pending?command=sh&output=1', 400],
        ['/exec/default/p/main?command=sh', 400],
      ] as const) {
        const ws = new WebSocket(`wss://127.0.0.1:${k.port}${path}`, ['v5.channel.k8s.io'], { ca: ca.certPem, cert: client.certPem, key: client.keyPem });
        const status = await new Promise<number>((resolve) => {
          ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
          ws.on('error', () => resolve(-1));
        });
        assert.equal(status, code, path);
      }
    });
  } finally {
    await fake.close();
  }
});

test('portForward: SPDY tunnelled in WebSocket reaches the runtime as a SPDY upgrade', async () => {
  const fake = await startFakeStreamingServer({ v5: false });
  try {
    await withKubelet(fake, async (k, rt) => {
      const ws = await rawWebSocket({ port: k.port, path: '/portForward/default/p', protocol: 'SPDY/3.1+portforward.k8s.io', ca: ca.certPem, cert: client.certPem, key: client.keyPem });
      assert.equal(ws.status, 101);
      assert.equal(ws.headers['sec-websocket-protocol'], 'SPDY/3.1+portforward.k8s.io');
      const hc = new HeaderCompressor();
      ws.send(synStreamFrame(hc, 1, { streamtype: 'error', port: '80', requestid: '0' }));
      ws.send(synStreamFrame(hc, 3, { streamtype: 'data', port: '80', requestid: '0' }));
      ws.send(dataFrame(3, Buffer.from('GET /')));
      const reader = new FrameReader();
      const got = await new Promise<string>((resolve) => {
        ws.onMessage((data) => {
          for (const f of reader.push(data)) {
            if (!f.control && f.streamId === 3) resolve(f.data.toString());
          }
        });
      });
      assert.equal(got, 'port 80: GET /');
      ws.close();
      await ws.closed;
      assert.deepEqual(rt.calls, ['portForward s1 ']);
      assert.equal(fake.seen[0], 'POST /portforward/t1 spdy/3.1/portforward.k8s.io');
    });
  } finally {
    await fake.close();
  }
});
