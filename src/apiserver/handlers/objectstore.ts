// The generic storage logic of one resource, as upstream's registry Store: what create, update,
// patch and delete mean for an object (uid, timestamps, generation, status split, graceful
// deletion, finalizers, optimistic concurrency) on top of the compare-and-swap Store.
// No HTTP here: handlers/rest.ts maps requests onto these methods.

import { randomUUID } from 'node:crypto';
import type { KubeObject, ResourceDef } from '../../api/registry.js';
import { storageKey } from '../../api/registry.js';
import { errors, StatusError, type FieldError } from '../../api/status.js';
import { deepEqual, randomNameSuffix, rfc3339 } from '../../api/objects.js';
import { ConflictError, KeyExistsError, KeyNotFoundError, type Store } from '../../storage/store.js';
import { copyObject, decodeKeyValue, encodeForStore } from './codec.js';
import type { AdmissionRequest } from '../admission/index.js';

/** Server-side pieces the generic logic calls out to (field ownership, namespace lookup). */
export interface ObjectHooks {
  /** Record field ownership for a non-apply write into `updated.metadata.managedFields`. */
  trackFields?(args: {
    def: ResourceDef;
    old: KubeObject | null;
    updated: KubeObject;
    manager: string;
    subresource?: string;
  }): void;
  /** Look up a namespace (for create checks); null when absent. */
  getNamespace(name: string): Promise<KubeObject | null>;
  /** The admission chain: may mutate the object or throw to refuse it. */
  admit?(req: AdmissionRequest): Promise<void>;
}

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager: string;
  subresource?: string;
  /** The object's managedFields are already computed (server-side apply): do not track again. */
  fieldsTracked?: boolean;
}

export interface DeleteOptions {
  dryRun?: boolean;
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** Computes the next object from the current one (null when absent); throw to abort. */
export type UpdateFn = (current: KubeObject | null) => KubeObject | Promise<KubeObject>;

const MAX_CAS_RETRIES = 16;

export class ObjectStore {
  constructor(
    readonly def: ResourceDef,
    private readonly store: Store,
    private readonly hooks: ObjectHooks,
  ) {}

  key(namespace: string | undefined, name: string): string {
    return storageKey(this.def, namespace, name);
  }

  async get(namespace: string | undefined, name: string): Promise<KubeObject> {
    const kv = await this.store.get(this.key(namespace, name));
    if (!kv) throw this.notFound(name);
    return decodeKeyValue(kv);
  }

