// PATCH entry point: pick the patch engine by Content-Type, apply it, and track field ownership.
import { parse as parseYaml } from 'yaml';
import type { SchemaNode } from '../../api/schema/types.js';
import { StatusError } from '../../api/status.js';
import { applyPatch, type ApplyResult } from './apply.js';
import { deepEqual, isObject, type JsonObject, type JsonValue } from './json.js';
import { applyJsonPatch } from './jsonpatch.js';
import { updateManagedFields, type ManagedFieldsEntry } from './managedfields.js';
import { applyMergePatch } from './mergepatch.js';
import { applyStrategicMergePatch } from './strategic.js';

export { applyPatch, conflictError, LAST_APPLIED_ANNOTATION, type ApplyOptions, type ApplyResult } from './apply.js';
export { applyJsonPatch } from './jsonpatch.js';
export { applyMergePatch } from './mergepatch.js';
export { applyStrategicMergePatch } from './strategic.js';
export {
  decodeManagedFields,
  encodeManagedFields,
  managerFromUserAgent,
  updateManagedFields,
  type ManagedFieldsEntry,
  type UpdateManagedFieldsOptions,
} from './managedfields.js';
export { FieldSet, pathString, type Path, type PathElement } from './fieldpath.js';
export { toFieldSet } from './typed.js';

export const JSON_PATCH = 'application/json-patch+json';
export const MERGE_PATCH = 'application/merge-patch+json';
export const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';
export const APPLY_PATCH_YAML = 'application/apply-patch+yaml';
export const APPLY_PATCH_CBOR = 'application/apply-patch+cbor';

export interface PatchOptions {
  /** fieldManager, or managerFromUserAgent(User-Agent) when the request names none (not for apply). */
  manager: string;
  force?: boolean;
  now?: Date;
  /** "group/version" of the resource, e.g. "apps/v1". */
  apiVersion: string;
  /** When given, an apply configuration must be of this kind (and apiVersion). */
  kind?: string;
  subresource?: string;
  /** Top-level paths reset by this write, e.g. [["status"]]. */
  ignoredPaths?: string[][];
  /** False for resources without strategic merge patch support (custom resources): 415. */
  strategicSupported?: boolean;
}

export interface PatchResult {
  object: JsonObject;
  managedFields: ManagedFieldsEntry[];
  /** False when the patch changed nothing (an unchanged apply). */
  changed: boolean;
}

function acceptedTypes(strategic: boolean): string[] {
  return strategic ? [JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH, APPLY_PATCH_YAML] : [JSON_PATCH, MERGE_PATCH, APPLY_PATCH_YAML];
}

export function unsupportedPatchType(strategic = true): StatusError {
  return new StatusError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${acceptedTypes(strategic).join(', ')}`,
  );
}

function invalidPatchOptions(field: string, reason: 'FieldValueRequired' | 'FieldValueForbidden', detail: string): StatusError {
  return new StatusError(422, 'Invalid', `PatchOptions.meta.k8s.io "" is invalid: ${field}: ${detail}`, {
    group: 'meta.k8s.io',
    kind: 'PatchOptions',
    causes: [{ reason, message: detail, field }],
  });
}

function decodeJson(body: string): JsonValue {
  try {
    return JSON.parse(body) as JsonValue;
  } catch {
    throw new StatusError(400, 'BadRequest', 'invalid JSON patch');
  }
}

function patchedObject(v: JsonValue): JsonObject {
  if (!isObject(v)) {
    throw new StatusError(422, 'Invalid', ` "" is invalid: patch: Invalid value: ${JSON.stringify(JSON.stringify(v))}: the patch must produce an object`, {
      causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: the patch must produce an object', field: 'patch' }],
    });
  }
  return v;
}

function gvkString(apiVersion: unknown, kind: unknown): string {
  const av = typeof apiVersion === 'string' ? apiVersion : '';
  const [group, version] = av.includes('/') ? av.split('/', 2) : ['', av];
  return `${group}/${version}, Kind=${typeof kind === 'string' ? kind : ''}`;
}

/**
 * Apply a PATCH body of the given Content-Type to `live` (null: the object does not exist, which
 * only apply accepts). Tracks field ownership for every patch type.
 */
export function applyPatchByContentType(
  contentType: string,
  live: object | null,
  patchBody: Buffer | string,
  schema: SchemaNode | undefined,
  opts: PatchOptions,
): PatchResult {
  const type = contentType.split(';')[0].trim().toLowerCase();
  const strategic = opts.strategicSupported ?? true;
  const body = typeof patchBody === 'string' ? patchBody : patchBody.toString('utf8');
  const now = opts.now ?? new Date();

  if (type === APPLY_PATCH_YAML) {
    if (!opts.manager) invalidPatchOptionsThrow('fieldManager', 'FieldValueRequired', 'Required value: is required for apply requests');
    let applied: unknown;
    try {
      applied = parseYaml(body);
    } catch (e) {
      throw new StatusError(400, 'BadRequest', `error decoding patch: ${(e as Error).message}`);
    }
    if (applied === null || applied === undefined) applied = {};
    if (!isObject(applied)) throw new StatusError(400, 'BadRequest', 'error decoding patch: the apply configuration must be an object');
    if (opts.kind !== undefined && (applied.apiVersion !== opts.apiVersion || applied.kind !== opts.kind)) {
      throw new StatusError(400, 'BadRequest', `invalid object type: ${gvkString(applied.apiVersion, applied.kind)}`);
    }
    if (opts.kind === undefined && applied.apiVersion !== opts.apiVersion) {
      throw new StatusError(
        400,
        'BadRequest',
        `Incorrect version specified in apply patch. Specified patch version: ${typeof applied.apiVersion === 'string' ? applied.apiVersion : ''}, expected: ${opts.apiVersion}`,
      );
    }
    const r: ApplyResult = applyPatch({
      live,
      applied,
      manager: opts.manager,
      force: opts.force ?? false,
      schema,
      now,
      apiVersion: opts.apiVersion,
      subresource: opts.subresource,
      ignoredPaths: opts.ignoredPaths,
    });
    return r;
  }
  if (type === JSON_PATCH || type === MERGE_PATCH || (type === STRATEGIC_MERGE_PATCH && strategic)) {
    if (opts.force) invalidPatchOptionsThrow('force', 'FieldValueForbidden', 'Forbidden: may not be specified for non-apply patch');
    if (!live) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    const patch = decodeJson(body);
    let out: JsonValue;
    if (type === JSON_PATCH) out = applyJsonPatch(live as JsonValue, patch);
    else if (type === MERGE_PATCH) out = applyMergePatch(live as JsonValue, patch);
    else out = applyStrategicMergePatch(live as JsonObject, patch, schema);
    const patched = patchedObject(out);
    const tracked = updateManagedFields({
      old: live,
      updated: patched,
      manager: opts.manager,
      operation: 'Update',
      subresource: opts.subresource,
      schema,
      now,
      apiVersion: opts.apiVersion,
      ignoredPaths: opts.ignoredPaths,
    });
    return { ...tracked, changed: !deepEqual(tracked.object, live) };
  }
  throw unsupportedPatchType(strategic);
}

function invalidPatchOptionsThrow(field: string, reason: 'FieldValueRequired' | 'FieldValueForbidden', detail: string): never {
  throw invalidPatchOptions(field, reason, detail);
}
