// The API server's side of pods/log, pods/exec, pods/attach and pods/portforward: find the pod and
// its node, then proxy to that node's kubelet over HTTPS with the API server's client certificate.
// Logs stream back as chunked text/plain, flushed as they arrive; exec/attach/portforward
// upgrades (WebSocket or SPDY) are relayed byte for byte after the kubelet's answer.

import { request as httpsRequest } from 'node:https';
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { KubeObject } from '../../api/registry.js';
import { errors, StatusError } from '../../api/status.js';
import type { ResourceRequest } from '../http/requestinfo.js';
import type { Authenticator } from '../http/types.js';
import { dialUpgrade, forwardableHeaders, splice } from '../../client/upgrade.js';

export const STREAMING_SUBRESOURCES = ['log', 'exec', 'attach', 'portforward'] as const;
export type StreamingSubresource = (typeof STREAMING_SUBRESOURCES)[number];

export interface StreamingOptions {
  getPod(namespace: string, name: string): Promise<KubeObject | null>;
  getNode(name: string): Promise<KubeObject | null>;
  /** The API server's client certificate for kubelets (CN kube-apiserver-kubelet-client or similar). */
  clientCertPem: string;
  clientKeyPem: string;
  /** When given, kubelet serving certificates must chain to it (host names are not checked). */
  caPem?: string;
  /** Authenticates upgrade requests, which bypass the request pipeline. */
  authenticate?: Authenticator;
  /** Serves upgrade requests for other paths (the normal request pipeline). */
  fallback?: (req: IncomingMessage, res: ServerResponse) => void;
  /** How long to wait for a kubelet's TCP/TLS handshake and response head (ms). */
  dialTimeoutMs?: number;
}

/** The pieces of a pod subresource request the handler needs (a subset of ResourceRequest). */
export type PodSubresourceRequest = Pick<ResourceRequest, 'group' | 'version' | 'resource' | 'namespace' | 'name' | 'subresource'>;

