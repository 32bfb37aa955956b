import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApiserverMetrics, metricVerb, REQUEST_DURATION_BUCKETS } from './metrics.js';
import { metricsHandler } from './handler.js';

test('recordRequest fills apiserver_request_total and the duration histogram', async () => {
  const m = createApiserverMetrics({ process: false });
  m.recordRequest({ verb: 'list', group: 'apps', version: 'v1', resource: 'deployments', scope: 'namespace', code: 200, durationSeconds: 0.03 });
  m.recordRequest({ verb: 'LIST', group: 'apps', version: 'v1', resource: 'deployments', scope: 'namespace', code: 200, durationSeconds: 0.3 });
  m.recordRequest({ verb: 'PATCH', group: '', version: 'v1', resource: 'pods', subresource: 'status', scope: 'resource', code: 422, durationSeconds: 0.001 });
  const text = await m.registry.metrics();
  assert.match(
    text,
    /apiserver_request_total\{verb="LIST",dry_run="",group="apps",version="v1",resource="deployments",subresource="",scope="namespace",component="apiserver",code="200"\} 2/,
  );
  assert.match(text, /apiserver_request_total\{verb="PATCH",[^}]*subresource="status",[^}]*code="422"\} 1/);
  assert.match(text, /apiserver_request_duration_seconds_bucket\{le="0.05",verb="LIST",[^}]*\} 1/);
  assert.match(text, /apiserver_request_duration_seconds_bucket\{le="0.4",verb="LIST",[^}]*\} 2/);
  assert.match(text, /apiserver_request_duration_seconds_count\{verb="LIST",[^}]*\} 2/);
  assert.equal(REQUEST_DURATION_BUCKETS.at(-1), 60);
});

test('startRequest tracks in-flight requests per kind', async () => {
  const m = createApiserverMetrics({ process: false });
  const end1 = m.startRequest('readOnly');
  const end2 = m.startRequest('readOnly');
  m.startRequest('mutating');
  end1();
  end1();
  const text = await m.registry.metrics();
  assert.match(text, /apiserver_current_inflight_requests\{request_kind="readOnly"\} 1/);
  assert.match(text, /apiserver_current_inflight_requests\{request_kind="mutating"\} 1/);
  end2();
});

test('metricVerb', () => {
  assert.equal(metricVerb('GET'), 'GET');
  assert.equal(metricVerb('GET', { list: true }), 'LIST');
  assert.equal(metricVerb('GET', { list: true, watch: true }), 'WATCH');
  assert.equal(metricVerb('PATCH', { apply: true }), 'APPLY');
  assert.equal(metricVerb('DELETE', { collection: true }), 'DELETECOLLECTION');
  assert.equal(metricVerb('post'), 'POST');
});

test('/metrics serves the Prometheus text format, with process metrics', async (t) => {
  const m = createApiserverMetrics();
  const h = metricsHandler(m);
  const server = createServer(async (req, res) => {
    if (!(await h(req, res, new URL(req.url!, 'http://x')))) {
      res.writeHead(599);
      res.end();
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  t.after(() => server.close());
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const res = await fetch(`${base}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type')!, /^text\/plain/);
  const text = await res.text();
  assert.match(text, /# TYPE apiserver_request_total counter/);
  assert.match(text, /process_cpu_user_seconds_total/);
  assert.equal((await fetch(`${base}/metricsx`)).status, 599);
});
