// RestClient: HTTPS (or HTTP) JSON requests to the API server with a client certificate or a
// bearer token, a keep-alive agent, and a client-side token bucket (client-go's QPS/burst).

import http from 'node:http';
import https from 'node:https';
import { createSecureContext } from 'node:tls';
import type { IncomingMessage } from 'node:http';
import { ApiError } from './errors.js';
import { loadKubeconfig, type ClientConfig } from './kubeconfig.js';
import { TokenBucket, sleep } from './ratelimit.js';
import { ResourceClient, type ResourceRef } from './resource.js';
import type { KubeObject } from '../api/registry.js';

export interface RestClientOptions {
  /** `https://host:port` (or `http://` for tests). */
  server: string;
  caPem?: string;
  certPem?: string;
  keyPem?: string;
  token?: string;
  /** Skip server certificate verification. */
  insecure?: boolean;
  tlsServerName?: string;
  /** Default namespace (from the kubeconfig context). */
  namespace?: string;
  /** Client-side rate limit; default 200 requests/s with a burst of 400. `qps: 0` disables it. */
  qps?: number;
  burst?: number;
  /** Sockets per host for ordinary requests; default 256. Watches use their own agent. */
  maxSockets?: number;
  userAgent?: string;
  /** Per-request timeout for non-streaming requests, default 60 s. */
  timeoutMs?: number;
  /** Retries of 429 Too Many Requests, default 5. */
  maxRetries?: number;
}

export type QueryValue = string | number | boolean | undefined | null;
export type Query = Record<string, QueryValue>;

export interface RequestOptions {
  method?: string;
  /** Absolute API path, e.g. `/api/v1/namespaces/default/pods`. */
  path: string;
  query?: Query;
  /** A JSON-serialisable body (Buffer/string are sent as they are). */
  body?: unknown;
  contentType?: string;
  accept?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Skip the client-side rate limiter (used for watches). */
  noRateLimit?: boolean;
  timeoutMs?: number;
}

export interface RawResponse {
  statusCode: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** Patch content types by short name. */
export type PatchType = 'merge' | 'strategic' | 'json' | 'apply';
export const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
};

export class RestClient {
  readonly server: string;
  readonly namespace: string | undefined;
  private readonly url: URL;
  private readonly agent: http.Agent;
  private readonly watchAgent: http.Agent;
  private readonly limiter: TokenBucket;
  private readonly token: string | undefined;
  private readonly userAgent: string;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;

  constructor(opts: RestClientOptions) {
    this.server = opts.server.replace(/\/+$/, '');
    this.url = new URL(this.server);
    this.namespace = opts.namespace;
    this.token = opts.token;
    this.userAgent = opts.userAgent ?? 'k8ts-client';
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.maxRetries = opts.maxRetries ?? 5;
    const qps = opts.qps ?? 200;
    this.limiter = new TokenBucket(qps, opts.burst ?? Math.max(1, qps * 2));
    const maxSockets = opts.maxSockets ?? 256;
    if (this.url.protocol === 'https:') {
      // One TLS context for every socket: building it per connection (parsing the PEMs) was a large
      // share of a busy controller's CPU. Idle sockets are all kept, so bursts reuse connections.
      const secureContext = createSecureContext({
        ...(opts.caPem ? { ca: opts.caPem } : {}),
        ...(opts.certPem ? { cert: opts.certPem } : {}),
        ...(opts.keyPem ? { key: opts.keyPem } : {}),
      });
      const tls: https.AgentOptions = { keepAlive: true, rejectUnauthorized: !opts.insecure, secureContext };
      if (opts.tlsServerName) tls.servername = opts.tlsServerName;
      this.agent = new https.Agent({ ...tls, maxSockets, maxFreeSockets: maxSockets });
      this.watchAgent = new https.Agent({ ...tls, keepAlive: false });
    } else {
      this.agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
      this.watchAgent = new http.Agent({ keepAlive: false });
    }
  }

  /** A client for the current (or given) context of a kubeconfig file (default `$KUBECONFIG`, `~/.kube/config`). */
  static async fromKubeconfig(path?: string, opts: Partial<RestClientOptions> & { context?: string } = {}): Promise<RestClient> {
    const { context, ...rest } = opts;
    const cfg: ClientConfig = await loadKubeconfig(path, context ? { context } : {});
    return new RestClient({ ...cfg, ...rest });
  }