export interface StreamingHandler {
  /** For the request pipeline: serves GET pods/log (and refuses non-upgrade exec & co). False when not ours. */
  handleRequest(rr: PodSubresourceRequest, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
  /** For the https server's 'upgrade' event. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void>;
}

interface Container {
  name: string;
}
interface ContainerStatus {
  name: string;
  state?: { waiting?: { reason?: string }; running?: object; terminated?: object };
  lastState?: { terminated?: object };
}
interface PodShape {
  metadata?: { name?: string; namespace?: string };
  spec?: { nodeName?: string; containers?: Container[]; initContainers?: Container[]; ephemeralContainers?: Container[] };
  status?: {
    phase?: string;
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
    ephemeralContainerStatuses?: ContainerStatus[];
  };
}
interface NodeShape {
  status?: {
    addresses?: { type: string; address: string }[];
    daemonEndpoints?: { kubeletEndpoint?: { Port?: number } };
  };
}

const LOG_PARAMS = ['follow', 'previous', 'timestamps'] as const;
const LOG_VALUE_PARAMS = ['tailLines', 'limitBytes', 'sinceSeconds', 'sinceTime'] as const;

function isTrue(v: string | null): boolean {
  return v === 'true' || v === '1' || v === '';
}

/** Parses `/api/v1/namespaces/<ns>/pods/<name>/<sub>` (the only shape these subresources have). */
export function parsePodSubresourcePath(pathname: string): PodSubresourceRequest | null {
  const p = pathname.split('/').filter((s) => s !== '').map(decodeURIComponent);
  if (p.length !== 7 || p[0] !== 'api' || p[1] !== 'v1' || p[2] !== 'namespaces' || p[4] !== 'pods') return null;
  return { group: '', version: 'v1', resource: 'pods', namespace: p[3], name: p[5], subresource: p[6] };
}

function isStreaming(rr: PodSubresourceRequest): rr is PodSubresourceRequest & { subresource: StreamingSubresource; name: string; namespace: string } {
  return (
    rr.group === '' &&
    rr.resource === 'pods' &&
    !!rr.name &&
    !!rr.namespace &&
    (STREAMING_SUBRESOURCES as readonly string[]).includes(rr.subresource ?? '')
  );
}

export function createStreamingHandler(opts: StreamingOptions): StreamingHandler {
  const tlsOptions = {
    cert: opts.clientCertPem,
    key: opts.clientKeyPem,
    ca: opts.caPem,
    rejectUnauthorized: !!opts.caPem,
    // Kubelet certificates often name the host, not the address we dial: trust the chain only.
    checkServerIdentity: () => undefined,
  };

  async function loadPod(ns: string, name: string): Promise<PodShape> {
    const pod = (await opts.getPod(ns, name)) as PodShape | null;
    if (!pod) throw errors.notFound('', 'pods', name);
    return pod;
  }

  /** The container a request names, or the pod's only one; validated against the spec. */
  function pickContainer(pod: PodShape, name: string, requested: string | null): string {
    const spec = pod.spec ?? {};
    const containers = (spec.containers ?? []).map((c) => c.name);
    const inits = (spec.initContainers ?? []).map((c) => c.name);
    const ephemeral = (spec.ephemeralContainers ?? []).map((c) => c.name);
    if (!requested) {
      if (containers.length === 1) return containers[0]!;
      let msg = `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`;
      if (inits.length) msg += ` or one of the init containers: [${inits.join(' ')}]`;
      if (ephemeral.length) msg += ` or one of the ephemeral containers: [${ephemeral.join(' ')}]`;
      throw errors.badRequest(msg);
    }
    if (![...containers, ...inits, ...ephemeral].includes(requested)) {
      throw errors.badRequest(`container ${requested} is not valid for pod ${name}`);
    }
    return requested;
  }

  async function kubeletBase(pod: PodShape, name: string): Promise<URL> {
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) throw errors.badRequest(`pod ${name} does not have a host assigned`);
    const node = (await opts.getNode(nodeName)) as NodeShape | null;
    if (!node) throw errors.notFound('', 'nodes', nodeName);
    const addrs = node.status?.addresses ?? [];
    const pick = (t: string) => addrs.find((a) => a.type === t && a.address)?.address;
    const host = pick('InternalIP') ?? pick('ExternalIP') ?? pick('Hostname') ?? pick('InternalDNS') ?? pick('ExternalDNS');
    if (!host) throw errors.badRequest(`node ${nodeName} has no address to reach its kubelet`);
    const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port || 10250;
    return new URL(`https://${host.includes(':') ? `[${host}]` : host}:${port}/`);
  }

  function statusOf(pod: PodShape, container: string): ContainerStatus | undefined {
    const s = pod.status ?? {};
    return [...(s.containerStatuses ?? []), ...(s.initContainerStatuses ?? []), ...(s.ephemeralContainerStatuses ?? [])].find((c) => c.name === container);
  }

  async function serveLogs(ns: string, name: string, req: IncomingMessage, res: ServerResponse, q: URLSearchParams): Promise<void> {
    const pod = await loadPod(ns, name);
    const container = pickContainer(pod, name, q.get('container'));
    const previous = isTrue(q.get('previous'));
    const st = statusOf(pod, container);
    if (previous) {
      if (!st?.lastState?.terminated) throw errors.badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
    } else if (!st || (st.state?.waiting && !st.lastState?.terminated) || (!st.state?.running && !st.state?.terminated && !st.lastState?.terminated)) {
      throw errors.badRequest(`container "${container}" in pod "${name}" is waiting to start: ${st?.state?.waiting?.reason || 'ContainerCreating'}`);
    }
    for (const p of ['tailLines', 'limitBytes', 'sinceSeconds'] as const) {
      const v = q.get(p);
      if (v !== null && !/^-?\d+$/.test(v)) throw errors.badRequest(`${p}: invalid value ${JSON.stringify(v)}`);
    }
    if (q.has('limitBytes') && Number(q.get('limitBytes')) < 1) throw errors.badRequest('limitBytes: Invalid value: must be greater than 0');
    if (q.has('sinceSeconds') && Number(q.get('sinceSeconds')) < 1) throw errors.badRequest('sinceSeconds: Invalid value: must be greater than 0');
    if (q.has('sinceSeconds') && q.has('sinceTime')) throw errors.badRequest('at most one of sinceTime or sinceSeconds may be specified');

    const base = await kubeletBase(pod, name);
    const target = new URL(`/containerLogs/${encodeURIComponent(ns)}/${encodeURIComponent(name)}/${encodeURIComponent(container)}`, base);
    for (const p of LOG_PARAMS) if (isTrue(q.get(p))) target.searchParams.set(p, 'true');
    for (const p of LOG_VALUE_PARAMS) {
      const v = q.get(p);
      if (v !== null && v !== '') target.searchParams.set(p, v);
    }
    const insecure = isTrue(q.get('insecureSkipTLSVerifyBackend'));

    const upstream = await new Promise<IncomingMessage>((resolve, reject) => {
      const r = httpsRequest(
        target,
        { method: 'GET', ...tlsOptions, rejectUnauthorized: tlsOptions.rejectUnauthorized && !insecure, timeout: opts.dialTimeoutMs ?? 30_000, agent: false },
        resolve,
      );
      r.on('timeout', () => r.destroy(new Error('timed out waiting for the kubelet')));
      r.on('error', (e) => reject(errors.internal(`Get "${target.href}": ${e.message}`)));
      res.on('close', () => r.destroy());
      r.end();
    });
    upstream.setTimeout(0);
    if (upstream.statusCode !== 200) {
      const body = await readAll(upstream, 64 * 1024);
      const text = body.toString('utf8').trim();
      if (upstream.statusCode === 404) throw new StatusError(404, 'NotFound', text || `pods "${name}" not found`, { name, kind: 'pods' });
      if (upstream.statusCode === 400) throw errors.badRequest(text);
      throw new StatusError(upstream.statusCode ?? 500, upstream.statusCode === 401 || upstream.statusCode === 403 ? 'Forbidden' : 'InternalError', text || `kubelet answered ${upstream.statusCode}`);
    }
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    await new Promise<void>((resolve) => {
      upstream.on('data', (chunk: Buffer) => {
        // Each chunk goes out as it arrives; pause while the client is slow.
        if (!res.write(chunk)) {
          upstream.pause();
          res.once('drain', () => upstream.resume());
        }
      });
      upstream.on('end', () => {
        res.end();
        resolve();
      });
      upstream.on('error', () => {
        res.destroy();
        resolve();
      });
      upstream.on('aborted', () => {
        res.destroy();
        resolve();
      });
      res.on('close', () => {
        upstream.destroy();
        resolve();
      });
    });
  }

  /** The kubelet URL for an exec/attach/portforward request, after the same checks as upstream. */
  async function upgradeTarget(rr: PodSubresourceRequest & { name: string; namespace: string }, q: URLSearchParams): Promise<URL> {
    const pod = await loadPod(rr.namespace, rr.name);
    const ns = encodeURIComponent(rr.namespace);
    const name = encodeURIComponent(rr.name);
    if (rr.subresource === 'portforward') {
      const base = await kubeletBase(pod, rr.name);
      const target = new URL(`/portForward/${ns}/${name}`, base);
      for (const p of q.getAll('ports')) target.searchParams.append('ports', p);
      return target;
    }
    const container = pickContainer(pod, rr.name, q.get('container'));
    const command = q.getAll('command');
    if (rr.subresource === 'exec' && command.length === 0) throw errors.badRequest('you must specify at least one command for the container');
    const base = await kubeletBase(pod, rr.name);
    const target = new URL(`/${rr.subresource}/${ns}/${name}/${encodeURIComponent(container)}`, base);
    for (const c of command) target.searchParams.append('command', c);
    const stdin = isTrue(q.get('stdin'));
    const stdout = isTrue(q.get('stdout'));
    const stderr = isTrue(q.get('stderr'));
    const tty = isTrue(q.get('tty'));
    if (!stdin && !stdout && !stderr) throw errors.badRequest('you must specify at least 1 of stdin, stdout, stderr');
    if (stdin) target.searchParams.set('input', '1');
    if (stdout) target.searchParams.set('output', '1');
    if (stderr && !tty) target.searchParams.set('error', '1');
    if (tty) target.searchParams.set('tty', '1');
    return target;
  }

  async function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => undefined);
    const url = new URL(req.url ?? '/', 'https://apiserver');
    const rr = parsePodSubresourcePath(url.pathname);
    if (!rr || !isStreaming(rr) || rr.subresource === 'log') {
      if (opts.fallback) {
        // Not ours: serve it like any request (the upgrade header is ignored).
        const res = new ServerResponse(req);
        res.shouldKeepAlive = false;
        res.assignSocket(socket as Socket);
        res.on('finish', () => {
          res.detachSocket(socket as Socket);
          socket.end();
        });
        opts.fallback(req, res);
      } else {
        writeStatus(socket, new StatusError(404, 'NotFound', 'the server could not find the requested resource'));
      }
      return;
    }
    try {
      if (opts.authenticate && !opts.authenticate(req)) throw errors.unauthorized();
      if (req.method !== 'GET' && req.method !== 'POST') throw errors.methodNotAllowed(`${req.method} is not supported on pods/${rr.subresource}`);
      const target = await upgradeTarget(rr, url.searchParams);
      let resp;
      try {
        resp = await dialUpgrade(target, req.method, forwardableHeaders(req.headers), { tls: tlsOptions, timeoutMs: opts.dialTimeoutMs });
      } catch (e) {
        throw errors.internal(`error dialing backend: ${(e as Error).message}`);
      }
      // Whatever the kubelet answers (101, or an error the client may fall back on) goes back as is.
      socket.write(resp.rawHead);
      if (resp.rest.length) socket.write(resp.rest);
      if (resp.statusCode === 101) {
        splice(socket, resp.socket, head);
      } else {
        resp.socket.on('data', (c: Buffer) => socket.write(c));
        const end = () => socket.end();
        resp.socket.on('end', end);
        resp.socket.on('close', end);
        resp.socket.on('error', end);
        resp.socket.resume();
        setTimeout(() => resp.socket.destroy(), 5000).unref();
      }
    } catch (e) {
      const err = e instanceof StatusError ? e : errors.internal(e instanceof Error ? e.message : String(e));
      if (err.code >= 500) console.error(`${req.method} ${url.pathname}: ${err.message}`);
      writeStatus(socket, err);
    }
  }

  async function handleRequest(rr: PodSubresourceRequest, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (!isStreaming(rr)) return false;
    if (rr.subresource === 'log') {
      if (req.method !== 'GET' && req.method !== 'HEAD') throw errors.methodNotAllowed(`${req.method} is not supported on pods/log`);
      await serveLogs(rr.namespace, rr.name, req, res, url.searchParams);
      return true;
    }
    // exec/attach/portforward without an upgrade header: check what can be checked, then refuse.
    await upgradeTarget(rr, url.searchParams);
    throw errors.badRequest('Upgrade request required');
  }

  return { handleRequest, handleUpgrade };
}

function writeStatus(socket: Duplex, err: StatusError): void {
  if (socket.destroyed || !socket.writable) return;
  const body = Buffer.from(JSON.stringify(err.toStatus()));
  const reason = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed' }[err.code] ?? 'Error';
  socket.end(
    Buffer.concat([
      Buffer.from(
        `HTTP/1.1 ${err.code} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nCache-Control: no-cache, private\r\nConnection: close\r\n\r\n`,
        'latin1',
      ),
      body,
    ]),
  );
}

function readAll(stream: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let n = 0;
    stream.on('data', (c: Buffer) => {
      if (n < max) parts.push(c);
      n += c.length;
    });
    stream.on('end', () => resolve(Buffer.concat(parts).subarray(0, max)));
    stream.on('error', () => resolve(Buffer.concat(parts).subarray(0, max)));
  });
}
