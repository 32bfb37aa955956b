// Converts one protobuf message (k8ts's schema) to the JSON upstream's Go types would marshal:
// Go zero values for plain fields, presence for pointers, omitempty, inline structs, sorted map
// keys, and the apimachinery types with their own JSON form (Time, IntOrString, Quantity, …).
import protobuf from 'protobufjs';
import { formatDuration, formatMicroTime, formatTime } from './go-json.js';
import { fieldJson, ProtoDecodeError, specialKind, wireTypeOf, type JsonValue } from './fields.js';

type Raw = number | bigint | boolean | string | Uint8Array;

/** Values read off the wire for one field: scalars as read, messages as their bytes. */
interface Collected {
  single?: Raw;
  /** Bytes of a singular message field; several occurrences merge, as protobuf concatenation does. */
  chunks?: Uint8Array[];
  list?: Raw[];
  map?: Map<string, Raw | undefined>;
}

const EMPTY = new Uint8Array(0);

function readScalar(r: protobuf.Reader, type: string): Raw {
  switch (type) {
    case 'string': return r.string();
    case 'bytes': return r.bytes();
    case 'bool': return r.bool();
    case 'int32': return r.int32();
    case 'uint32': return r.uint32();
    case 'sint32': return r.sint32();
    case 'fixed32': return r.fixed32();
    case 'sfixed32': return r.sfixed32();
    case 'float': return r.float();
    case 'double': return r.double();
    case 'int64': return longToBig(r.int64());
    case 'uint64': return longToBig(r.uint64(), true);
    case 'sint64': return longToBig(r.sint64());
    case 'fixed64': return longToBig(r.fixed64(), true);
    case 'sfixed64': return longToBig(r.sfixed64());
    default: return r.bytes(); // a message: keep its bytes
  }
}

function longToBig(v: unknown, unsigned = false): bigint {
  if (typeof v === 'number') return BigInt(v);
  const l = v as { low: number; high: number };
  const big = (BigInt(l.high >>> 0) << 32n) | BigInt(l.low >>> 0);
  return unsigned ? big : BigInt.asIntN(64, big);
}

function checkWire(field: protobuf.FieldBase, type: string, got: number): void {
  const want = wireTypeOf(type);
  if (got !== want) throw new ProtoDecodeError(`proto: wrong wireType = ${got} for field ${upperFirst(field.name)}`);
}

function upperFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function readMapEntry(field: protobuf.MapField, bytes: Uint8Array): [string, Raw | undefined] {
  const r = protobuf.Reader.create(bytes);
  let key: Raw = '';
  let value: Raw | undefined;
  while (r.pos < r.len) {
    const tag = r.uint32();
    const id = tag >>> 3;
    const wt = tag & 7;
    if (id === 1) {
      checkWire(field, field.keyType, wt);
      key = readScalar(r, field.keyType);
    } else if (id === 2) {
      checkWire(field, field.type, wt);
      value = readScalar(r, field.resolvedType ? 'message' : field.type);
    } else {
      skip(r, wt);
    }
  }
  return [String(key), value];
}

function skip(r: protobuf.Reader, wt: number): void {
  if (wt === 3 || wt === 4 || wt > 5) throw new ProtoDecodeError(`proto: illegal wireType ${wt}`);
  r.skipType(wt);
}

function collect(type: protobuf.Type, bytes: Uint8Array): Map<number, Collected> {
  const out = new Map<number, Collected>();
  const r = protobuf.Reader.create(bytes);
  while (r.pos < r.len) {
    const tag = r.uint32();
    const id = tag >>> 3;
    const wt = tag & 7;
    if (id <= 0) throw new ProtoDecodeError(`proto: ${type.name}: illegal tag ${id} (wire type ${wt})`);
    const field = type.fieldsById[id];
    if (!field) {
      skip(r, wt);
      continue;
    }
    let c = out.get(id);
    if (!c) out.set(id, (c = {}));
    const isMsg = !!field.resolvedType && field.resolvedType instanceof protobuf.Type;
    const scalarType = isMsg ? 'message' : field.type;
    if (field instanceof protobuf.MapField) {
      checkWire(field, 'message', wt);
      const [k, v] = readMapEntry(field, r.bytes());
      (c.map ??= new Map()).set(k, v);
    } else if (field.repeated) {
      c.list ??= [];
      if (wt === 2 && wireTypeOf(scalarType) !== 2) {
        // packed scalars
        const end = r.uint32() + r.pos;
        if (end > r.len) throw new ProtoDecodeError('unexpected EOF');
        while (r.pos < end) c.list.push(readScalar(r, scalarType));
      } else {
        checkWire(field, scalarType, wt);
        c.list.push(readScalar(r, scalarType));
      }
    } else {
      checkWire(field, scalarType, wt);
      const v = readScalar(r, scalarType);
      if (isMsg) (c.chunks ??= []).push(v as Uint8Array);
      else c.single = v;
    }
  }
  return out;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}

function scalarToJson(type: string, v: Raw): JsonValue {
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  if (type === 'float' || type === 'double') return Number.isFinite(v as number) ? (v as number) : String(v);
  return v as JsonValue;
}

