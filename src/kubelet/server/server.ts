// The kubelet's HTTPS server (port 10250): container logs from CRI log files, and exec, attach and
// port-forward by asking the runtime for a streaming URL and proxying the client's upgrade to it.
// Only clients with a certificate signed by the given CA (the API server) get in.
//
//   GET /containerLogs/<ns>/<pod>/<container>?follow&previous&tailLines&timestamps&limitBytes&sinceSeconds&sinceTime
//   GET|POST /exec/<ns>/<pod>/<container>?command=…&input=1&output=1&error=1&tty=1   (upgrade)
//   GET|POST /attach/<ns>/<pod>/<container>?input=1&output=1&error=1&tty=1          (upgrade)
//   GET|POST /portForward/<ns>/<pod>[?ports=…]                                      (upgrade)
//
// exec/attach query flags also accept stdin/stdout/stderr (and true/false values).
//
// Upgrades are proxied byte for byte to the runtime's streaming server, which speaks the same
// protocols as upstream's kubelet (SPDY/3.1 remotecommand v1–v4 and portforward, WebSocket
// channel.k8s.io … v4.channel.k8s.io). Two client protocols containerd 1.6 lacks are bridged
// here: WebSocket `v5.channel.k8s.io` (to SPDY remotecommand v4) and `SPDY/3.1+portforward.k8s.io`
// (the SPDY bytes unwrapped from WebSocket messages). A runtime that accepts v5 itself (a test
// fake, a newer runtime) is used byte for byte.

import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { once } from 'node:events';
import type { ConnectionOptions } from 'node:tls';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ContainerRuntime } from '../../runtime/types.js';
import { parseLogQuery, streamCriLog } from './crilog.js';
import {
  dialUpgrade,
  forwardableHeaders,
  isWebSocketRequest,
  offeredProtocols,
  readResponseBody,
  splice,
  writeRawError,
  type UpgradeResponse,
} from '../../client/upgrade.js';
import {
  bridgeTunnel,
  bridgeV5ToSpdy,
  PORT_FORWARD_TUNNEL_PROTOCOL,
  SPDY_PORTFORWARD_HEADERS,
  SPDY_REMOTECOMMAND_HEADERS,
  V5_PROTOCOL,
  type StreamOptions,
} from './translate.js';

/** What the kubelet knows about a pod's container (or, without a container name, the pod). */
export interface ResolvedContainer {
  podSandboxId: string;
  /** The current attempt's container; absent while it is being created. */
  containerId?: string;
  /** Its CRI log file; when absent it is asked from the runtime (containerStatus.logPath). */
  logPath?: string;
  /** Why no container runs yet (e.g. ContainerCreating, ImagePullBackOff). */
  waitingReason?: string;
  /** The previous attempt (the last terminated container), for `previous=true`. */
  previous?: { containerId?: string; logPath?: string };
}

export interface KubeletServerOptions {
  /** 10250 upstream; 0 picks a free port. */
  port: number;
  /** Listen address; all interfaces by default. */
  host?: string;
  certPem: string;
  keyPem: string;
  /** Client certificates must chain to this CA (the API server's client cert). */
  caPem: string;
  runtime: ContainerRuntime;
  /**
   * Finds a pod's container on this node; `container` undefined asks for the pod only (port-forward).
   * Null when the pod (or the container) is unknown here.
   */
  resolveContainer(namespace: string, pod: string, container?: string): Promise<ResolvedContainer | null> | ResolvedContainer | null;
  /** TLS options for an https streaming URL from the runtime (none for containerd's 127.0.0.1 server). */
  runtimeTls?: ConnectionOptions;
  /** Log one line per request to stderr. */
  verbose?: boolean;
}

