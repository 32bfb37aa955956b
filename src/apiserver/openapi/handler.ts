// Serves /openapi/v3 (the index), /openapi/v3/<group-version> (one document each) and /openapi/v2
// (JSON, or gnostic protobuf as kubectl asks for it). Documents are built on first use and kept;
// each has a hash that is its ETag and the `?hash=` of its index URL, as upstream does, so clients
// may cache a hashed URL for good.

import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { Registry } from '../../api/registry.js';
import type { SchemaSet } from '../../api/schema/types.js';
import type { PathHandler } from '../http/types.js';
import { type DocumentOptions, buildV2Document, buildV3Document, groupVersionKey } from './documents.js';
import { encodeSwaggerProto } from './proto.js';
import { SchemaRenderer } from './schemas.js';

/** What kubectl asks /openapi/v2 for. */
export const V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
/** What the answer says it is: '@' is no valid media-type character, and Go's mime parser rejects it. */
export const V2_PROTOBUF_RESPONSE = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

interface Encoded {
  body: Buffer;
  gzip?: Buffer;
  etag: string;
  hash: string;
  contentType: string;
}

function encoded(body: Buffer, contentType: string): Encoded {
  const hash = createHash('sha512').update(body).digest('hex').toUpperCase();
  return { body, hash, etag: `"${hash}"`, contentType };
}

function gzipped(e: Encoded): Buffer {
  e.gzip ??= gzipSync(e.body);
  return e.gzip;
}

/** Media types the request accepts, without parameters, in order ('*\/*' when absent). */
function accepted(req: IncomingMessage): string[] {
  const h = req.headers.accept;
  if (!h) return ['*/*'];
  return h
    .split(',')
    .map((p) => p.split(';')[0]!.trim().toLowerCase())
    .filter(Boolean);
}

function acceptsJson(types: string[]): boolean {
  return types.some((t) => t === 'application/json' || t === '*/*' || t === 'application/*');
}

function send(req: IncomingMessage, res: ServerResponse, e: Encoded, cache: string, extra: Record<string, string> = {}): void {
  res.setHeader('ETag', e.etag);
  res.setHeader('Cache-Control', cache);
  res.setHeader('Vary', 'Accept, Accept-Encoding');
  for (const [k, v] of Object.entries(extra)) res.setHeader(k, v);
  const inm = req.headers['if-none-match'];
  if (inm && inm.split(',').some((t) => t.trim() === e.etag || t.trim() === '*')) {
    res.statusCode = 304;
    res.end();
    return;
  }
  res.statusCode = 200;
  res.setHeader('Content-Type', e.contentType);
  const gz = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) && e.body.length > 1024;
  const body = gz ? gzipped(e) : e.body;
  if (gz) res.setHeader('Content-Encoding', 'gzip');
  res.setHeader('Content-Length', String(body.length));
  res.end(req.method === 'HEAD' ? undefined : body);
}

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
  res.statusCode = code;
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Content-Length', String(Buffer.byteLength(body)));
  res.end(body);
}

export interface OpenApiHandler extends PathHandler {
  /** Drop the built documents (after the registry or schemas change). */
  invalidate(): void;
}

export function createOpenApiHandler(registry: Registry, schemas: SchemaSet, opts: DocumentOptions = {}): OpenApiHandler {
  let v3: Map<string, { group: string; version: string; doc?: Encoded }> | undefined;
  let v3Index: Encoded | undefined;
  let v3Renderer: SchemaRenderer | undefined;
  let v2Json: Encoded | undefined;
  let v2Proto: Encoded | undefined;

  const groupVersions = () => {
    if (!v3) {
      v3 = new Map();
      for (const { group, version } of registry.groupVersions()) v3.set(groupVersionKey(group, version), { group, version });
    }
    return v3;
  };
  const v3Doc = (key: string): Encoded | undefined => {
    const gv = groupVersions().get(key);
    if (!gv) return undefined;
    v3Renderer ??= new SchemaRenderer(schemas, 'v3');
    gv.doc ??= encoded(
      Buffer.from(JSON.stringify(buildV3Document(registry, schemas, gv.group, gv.version, opts, v3Renderer))),
      'application/json',
    );
    return gv.doc;
  };
  const index = (): Encoded => {
    if (!v3Index) {
      const paths: Record<string, { serverRelativeURL: string }> = {};
      for (const key of groupVersions().keys()) {
        paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${v3Doc(key)!.hash}` };
      }
      v3Index = encoded(Buffer.from(JSON.stringify({ paths })), 'application/json');
    }
    return v3Index;
  };
  const v2 = (): { json: Encoded; proto: Encoded } => {
    if (!v2Json || !v2Proto) {
      const doc = buildV2Document(registry, schemas, opts);
      v2Json = encoded(Buffer.from(JSON.stringify(doc)), 'application/json');
      v2Proto = encoded(encodeSwaggerProto(doc), V2_PROTOBUF_RESPONSE);
    }
    return { json: v2Json, proto: v2Proto };
  };

  const handler = ((req: IncomingMessage, res: ServerResponse, url: URL): boolean => {
    const path = url.pathname;
    if (path !== '/openapi/v2' && path !== '/openapi/v3' && !path.startsWith('/openapi/v3/')) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      status(res, 405, 'MethodNotAllowed', `${req.method} is not supported on ${path}`);
      return true;
    }
    const types = accepted(req);
    if (path === '/openapi/v2') {
      const docs = v2();
      if (types.includes(V2_PROTOBUF) || types.includes(V2_PROTOBUF_RESPONSE)) {
        send(req, res, docs.proto, 'no-cache, private');
      } else if (acceptsJson(types)) {
        send(req, res, docs.json, 'no-cache, private');
      } else {
        status(res, 406, 'NotAcceptable', `only application/json and ${V2_PROTOBUF} are served`);
      }
      return true;
    }
    if (!acceptsJson(types)) {
      status(res, 406, 'NotAcceptable', 'only application/json is served');
      return true;
    }
    if (path === '/openapi/v3' || path === '/openapi/v3/') {
      send(req, res, index(), 'no-cache, private');
      return true;
    }
    const key = path.slice('/openapi/v3/'.length).replace(/\/+$/, '');
    const doc = v3Doc(key);
    if (!doc) {
      status(res, 404, 'NotFound', `the server could not find the requested resource`);
      return true;
    }
    const hash = url.searchParams.get('hash');
    if (hash === null) {
      send(req, res, doc, 'no-cache, private');
    } else if (hash === doc.hash) {
      send(req, res, doc, 'public, immutable', { Expires: new Date(Date.now() + 365 * 24 * 3600 * 1000).toUTCString() });
    } else {
      // A stale hash: point at the current document.
      res.statusCode = 301;
      res.setHeader('Location', `/openapi/v3/${key}?hash=${doc.hash}`);
      res.setHeader('Cache-Control', 'no-cache, private');
      res.end();
    }
    return true;
  }) as OpenApiHandler;
  handler.invalidate = () => {
    v3 = undefined;
    v3Index = undefined;
    v3Renderer = undefined;
    v2Json = undefined;
    v2Proto = undefined;
  };
  return handler;
}