function isZero(v: Raw): boolean {
  if (v instanceof Uint8Array) return v.length === 0;
  return v === '' || v === 0 || v === 0n || v === false;
}

function zeroOf(type: string): Raw {
  switch (type) {
    case 'string': return '';
    case 'bool': return false;
    case 'bytes': return EMPTY;
    default: return wireTypeOf(type) === 0 && /64/.test(type) ? 0n : 0;
  }
}

function elementToJson(field: protobuf.Field, v: Raw | undefined): JsonValue {
  const t = field.resolvedType;
  if (t instanceof protobuf.Type) return messageToJson(t, (v as Uint8Array | undefined) ?? EMPTY);
  if (v === undefined) return scalarToJson(field.type, zeroOf(field.type));
  return scalarToJson(field.type, v);
}

/** The JSON for a message value (a non-nil Go struct) encoded as `bytes`. */
export function messageToJson(type: protobuf.Type, bytes: Uint8Array): JsonValue {
  const special = specialKind(type);
  if (special) return specialToJson(special, type, bytes);
  const values = collect(type, bytes);
  const out: { [k: string]: JsonValue } = {};
  if (type.options?.['(list)']) {
    const items = values.get(1)?.list;
    return items ? items.map((v) => scalarToJson(type.fieldsById[1].type, v)) : null;
  }
  for (const field of type.fieldsArray) {
    const fj = fieldJson(field);
    const c = values.get(field.id);
    const msgType = field.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined;
    if (fj.inline && msgType) {
      const sub = messageToJson(msgType, c?.chunks ? concat(c.chunks) : EMPTY);
      if (sub && typeof sub === 'object' && !Array.isArray(sub)) Object.assign(out, sub);
      continue;
    }
    if (field instanceof protobuf.MapField) {
      if (!c?.map || c.map.size === 0) {
        if (fj.emit) out[fj.name] = null;
        continue;
      }
      const obj: { [k: string]: JsonValue } = {};
      for (const k of [...c.map.keys()].sort()) obj[k] = elementToJson(field, c.map.get(k));
      out[fj.name] = obj;
      continue;
    }
    if (field.repeated) {
      if (!c?.list || c.list.length === 0) {
        if (fj.emit) out[fj.name] = null;
        continue;
      }
      out[fj.name] = c.list.map((v) => elementToJson(field, v));
      continue;
    }
    if (msgType) {
      if (!c?.chunks) {
        if (fj.ptr) {
          if (fj.emit) out[fj.name] = null;
          continue;
        }
        out[fj.name] = messageToJson(msgType, EMPTY);
        continue;
      }
      out[fj.name] = messageToJson(msgType, concat(c.chunks));
      continue;
    }
    if (field.type === 'bytes') {
      // Go []byte: nil when absent (null / omitted), base64 otherwise; omitempty drops empty ones.
      const v = c?.single as Uint8Array | undefined;
      if (v === undefined) {
        if (fj.emit) out[fj.name] = null;
      } else if (fj.emit || fj.ptr || v.length > 0) {
        out[fj.name] = scalarToJson('bytes', v);
      }
      continue;
    }
    if (fj.ptr) {
      if (c?.single === undefined) {
        if (fj.emit) out[fj.name] = null;
      } else {
        out[fj.name] = scalarToJson(field.type, c.single);
      }
      continue;
    }
    const v = c?.single ?? zeroOf(field.type);
    if (!fj.emit && isZero(v)) continue;
    out[fj.name] = scalarToJson(field.type, v);
  }
  return out;
}

function num(v: Raw | undefined): number {
  return v === undefined ? 0 : Number(v);
}

function specialToJson(kind: string, type: protobuf.Type, bytes: Uint8Array): JsonValue {
  const values = collect(type, bytes);
  const f = (id: number) => values.get(id)?.single ?? (values.get(id)?.chunks ? concat(values.get(id)!.chunks!) : undefined);
  switch (kind) {
    case 'Time':
      // An empty message is Go's zero time, which marshals as null.
      return bytes.length === 0 ? null : formatTime(num(f(1)));
    case 'MicroTime':
      return bytes.length === 0 ? null : formatMicroTime(num(f(1)), num(f(2)));
    case 'Duration':
      return formatDuration((f(1) as bigint | undefined) ?? 0n);
    case 'IntOrString':
      return num(f(1)) === 1 ? ((f(3) as string | undefined) ?? '') : num(f(2));
    case 'Quantity':
      return (f(1) as string | undefined) || '0';
    case 'RawExtension':
    case 'FieldsV1': {
      const raw = f(1) as Uint8Array | undefined;
      if (!raw || raw.length === 0) return null;
      try {
        return JSON.parse(Buffer.from(raw).toString('utf8')) as JsonValue;
      } catch (e) {
        throw new ProtoDecodeError(`${kind}: raw bytes are not JSON: ${(e as Error).message}`);
      }
    }
  }
  throw new ProtoDecodeError(`unsupported type ${type.fullName}`);
}
