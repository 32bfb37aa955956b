// Encodes a JSON object (as upstream's Go types marshal it) into k8ts's protobuf schema — the
// inverse of wire-to-json.ts. Used to build request bodies in tests and by tools.
import protobuf from 'protobufjs';
import { parseDuration, parseTime } from './go-json.js';
import { fieldJson, specialKind, wireTypeOf, type JsonValue } from './fields.js';

type JsonObject = { [k: string]: JsonValue };

function writeScalar(w: protobuf.Writer, type: string, v: JsonValue): void {
  switch (type) {
    case 'string': w.string(String(v)); return;
    case 'bytes': w.bytes(Buffer.from(String(v), 'base64')); return;
    case 'bool': w.bool(Boolean(v)); return;
    case 'int32': w.int32(Number(v)); return;
    case 'uint32': w.uint32(Number(v)); return;
    case 'sint32': w.sint32(Number(v)); return;
    case 'fixed32': w.fixed32(Number(v)); return;
    case 'sfixed32': w.sfixed32(Number(v)); return;
    case 'float': w.float(Number(v)); return;
    case 'double': w.double(Number(v)); return;
    case 'int64': w.int64(Number(v)); return;
    case 'uint64': w.uint64(Number(v)); return;
    case 'sint64': w.sint64(Number(v)); return;
    case 'fixed64': w.fixed64(Number(v)); return;
    case 'sfixed64': w.sfixed64(Number(v)); return;
  }
  throw new TypeError(`cannot encode scalar type ${type}`);
}

function writeValue(w: protobuf.Writer, field: protobuf.FieldBase, id: number, v: JsonValue): void {
  const t = field.resolvedType;
  if (t instanceof protobuf.Type) {
    w.uint32((id << 3) | 2).bytes(messageToWire(t, v));
  } else {
    w.uint32((id << 3) | wireTypeOf(field.type));
    writeScalar(w, field.type, v);
  }
}

/** Encodes `json` as the message `type`. */
export function messageToWire(type: protobuf.Type, json: JsonValue): Uint8Array {
  const special = specialKind(type);
  if (special) return specialToWire(special, json);
  const w = protobuf.Writer.create();
  if (type.options?.['(list)']) {
    for (const item of (json as JsonValue[] | null) ?? []) writeValue(w, type.fieldsById[1], 1, item);
    return w.finish();
  }
  const obj = (json ?? {}) as JsonObject;
  for (const field of type.fieldsArray) {
    const fj = fieldJson(field);
    if (fj.inline && field.resolvedType instanceof protobuf.Type) {
      w.uint32((field.id << 3) | 2).bytes(messageToWire(field.resolvedType, obj));
      continue;
    }
    const v = obj[fj.name];
    if (v === undefined || v === null) continue;
    if (field instanceof protobuf.MapField) {
      for (const k of Object.keys(v as JsonObject).sort()) {
        const entry = protobuf.Writer.create();
        entry.uint32((1 << 3) | wireTypeOf(field.keyType));
        writeScalar(entry, field.keyType, k);
        writeValue(entry, field, 2, (v as JsonObject)[k]);
        w.uint32((field.id << 3) | 2).bytes(entry.finish());
      }
    } else if (field.repeated) {
      for (const item of v as JsonValue[]) writeValue(w, field, field.id, item);
    } else {
      writeValue(w, field, field.id, v);
    }
  }
  return w.finish();
}

function specialToWire(kind: string, json: JsonValue): Uint8Array {
  const w = protobuf.Writer.create();
  switch (kind) {
    case 'Time':
    case 'MicroTime': {
      if (json === null) break;
      const { seconds, nanos } = parseTime(String(json));
      w.uint32(1 << 3).int64(seconds);
      if (kind === 'MicroTime') w.uint32(2 << 3).int32(nanos);
      break;
    }
    case 'Duration':
      w.uint32(1 << 3).int64(parseDuration(String(json)).toString());
      break;
    case 'IntOrString':
      if (typeof json === 'string') w.uint32(1 << 3).int64(1).uint32(2 << 3).int32(0).uint32((3 << 3) | 2).string(json);
      else w.uint32(1 << 3).int64(0).uint32(2 << 3).int32(Number(json ?? 0)).uint32((3 << 3) | 2).string('');
      break;
    case 'Quantity':
      w.uint32((1 << 3) | 2).string(String(json ?? '0'));
      break;
    case 'RawExtension':
    case 'FieldsV1':
      if (json !== null && json !== undefined) w.uint32((1 << 3) | 2).bytes(Buffer.from(JSON.stringify(json)));
      break;
  }
  return w.finish();
}
