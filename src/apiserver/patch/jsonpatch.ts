// RFC 6902 JSON Patch (application/json-patch+json), with upstream's error mapping:
// an undecodable patch is 400 BadRequest; an operation that cannot be applied (failed `test`,
// missing path, unknown op) is 422 Invalid with the generic message upstream uses.
import fjp from 'fast-json-patch';
import { StatusError } from '../../api/status.js';
import { isObject, type JsonValue } from './json.js';

/** Upstream's limit on the number of operations in one JSON patch. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

const ERR_UNPROCESSABLE = 'the server rejected our request due to an error in our request';

/** Decode and validate the shape of a JSON patch document (400 on failure). */
export function decodeJsonPatch(patch: unknown): fjp.Operation[] {
  if (!Array.isArray(patch)) {
    const got = patch === null ? 'null' : isObject(patch) ? 'object' : typeof patch;
    throw new StatusError(400, 'BadRequest', `json: cannot unmarshal ${got} into Go value of type jsonpatch.Patch`);
  }
  for (const op of patch) {
    if (!isObject(op)) {
      throw new StatusError(400, 'BadRequest', `json: cannot unmarshal ${Array.isArray(op) ? 'array' : typeof op} into Go value of type jsonpatch.Operation`);
    }
  }
  if (patch.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new StatusError(
      413,
      'RequestEntityTooLarge',
      `The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${patch.length}`,
    );
  }
  return patch as unknown as fjp.Operation[];
}

/** The error upstream returns when a JSON patch fails to apply (NewGenericServerResponse 422). */
export function unprocessablePatch(): StatusError {
  return new StatusError(422, 'Invalid', ERR_UNPROCESSABLE, {});
}

/** Apply an RFC 6902 patch to `doc`; returns a new document, never mutates `doc`. */
export function applyJsonPatch(doc: JsonValue, patch: unknown): JsonValue {
  const ops = decodeJsonPatch(patch);
  try {
    // validate=true makes `test` failures and unresolvable paths throw; mutate=false clones first.
    return fjp.applyPatch(doc, ops, true, false).newDocument as JsonValue;
  } catch (e) {
    if (e instanceof StatusError) throw e;
    throw unprocessablePatch();
  }
}
