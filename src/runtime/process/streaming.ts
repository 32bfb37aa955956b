// A small streaming server on 127.0.0.1 answering the URLs exec/attach/portForward hand out, as a CRI
// runtime's streaming server does. WebSocket only, with the Kubernetes channel framing
// (`v5.channel.k8s.io`, `v4.channel.k8s.io`, `channel.k8s.io`): every binary message starts with a
// channel byte — 0 stdin, 1 stdout, 2 stderr, 3 error/status (a metav1.Status JSON carrying the exit
// code), 4 resize; v5 adds 255 "close channel". Port-forward uses channel 2i (data) and 2i+1 (errors)
// for the i-th port, each opened by a 2-byte little-endian port number. Attach is not implemented.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { signalNumber } from './util.js';

export type StreamRequest =
  | { kind: 'exec'; containerId: string; cmd: string[]; tty: boolean; stdin: boolean; stdout: boolean; stderr: boolean }
  | { kind: 'attach'; containerId: string; tty: boolean; stdin: boolean; stdout: boolean; stderr: boolean }
  | { kind: 'portforward'; podIp: string; ports: number[] };

/** Resolves an exec request to the host command line that runs it in the container. */
export type ExecResolver = (containerId: string, cmd: string[]) => Promise<{ argv: string[]; env: Record<string, string>; cwd: string }>;

