// Test doubles for the kubelet server: a runtime whose streaming URLs point at tiny servers started
// in the test — one speaking WebSocket v5 itself, one speaking SPDY remotecommand/portforward the
// way containerd 1.6 does (and refusing WebSocket v5, as containerd does).

import { createServer, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { ContainerRuntime, ContainerStatus } from '../../runtime/types.js';
import { decodeStoredHeaderBlock, FrameReader, FrameType, FLAG_FIN, HeaderCompressor, dataFrame, goAwayFrame, synReplyFrame } from './spdy.js';

export const EXIT_3_STATUS = JSON.stringify({
  metadata: {},
  status: 'Failure',
  message: 'command terminated with non-zero exit code: exit status 3',
  reason: 'NonZeroExitCode',
  details: { causes: [{ reason: 'ExitCode', message: '3' }] },
});

export interface FakeStreamingServer {
  url: string;
  /** Requests seen: `${method} ${path} ${upgrade}/${protocol}`. */
  seen: string[];
  close(): Promise<void>;
}

/**
 * A streaming server for exec: echoes stdin to stdout; when stdin closes, reports exit code 3 on
 * the error channel/stream and ends. WebSocket v5 when `v5` is set (byte-for-byte path), SPDY
 * always; WebSocket v5 is refused with 403 otherwise, like containerd 1.6.
 * Port-forward over SPDY: each data stream echoes what it receives, prefixed by `port <n>: `.
 */
export async function startFakeStreamingServer(opts: {
  v5: boolean;
  /** Over SPDY, end the connection when stdin closes without writing a status (a broken runtime). */
  noStatus?: boolean;
}): Promise<FakeStreamingServer> {
  const seen: string[] = [];
  const wss = new WebSocketServer({ noServer: true, handleProtocols: (p) => (p.has('v5.channel.k8s.io') ? 'v5.channel.k8s.io' : false) });
  const server: Server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url} plain`);
    res.writeHead(400).end('upgrade required');
  });
  const sockets = new Set<Duplex>();
  server.on('upgrade', (req, socket: Duplex, head: Buffer) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
    const protos = String(req.headers['sec-websocket-protocol'] ?? '');
    seen.push(`${req.method} ${req.url} ${upgrade}/${upgrade === 'websocket' ? protos : String(req.headers['x-stream-protocol-version'] ?? '')}`);
    if (upgrade === 'websocket') {
      if (!opts.v5 || !protos.includes('v5.channel.k8s.io')) {
        socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        ws.send(Buffer.from([1]));
        ws.on('message', (raw) => {
          const data = raw as Buffer;
          if (data[0] === 0) ws.send(Buffer.concat([Buffer.from([1]), data.subarray(1)]));
          if (data[0] === 255 && data[1] === 0) {
            ws.send(Buffer.concat([Buffer.from([3]), Buffer.from(EXIT_3_STATUS)]));
            ws.close(1000);
          }
        });
      });
      return;
    }
    if (upgrade !== 'spdy/3.1') {
      socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    const portForward = String(req.url).startsWith('/portforward/');
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${portForward ? 'portforward.k8s.io' : 'v4.channel.k8s.io'}\r\n\r\n`,
    );
    serveSpdy(socket, head, portForward, opts.noStatus === true);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    async close() {
      for (const s of sockets) s.destroy();
      wss.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function serveSpdy(socket: Duplex, head: Buffer, portForward: boolean, noStatus: boolean): void {
  const reader = new FrameReader();
  const compressor = new HeaderCompressor();
  let firstBlock = true;
  const types = new Map<number, Record<string, string>>();
  const byType = (t: string) => [...types.entries()].find(([, h]) => h.streamtype === t)?.[0];
  const onChunk = (chunk: Buffer) => {
    for (const f of reader.push(chunk)) {
      if (f.control && f.type === FrameType.SYN_STREAM) {
        const id = f.data.readUInt32BE(0) & 0x7fffffff;
        types.set(id, decodeStoredHeaderBlock(f.data.subarray(10), firstBlock));
        firstBlock = false;
        socket.write(synReplyFrame(compressor, id, {}));
      } else if (f.control && f.type === FrameType.PING) {
        socket.write(Buffer.concat([Buffer.from([0x80, 3, 0, 6, 0, 0, 0, 4]), f.data]));
      } else if (!f.control) {
        const h = types.get(f.streamId) ?? {};
        if (portForward) {
          if (h.streamtype === 'data' && f.data.length) socket.write(dataFrame(f.streamId, Buffer.concat([Buffer.from(`port ${h.port}: `), f.data])));
          continue;
        }
        if (h.streamtype === 'stdin') {
          const out = byType('stdout');
          if (f.data.length && out !== undefined) socket.write(dataFrame(out, f.data));
          if (f.flags & FLAG_FIN) {
            const err = byType('error');
            if (err !== undefined && !noStatus) socket.write(dataFrame(err, Buffer.from(EXIT_3_STATUS), FLAG_FIN));
            socket.write(goAwayFrame(0));
          }
        }
      }
    }
  };
  if (head.length) onChunk(head);
  socket.on('data', onChunk);
  socket.on('error', () => undefined);
}

/** A runtime that knows one running container ("c1" in sandbox "s1") and hands out streaming URLs. */
export function fakeRuntime(streamingBase: () => string, opts: { logPath?: string; state?: ContainerStatus['state'] } = {}): ContainerRuntime & {
  calls: string[];
  state: ContainerStatus['state'];
} {
  let token = 0;
  const calls: string[] = [];
  const rt = {
    name: 'fake',
    calls,
    state: opts.state ?? ('CONTAINER_RUNNING' as ContainerStatus['state']),
    async containerStatus(id: string): Promise<ContainerStatus | null> {
      if (id !== 'c1' && id !== 'c0') return null;
      return {
        id,
        podSandboxId: 's1',
        metadata: { name: 'main', attempt: id === 'c1' ? 1 : 0 },
        image: 'busybox',
        imageRef: 'busybox',
        state: id === 'c1' ? rt.state : 'CONTAINER_EXITED',
        createdAt: 0,
        labels: {},
        annotations: {},
        startedAt: 0,
        finishedAt: 0,
        exitCode: 0,
        reason: '',
        message: '',
        logPath: opts.logPath ?? '',
      };
    },
    async exec(req: { containerId: string; cmd: string[] }): Promise<string> {
      calls.push(`exec ${req.containerId} ${req.cmd.join(' ')}`);
      return `${streamingBase()}/exec/t${++token}`;
    },
    async attach(req: { containerId: string }): Promise<string> {
      calls.push(`attach ${req.containerId}`);
      return `${streamingBase()}/attach/t${++token}`;
    },
    async portForward(sandbox: string, ports: number[]): Promise<string> {
      calls.push(`portForward ${sandbox} ${ports.join(',')}`);
      return `${streamingBase()}/portforward/t${++token}`;
    },
  };
  return rt as unknown as ContainerRuntime & { calls: string[]; state: ContainerStatus['state'] };
}

/**
 * A bare WebSocket client over TLS that sends any subprotocol (the `ws` client only sends RFC 7230
 * tokens, and kubectl's `SPDY/3.1+portforward.k8s.io` is not one). Binary messages only.
 */
export interface RawWebSocket {
  status: number;
  headers: Record<string, string>;
  body: string;
  send(data: Buffer): void;
  onMessage(fn: (data: Buffer) => void): void;
  closed: Promise<void>;
  close(): void;
}

export async function rawWebSocket(o: { port: number; path: string; protocol: string; ca: string; cert: string; key: string; host?: string }): Promise<RawWebSocket> {
  const { connect } = await import('node:tls');
  const { randomBytes } = await import('node:crypto');
  const socket = connect({ host: o.host ?? '127.0.0.1', port: o.port, ca: o.ca, cert: o.cert, key: o.key, checkServerIdentity: () => undefined });
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', () => resolve());
    socket.once('error', reject);
  });
  socket.write(
    `GET ${o.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Protocol: ${o.protocol}\r\n\r\n`,
  );
  let buf = Buffer.alloc(0);
  const head = await new Promise<string>((resolve, reject) => {
    const onData = (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      const i = buf.indexOf('\r\n\r\n');
      if (i < 0) return;
      socket.off('data', onData);
      const h = buf.subarray(0, i).toString('latin1');
      buf = buf.subarray(i + 4);
      resolve(h);
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  const status = Number(statusLine.split(' ')[1]);
  let listener: (d: Buffer) => void = () => undefined;
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  const ws: RawWebSocket = {
    status,
    headers,
    body: '',
    send(data: Buffer) {
      const mask = randomBytes(4);
      const len = data.length;
      const hdr = len < 126 ? Buffer.from([0x82, 0x80 | len]) : Buffer.from([0x82, 0x80 | 126, len >> 8, len & 0xff]);
      const payload = Buffer.from(data);
      for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i % 4]!;
      socket.write(Buffer.concat([hdr, mask, payload]));
    },
    onMessage(fn) {
      listener = fn;
      parse();
    },
    closed,
    close() {
      socket.write(Buffer.from([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8]));
      socket.end();
    },
  };
  const parse = () => {
    for (;;) {
      if (buf.length < 2) return;
      let len = buf[1]! & 0x7f;
      let off = 2;
      if (len === 126) {
        if (buf.length < 4) return;
        len = buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (buf.length < 10) return;
        len = Number(buf.readBigUInt64BE(2));
        off = 10;
      }
      if (buf.length < off + len) return;
      const opcode = buf[0]! & 0x0f;
      const payload = buf.subarray(off, off + len);
      buf = buf.subarray(off + len);
      if (opcode === 2) listener(Buffer.from(payload));
      if (opcode === 8) socket.end();
    }
  };
  if (status === 101) {
    socket.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      parse();
    });
  } else {
    ws.body = buf.toString();
  }
  return ws;
}
