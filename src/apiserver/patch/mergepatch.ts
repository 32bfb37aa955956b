// RFC 7386 JSON Merge Patch (application/merge-patch+json): objects merge recursively,
// `null` deletes, anything else (arrays included) replaces.
import { deepCopy, isObject, type JsonObject, type JsonValue } from './json.js';

/** Apply a merge patch to `doc`; returns a new document, never mutates its inputs. */
export function applyMergePatch(doc: JsonValue | undefined, patch: JsonValue): JsonValue {
  return mergeInto(deepCopy(doc), patch);
}

function mergeInto(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isObject(patch)) return deepCopy(patch);
  const out: JsonObject = isObject(target) ? target : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergeInto(out[k], v);
  }
  return out;
}