  async create(namespace: string | undefined, input: KubeObject, opts: WriteOptions): Promise<KubeObject> {
    const def = this.def;
    const obj = copyObject(input);
    obj.apiVersion = def.group ? `${def.group}/${def.version}` : def.version;
    obj.kind = def.kind;
    const meta = (obj.metadata = obj.metadata ?? {});
    if (def.namespaced) meta.namespace = namespace;
    else delete meta.namespace;
    if (meta.resourceVersion) throw errors.badRequest('resourceVersion should not be set on objects to be created');
    if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${randomNameSuffix()}`;
    const name = meta.name ?? '';
    if (def.namespaced && namespace) await this.checkNamespaceOpen(namespace, name);

    meta.uid = randomUUID();
    meta.creationTimestamp = rfc3339();
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    if (def.generation) meta.generation = 1;
    else delete meta.generation;
    if (this.hasStatus() && def.kind !== 'Node') delete obj.status;
    def.strategy?.prepareForCreate?.(obj);
    def.strategy?.defaults?.(obj);
    await this.hooks.admit?.({ def, operation: 'CREATE', object: obj, old: null, subresource: opts.subresource, dryRun: opts.dryRun });
    this.validate(obj, null);
    if (!opts.fieldsTracked) {
      meta.managedFields = undefined;
      this.hooks.trackFields?.({ def, old: null, updated: obj, manager: opts.fieldManager, subresource: opts.subresource });
    }
    if (!meta.managedFields) delete meta.managedFields;

    if (opts.dryRun) return obj;
    try {
      const kv = await this.store.create(this.key(namespace, name), encodeForStore(obj));
      meta.resourceVersion = String(kv.modRevision);
      return obj;
    } catch (e) {
      if (e instanceof KeyExistsError) throw errors.alreadyExists(def.group, def.plural, name);
      throw e;
    }
  }

  /**
   * Replace an object (PUT). Without metadata.resourceVersion the update is unconditional;
   * with one it must match the stored object.
   */
  async update(namespace: string | undefined, name: string, input: KubeObject, opts: WriteOptions): Promise<KubeObject> {
    const meta = input.metadata ?? {};
    if (meta.name && meta.name !== name) {
      throw errors.badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
    }
    if (this.def.namespaced && meta.namespace && meta.namespace !== namespace) {
      throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    const wantRV = meta.resourceVersion;
    return this.guaranteedUpdate(namespace, name, opts, (current) => {
      if (!current) throw this.notFound(name);
      if (wantRV && wantRV !== current.metadata?.resourceVersion) throw this.conflict(name);
      return copyObject(input);
    });
  }

  /**
   * The read-modify-write loop behind update and patch: `fn` computes the desired object from the
   * current one; the result goes through the strategy and is written with compare-and-swap,
   * retrying from a fresh read when someone else wrote in between.
   */
  async guaranteedUpdate(
    namespace: string | undefined,
    name: string,
    opts: WriteOptions & { allowCreate?: boolean },
    fn: UpdateFn,
  ): Promise<KubeObject> {
    const key = this.key(namespace, name);
    for (let attempt = 0; attempt < MAX_CAS_RETRIES; attempt++) {
      const kv = await this.store.get(key);
      const current = kv ? decodeKeyValue(kv) : null;
      if (!current && !opts.allowCreate) throw this.notFound(name);
      const desired = await fn(current ? copyObject(current) : null);
      if (!current) {
        desired.metadata = { ...(desired.metadata ?? {}), name };
        return this.create(namespace, desired, opts);
      }
      const next = await this.prepareUpdate(current, desired, opts);
      if (isFinalized(next)) {
        // The last finalizer is gone from an object being deleted: the update completes the delete.
        if (opts.dryRun) return next;
        try {
          await this.store.delete(key, kv!.modRevision);
          return next;
        } catch (e) {
          if (e instanceof ConflictError || e instanceof KeyNotFoundError) continue;
          throw e;
        }
      }
      if (sameStoredObject(current, next)) return current;
      if (opts.dryRun) return next;
      try {
        const written = await this.store.update(key, encodeForStore(next), kv!.modRevision);
        next.metadata!.resourceVersion = String(written.modRevision);
        return next;
      } catch (e) {
        if (e instanceof ConflictError) continue;
        if (e instanceof KeyNotFoundError) throw this.notFound(name);
        throw e;
      }
    }
    throw errors.conflict(this.def.group, this.def.plural, name, 'too many concurrent writes, please retry');
  }

  /** Applies update semantics: system fields kept, status/spec split, generation, validation. */
  private async prepareUpdate(current: KubeObject, desired: KubeObject, opts: WriteOptions): Promise<KubeObject> {
    const def = this.def;
    let next: KubeObject;
    // Binding is a system write (as upstream's pod binding): spec.nodeName and the PodScheduled
    // condition change together, and the pod update rules do not apply.
    const systemWrite = opts.subresource === 'binding';
    if (systemWrite) {
      next = desired;
    } else if (opts.subresource === 'status') {
      // Only status changes through /status.
      next = copyObject(current);
      if (desired.status === undefined) delete next.status;
      else next.status = desired.status;
    } else {
      next = desired;
      next.apiVersion = current.apiVersion;
      next.kind = current.kind;
      if (this.hasStatus()) {
        if (current.status === undefined) delete next.status;
        else next.status = current.status;
      }
    }
    const cm = current.metadata!;
    const meta = (next.metadata = next.metadata ?? {});
    meta.name = cm.name;
    if (def.namespaced) meta.namespace = cm.namespace;
    else delete meta.namespace;
    meta.uid = cm.uid;
    meta.creationTimestamp = cm.creationTimestamp;
    setOrDelete(meta, 'deletionTimestamp', cm.deletionTimestamp);
    setOrDelete(meta, 'deletionGracePeriodSeconds', cm.deletionGracePeriodSeconds);
    meta.resourceVersion = cm.resourceVersion;
    if (cm.deletionTimestamp) {
      // A deleting object may lose finalizers but not gain new ones.
      const allowed = new Set(cm.finalizers ?? []);
      const added = (meta.finalizers ?? []).filter((f) => !allowed.has(f));
      if (added.length > 0) {
        throw errors.invalid(def.group, def.kind, cm.name ?? '', [
          { type: 'FieldValueForbidden', field: 'metadata.finalizers', detail: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}` },
        ]);
      }
    }
    if (def.generation) {
      meta.generation = cm.generation ?? 1;
      if (opts.subresource !== 'status' && !deepEqual(specOf(current), specOf(next))) meta.generation += 1;
    } else {
      setOrDelete(meta, 'generation', cm.generation);
    }
    if (!systemWrite) {
      // prepareForUpdate guards the main resource (e.g. a namespace keeps spec.finalizers); /status
      // and /finalize are the ways to change those fields.
      if (opts.subresource !== 'status' && opts.subresource !== 'finalize') def.strategy?.prepareForUpdate?.(next, current);
      def.strategy?.defaults?.(next);
      await this.hooks.admit?.({ def, operation: 'UPDATE', object: next, old: current, subresource: opts.subresource, dryRun: opts.dryRun });
      this.validate(next, current);
    }
    if (meta.managedFields === undefined && cm.managedFields) meta.managedFields = cm.managedFields;
    // A system write goes straight to storage, as upstream's binding does: the pod's managedFields
    // stay as they were (no entry for the scheduler).
    if (!opts.fieldsTracked && !systemWrite) {
      this.hooks.trackFields?.({ def, old: current, updated: next, manager: opts.fieldManager, subresource: opts.subresource });
    }
    if (!meta.managedFields || meta.managedFields.length === 0) delete meta.managedFields;
    return next;
  }

  async delete(namespace: string | undefined, name: string, opts: DeleteOptions): Promise<{ object: KubeObject; deleted: boolean }> {
    const key = this.key(namespace, name);
    for (let attempt = 0; attempt < MAX_CAS_RETRIES; attempt++) {
      const kv = await this.store.get(key);
      if (!kv) throw this.notFound(name);
      const current = decodeKeyValue(kv);
      const meta = current.metadata!;
      const pre = opts.preconditions;
      if (pre?.uid && pre.uid !== meta.uid) {
        throw errors.conflict(this.def.group, this.def.plural, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${meta.uid}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== meta.resourceVersion) {
        throw errors.conflict(this.def.group, this.def.plural, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion}`);
      }
      const next = copyObject(current);
      const nm = next.metadata!;
      nm.finalizers = withPropagation(nm.finalizers ?? [], opts);
      if (nm.finalizers.length === 0) delete nm.finalizers;
      const grace = this.gracePeriod(current, opts);
      const pending = (nm.finalizers?.length ?? 0) > 0 || grace > 0 || namespaceFinalizers(next).length > 0;
      if (!pending) {
        if (opts.dryRun) return { object: current, deleted: true };
        try {
          await this.store.delete(key, kv.modRevision);
          return { object: current, deleted: true };
        } catch (e) {
          if (e instanceof ConflictError) continue;
          if (e instanceof KeyNotFoundError) throw this.notFound(name);
          throw e;
        }
      }
      // Graceful: mark for deletion; whoever owns the finalizers (or the kubelet) finishes it.
      const now = Date.now();
      if (!meta.deletionTimestamp) {
        nm.deletionTimestamp = rfc3339(now + grace * 1000);
        nm.deletionGracePeriodSeconds = grace;
      } else if (grace < (meta.deletionGracePeriodSeconds ?? 0)) {
        nm.deletionTimestamp = rfc3339(now + grace * 1000);
        nm.deletionGracePeriodSeconds = grace;
      }
      if (this.def.kind === 'Namespace') {
        next.status = { ...((next.status as object) ?? {}), phase: 'Terminating' };
      }
      if (deepEqual(next, current)) return { object: current, deleted: false };
      if (opts.dryRun) return { object: next, deleted: false };
      try {
        const written = await this.store.update(key, encodeForStore(next), kv.modRevision);
        nm.resourceVersion = String(written.modRevision);
        return { object: next, deleted: false };
      } catch (e) {
        if (e instanceof ConflictError) continue;
        if (e instanceof KeyNotFoundError) throw this.notFound(name);
        throw e;
      }
    }
    throw errors.conflict(this.def.group, this.def.plural, name, 'too many concurrent writes, please retry');
  }

  /** Seconds of graceful termination: only pods bound to a node get one. */
  private gracePeriod(obj: KubeObject, opts: DeleteOptions): number {
    if (this.def.kind !== 'Pod' || this.def.group !== '') return 0;
    const spec = (obj.spec ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
    const phase = (obj.status as { phase?: string } | undefined)?.phase;
    if (!spec.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
    const g = opts.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30;
    return Math.max(0, g);
  }

  private validate(obj: KubeObject, old: KubeObject | null): void {
    const s = this.def.strategy;
    if (!s) return;
    const errs: FieldError[] = [...(s.validate?.(obj) ?? [])];
    if (old) errs.push(...(s.validateUpdate?.(obj, old) ?? []));
    if (errs.length > 0) {
      throw errors.invalid(this.def.group, this.def.kind, obj.metadata?.name ?? '', errs);
    }
  }

  private async checkNamespaceOpen(namespace: string, name: string): Promise<void> {
    const ns = await this.hooks.getNamespace(namespace);
    if (!ns) throw errors.notFound('', 'namespaces', namespace);
    if (ns.metadata?.deletionTimestamp || (ns.status as { phase?: string } | undefined)?.phase === 'Terminating') {
      throw new StatusError(
        403,
        'Forbidden',
        `${this.def.plural}${this.def.group ? '.' + this.def.group : ''} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
        {
          name,
          group: this.def.group || undefined,
          kind: this.def.plural,
          causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }],
        },
      );
    }
  }

  hasStatus(): boolean {
    return this.def.subresources?.includes('status') ?? false;
  }

  notFound(name: string): StatusError {
    return errors.notFound(this.def.group, this.def.plural, name);
  }

  conflict(name: string): StatusError {
    return errors.conflict(
      this.def.group,
      this.def.plural,
      name,
      'the object has been modified; please apply your changes to the latest version and try again',
    );
  }
}

