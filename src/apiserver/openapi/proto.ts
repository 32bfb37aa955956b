// The Swagger 2.0 document in the protobuf encoding kubectl asks /openapi/v2 for
// (`application/com.github.proto-openapi.spec.v2@v1.0+protobuf`): gnostic's openapi.v2.Document
// message. Only the messages and fields our documents use are written; field numbers are those of
// gnostic's OpenAPIv2.proto. Vendor extensions carry their value as YAML text (JSON is YAML).

type Json = Record<string, unknown>;

class Out {
  private readonly chunks: Buffer[] = [];
  private size = 0;

  private push(b: Buffer): void {
    this.chunks.push(b);
    this.size += b.length;
  }

  private varint(n: number): void {
    const bytes: number[] = [];
    while (n > 0x7f) {
      bytes.push((n & 0x7f) | 0x80);
      n = Math.floor(n / 128);
    }
    bytes.push(n);
    this.push(Buffer.from(bytes));
  }

  private key(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  string(field: number, s: string | undefined): this {
    if (s === undefined || s === '') return this;
    const b = Buffer.from(s, 'utf8');
    this.key(field, 2);
    this.varint(b.length);
    this.push(b);
    return this;
  }

  strings(field: number, list: unknown): this {
    if (Array.isArray(list)) for (const s of list) this.string(field, String(s));
    return this;
  }

  bool(field: number, v: unknown): this {
    if (v === true) {
      this.key(field, 0);
      this.varint(1);
    }
    return this;
  }

  message(field: number, m: Out | undefined): this {
    if (!m) return this;
    const b = m.bytes();
    this.key(field, 2);
    this.varint(b.length);
    this.push(b);
    return this;
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks, this.size);
  }
}

/** NamedAny entries for the `x-` keys of a JSON object. */
function vendorExtensions(out: Out, field: number, obj: Json): void {
  for (const [k, v] of Object.entries(obj)) {
    if (!k.startsWith('x-')) continue;
    out.message(field, new Out().string(1, k).message(2, new Out().string(2, JSON.stringify(v) + '\n')));
  }
}

function schema(s: Json): Out {
  const out = new Out();
  out.string(1, s.$ref as string | undefined);
  out.string(2, s.format as string | undefined);
  out.string(4, s.description as string | undefined);
  out.strings(19, s.required);
  if (s.additionalProperties !== undefined) {
    const ap = new Out();
    if (typeof s.additionalProperties === 'boolean') ap.bool(2, s.additionalProperties);
    else ap.message(1, schema(s.additionalProperties as Json));
    out.message(21, ap);
  }
  if (s.type !== undefined) out.message(22, new Out().strings(1, Array.isArray(s.type) ? s.type : [s.type]));
  if (s.items !== undefined) out.message(23, new Out().message(1, schema(s.items as Json)));
  for (const sub of (s.allOf as Json[] | undefined) ?? []) out.message(24, schema(sub));
  if (s.properties !== undefined) {
    const props = new Out();
    for (const [k, v] of Object.entries(s.properties as Json)) props.message(1, new Out().string(1, k).message(2, schema(v as Json)));
    out.message(25, props);
  }
  vendorExtensions(out, 31, s);
  return out;
}

function parameter(p: Json): Out {
  const param = new Out();
  if (p.in === 'body') {
    param.message(
      1,
      new Out()
        .string(1, p.description as string)
        .string(2, p.name as string)
        .string(3, 'body')
        .bool(4, p.required)
        .message(5, schema(p.schema as Json)),
    );
  } else {
    const sub = new Out().bool(1, p.required).string(2, p.in as string).string(3, p.description as string).string(4, p.name as string);
    // QueryParameterSubSchema: type 6, unique_items 20; PathParameterSubSchema: type 5, unique_items 19.
    if (p.in === 'path') param.message(2, new Out().message(4, sub.string(5, p.type as string).bool(19, p.uniqueItems)));
    else param.message(2, new Out().message(3, sub.string(6, p.type as string).bool(20, p.uniqueItems)));
  }
  return new Out().message(1, param);
}

function operation(op: Json): Out {
  const out = new Out();
  out.strings(1, op.tags);
  out.string(3, op.description as string | undefined);
  out.string(5, op.operationId as string | undefined);
  out.strings(6, op.produces);
  out.strings(7, op.consumes);
  for (const p of (op.parameters as Json[] | undefined) ?? []) out.message(8, parameter(p));
  const responses = new Out();
  for (const [code, r] of Object.entries((op.responses as Json | undefined) ?? {})) {
    const resp = r as Json;
    const response = new Out().string(1, resp.description as string);
    if (resp.schema) response.message(2, new Out().message(1, schema(resp.schema as Json)));
    responses.message(1, new Out().string(1, code).message(2, new Out().message(1, response)));
  }
  out.message(9, responses);
  out.strings(10, op.schemes);
  vendorExtensions(out, 13, op);
  return out;
}

const METHOD_FIELDS: Record<string, number> = { get: 2, put: 3, post: 4, delete: 5, options: 6, head: 7, patch: 8 };

function pathItem(item: Json): Out {
  const out = new Out();
  for (const [method, field] of Object.entries(METHOD_FIELDS)) {
    if (item[method]) out.message(field, operation(item[method] as Json));
  }
  for (const p of (item.parameters as Json[] | undefined) ?? []) out.message(9, parameter(p));
  vendorExtensions(out, 10, item);
  return out;
}

/** Encodes a Swagger 2.0 document (as buildV2Document makes it) as an openapi.v2.Document message. */
export function encodeSwaggerProto(doc: Json): Buffer {
  const out = new Out();
  out.string(1, doc.swagger as string);
  const info = doc.info as Json | undefined;
  if (info) out.message(2, new Out().string(1, info.title as string).string(2, info.version as string));
  const paths = new Out();
  for (const [p, item] of Object.entries((doc.paths as Json | undefined) ?? {})) {
    paths.message(2, new Out().string(1, p).message(2, pathItem(item as Json)));
  }
  out.message(8, paths);
  const defs = new Out();
  for (const [name, s] of Object.entries((doc.definitions as Json | undefined) ?? {})) {
    defs.message(1, new Out().string(1, name).message(2, schema(s as Json)));
  }
  out.message(9, defs);
  for (const req of (doc.security as Json[] | undefined) ?? []) {
    const r = new Out();
    for (const [k, v] of Object.entries(req)) r.message(1, new Out().string(1, k).message(2, new Out().strings(1, v)));
    out.message(12, r);
  }
  const secDefs = doc.securityDefinitions as Json | undefined;
  if (secDefs) {
    const sd = new Out();
    for (const [name, d] of Object.entries(secDefs)) {
      const def = d as Json;
      const apiKey = new Out().string(1, def.type as string).string(2, def.name as string).string(3, def.in as string).string(4, def.description as string);
      sd.message(1, new Out().string(1, name).message(2, new Out().message(2, apiKey)));
    }
    out.message(13, sd);
  }
  vendorExtensions(out, 16, doc);
  return out.bytes();
}
