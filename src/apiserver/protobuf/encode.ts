// encodeProtobufObject: a JSON object → a Kubernetes protobuf body (`k8s\0` + runtime.Unknown).
import { errors } from '../../api/status.js';
import { writeEnvelope } from './envelope.js';
import type { JsonValue } from './fields.js';
import { messageToWire } from './json-to-wire.js';
import { messageTypeFor } from './schema/index.js';

/** Encodes an object with `apiVersion` and `kind` the way kubectl sends it. */
export function encodeProtobufObject(obj: { apiVersion: string; kind: string; [k: string]: unknown }): Buffer {
  const type = messageTypeFor(obj.apiVersion, obj.kind);
  if (!type) throw errors.badRequest(`no kind "${obj.kind}" is registered for version "${obj.apiVersion}"`);
  const { apiVersion, kind, ...rest } = obj;
  return writeEnvelope(apiVersion, kind, messageToWire(type, rest as JsonValue));
}
