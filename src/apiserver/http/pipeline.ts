// The request pipeline: authenticate, route (non-resource handlers, then resources), turn every
// failure into a Status, and record metrics. Authorization beyond "authenticated" comes later.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from '../../api/registry.js';
import { errors, StatusError } from '../../api/status.js';
import type { ApiserverMetrics } from '../metrics/metrics.js';
import { metricVerb } from '../metrics/metrics.js';
import type { ApiContext } from '../handlers/context.js';
import { handleResource } from '../handlers/rest.js';
import { parseResourceRequest } from './requestinfo.js';
import { writeError } from './respond.js';
import type { Authenticator, PathHandler } from './types.js';

/**
 * Paths anyone may read, as upstream's system:public-info-viewer allows, plus the cluster CA (public
 * data; a joining agent checks it against the hash in its node token, as k3s does).
 */
const PUBLIC_PATHS = new Set(['/healthz', '/livez', '/readyz', '/version', '/livez/ping', '/readyz/ping', '/healthz/ping', '/cacerts']);

export interface PipelineOptions {
  registry: Registry;
  authenticate: Authenticator;
  /** Tried in order for non-resource paths (health, version, discovery, openapi, metrics). */
  pathHandlers: PathHandler[];
  api: ApiContext;
  metrics: ApiserverMetrics;
}

export function createPipeline(opts: PipelineOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void handle(opts, req, res);
  };
}

async function handle(opts: PipelineOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = process.hrtime.bigint();
  const method = req.method ?? 'GET';
  const url = new URL(req.url ?? '/', 'https://apiserver');
  const rr = parseResourceRequest(method, url, opts.registry);
  const mutating = method !== 'GET' && method !== 'HEAD';
  const done = opts.metrics.startRequest(mutating ? 'mutating' : 'readOnly');
  let code = 500;
  try {
    const user = opts.authenticate(req);
    if (!user && !PUBLIC_PATHS.has(url.pathname)) throw errors.unauthorized();
    if (rr) {
      code = await handleResource(opts.api, rr, req, res, url);
    } else {
      let handled = false;
      for (const h of opts.pathHandlers) {
        if (await h(req, res, url)) {
          handled = true;
          break;
        }
      }
      if (!handled) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
      code = res.statusCode;
    }
  } catch (e) {
    code = writeError(res, e);
    if (code >= 500) console.error(`${method} ${url.pathname}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  } finally {
    done();
    const isApply = (req.headers['content-type'] ?? '').startsWith('application/apply-patch');
    opts.metrics.recordRequest({
      verb: metricVerb(method, {
        list: rr?.verb === 'list',
        watch: rr?.verb === 'watch',
        apply: isApply,
        collection: rr?.verb === 'deletecollection',
      }),
      group: rr?.group,
      version: rr?.version,
      resource: rr?.resource,
      subresource: rr?.subresource,
      scope: rr ? (rr.name ? 'resource' : rr.namespace ? 'namespace' : 'cluster') : '',
      code,
      durationSeconds: Number(process.hrtime.bigint() - started) / 1e9,
      dryRun: url.searchParams.has('dryRun'),
    });
  }
}