  /** Typed verbs for one resource. */
  resource<T extends KubeObject = KubeObject>(ref: ResourceRef): ResourceClient<T> {
    return new ResourceClient<T>(this, ref);
  }

  /** Send a request; resolves with the parsed JSON body; throws ApiError on status >= 400. */
  async request<T = unknown>(opts: RequestOptions): Promise<T> {
    const res = await this.requestRaw(opts);
    if (res.statusCode >= 400) throw ApiError.fromResponse(res.statusCode, res.body.toString('utf8'), opts.method, opts.path);
    if (res.body.length === 0) return undefined as T;
    const ct = String(res.headers['content-type'] ?? '');
    if (ct.includes('json') || ct === '') return JSON.parse(res.body.toString('utf8')) as T;
    return res.body.toString('utf8') as T;
  }

  /**
   * Send a request and return status, headers and body without interpreting them. A 429 Too Many
   * Requests is retried (honouring Retry-After, at most `maxRetries` times) as client-go does.
   */
  async requestRaw(opts: RequestOptions): Promise<RawResponse> {
    for (let attempt = 0; ; attempt++) {
      const res = await this.requestOnce(opts);
      if (res.statusCode !== 429 || attempt >= this.maxRetries) return res;
      const after = Number(res.headers['retry-after']);
      await sleep(Math.min(10, Number.isFinite(after) && after > 0 ? after : 1) * 1000, opts.signal);
    }
  }

  private async requestOnce(opts: RequestOptions): Promise<RawResponse> {
    if (!opts.noRateLimit) await this.limiter.wait(opts.signal);
    const res = await this.open(opts, this.agent, opts.timeoutMs ?? this.timeoutMs);
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', resolve);
      res.on('error', reject);
      res.on('aborted', () => reject(new Error('response aborted')));
    });
    return { statusCode: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) };
  }

  /**
   * Open a streaming response (watch, logs). Throws ApiError when the status is >= 400;
   * otherwise the caller reads the stream. Aborting `signal` destroys it.
   */
  async stream(opts: RequestOptions): Promise<IncomingMessage> {
    if (!opts.noRateLimit) await this.limiter.wait(opts.signal);
    const res = await this.open(opts, this.watchAgent, 0);
    const code = res.statusCode ?? 0;
    if (code >= 400) {
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c as Buffer);
      throw ApiError.fromResponse(code, Buffer.concat(chunks).toString('utf8'), opts.method, opts.path);
    }
    return res;
  }

  /** Build the full URL path with query. */
  pathWithQuery(path: string, query?: Query): string {
    if (!query) return path;
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
    const s = q.toString();
    return s ? `${path}${path.includes('?') ? '&' : '?'}${s}` : path;
  }

  /** Destroy the client's sockets (in-flight requests and watches fail). Call when done with the client. */
  close(): void {
    this.agent.destroy();
    this.watchAgent.destroy();
  }

  private open(opts: RequestOptions, agent: http.Agent, timeoutMs: number): Promise<IncomingMessage> {
    const method = opts.method ?? 'GET';
    let payload: Buffer | undefined;
    let contentType = opts.contentType;
    if (opts.body !== undefined) {
      if (Buffer.isBuffer(opts.body)) payload = opts.body;
      else if (typeof opts.body === 'string') payload = Buffer.from(opts.body);
      else payload = Buffer.from(JSON.stringify(opts.body));
      contentType ??= 'application/json';
    }
    const headers: Record<string, string | number> = {
      Accept: opts.accept ?? 'application/json',
      'User-Agent': this.userAgent,
      ...opts.headers,
    };
    if (this.token) headers['Authorization'] = `Bearer ${this.token}`;
    if (payload) {
      headers['Content-Type'] = contentType!;
      headers['Content-Length'] = payload.length;
    }
    const mod = this.url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      if (opts.signal?.aborted) return reject(opts.signal.reason);
      const req = mod.request(
        {
          protocol: this.url.protocol,
          hostname: this.url.hostname.replace(/^\[|\]$/g, ''),
          port: this.url.port,
          method,
          path: this.url.pathname.replace(/\/$/, '') + this.pathWithQuery(opts.path, opts.query),
          headers,
          agent,
          signal: opts.signal,
        },
        (res) => resolve(res),
      );
      req.on('error', (err) => reject(err));
      if (timeoutMs > 0) {
        req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${opts.path}: timed out after ${timeoutMs} ms`)));
      }
      req.end(payload);
    });
  }
}
