// Raw HTTP/1.1 upgrades: dial a URL, send a request, read the response head, then hand over the
// socket. Used to proxy WebSocket and SPDY upgrades byte for byte (kubelet → runtime streaming
// server, apiserver → kubelet); it lives with the client machinery so both can use it.

import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';

export interface UpgradeResponse {
  statusCode: number;
  statusText: string;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** The response head exactly as received (status line, headers, blank line). */
  rawHead: Buffer;
  /** Bytes received after the head (the first bytes of the upgraded stream, or of the body). */
  rest: Buffer;
  socket: Socket;
}

/** Headers that describe one hop and must not be forwarded as they are. */
const HOP_HEADERS = new Set(['host', 'authorization', 'proxy-authorization', 'proxy-connection', 'keep-alive', 'te', 'trailer', 'impersonate-user', 'impersonate-group']);

/** The client's headers worth forwarding on an upgrade (everything but per-hop credentials and Host). */
export function forwardableHeaders(h: IncomingHttpHeaders): [string, string][] {
  const out: [string, string][] = [];
  for (const [name, value] of Object.entries(h)) {
    if (value === undefined || HOP_HEADERS.has(name) || name.startsWith('impersonate-extra-')) continue;
    if (Array.isArray(value)) for (const v of value) out.push([name, v]);
    else out.push([name, value]);
  }
  return out;
}

export interface DialOptions {
  /** TLS options when the URL is https/wss. */
  tls?: ConnectionOptions;
  timeoutMs?: number;
}

/** Connects to `url` and sends `method path` with `headers`; resolves with the response head. */
export function dialUpgrade(url: URL, method: string, headers: [string, string][], opts: DialOptions = {}): Promise<UpgradeResponse> {
  const secure = url.protocol === 'https:' || url.protocol === 'wss:';
  const port = Number(url.port || (secure ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve, reject) => {
    let settled = false;
    const socket: Socket = secure
      ? tlsConnect({ host, port, servername: isIpLiteral(host) ? undefined : host, ...opts.tls })
      : netConnect({ host, port });
    const timer = setTimeout(() => fail(new Error(`timed out connecting to ${url.host}`)), opts.timeoutMs ?? 30_000);
    const fail = (e: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      reject(e);
    };
    socket.once('error', fail);
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      const lines = [`${method} ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`];
      for (const [n, v] of headers) lines.push(`${n}: ${v}`);
      socket.write(lines.join('\r\n') + '\r\n\r\n');
    });
    let buf = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buf.length > 64 * 1024) fail(new Error('response head too large'));
        return;
      }
      socket.off('data', onData);
      socket.off('error', fail);
      socket.pause();
      clearTimeout(timer);
      settled = true;
      const rawHead = buf.subarray(0, end + 4);
      const text = rawHead.toString('latin1');
      const [statusLine = '', ...headerLines] = text.split('\r\n');
      const m = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(statusLine);
      if (!m) {
        socket.destroy();
        reject(new Error(`malformed response: ${JSON.stringify(statusLine)}`));
        return;
      }
      const hdrs: Record<string, string> = {};
      for (const l of headerLines) {
        const i = l.indexOf(':');
        if (i <= 0) continue;
        const name = l.slice(0, i).trim().toLowerCase();
        const value = l.slice(i + 1).trim();
        hdrs[name] = hdrs[name] !== undefined ? `${hdrs[name]}, ${value}` : value;
      }
      resolve({ statusCode: Number(m[1]), statusText: m[2] ?? '', headers: hdrs, rawHead, rest: Buffer.from(buf.subarray(end + 4)), socket });
    };
    socket.on('data', onData);
  });
}

function isIpLiteral(h: string): boolean {
  return /^[\d.]+$/.test(h) || h.includes(':');
}

/** Reads a non-upgrade response's body (Content-Length or until close), at most `max` bytes. */
export function readResponseBody(resp: UpgradeResponse, max = 64 * 1024, timeoutMs = 5000): Promise<Buffer> {
  return new Promise((resolve) => {
    const want = resp.headers['content-length'] !== undefined ? Number(resp.headers['content-length']) : Infinity;
    let body = resp.rest;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resp.socket.destroy();
      resolve(body.subarray(0, Math.min(max, want)));
    };
    const timer = setTimeout(finish, timeoutMs);
    if (body.length >= want || body.length >= max) return finish();
    resp.socket.on('data', (c: Buffer) => {
      body = Buffer.concat([body, c]);
      if (body.length >= want || body.length >= max) finish();
    });
    resp.socket.on('end', finish);
    resp.socket.on('close', finish);
    resp.socket.on('error', finish);
    resp.socket.resume();
  });
}

/** Joins two byte streams until either side ends. `head` goes to `b` first (client bytes read early). */
export function splice(a: Duplex, b: Duplex, head?: Buffer): void {
  if (head && head.length) b.write(head);
  a.pipe(b);
  b.pipe(a);
  const destroyBoth = () => {
    a.destroy();
    b.destroy();
  };
  a.on('error', destroyBoth);
  b.on('error', destroyBoth);
  a.on('close', () => b.destroy());
  b.on('close', () => a.destroy());
  a.resume();
  b.resume();
}

/** Writes a complete plain-text HTTP error on a raw socket and closes it. */
export function writeRawError(socket: Duplex, code: number, message: string, contentType = 'text/plain; charset=utf-8'): void {
  const body = Buffer.from(message, 'utf8');
  const reason = STATUS_TEXT[code] ?? 'Error';
  if (socket.destroyed || !socket.writable) return;
  socket.end(
    Buffer.concat([
      Buffer.from(
        `HTTP/1.1 ${code} ${reason}\r\nContent-Type: ${contentType}\r\nContent-Length: ${body.length}\r\nCache-Control: no-cache, private\r\nConnection: close\r\n\r\n`,
        'latin1',
      ),
      body,
    ]),
  );
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** The WebSocket subprotocols a request offers, in order. */
export function offeredProtocols(h: IncomingHttpHeaders): string[] {
  const v = h['sec-websocket-protocol'];
  if (!v) return [];
  return (Array.isArray(v) ? v.join(',') : v)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function isWebSocketRequest(h: IncomingHttpHeaders): boolean {
  return String(h.upgrade ?? '').toLowerCase() === 'websocket';
}
