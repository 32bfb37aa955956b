// The apiserver's Prometheus metrics, named and labelled as upstream's so existing dashboards and
// queries work: request counts and latencies per verb/group/version/resource, in-flight requests,
// and the process/runtime metrics prom-client collects.

import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Upstream's buckets for apiserver_request_duration_seconds. */
export const REQUEST_DURATION_BUCKETS = [
  0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60,
];

const DURATION_LABELS = ['verb', 'dry_run', 'group', 'version', 'resource', 'subresource', 'scope', 'component'] as const;
const TOTAL_LABELS = [...DURATION_LABELS, 'code'] as const;

export interface RequestRecord {
  /** Upstream's metric verb: GET, LIST, WATCH, POST, PUT, PATCH, APPLY, DELETE, DELETECOLLECTION, CONNECT. Upper-cased. */
  verb: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  /** 'resource' (one named object), 'namespace', 'cluster', or '' for non-resource paths. */
  scope?: string;
  /** Default 'apiserver'. */
  component?: string;
  /** HTTP status code. */
  code: number;
  /** Seconds from arrival to the end of the response. */
  durationSeconds: number;
  dryRun?: boolean;
}

export type RequestKind = 'readOnly' | 'mutating';

export interface ApiserverMetrics {
  registry: Registry;
  requestTotal: Counter<(typeof TOTAL_LABELS)[number]>;
  requestDuration: Histogram<(typeof DURATION_LABELS)[number]>;
  inflight: Gauge<'request_kind'>;
  recordRequest(r: RequestRecord): void;
  /** Count a request in flight until the returned function is called (idempotent). */
  startRequest(kind: RequestKind): () => void;
}

/** A fresh set of metrics in its own registry (with process metrics unless `process: false`). */
export function createApiserverMetrics(opts: { process?: boolean } = {}): ApiserverMetrics {
  const registry = new Registry();
  if (opts.process !== false) collectDefaultMetrics({ register: registry });
  const requestTotal = new Counter({
    name: 'apiserver_request_total',
    help: 'Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.',
    labelNames: TOTAL_LABELS,
    registers: [registry],
  });
  const requestDuration = new Histogram({
    name: 'apiserver_request_duration_seconds',
    help: 'Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.',
    labelNames: DURATION_LABELS,
    buckets: REQUEST_DURATION_BUCKETS,
    registers: [registry],
  });
  const inflight = new Gauge({
    name: 'apiserver_current_inflight_requests',
    help: 'Maximal number of currently used inflight request limit of this apiserver per request kind in last second.',
    labelNames: ['request_kind'] as const,
    registers: [registry],
  });
  inflight.set({ request_kind: 'readOnly' }, 0);
  inflight.set({ request_kind: 'mutating' }, 0);

  return {
    registry,
    requestTotal,
    requestDuration,
    inflight,
    recordRequest(r) {
      const labels = {
        verb: r.verb.toUpperCase(),
        dry_run: r.dryRun ? 'All' : '',
        group: r.group ?? '',
        version: r.version ?? '',
        resource: r.resource ?? '',
        subresource: r.subresource ?? '',
        scope: r.scope ?? '',
        component: r.component ?? 'apiserver',
      };
      requestTotal.inc({ ...labels, code: String(r.code) });
      requestDuration.observe(labels, r.durationSeconds);
    },
    startRequest(kind) {
      inflight.inc({ request_kind: kind });
      let done = false;
      return () => {
        if (done) return;
        done = true;
        inflight.dec({ request_kind: kind });
      };
    },
  };
}

let shared: ApiserverMetrics | undefined;

/** The process-wide apiserver metrics (created on first use). */
export function apiserverMetrics(): ApiserverMetrics {
  return (shared ??= createApiserverMetrics());
}

/** Record one finished request in the process-wide metrics. */
export function recordRequest(r: RequestRecord): void {
  apiserverMetrics().recordRequest(r);
}

/** Upstream's metric verb for an HTTP method plus what the request is (list/watch/apply …). */
export function metricVerb(method: string, opts: { list?: boolean; watch?: boolean; apply?: boolean; collection?: boolean; connect?: boolean } = {}): string {
  const m = method.toUpperCase();
  if (opts.connect) return 'CONNECT';
  if (m === 'GET' || m === 'HEAD') return opts.watch ? 'WATCH' : opts.list ? 'LIST' : 'GET';
  if (m === 'PATCH' && opts.apply) return 'APPLY';
  if (m === 'DELETE' && opts.collection) return 'DELETECOLLECTION';
  return m;
}