export interface RunningKubeletServer {
  port: number;
  server: Server;
  stop(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startKubeletServer(opts: KubeletServerOptions): Promise<RunningKubeletServer> {
  const handler = new KubeletHandler(opts);
  const server = createServer(
    { cert: opts.certPem, key: opts.keyPem, ca: opts.caPem, requestCert: true, rejectUnauthorized: true },
    (req, res) => void handler.request(req, res),
  );
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void handler.upgrade(req, socket, head));
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  return {
    port,
    server,
    async stop() {
      handler.closeAll();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function splitPath(pathname: string): string[] {
  return pathname
    .split('/')
    .filter((p) => p !== '')
    .map((p) => decodeURIComponent(p));
}

function flag(q: URLSearchParams, ...names: string[]): boolean {
  for (const n of names) {
    const v = q.get(n);
    if (v !== null && (v === '1' || v === 'true' || v === '')) return true;
  }
  return false;
}

class KubeletHandler {
  /** Whether the runtime's WebSocket server speaks v5 itself; learnt from the first attempt. */
  private runtimeV5: boolean | undefined;
  private readonly wss: WebSocketServer;
  /** The subprotocol to answer per request (set just before the handshake). */
  private readonly chosenProtocol = new WeakMap<IncomingMessage, string>();
  private readonly sockets = new Set<Duplex>();

  constructor(private readonly opts: KubeletServerOptions) {
    this.wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
    // `ws` refuses subprotocols that are not RFC 7230 tokens, and kubectl's tunnel protocol
    // `SPDY/3.1+portforward.k8s.io` has a '/'. We choose the protocol ourselves: the request
    // header is removed before the handshake and the answer added here.
    this.wss.on('headers', (headers: string[], req: IncomingMessage) => {
      const p = this.chosenProtocol.get(req);
      if (p) headers.push(`Sec-WebSocket-Protocol: ${p}`);
    });
  }

  closeAll(): void {
    for (const s of this.sockets) s.destroy();
    for (const c of this.wss.clients) c.terminate();
    this.wss.close();
  }

  private log(msg: string): void {
    if (this.opts.verbose) console.error(`kubelet server: ${msg}`);
  }

  async request(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://kubelet');
    const parts = splitPath(url.pathname);
    this.log(`${req.method} ${url.pathname}${url.search}`);
    try {
      if (parts[0] === 'containerLogs' && parts.length === 4) {
        if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'method not allowed');
        await this.containerLogs(parts[1]!, parts[2]!, parts[3]!, url.searchParams, req, res);
        return;
      }
      if (parts[0] === 'healthz') {
        res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
        return;
      }
      if (parts[0] === 'exec' || parts[0] === 'attach' || parts[0] === 'portForward') {
        throw new HttpError(400, 'Upgrade request required');
      }
      throw new HttpError(404, '404 page not found');
    } catch (e) {
      const code = e instanceof HttpError ? e.code : 500;
      const msg = e instanceof Error ? e.message : String(e);
      if (code >= 500) console.error(`kubelet server: ${req.method} ${url.pathname}: ${msg}`);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache, private' }).end(msg);
    }
  }

  private async resolve(ns: string, pod: string, container?: string): Promise<ResolvedContainer> {
    const r = await this.opts.resolveContainer(ns, pod, container);
    if (!r) {
      throw new HttpError(404, container === undefined ? `pod "${ns}/${pod}" does not exist` : `container "${container}" in pod "${ns}/${pod}" not found`);
    }
    return r;
  }

  private async containerLogs(ns: string, pod: string, container: string, q: URLSearchParams, req: IncomingMessage, res: ServerResponse): Promise<void> {
    let logOpts;
    try {
      logOpts = parseLogQuery(q);
    } catch (e) {
      throw new HttpError(400, (e as Error).message);
    }
    const r = await this.resolve(ns, pod, container);
    let containerId: string | undefined;
    let logPath: string | undefined;
    if (logOpts.previous) {
      if (!r.previous || (!r.previous.logPath && !r.previous.containerId)) {
        throw new HttpError(400, `previous terminated container "${container}" in pod "${pod}" not found`);
      }
      containerId = r.previous.containerId;
      logPath = r.previous.logPath;
      logOpts.follow = false;
    } else {
      if (!r.containerId && !r.logPath) {
        throw new HttpError(400, `container "${container}" in pod "${pod}" is waiting to start: ${r.waitingReason || 'ContainerCreating'}`);
      }
      containerId = r.containerId;
      logPath = r.logPath;
    }
    if (!logPath && containerId) logPath = (await this.opts.runtime.containerStatus(containerId))?.logPath;
    if (!logPath) throw new HttpError(404, `log of container "${container}" in pod "${pod}" not found`);

    res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private', 'X-Content-Type-Options': 'nosniff' });
    res.flushHeaders();
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    const runtime = this.opts.runtime;
    await streamCriLog(
      logPath,
      logOpts,
      {
        signal: abort.signal,
        async write(chunk) {
          if (!res.write(chunk) && !abort.signal.aborted) {
            await Promise.race([once(res, 'drain'), once(abort.signal, 'abort')]).catch(() => undefined);
          }
        },
      },
      {
        async stillRunning() {
          if (!containerId) return false;
          const st = await runtime.containerStatus(containerId).catch(() => null);
          return !!st && (st.state === 'CONTAINER_RUNNING' || st.state === 'CONTAINER_CREATED');
        },
      },
    );
    res.end();
  }

  async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    const url = new URL(req.url ?? '/', 'https://kubelet');
    const parts = splitPath(url.pathname);
    this.log(`${req.method} ${url.pathname}${url.search} (upgrade ${req.headers.upgrade})`);
    try {
      if ((parts[0] === 'exec' || parts[0] === 'attach') && parts.length === 4) {
        await this.remoteCommand(parts[0], parts[1]!, parts[2]!, parts[3]!, url.searchParams, req, socket, head);
      } else if (parts[0] === 'portForward' && parts.length === 3) {
        await this.portForward(parts[1]!, parts[2]!, url.searchParams, req, socket, head);
      } else {
        throw new HttpError(404, '404 page not found');
      }
    } catch (e) {
      const code = e instanceof HttpError ? e.code : 500;
      const msg = e instanceof Error ? e.message : String(e);
      if (code >= 500) console.error(`kubelet server: ${req.method} ${url.pathname}: ${msg}`);
      writeRawError(socket, code, msg);
    }
  }

  private async remoteCommand(
    kind: 'exec' | 'attach',
    ns: string,
    pod: string,
    container: string,
    q: URLSearchParams,
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
  ): Promise<void> {
    const tty = flag(q, 'tty');
    const so: StreamOptions = {
      tty,
      stdin: flag(q, 'input', 'stdin'),
      stdout: flag(q, 'output', 'stdout'),
      // A terminal merges stderr into stdout.
      stderr: !tty && flag(q, 'error', 'stderr'),
    };
    if (!so.stdin && !so.stdout && !so.stderr) throw new HttpError(400, 'you must specify at least 1 of stdin, stdout, stderr');
    const cmd = q.getAll('command');
    if (kind === 'exec' && cmd.length === 0) throw new HttpError(400, 'you must specify a command');
    const r = await this.resolve(ns, pod, container);
    if (!r.containerId) throw new HttpError(400, `container "${container}" in pod "${pod}" is waiting to start: ${r.waitingReason || 'ContainerCreating'}`);
    const containerId = r.containerId;
    const st = await this.opts.runtime.containerStatus(containerId).catch(() => null);
    if (st && st.state !== 'CONTAINER_RUNNING') throw new HttpError(400, `container ${container} is not running (state ${st.state})`);
    const streamingUrl = async (): Promise<URL> => {
      try {
        const u = kind === 'exec' ? await this.opts.runtime.exec({ containerId, cmd, ...so }) : await this.opts.runtime.attach({ containerId, ...so });
        return new URL(u);
      } catch (e) {
        throw new HttpError(500, `unable to get a streaming URL from the runtime: ${(e as Error).message}`);
      }
    };

    if (!isWebSocketRequest(req.headers)) {
      // SPDY (kubectl's fallback, older clients): byte for byte.
      await this.passthrough(await streamingUrl(), req, socket, head);
      return;
    }
    const offered = offeredProtocols(req.headers);
    if (!offered.includes(V5_PROTOCOL)) {
      await this.passthrough(await streamingUrl(), req, socket, head);
      return;
    }
    if (this.runtimeV5 !== false) {
      const resp = await this.dial(await streamingUrl(), req.method ?? 'GET', forwardableHeaders(req.headers));
      const chosen = resp.headers['sec-websocket-protocol'];
      if (resp.statusCode === 101) {
        this.runtimeV5 = chosen === V5_PROTOCOL;
        this.relayUpgrade(resp, socket, head);
        return;
      }
      await readResponseBody(resp);
      if (resp.statusCode !== 400 && resp.statusCode !== 403) {
        throw new HttpError(resp.statusCode, `runtime refused the stream (${resp.statusCode} ${resp.statusText})`);
      }
      this.log(`runtime refused ${V5_PROTOCOL} (${resp.statusCode}); bridging to SPDY`);
      this.runtimeV5 = false;
    }
    // Bridge v5 WebSocket ↔ SPDY remotecommand. The runtime's URL is single-use: ask for a new one.
    const resp = await this.dial(await streamingUrl(), 'POST', SPDY_REMOTECOMMAND_HEADERS);
    if (resp.statusCode !== 101) {
      const body = (await readResponseBody(resp)).toString('utf8');
      throw new HttpError(resp.statusCode >= 400 ? resp.statusCode : 502, body.trim() || `runtime refused the stream (${resp.statusCode})`);
    }
    const ws = await this.acceptWebSocket(req, socket, head, V5_PROTOCOL);
    this.sockets.add(resp.socket);
    resp.socket.on('close', () => this.sockets.delete(resp.socket));
    bridgeV5ToSpdy(ws, resp.socket, resp.rest, so);
  }

  private async portForward(ns: string, pod: string, q: URLSearchParams, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const r = await this.resolve(ns, pod);
    const ports: number[] = [];
    for (const v of q.getAll('ports').concat(q.getAll('port'))) {
      for (const p of v.split(',')) {
        const n = Number(p);
        if (!Number.isInteger(n) || n < 1 || n > 65535) throw new HttpError(400, `unable to parse "${v}" as a port`);
        ports.push(n);
      }
    }
    const streamingUrl = async (): Promise<URL> => {
      try {
        return new URL(await this.opts.runtime.portForward(r.podSandboxId, ports));
      } catch (e) {
        throw new HttpError(500, `unable to get a streaming URL from the runtime: ${(e as Error).message}`);
      }
    };
    if (isWebSocketRequest(req.headers) && offeredProtocols(req.headers).includes(PORT_FORWARD_TUNNEL_PROTOCOL)) {
      const resp = await this.dial(await streamingUrl(), 'POST', SPDY_PORTFORWARD_HEADERS);
      if (resp.statusCode !== 101) {
        const body = (await readResponseBody(resp)).toString('utf8');
        throw new HttpError(resp.statusCode >= 400 ? resp.statusCode : 502, body.trim() || `runtime refused the stream (${resp.statusCode})`);
      }
      const ws = await this.acceptWebSocket(req, socket, head, PORT_FORWARD_TUNNEL_PROTOCOL);
      this.sockets.add(resp.socket);
      resp.socket.on('close', () => this.sockets.delete(resp.socket));
      bridgeTunnel(ws, resp.socket, resp.rest);
      return;
    }
    if (isWebSocketRequest(req.headers) && ports.length === 0) throw new HttpError(400, 'query parameter "port" is required');
    // SPDY portforward (kubectl's fallback) or WebSocket v4 (client-node): byte for byte.
    await this.passthrough(await streamingUrl(), req, socket, head);
  }

  private async dial(url: URL, method: string, headers: [string, string][]): Promise<UpgradeResponse> {
    try {
      return await dialUpgrade(url, method, headers, { tls: this.opts.runtimeTls });
    } catch (e) {
      throw new HttpError(502, `unable to reach the runtime's streaming server: ${(e as Error).message}`);
    }
  }

  /** Sends the client's upgrade request to the runtime and relays the answer and the stream. */
  private async passthrough(url: URL, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const resp = await this.dial(url, req.method ?? 'GET', forwardableHeaders(req.headers));
    this.relayUpgrade(resp, socket, head);
  }

  private relayUpgrade(resp: UpgradeResponse, socket: Duplex, head: Buffer): void {
    this.sockets.add(resp.socket);
    resp.socket.on('close', () => this.sockets.delete(resp.socket));
    socket.write(resp.rawHead);
    if (resp.rest.length) socket.write(resp.rest);
    if (resp.statusCode !== 101) {
      // An error answer: relay its body, then close both.
      resp.socket.on('data', (c: Buffer) => socket.write(c));
      const end = () => socket.end();
      resp.socket.on('end', end);
      resp.socket.on('close', end);
      resp.socket.resume();
      setTimeout(() => resp.socket.destroy(), 5000).unref();
      return;
    }
    splice(socket, resp.socket, head);
  }

  private acceptWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer, protocol: string): Promise<WebSocket> {
    this.chosenProtocol.set(req, protocol);
    delete req.headers['sec-websocket-protocol'];
    return new Promise((resolve) => this.wss.handleUpgrade(req, socket, head, (ws) => resolve(ws)));
  }
}
