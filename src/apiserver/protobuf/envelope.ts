// The envelope of a Kubernetes protobuf body: the 4-byte magic "k8s\0" followed by a runtime.Unknown
// holding the object's apiVersion/kind and its encoded bytes.
import protobuf from 'protobufjs';
import { ProtoDecodeError } from './fields.js';

export const PROTOBUF_MAGIC = Uint8Array.from([0x6b, 0x38, 0x73, 0x00]);
export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';

export interface Envelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
  contentEncoding: string;
  contentType: string;
}

export function hasProtobufMagic(body: Uint8Array): boolean {
  return body.length >= 4 && PROTOBUF_MAGIC.every((b, i) => body[i] === b);
}

/** Splits a body into envelope parts. Throws ProtoDecodeError with upstream's wording when malformed. */
export function readEnvelope(body: Uint8Array): Envelope {
  if (body.length === 0) throw new ProtoDecodeError('empty data');
  if (!hasProtobufMagic(body)) {
    throw new ProtoDecodeError(`provided data does not appear to be a protobuf message, expected prefix [${[...PROTOBUF_MAGIC].join(' ')}]`);
  }
  if (body.length === 4) throw new ProtoDecodeError('empty body');
  const env: Envelope = { apiVersion: '', kind: '', raw: new Uint8Array(0), contentEncoding: '', contentType: '' };
  const r = protobuf.Reader.create(body.subarray(4));
  while (r.pos < r.len) {
    const tag = r.uint32();
    const id = tag >>> 3;
    const wt = tag & 7;
    if (id >= 1 && id <= 4 && wt !== 2) throw new ProtoDecodeError(`proto: wrong wireType = ${wt} for field ${['', 'TypeMeta', 'Raw', 'ContentEncoding', 'ContentType'][id]}`);
    switch (id) {
      case 1: {
        const tm = protobuf.Reader.create(r.bytes());
        while (tm.pos < tm.len) {
          const t = tm.uint32();
          if ((t & 7) !== 2 && (t >>> 3 === 1 || t >>> 3 === 2)) throw new ProtoDecodeError(`proto: wrong wireType = ${t & 7} for field ${t >>> 3 === 1 ? 'APIVersion' : 'Kind'}`);
          if (t >>> 3 === 1) env.apiVersion = tm.string();
          else if (t >>> 3 === 2) env.kind = tm.string();
          else skipType(tm, t & 7);
        }
        break;
      }
      case 2: env.raw = r.bytes(); break;
      case 3: env.contentEncoding = r.string(); break;
      case 4: env.contentType = r.string(); break;
      default: skipType(r, wt);
    }
  }
  return env;
}

function skipType(r: protobuf.Reader, wt: number): void {
  if (wt === 3 || wt === 4 || wt > 5) throw new ProtoDecodeError(`proto: illegal wireType ${wt}`);
  r.skipType(wt);
}

/** Builds a body from envelope parts (the inverse of readEnvelope). */
export function writeEnvelope(apiVersion: string, kind: string, raw: Uint8Array): Buffer {
  const w = protobuf.Writer.create();
  w.uint32((1 << 3) | 2).fork();
  w.uint32((1 << 3) | 2).string(apiVersion);
  w.uint32((2 << 3) | 2).string(kind);
  w.ldelim();
  w.uint32((2 << 3) | 2).bytes(raw);
  w.uint32((3 << 3) | 2).string('');
  w.uint32((4 << 3) | 2).string('');
  return Buffer.concat([PROTOBUF_MAGIC, w.finish()]);
}
