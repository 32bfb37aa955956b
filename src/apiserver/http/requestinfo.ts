// Parses a resource URL into what the request is about, as upstream's RequestInfoFactory does:
//   /api/v1[/namespaces/<ns>]/<resource>[/<name>[/<subresource>]]
//   /apis/<group>/<version>[/namespaces/<ns>]/<resource>[/<name>[/<subresource>]]
// plus the deprecated /watch/ prefix after the group/version.

import type { Registry, ResourceDef } from '../../api/registry.js';

export type Verb =
  | 'get'
  | 'list'
  | 'watch'
  | 'create'
  | 'update'
  | 'patch'
  | 'delete'
  | 'deletecollection';

export interface ResourceRequest {
  verb: Verb;
  group: string;
  version: string;
  /** The resource's plural name as in the URL. */
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  def?: ResourceDef;
}

/** Returns null for paths that are not resource paths (discovery, openapi, health …). */
export function parseResourceRequest(method: string, url: URL, registry: Registry): ResourceRequest | null {
  const parts = url.pathname.split('/').filter((p) => p !== '');
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    version = parts[1]!;
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1]!;
    version = parts[2]!;
    rest = parts.slice(3);
  } else {
    return null;
  }
  rest = rest.map(decodeURIComponent);
  let legacyWatch = false;
  if (rest[0] === 'watch') {
    legacyWatch = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  // /namespaces/<ns>/<resource>… addresses a namespaced resource, unless <resource> is a
  // subresource of the namespace object itself (status, finalize).
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const candidate = registry.get(group, version, rest[2]!);
    if (candidate && candidate.namespaced) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
  }
  const [resource, name, subresource, ...extra] = rest;
  if (!resource || extra.length > 0) return null;
  const def = registry.get(group, version, resource);
  const watchParam = url.searchParams.get('watch');
  const watching = legacyWatch || watchParam === 'true' || watchParam === '1';
  let verb: Verb;
  switch (method) {
    case 'GET':
    case 'HEAD':
      verb = name && !subresource && !watching ? 'get' : name ? (watching ? 'watch' : 'get') : watching ? 'watch' : 'list';
      break;
    case 'POST':
      verb = 'create';
      break;
    case 'PUT':
      verb = 'update';
      break;
    case 'PATCH':
      verb = 'patch';
      break;
    case 'DELETE':
      verb = name ? 'delete' : 'deletecollection';
      break;
    default:
      verb = 'get';
  }
  return { verb, group, version, resource, namespace, name, subresource, def };
}
