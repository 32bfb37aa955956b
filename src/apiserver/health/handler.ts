// /livez, /readyz, /healthz in upstream's text format:
//   200 `ok`, or with ?verbose one line per check (`[+]ping ok`) and `livez check passed`;
//   500 with the full listing (`[-]store failed: reason withheld`) and `livez check failed`.
// `/livez/<check>` runs one check; `?exclude=<check>` (repeatable) skips checks.

import type { ServerResponse } from 'node:http';
import { errors } from '../../api/status.js';
import type { PathHandler } from '../http/types.js';
import type { Endpoint, HealthChecks } from './checks.js';

const ENDPOINTS = new Set<Endpoint>(['livez', 'readyz', 'healthz']);

export function healthHandler(checks: HealthChecks): PathHandler {
  return async (req, res, url) => {
    const parts = url.pathname.split('/').filter(Boolean);
    const endpoint = parts[0] as Endpoint;
    if (!ENDPOINTS.has(endpoint) || parts.length > 2) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') throw errors.methodNotAllowed('the server does not allow this method on the requested resource');
    const head = req.method === 'HEAD';

    if (parts.length === 2) {
      const check = checks.for(endpoint).find((c) => c.name === parts[1]);
      if (!check) return false;
      const r = await checks.run(check);
      if (r.ok) text(res, 200, 'ok', head);
      else text(res, 500, `internal server error: ${r.error}\n`, head);
      return true;
    }

    const exclude = new Set(url.searchParams.getAll('exclude').flatMap((e) => e.split(',')).filter(Boolean));
    const results = await checks.runAll(endpoint, exclude);
    const known = new Set(results.map((r) => r.name));
    const unknown = [...exclude].filter((e) => !known.has(e));
    const failed = results.some((r) => !r.ok);
    const verbose = url.searchParams.has('verbose');
    if (!failed && !verbose) {
      text(res, 200, 'ok', head);
      return true;
    }
    let body = '';
    for (const r of results) {
      if (r.excluded) body += `[+]${r.name} excluded: ok\n`;
      else if (r.ok) body += `[+]${r.name} ok\n`;
      else body += `[-]${r.name} failed: reason withheld\n`;
    }
    if (unknown.length) body += `warn: some health checks cannot be excluded: no matches for ${unknown.map((u) => `"${u}"`).join(',')}\n`;
    body += `${endpoint} check ${failed ? 'failed' : 'passed'}\n`;
    text(res, failed ? 500 : 200, body, head);
    return true;
  };
}

function text(res: ServerResponse, code: number, body: string, head: boolean): void {
  res.writeHead(code, {
    'Content-Type': 'text/plain; charset=utf-8',
    'X-Content-Type-Options': 'nosniff',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-cache, private',
  });
  res.end(head ? undefined : body);
}
