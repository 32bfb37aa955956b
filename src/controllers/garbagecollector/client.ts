// The collector's reads and writes, by object identity (apiVersion/kind mapped to a resource
// through discovery). Metadata only; writes are conditional on the object's uid/resourceVersion.

import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../api/registry.js';
import { ApiError, isConflict, isNotFound, resourcePath, type ResourceRef, type RestClient } from '../../client/index.js';
import type { RestMapper } from './discovery.js';
import type { DeletePolicy } from './decide.js';
import { getMetadata } from './metadata.js';
import type { ObjectIdentity } from './graph.js';

export type ObjectMetadata = NonNullable<KubeObject['metadata']>;

/** What the collector needs from the API (a fake in unit tests). */
export interface GcApi {
  /** The object's metadata, or null when it does not exist (404). */
  get(id: ObjectIdentity): Promise<ObjectMetadata | null>;
  /** Whether the kind is namespaced (undefined: unknown kind). */
  isNamespaced(apiVersion: string, kind: string): boolean | undefined;
  /** DELETE with a uid precondition; a missing object is not an error. */
  delete(id: ObjectIdentity, policy: DeletePolicy): Promise<void>;
  /** Remove the owner references with these uids (no-op if none are there or the object is gone). */
  removeOwnerReferences(id: ObjectIdentity, uids: string[]): Promise<void>;
  /** Remove a finalizer (no-op if absent or the object is gone). */
  removeFinalizer(id: ObjectIdentity, finalizer: string): Promise<void>;
}

/** The kind is not served (yet): retry later. */
export class UnknownKindError extends Error {
  override name = 'UnknownKindError';
  constructor(apiVersion: string, kind: string) {
    super(`unable to map ${apiVersion}, Kind=${kind} to a resource`);
  }
}

const MAX_WRITE_RETRIES = 10;

export class ApiGcClient implements GcApi {
  constructor(
    private readonly client: RestClient,
    private readonly mapper: RestMapper,
  ) {}

  private ref(id: Pick<ObjectIdentity, 'apiVersion' | 'kind'>): ResourceRef {
    const r = this.mapper.lookup(id.apiVersion, id.kind);
    if (!r) throw new UnknownKindError(id.apiVersion, id.kind);
    return r;
  }

  isNamespaced(apiVersion: string, kind: string): boolean | undefined {
    return this.mapper.lookup(apiVersion, kind)?.namespaced;
  }

  async get(id: ObjectIdentity): Promise<ObjectMetadata | null> {
    const ref = this.ref(id);
    try {
      const obj = await getMetadata(this.client, ref, ref.namespaced ? id.namespace : undefined, id.name);
      return obj.metadata ?? {};
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
  }

  async delete(id: ObjectIdentity, policy: DeletePolicy): Promise<void> {
    const ref = this.ref(id);
    try {
      await this.client.request({
        method: 'DELETE',
        path: resourcePath(ref, ref.namespaced ? id.namespace : undefined, id.name),
        body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: policy, preconditions: { uid: id.uid } },
      });
    } catch (e) {
      if (isNotFound(e)) return;
      // uid precondition failed: the object was replaced by another of the same name; leave it.
      if (isConflict(e) && /Precondition failed/.test((e as ApiError).message)) return;
      throw e;
    }
  }

  async removeOwnerReferences(id: ObjectIdentity, uids: string[]): Promise<void> {
    const drop = new Set(uids);
    await this.patchMetadata(id, (meta) => {
      const refs: OwnerReference[] = meta.ownerReferences ?? [];
      const kept = refs.filter((r) => !drop.has(r.uid));
      if (kept.length === refs.length) return undefined;
      return kept.length === 0 ? [{ op: 'remove', path: '/metadata/ownerReferences' }] : [{ op: 'replace', path: '/metadata/ownerReferences', value: kept }];
    });
  }

  async removeFinalizer(id: ObjectIdentity, finalizer: string): Promise<void> {
    await this.patchMetadata(id, (meta) => {
      const fins = meta.finalizers ?? [];
      if (!fins.includes(finalizer)) return undefined;
      const kept = fins.filter((f) => f !== finalizer);
      return kept.length === 0 ? [{ op: 'remove', path: '/metadata/finalizers' }] : [{ op: 'replace', path: '/metadata/finalizers', value: kept }];
    });
  }

  /**
   * Read the metadata, compute JSON-patch operations, apply them guarded by a test of the
   * resourceVersion (a concurrent write fails the test: read again and retry).
   */
  private async patchMetadata(id: ObjectIdentity, ops: (meta: ObjectMetadata) => unknown[] | undefined): Promise<void> {
    const ref = this.ref(id);
    const ns = ref.namespaced ? id.namespace : undefined;
    for (let attempt = 0; attempt < MAX_WRITE_RETRIES; attempt++) {
      const meta = await this.get(id);
      if (!meta || meta.uid !== id.uid) return;
      const patch = ops(meta);
      if (!patch) return;
      try {
        await this.client.request({
          method: 'PATCH',
          path: resourcePath(ref, ns, id.name),
          body: [
            { op: 'test', path: '/metadata/uid', value: id.uid },
            { op: 'test', path: '/metadata/resourceVersion', value: meta.resourceVersion },
            ...patch,
          ],
          contentType: 'application/json-patch+json',
        });
        return;
      } catch (e) {
        if (isNotFound(e)) return;
        if (e instanceof ApiError && (e.code === 409 || e.code === 422)) continue;
        throw e;
      }
    }
    throw new Error(`${id.kind} ${id.namespace ? id.namespace + '/' : ''}${id.name}: metadata patch kept conflicting`);
  }
}
