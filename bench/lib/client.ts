// A minimal HTTPS client for the API server: admin client cert, keep-alive connections.

import { Agent, request, type RequestOptions } from 'node:https';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { IncomingMessage } from 'node:http';
import type { LoadedKubeconfig } from '../../src/apiserver/authn/kubeconfig.js';

export interface Response {
  status: number;
  body: string;
}

export class BenchClient {
  readonly agent: Agent;
  private readonly base: RequestOptions & { secureContext: SecureContext };

  constructor(
    readonly creds: LoadedKubeconfig,
    opts: { maxSockets: number },
  ) {
    const u = new URL(creds.server);
    // One secure context for every connection (building one per socket costs ~1 ms each).
    const secureContext = createSecureContext({ ca: creds.caPem, cert: creds.clientCertPem, key: creds.clientKeyPem });
    this.agent = new Agent({ keepAlive: true, maxSockets: opts.maxSockets, maxFreeSockets: opts.maxSockets, secureContext });
    this.base = { host: u.hostname, port: Number(u.port), agent: this.agent, secureContext };
  }

  /** `raw` sends a pre-encoded body with its own Content-Type (e.g. a patch) instead of `body`. */
  request(method: string, path: string, body?: unknown, raw?: { body: string; contentType: string }): Promise<Response> {
    const payload = raw ? Buffer.from(raw.body) : body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const contentType = raw ? raw.contentType : 'application/json';
    return new Promise((resolve, reject) => {
      const req = request(
        {
          ...this.base,
          method,
          path,
          headers: {
            Accept: 'application/json',
            'User-Agent': 'k8ts-bench',
            ...(payload ? { 'Content-Type': contentType, 'Content-Length': payload.length } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Like request, but throws on a non-2xx status; returns the parsed body. */
  async call<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    const r = await this.request(method, path, body);
    if (r.status < 200 || r.status > 299) throw new HttpError(method, path, r);
    return JSON.parse(r.body) as T;
  }

  /** Opens a streaming GET (a watch); resolves when the response headers arrive. */
  stream(path: string): Promise<{ res: IncomingMessage; abort(): void }> {
    return new Promise((resolve, reject) => {
      const req = request(
        { ...this.base, method: 'GET', path, headers: { Accept: 'application/json', 'User-Agent': 'k8ts-bench' } },
        (res) => {
          if (res.statusCode !== 200) {
            let body = '';
            res.on('data', (d: Buffer) => (body += d.toString()));
            res.on('end', () => reject(new HttpError('GET', path, { status: res.statusCode ?? 0, body })));
            return;
          }
          resolve({ res, abort: () => req.destroy() });
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly response: Response,
  ) {
    super(`${method} ${path}: HTTP ${response.status}: ${response.body.slice(0, 300)}`);
  }
}
