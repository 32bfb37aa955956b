// Schema helpers shared by the protobuf decoder and encoder: JSON facts about a field, wire types,
// and which apimachinery messages have their own JSON form.
import protobuf from 'protobufjs';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

/** Malformed protobuf input (the caller turns it into a 400). */
export class ProtoDecodeError extends Error {
  override name = 'ProtoDecodeError';
}

export interface FieldJson {
  /** JSON key. */
  name: string;
  /** Go pointer: set iff present on the wire. */
  ptr: boolean;
  /** No omitempty: zero values (and nil as null) are written. */
  emit: boolean;
  /** Embedded struct: its JSON fields are merged into the parent. */
  inline: boolean;
}

const cache = new WeakMap<protobuf.FieldBase, FieldJson>();

export function fieldJson(field: protobuf.FieldBase): FieldJson {
  let fj = cache.get(field);
  if (!fj) {
    const o = (field.options ?? {}) as Record<string, unknown>;
    fj = {
      name: typeof o['(json)'] === 'string' ? (o['(json)'] as string) : field.name,
      ptr: o['(ptr)'] === true,
      emit: o['(emit)'] === true,
      inline: o['(inline)'] === true,
    };
    cache.set(field, fj);
  }
  return fj;
}

/** Wire type for a scalar type name, or 2 for messages/strings/bytes. */
export function wireTypeOf(type: string): number {
  switch (type) {
    case 'int32': case 'int64': case 'uint32': case 'uint64': case 'sint32': case 'sint64': case 'bool':
      return 0;
    case 'fixed64': case 'sfixed64': case 'double':
      return 1;
    case 'fixed32': case 'sfixed32': case 'float':
      return 5;
    default:
      return 2;
  }
}

const SPECIAL: Record<string, string> = {
  'k8s.io.apimachinery.pkg.apis.meta.v1.Time': 'Time',
  'k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime': 'MicroTime',
  'k8s.io.apimachinery.pkg.apis.meta.v1.Duration': 'Duration',
  'k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1': 'FieldsV1',
  'k8s.io.apimachinery.pkg.util.intstr.IntOrString': 'IntOrString',
  'k8s.io.apimachinery.pkg.api.resource.Quantity': 'Quantity',
  'k8s.io.apimachinery.pkg.runtime.RawExtension': 'RawExtension',
};

/** The name of a message with its own JSON form, e.g. "Time", or undefined. */
export function specialKind(type: protobuf.Type): string | undefined {
  return SPECIAL[type.fullName.replace(/^\./, '')];
}