export const STREAM_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'channel.k8s.io'];
const TOKEN_TTL_MS = 60_000;

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export function exitStatus(code: number): Record<string, unknown> {
  if (code === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: exit status ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

function failure(message: string, reason = 'InternalError'): Record<string, unknown> {
  return { metadata: {}, status: 'Failure', message, reason };
}

export class StreamingServer {
  private server: Server | null = null;
  private wss = new WebSocketServer({ noServer: true, handleProtocols: (p) => STREAM_PROTOCOLS.find((x) => p.has(x)) ?? false });
  private pending = new Map<string, { req: StreamRequest; expires: number }>();
  private sockets = new Set<WebSocket>();
  private baseUrl = '';

  constructor(private readonly resolveExec: ExecResolver) {}

  async listen(host = '127.0.0.1', port = 0): Promise<void> {
    const server = createServer((_req, res) => {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end('streaming: WebSocket upgrade required (v5.channel.k8s.io or v4.channel.k8s.io)\n');
    });
    server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const addr = server.address();
    if (!addr || typeof addr === 'string') throw new Error('streaming server has no address');
    this.baseUrl = `http://${host}:${addr.port}`;
    this.server = server;
  }

  /** A one-time URL for `req`, valid for a minute. */
  register(req: StreamRequest): string {
    const now = Date.now();
    for (const [t, p] of this.pending) if (p.expires < now) this.pending.delete(t);
    const token = randomBytes(16).toString('base64url');
    this.pending.set(token, { req, expires: now + TOKEN_TTL_MS });
    return `${this.baseUrl}/${req.kind}/${token}`;
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const [, kind, token] = url.pathname.split('/');
    const entry = token ? this.pending.get(token) : undefined;
    if (!entry || entry.req.kind !== kind || entry.expires < Date.now()) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.pending.delete(token!);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.sockets.add(ws);
      ws.on('close', () => this.sockets.delete(ws));
      const r = entry.req;
      if (r.kind === 'exec') {
        // Frames can arrive before the command is resolved and started: hold them until then.
        const early: Buffer[] = [];
        const hold = (d: Buffer, isBinary: boolean): void => void early.push(isBinary ? d : Buffer.from(d));
        ws.on('message', hold);
        void this.exec(ws, r, () => {
          ws.off('message', hold);
          return early;
        });
      }
      else if (r.kind === 'portforward') this.portForward(ws, r, url);
      else {
        sendStatus(ws, failure('attach is not implemented by the process runtime', 'NotImplemented'));
        ws.close(1000);
      }
    });
  }

  private async exec(ws: WebSocket, r: Extract<StreamRequest, { kind: 'exec' }>, takeEarly: () => Buffer[]): Promise<void> {
    let resolved;
    try {
      resolved = await this.resolveExec(r.containerId, r.cmd);
    } catch (err) {
      takeEarly();
      sendStatus(ws, failure((err as Error).message));
      ws.close(1000);
      return;
    }
    let { argv } = resolved;
    // A terminal: util-linux `script` gives the command a pty (stdout and stderr merge, as with any tty).
    if (r.tty) argv = ['script', '-q', '-f', '-e', '-c', argv.map(quote).join(' '), '/dev/null'];
    const child = spawn(argv[0]!, argv.slice(1), { env: { ...resolved.env, SHELL: '/bin/sh', TERM: resolved.env.TERM ?? 'xterm' }, cwd: resolved.cwd, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    const v5 = ws.protocol === 'v5.channel.k8s.io';
    const send = (ch: number, data: Buffer): void => {
      if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([ch]), data]));
    };
    if (r.stdout || r.tty) child.stdout.on('data', (b: Buffer) => send(1, b));
    else child.stdout.resume();
    if (r.stderr) child.stderr.on('data', (b: Buffer) => send(r.tty ? 1 : 2, b));
    else child.stderr.resume();
    child.stdin.on('error', () => {});
    if (!r.stdin) child.stdin.end();
    const onFrame = (buf: Buffer): void => {
      if (buf.length === 0) return;
      const ch = buf[0];
      if (ch === 0 && r.stdin) child.stdin.write(buf.subarray(1));
      else if (v5 && ch === 255 && buf[1] === 0) child.stdin.end();
      // 4 (resize) is accepted and ignored: `script` cannot be resized from outside.
    };
    for (const b of takeEarly()) onFrame(b);
    ws.on('message', (data: Buffer, isBinary: boolean) => onFrame(isBinary ? data : Buffer.from(data)));
    ws.on('close', () => {
      try {
        if (child.pid && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    });
    child.on('error', (err) => {
      sendStatus(ws, failure(err.message));
      ws.close(1000);
    });
    child.on('close', (code, signal) => {
      sendStatus(ws, exitStatus(code ?? 128 + signalNumber(signal)));
      ws.close(1000);
    });
  }

  private portForward(ws: WebSocket, r: Extract<StreamRequest, { kind: 'portforward' }>, url: URL): void {
    const asked = url.searchParams.getAll('port').map(Number).filter((p) => p > 0 && p < 65536);
    const ports = asked.length ? asked : r.ports;
    const conns = ports.map((port, i) => {
      const data = 2 * i;
      const err = data + 1;
      const portBytes = Buffer.from([port & 255, port >> 8]);
      const send = (ch: number, b: Buffer): void => {
        if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([ch]), b]));
      };
      send(data, portBytes);
      send(err, portBytes);
      const sock = connect(port, r.podIp);
      sock.on('data', (b: Buffer) => send(data, b));
      sock.on('error', (e) => send(err, Buffer.from(`error forwarding port ${port} to pod ${r.podIp}: ${e.message}`)));
      sock.on('close', () => {
        if (ws.readyState === ws.OPEN && conns.every((c) => c.destroyed)) ws.close(1000);
      });
      return sock;
    });
    ws.on('message', (msg: Buffer, isBinary: boolean) => {
      const buf = isBinary ? msg : Buffer.from(msg);
      if (buf.length === 0) return;
      const ch = buf[0]!;
      const sock = ch % 2 === 0 ? conns[ch / 2] : undefined;
      if (sock && buf.length > 1) sock.write(buf.subarray(1));
    });
    ws.on('close', () => conns.forEach((c) => c.destroy()));
  }

  async close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    this.wss.close();
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

function sendStatus(ws: WebSocket, status: Record<string, unknown>): void {
  if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([3]), Buffer.from(JSON.stringify(status))]));
}
