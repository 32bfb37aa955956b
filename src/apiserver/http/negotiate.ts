// Response content negotiation: plain JSON objects, or Table / PartialObjectMetadata renderings
// when the Accept header asks for them (`application/json;as=Table;v=v1;g=meta.k8s.io`).

export type Rendering = 'object' | 'table' | 'partial';

export function chooseRendering(accept: string | undefined): Rendering {
  if (!accept) return 'object';
  for (const raw of accept.split(',')) {
    const params = new Map<string, string>();
    const [type, ...rest] = raw.split(';').map((s) => s.trim());
    for (const p of rest) {
      const i = p.indexOf('=');
      if (i > 0) params.set(p.slice(0, i).toLowerCase(), p.slice(i + 1));
    }
    const as = params.get('as');
    if (params.get('g') === 'meta.k8s.io' && (type === 'application/json' || type === 'application/vnd.kubernetes.protobuf' || type === '*/*')) {
      // Protobuf-first clients also list JSON; we answer every rendering in JSON.
      if (as === 'Table') return 'table';
      if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') return 'partial';
      continue;
    }
    if (!as && (type === 'application/json' || type === '*/*' || type === 'application/*' || type === 'application/vnd.kubernetes.protobuf' || type === 'application/yaml')) {
      return 'object';
    }
  }
  return 'object';
}
