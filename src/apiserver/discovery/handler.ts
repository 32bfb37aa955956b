// The discovery endpoints as a PathHandler: /api, /apis, /api/v1, /apis/<g>, /apis/<g>/<v>.
// /api and /apis answer aggregated discovery when the Accept header asks for it (kubectl 1.27+),
// legacy documents otherwise. Every answer carries an ETag and `Vary: Accept`; a matching
// If-None-Match gets 304.

import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from '../../api/registry.js';
import { errors } from '../../api/status.js';
import type { PathHandler } from '../http/types.js';
import { apiGroup, apiGroupList, apiResourceList, apiVersions, groupDiscoveryList, groupsOf } from './documents.js';
import { AGGREGATED_CONTENT_TYPE, chooseDiscoveryFormat } from './negotiate.js';

interface Rendered {
  body: string;
  etag: string;
}

/**
 * Discovery for `registry`. Documents are rendered once and re-rendered only when resources are
 * added to the registry (e.g. CRDs registered at run time).
 */
export function discoveryHandler(registry: Registry): PathHandler {
  let cachedFor = -1;
  let cache = new Map<string, Rendered | null>();
  const rendered = (key: string, build: () => unknown): Rendered | null => {
    const n = registry.all().length;
    if (n !== cachedFor) {
      cache = new Map();
      cachedFor = n;
    }
    let r = cache.get(key);
    if (r === undefined) {
      const doc = build();
      r = doc === undefined ? null : render(doc);
      cache.set(key, r);
    }
    return r;
  };

  return (req, res, url) => {
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    const parts = path.split('/').filter(Boolean);
    if (parts[0] !== 'api' && parts[0] !== 'apis') return false;

    let doc: Rendered | null = null;
    let contentType = 'application/json';
    if (parts.length === 1) {
      ensureGet(req);
      const format = chooseDiscoveryFormat(req.headers.accept);
      if (format.aggregated) {
        const v = format.aggregated;
        doc = rendered(`agg:${parts[0]}:${v}`, () => groupDiscoveryList(registry, parts[0] === 'api' ? 'core' : 'groups', v));
        contentType = AGGREGATED_CONTENT_TYPE[v];
      } else if (parts[0] === 'api') {
        const addr = req.socket.localAddress ? `${hostPort(req.socket.localAddress, req.socket.localPort)}` : undefined;
        doc = render(apiVersions(registry, addr));
      } else {
        doc = rendered('apis', () => apiGroupList(registry));
      }
    } else if (parts[0] === 'api' && parts.length === 2) {
      ensureGet(req);
      doc = rendered(`gv::${parts[1]}`, () => apiResourceList(registry, '', parts[1]!));
      if (!doc) throw errors.notFound('', 'versions', parts[1]!);
    } else if (parts[0] === 'apis' && parts.length === 2) {
      const info = groupsOf(registry).find((g) => g.name === parts[1]);
      if (!info) return false;
      ensureGet(req);
      doc = rendered(`g:${parts[1]}`, () => apiGroup(info));
    } else if (parts[0] === 'apis' && parts.length === 3) {
      const list = rendered(`gv:${parts[1]}:${parts[2]}`, () => apiResourceList(registry, parts[1]!, parts[2]!));
      if (!list) return false;
      ensureGet(req);
      doc = list;
    } else {
      return false;
    }
    send(req, res, contentType, doc!);
    return true;
  };
}

function ensureGet(req: IncomingMessage): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    throw errors.methodNotAllowed(`the server does not allow this method on the requested resource`);
  }
}

function render(doc: unknown): Rendered {
  const body = JSON.stringify(doc);
  const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"`;
  return { body, etag };
}

function send(req: IncomingMessage, res: ServerResponse, contentType: string, doc: Rendered): void {
  res.setHeader('Vary', 'Accept');
  res.setHeader('ETag', doc.etag);
  res.setHeader('Cache-Control', 'public');
  const inm = req.headers['if-none-match'];
  if (inm && inm.split(',').some((t) => t.trim() === doc.etag)) {
    res.writeHead(304);
    res.end();
    return;
  }
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', Buffer.byteLength(doc.body));
  res.writeHead(200);
  res.end(req.method === 'HEAD' ? undefined : doc.body);
}

function hostPort(addr: string, port: number | undefined): string {
  const host = addr.startsWith('::ffff:') ? addr.slice(7) : addr;
  const h = host.includes(':') ? `[${host}]` : host;
  return port ? `${h}:${port}` : h;
}
