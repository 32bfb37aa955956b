// Reading and decoding request bodies: size limit, then JSON, YAML or protobuf by Content-Type.

import type { IncomingMessage } from 'node:http';
import { parseAllDocuments } from 'yaml';
import { errors } from '../../api/status.js';

/** Upstream's limit for a request body (3 MiB). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit) {
    req.resume();
    throw errors.requestEntityTooLarge(`Request entity too large: limit is ${limit}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw errors.requestEntityTooLarge(`Request entity too large: limit is ${limit}`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The media type without parameters, lower-cased: "application/json". */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

export type ProtobufDecoder = (body: Buffer) => Record<string, unknown>;

/** Decodes an object body. YAML bodies must hold exactly one document. */
export function decodeObjectBody(
  contentType: string | undefined,
  body: Buffer,
  decodeProtobuf?: ProtobufDecoder,
  expectKind = 'object',
): Record<string, unknown> {
  const type = mediaType(contentType) || 'application/json';
  // Upstream's wording when a JSON body is not an object of the endpoint's kind.
  const unrecognized = (why: string) =>
    errors.badRequest(`the object provided is unrecognized (must be of type ${expectKind}): couldn't get version/kind; json parse error: ${why} (${snippet(body)})`);
  let value: unknown;
  switch (type) {
    case 'application/json': {
      try {
        value = JSON.parse(body.toString('utf8'));
      } catch (e) {
        throw unrecognized(body.length === 0 ? 'unexpected end of JSON input' : (e as Error).message);
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw unrecognized(`json: cannot unmarshal ${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value} into Go value of type struct { APIVersion string; Kind string }`);
      }
      break;
    }
    case 'application/yaml':
    case 'application/x-yaml':
    case 'text/yaml':
      value = parseYaml(body);
      break;
    case 'application/vnd.kubernetes.protobuf':
      if (!decodeProtobuf) throw errors.unsupportedMediaType(type);
      value = decodeProtobuf(body);
      break;
    default:
      throw errors.unsupportedMediaType(type);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw errors.badRequest('the body of the request must be a single object');
  }
  return value as Record<string, unknown>;
}

/** The start of a body for error messages, as upstream quotes it. */
function snippet(body: Buffer): string {
  if (body.length === 0) return '<empty>';
  const text = body.toString('utf8');
  return text.length > 30 ? `${text.slice(0, 30)} ...` : text;
}

export function parseJson(body: Buffer | string): unknown {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  if (text.trim() === '') throw errors.badRequest('the body of the request was empty');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw errors.badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
  }
}

export function parseYaml(body: Buffer | string): unknown {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) throw errors.badRequest('the body of the request was empty');
  const nonEmpty = docs.filter((d) => d.contents !== null);
  if (nonEmpty.length !== 1) throw errors.badRequest('the body of the request must hold exactly one YAML document');
  const doc = nonEmpty[0]!;
  if (doc.errors.length > 0) throw errors.badRequest(`error converting YAML to JSON: ${doc.errors[0]!.message}`);
  return doc.toJS({ maxAliasCount: 100 });
}
