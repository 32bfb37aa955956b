// Wires the patch engines (JSON patch, merge patch, strategic merge patch, server-side apply) and
// field ownership tracking to the schemas of the served resources.

import type { KubeObject, ResourceDef } from '../../api/registry.js';
import type { SchemaNode, SchemaSet } from '../../api/schema/types.js';
import { errors } from '../../api/status.js';
import { parseJson, parseYaml } from '../http/body.js';
import { applyJsonPatch } from '../patch/jsonpatch.js';
import { applyMergePatch } from '../patch/mergepatch.js';
import { applyStrategicMergePatch } from '../patch/strategic.js';
import { applyPatch as serverSideApply, unsupportedPatchType, updateManagedFields } from '../patch/index.js';
import type { JsonObject, JsonValue } from '../patch/json.js';
import type { PatchRequest } from './context.js';
import type { ObjectHooks } from './objectstore.js';

/** Fields a main-resource write never owns when the resource has a status subresource. */
function ignoredPaths(def: ResourceDef, subresource?: string): string[][] {
  const hasStatus = def.subresources?.includes('status') ?? false;
  if (!hasStatus) return [];
  return subresource === 'status' ? [['spec'], ['metadata']] : [['status']];
}

export interface Patcher {
  applyPatch(req: PatchRequest): KubeObject;
  trackFields: NonNullable<ObjectHooks['trackFields']>;
}

export function createPatcher(schemas: SchemaSet): Patcher {
  const schemaOf = (def: ResourceDef): SchemaNode | undefined => schemas.forKind(def.group, def.version, def.kind);
  const apiVersionOf = (def: ResourceDef) => (def.group ? `${def.group}/${def.version}` : def.version);

  return {
    applyPatch(req: PatchRequest): KubeObject {
      const { def, contentType, live, body } = req;
      // The scale subresource patches an autoscaling/v1 Scale, whose schema is not the resource's.
      const schema = req.subresource === 'scale' ? schemas.forKind('autoscaling', 'v1', 'Scale') : schemaOf(def);
      switch (contentType) {
        case 'application/json-patch+json':
          if (!live) throw errors.notFound(def.group, def.plural, '');
          return asObject(applyJsonPatch(live as unknown as JsonValue, parseJson(body)));
        case 'application/merge-patch+json':
          if (!live) throw errors.notFound(def.group, def.plural, '');
          return asObject(applyMergePatch(live as unknown as JsonValue, parseJson(body) as JsonValue));
        case 'application/strategic-merge-patch+json':
          if (!live) throw errors.notFound(def.group, def.plural, '');
          return applyStrategicMergePatch(live as unknown as JsonObject, parseJson(body), schema) as KubeObject;
        case 'application/apply-patch+yaml': {
          const applied = parseYaml(body);
          if (applied === null || typeof applied !== 'object' || Array.isArray(applied)) {
            throw errors.badRequest('error decoding YAML: the apply configuration must be an object');
          }
          const a = applied as KubeObject;
          if (a.apiVersion !== apiVersionOf(def) && req.subresource !== 'scale') {
            throw errors.badRequest(`error decoding YAML: apiVersion ${JSON.stringify(a.apiVersion ?? '')} does not match the expected ${apiVersionOf(def)}`);
          }
          if (!schema) throw errors.badRequest(`no schema for ${def.kind}: server-side apply is not available for it`);
          const result = serverSideApply({
            live,
            applied: a,
            manager: req.manager,
            force: req.force,
            schema,
            now: new Date(),
            apiVersion: apiVersionOf(def),
            subresource: req.subresource,
            ignoredPaths: ignoredPaths(def, req.subresource),
          });
          return result.object as KubeObject;
        }
        default:
          throw unsupportedPatchType();
      }
    },
    trackFields({ def, old, updated, manager, subresource }) {
      const schema = schemaOf(def);
      if (!schema) return;
      const result = updateManagedFields({
        old: old as JsonObject | null,
        updated: updated as JsonObject,
        manager,
        operation: 'Update',
        subresource,
        schema,
        now: new Date(),
        apiVersion: apiVersionOf(def),
        ignoredPaths: ignoredPaths(def, subresource),
      });
      // Only managedFields come back changed; everything else stays as the caller built it.
      const meta = (updated.metadata ??= {});
      if (result.managedFields.length > 0) meta.managedFields = result.managedFields as NonNullable<typeof meta.managedFields>;
      else delete meta.managedFields;
    },
  };
}

function asObject(v: JsonValue): KubeObject {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw errors.badRequest('the patch must produce an object');
  }
  return v as KubeObject;
}
