// `GET /metrics` in the Prometheus text format.

import { errors } from '../../api/status.js';
import type { PathHandler } from '../http/types.js';
import { apiserverMetrics, type ApiserverMetrics } from './metrics.js';

export function metricsHandler(metrics: ApiserverMetrics = apiserverMetrics()): PathHandler {
  return async (req, res, url) => {
    if (url.pathname !== '/metrics') return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') throw errors.methodNotAllowed('the server does not allow this method on the requested resource');
    const body = await metrics.registry.metrics();
    res.writeHead(200, {
      'Content-Type': metrics.registry.contentType,
      'Content-Length': Buffer.byteLength(body),
      'Cache-Control': 'no-cache',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}