/** Everything but metadata and status: a change here bumps metadata.generation. */
function specOf(obj: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}

function setOrDelete<T extends object, K extends keyof T>(o: T, k: K, v: T[K] | undefined): void {
  if (v === undefined) delete o[k];
  else o[k] = v;
}

/** The finalizers after a delete with this propagation policy. */
function withPropagation(finalizers: string[], opts: DeleteOptions): string[] {
  let policy = opts.propagationPolicy;
  if (!policy && opts.orphanDependents !== undefined) policy = opts.orphanDependents ? 'Orphan' : 'Background';
  const rest = finalizers.filter((f) => f !== 'orphan' && f !== 'foregroundDeletion');
  if (policy === 'Orphan') return [...rest, 'orphan'];
  if (policy === 'Foreground') return [...rest, 'foregroundDeletion'];
  if (policy === 'Background') return rest;
  return finalizers; // no policy given: keep what the object asked for
}

function namespaceFinalizers(obj: KubeObject): string[] {
  if (obj.kind !== 'Namespace') return [];
  return ((obj.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []).slice();
}

/** An object marked for deletion whose finalizers are all gone is deleted by the write. */
function isFinalized(obj: KubeObject): boolean {
  const meta = obj.metadata ?? {};
  return !!meta.deletionTimestamp && (meta.finalizers?.length ?? 0) === 0 && namespaceFinalizers(obj).length === 0 && (obj.kind !== 'Pod' || (meta.deletionGracePeriodSeconds ?? 0) === 0);
}

/** True when writing `next` would store exactly what is stored (upstream skips such writes). */
function sameStoredObject(current: KubeObject, next: KubeObject): boolean {
  return deepEqual(stripVolatile(current), stripVolatile(next));
}

function stripVolatile(obj: KubeObject): KubeObject {
  const { resourceVersion: _rv, managedFields, ...meta } = obj.metadata ?? {};
  // managedFields timestamps change on every write; compare ownership without them.
  const mf = managedFields?.map(({ time: _t, ...rest }) => rest);
  return { ...obj, metadata: { ...meta, managedFields: mf } };
}
