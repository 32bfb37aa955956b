// decodeProtobufObject: a Kubernetes protobuf request body → the JSON object upstream would produce.
import { errors, StatusError } from '../../api/status.js';
import { readEnvelope, type Envelope } from './envelope.js';
import { ProtoDecodeError, type JsonValue } from './fields.js';
import { internalPackage, messageTypeFor, splitApiVersion } from './schema/index.js';
import { messageToJson } from './wire-to-json.js';

export interface ExpectedKind {
  /** The endpoint's group/version, e.g. "apps/v1". */
  apiVersion?: string;
  /** The endpoint's kind, e.g. "Deployment". */
  kind?: string;
}

export type DecodedObject = { kind: string; apiVersion: string; [k: string]: JsonValue };

/** Upstream's scheme name in "no kind is registered" errors. */
const SCHEME = 'pkg/api/legacyscheme/scheme.go:30';

/**
 * Decodes `k8s\0` + runtime.Unknown{typeMeta, raw, …} into a plain JSON object with `kind` and
 * `apiVersion`, exactly as upstream's Go types would marshal it. Missing apiVersion/kind in the
 * envelope default to `expected`. Every failure is a 400 BadRequest StatusError worded as upstream.
 */
export function decodeProtobufObject(body: Uint8Array, expected: ExpectedKind = {}): DecodedObject {
  let env: Envelope;
  try {
    env = readEnvelope(body);
  } catch (e) {
    throw unrecognized(expected, baseMessage(e), body);
  }
  const apiVersion = env.apiVersion || expected.apiVersion || '';
  const kind = env.kind || expected.kind || '';
  if (!kind) throw unrecognized(expected, `Object 'Kind' is missing in '${summarize(body)}'`, body);
  const fail = (msg: string) => cannotHandle(kind, apiVersion, expected, msg);

  const type = messageTypeFor(apiVersion, kind);
  if (!type) throw fail(`no kind "${kind}" is registered for version "${apiVersion}" in scheme "${SCHEME}"`);

  if (expected.apiVersion && kind !== 'DeleteOptions') {
    const got = splitApiVersion(apiVersion).group;
    const want = splitApiVersion(expected.apiVersion).group;
    if (got !== want) {
      throw errors.badRequest(`the API version in the data (${apiVersion}) does not match the expected API version (${expected.apiVersion})`);
    }
  }
  if (expected.kind && expected.kind !== kind) {
    const from = `${splitApiVersion(apiVersion).version}.${kind}`;
    const to = `${internalPackage(expected.apiVersion ?? apiVersion)}.${expected.kind}`;
    throw fail(`converting (${from}) to (${to}): unknown conversion`);
  }

  let fields: JsonValue;
  try {
    fields = messageToJson(type, env.raw);
  } catch (e) {
    throw fail(baseMessage(e));
  }
  return { kind, apiVersion, ...(fields as Record<string, JsonValue>) };
}

function baseMessage(e: unknown): string {
  if (e instanceof ProtoDecodeError) return e.message;
  if (e instanceof RangeError) return 'unexpected EOF'; // protobufjs reading past the end
  if (e instanceof Error) return e.message;
  return String(e);
}

function cannotHandle(kind: string, apiVersion: string, expected: ExpectedKind, msg: string): StatusError {
  if (!expected.kind) return errors.badRequest(msg);
  return errors.badRequest(`${kind} in version "${splitApiVersion(apiVersion).version}" cannot be handled as a ${expected.kind}: ${msg}`);
}

function unrecognized(expected: ExpectedKind, msg: string, body: Uint8Array): StatusError {
  if (!expected.kind) return errors.badRequest(msg);
  return errors.badRequest(`the object provided is unrecognized (must be of type ${expected.kind}): ${msg} (${summarize(body)})`);
}

/** Upstream's summarizeData: the first 30 bytes, as text for JSON-looking data, else hex. */
function summarize(body: Uint8Array, max = 30): string {
  if (body.length === 0) return '<empty>';
  const b = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const more = b.length > max ? ' ...' : '';
  const head = b.subarray(0, max);
  return b[0] === 0x7b ? head.toString('utf8') + more : head.toString('hex') + more;
}
