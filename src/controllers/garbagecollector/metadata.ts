// Metadata-only reads: lists and watches rendered as PartialObjectMetadata(List), so controllers
// that look at every object of every resource hold only metadata.

import type { KubeObject } from '../../api/registry.js';
import type { ObjectList, Query, ResourceRef, RestClient } from '../../client/index.js';
import { resourcePath } from '../../client/index.js';

export const PARTIAL_LIST_ACCEPT = 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json';
export const PARTIAL_ACCEPT = 'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io,application/json';

export interface MetadataListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  signal?: AbortSignal;
}

/** Every page of a metadata-only list; items keep only `metadata`. */
export async function listMetadata(
  client: RestClient,
  ref: ResourceRef,
  namespace: string | undefined,
  opts: MetadataListOptions = {},
): Promise<ObjectList<KubeObject>> {
  const items: KubeObject[] = [];
  let cont: string | undefined;
  let rv: string | undefined;
  do {
    const query: Query = { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, limit: opts.limit ?? 500, continue: cont };
    const page = await client.request<ObjectList<KubeObject>>({
      path: resourcePath(ref, namespace),
      query,
      accept: PARTIAL_LIST_ACCEPT,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    for (const it of page.items ?? []) items.push({ metadata: it.metadata ?? {} });
    rv ??= page.metadata?.resourceVersion;
    cont = page.metadata?.continue || undefined;
  } while (cont);
  return { metadata: rv ? { resourceVersion: rv } : {}, items };
}

/** GET one object's metadata. */
export async function getMetadata(client: RestClient, ref: ResourceRef, namespace: string | undefined, name: string, signal?: AbortSignal): Promise<KubeObject> {
  const obj = await client.request<KubeObject>({
    path: resourcePath(ref, namespace, name),
    accept: PARTIAL_ACCEPT,
    ...(signal ? { signal } : {}),
  });
  return { metadata: obj.metadata ?? {} };
}
