// Loads k8ts's protobuf schema (one module per upstream package) into a protobufjs Root, once,
// and maps an apiVersion/kind to its message type.
import protobuf from 'protobufjs';
import apps from './apps.proto.js';
import authentication from './authentication.proto.js';
import authorization from './authorization.proto.js';
import batch from './batch.proto.js';
import core from './core.proto.js';
import intstr from './intstr.proto.js';
import meta from './meta.proto.js';
import networking from './networking.proto.js';
import policy from './policy.proto.js';
import rbac from './rbac.proto.js';
import resource from './resource.proto.js';
import runtime from './runtime.proto.js';
import scheduling from './scheduling.proto.js';
import { KINDS } from './kinds.js';

export const META_PACKAGE = 'k8s.io.apimachinery.pkg.apis.meta.v1';

/** API group → protobuf package prefix (the version is appended). */
const GROUP_PACKAGES: Record<string, string> = {
  '': 'k8s.io.api.core',
  apps: 'k8s.io.api.apps',
  batch: 'k8s.io.api.batch',
  'authorization.k8s.io': 'k8s.io.api.authorization',
  'authentication.k8s.io': 'k8s.io.api.authentication',
  policy: 'k8s.io.api.policy',
  'rbac.authorization.k8s.io': 'k8s.io.api.rbac',
  'networking.k8s.io': 'k8s.io.api.networking',
  'scheduling.k8s.io': 'k8s.io.api.scheduling',
  'meta.k8s.io': 'k8s.io.apimachinery.pkg.apis.meta',
};

/** Kinds every group-version accepts (upstream registers the meta options types in each). */
const SHARED_META_KINDS = new Set(['DeleteOptions']);

let root: protobuf.Root | undefined;

export function schemaRoot(): protobuf.Root {
  if (!root) {
    const r = new protobuf.Root();
    for (const src of [meta, runtime, intstr, resource, core, apps, batch, authorization, authentication, policy, rbac, networking, scheduling]) {
      protobuf.parse(src, r, { keepCase: true });
    }
    r.resolveAll();
    root = r;
  }
  return root;
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** The message type registered for apiVersion/kind, or undefined when no such kind is known. */
export function messageTypeFor(apiVersion: string, kind: string): protobuf.Type | undefined {
  const { group, version } = splitApiVersion(apiVersion);
  const prefix = GROUP_PACKAGES[group];
  if (!prefix || !version) return undefined;
  const pkg = `${prefix}.${version}`;
  if (SHARED_META_KINDS.has(kind)) return schemaRoot().lookupType(`${META_PACKAGE}.${kind}`);
  if (!KINDS[pkg]?.includes(kind)) return undefined;
  return schemaRoot().lookupType(`${pkg}.${kind}`);
}

/** Upstream's internal package name for a group ("core", "apps", …), used in conversion errors. */
export function internalPackage(apiVersion: string): string {
  const prefix = GROUP_PACKAGES[splitApiVersion(apiVersion).group];
  return prefix ? prefix.split('.').pop()! : 'unknown';
}
