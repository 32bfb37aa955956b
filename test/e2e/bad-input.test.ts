// Bad input against a real `k8ts server`: every case gets a Kubernetes Status with upstream's code
// and reason, the server keeps serving, and nothing partial is stored.
//
// Requests go over HTTPS with the admin client certificate from the generated kubeconfig (and
// through the real kubectl where that is how users meet the error). Expected codes, reasons and
// messages are upstream kube-apiserver's (staging/src/k8s.io/apiserver/pkg/endpoints/handlers,
// plugin/pkg/admission/namespace/lifecycle, pkg/apis/core/validation).

import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request as httpsRequest } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadKubeconfig, type LoadedKubeconfig } from '../../src/apiserver/authn/kubeconfig.js';
import { kubectl, kubectlOk, startServer, waitFor, type ServerProcess } from './harness.js';

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

interface RequestOptions {
  body?: string | Buffer | object;
  contentType?: string;
  headers?: Record<string, string>;
  /** Send no client certificate. */
  anonymous?: boolean;
  timeoutMs?: number;
}

interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

interface Status {
  kind: string;
  apiVersion: string;
  status: string;
  message: string;
  reason: string;
  code: number;
  details?: { name?: string; group?: string; kind?: string; causes?: StatusCause[] };
}

const NS = 'bad';

function client(kc: LoadedKubeconfig) {
  const withCert = new Agent({ ca: kc.caPem, cert: kc.clientCertPem, key: kc.clientKeyPem, keepAlive: true, maxSockets: 32 });
  const noCert = new Agent({ ca: kc.caPem, keepAlive: false });
  const base = new URL(kc.server);
  const send = (method: string, path: string, opts: RequestOptions = {}): Promise<Reply> =>
    new Promise((resolve, reject) => {
      let payload: Buffer | undefined;
      if (opts.body !== undefined) {
        payload = Buffer.isBuffer(opts.body)
          ? opts.body
          : Buffer.from(typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body));
      }
      const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
      if (payload) {
        headers['Content-Type'] = opts.contentType ?? 'application/json';
        headers['Content-Length'] = String(payload.length);
      }
      let replied: Reply | undefined;
      const req = httpsRequest(
        {
          host: base.hostname,
          port: base.port,
          method,
          path,
          headers,
          agent: opts.anonymous ? noCert : withCert,
          timeout: opts.timeoutMs ?? 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            replied = { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') };
            resolve(replied);
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
      // A server that answers before reading a huge body may reset the connection while we are
      // still writing; the answer already read is what counts.
      req.on('error', (e) => (replied ? resolve(replied) : reject(e)));
      req.end(payload);
    });
  return {
    send,
    get: (path: string, opts?: RequestOptions) => send('GET', path, opts),
    post: (path: string, body: RequestOptions['body'], opts?: RequestOptions) => send('POST', path, { ...opts, body }),
    put: (path: string, body: RequestOptions['body'], opts?: RequestOptions) => send('PUT', path, { ...opts, body }),
    close() {
      withCert.destroy();
      noCert.destroy();
    },
  };
}

type Client = ReturnType<typeof client>;

function show(r: Reply): string {
  return `HTTP ${r.status} ${r.headers['content-type'] ?? ''}\n${r.body.slice(0, 2000)}`;
}

/** Asserts a Status error with upstream's shape, code and reason; returns it. */
function assertStatus(r: Reply, code: number, reason: string, message?: RegExp): Status {
  assert.equal(r.status, code, `expected HTTP ${code}, got:\n${show(r)}`);
  assert.match(String(r.headers['content-type']), /^application\/json/, `Status must be JSON:\n${show(r)}`);
  let s: Status;
  try {
    s = JSON.parse(r.body) as Status;
  } catch {
    assert.fail(`body is not JSON:\n${show(r)}`);
  }
  assert.equal(s.kind, 'Status', show(r));
  assert.equal(s.apiVersion, 'v1', show(r));
  assert.equal(s.status, 'Failure', show(r));
  assert.equal(s.code, code, show(r));
  assert.equal(s.reason, reason, show(r));
  assert.equal(typeof s.message, 'string', show(r));
  if (message) assert.match(s.message, message, show(r));
  return s;
}

function causeFor(s: Status, field: string): StatusCause {
  const c = s.details?.causes?.find((x) => x.field === field);
  assert.ok(c, `expected a cause for ${field}, got ${JSON.stringify(s.details)}`);
  return c;
}

const cm = (name: string | undefined, data: Record<string, string> = { k: 'v' }, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: name === undefined ? {} : { name },
  data,
  ...extra,
});

const pod = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec });

const CMS = `/api/v1/namespaces/${NS}/configmaps`;
const PODS = `/api/v1/namespaces/${NS}/pods`;

describe('bad input gets a Status and leaves nothing behind', () => {
  let server: ServerProcess;
  let api: Client;
  let tmp: string;

  /** Names of configmaps in NS that tests created on purpose. */
  const expectedCms = new Set<string>();
  const expectedPods = new Set<string>();

  async function names(path: string): Promise<string[]> {
    const r = await api.get(path);
    assert.equal(r.status, 200, show(r));
    const list = JSON.parse(r.body) as { items: { metadata: { name: string } }[] };
    return list.items.map((i) => i.metadata.name).sort();
  }

  /** Nothing but what the tests created on purpose is stored. */
  async function assertNothingPartial(): Promise<void> {
    assert.deepEqual(await names(CMS), [...expectedCms].sort(), 'configmaps in the test namespace');
    assert.deepEqual(await names(PODS), [...expectedPods].sort(), 'pods in the test namespace');
  }

  async function assertGone(path: string): Promise<void> {
    assertStatus(await api.get(path), 404, 'NotFound');
  }

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'k8ts-bad-input-'));
    // A fixed 1,000-event watch window, so a burst of writes pushes a resourceVersion out of it.
    server = await startServer({ datastore: 'sqlite', extraArgs: ['--watch-cache-max-events', '1000'] });
    api = client(await loadKubeconfig(server.kubeconfig));
    const r = await api.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    assert.equal(r.status, 201, show(r));
  });

  afterEach(async () => {
    // The server keeps serving after every case.
    assert.equal(server.proc.exitCode, null, `server exited:\n${server.stderr()}`);
    assert.equal(server.proc.signalCode, null, `server died:\n${server.stderr()}`);
    const ready = await api.get('/readyz');
    assert.equal(ready.status, 200, show(ready));
    await assertNothingPartial();
  });

  after(async () => {
    api?.close();
    await server?.cleanup();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  describe('undecodable bodies are 400 BadRequest', () => {
    it('malformed JSON', async () => {
      const s = assertStatus(
        await api.post(CMS, '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"badjson"'),
        400,
        'BadRequest',
        /the object provided is unrecognized \(must be of type ConfigMap\)/,
      );
      assert.match(s.message, /json parse error/);
      await assertGone(`${CMS}/badjson`);
    });

    it('malformed JSON through kubectl create --raw', () => {
      const file = join(tmp, 'bad.json');
      writeFileSync(file, '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"badraw"},"data":{');
      const r = kubectl(server, ['create', '--raw', CMS, '-f', file]);
      assert.notEqual(r.code, 0, r.stdout);
      assert.match(r.stderr, /Error from server \(BadRequest\)/);
    });

    it('malformed YAML', async () => {
      const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: badyaml\n data: [unclosed\n';
      assertStatus(
        await api.post(CMS, yaml, { contentType: 'application/yaml' }),
        400,
        'BadRequest',
        /error converting YAML to JSON/,
      );
      await assertGone(`${CMS}/badyaml`);
    });

    it('a body that is a JSON array, a string, or empty', async () => {
      for (const body of ['[{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"arr"}}]', '"configmap"', '']) {
        assertStatus(
          await api.send('POST', CMS, { body, contentType: 'application/json' }),
          400,
          'BadRequest',
          /the object provided is unrecognized \(must be of type ConfigMap\)/,
        );
      }
      await assertGone(`${CMS}/arr`);
    });

    it('an unknown kind, or another kind, in the body for the endpoint', async () => {
      assertStatus(
        await api.post(CMS, { apiVersion: 'v1', kind: 'Bogus', metadata: { name: 'bogus' } }),
        400,
        'BadRequest',
        /^Bogus in version "v1" cannot be handled as a ConfigMap: /,
      );
      assertStatus(
        await api.post(CMS, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'secret' }, stringData: { a: 'b' } }),
        400,
        'BadRequest',
        /^Secret in version "v1" cannot be handled as a ConfigMap: /,
      );
      await assertGone(`${CMS}/bogus`);
      await assertGone(`${CMS}/secret`);
      await assertGone(`/api/v1/namespaces/${NS}/secrets/secret`);
    });

    it('an unsupported Content-Type is 415 UnsupportedMediaType', async () => {
      for (const type of ['text/plain', 'application/xml']) {
        assertStatus(
          await api.post(CMS, JSON.stringify(cm('plain')), { contentType: type }),
          415,
          'UnsupportedMediaType',
          /^the body of the request was in an unknown format - accepted media types include: application\/json, application\/yaml/,
        );
      }
      await assertGone(`${CMS}/plain`);
    });

    it('a body over 3 MiB is 413 RequestEntityTooLarge', async () => {
      const big = cm('big', { blob: 'x'.repeat(3 * 1024 * 1024 + 1024) });
      assertStatus(await api.post(CMS, big), 413, 'RequestEntityTooLarge', /^Request entity too large: limit is 3145728$/);
      // The same connection pool keeps working, and the object is not there.
      await assertGone(`${CMS}/big`);
    });
  });

  it('an unknown resource path is 404 NotFound', async () => {
    for (const path of ['/api/v1/bogus', `/api/v1/namespaces/${NS}/bogus`, '/apis/nope.example.com/v1/things', '/apis/apps/v1/widgets']) {
      assertStatus(await api.get(path), 404, 'NotFound', /the server could not find the requested resource/);
    }
    assertStatus(await api.post(`/api/v1/namespaces/${NS}/bogus`, cm('viabogus')), 404, 'NotFound');
    await assertGone(`${CMS}/viabogus`);
  });

  describe('invalid objects are 422 Invalid with causes', () => {
    it('an invalid name', async () => {
      const s = assertStatus(
        await api.post(CMS, cm('Bad_Name')),
        422,
        'Invalid',
        /^ConfigMap "Bad_Name" is invalid: metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '\.'/,
      );
      assert.equal(s.details?.name, 'Bad_Name');
      assert.equal(s.details?.kind, 'ConfigMap');
      const c = causeFor(s, 'metadata.name');
      assert.equal(c.reason, 'FieldValueInvalid');
      assert.match(c.message ?? '', /^Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
    });

    it('an invalid name through kubectl', () => {
      const r = kubectl(server, ['-n', NS, 'create', '-f', '-'], {
        input: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\ndata:\n  k: v\n`,
      });
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /The ConfigMap "Bad_Name" is invalid: metadata\.name: Invalid value: "Bad_Name"/);
    });

    it('a name that is too long', async () => {
      const long = 'a'.repeat(254);
      const s = assertStatus(await api.post(CMS, cm(long)), 422, 'Invalid', /must be no more than 253 characters/);
      assert.equal(causeFor(s, 'metadata.name').reason, 'FieldValueInvalid');
      // Namespaces are DNS-1123 labels: at most 63 characters.
      const nsName = 'n'.repeat(64);
      const ns = assertStatus(
        await api.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: nsName } }),
        422,
        'Invalid',
        /must be no more than 63 characters/,
      );
      assert.equal(causeFor(ns, 'metadata.name').reason, 'FieldValueInvalid');
      await assertGone(`/api/v1/namespaces/${nsName}`);
    });

    it('an empty name (and no generateName)', async () => {
      for (const body of [cm(undefined), cm('')]) {
        const s = assertStatus(
          await api.post(CMS, body),
          422,
          'Invalid',
          /metadata\.name: Required value: name or generateName is required/,
        );
        assert.equal(causeFor(s, 'metadata.name').reason, 'FieldValueRequired');
      }
    });

    it('a Pod without containers', async () => {
      const s = assertStatus(
        await api.post(PODS, pod('nocontainers', {})),
        422,
        'Invalid',
        /^Pod "nocontainers" is invalid: spec\.containers: Required value$/,
      );
      assert.equal(s.details?.kind, 'Pod');
      assert.deepEqual(causeFor(s, 'spec.containers'), { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers' });
      const r = kubectl(server, ['-n', NS, 'create', '-f', '-'], {
        input: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: nocontainers\nspec: {}\n',
      });
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /The Pod "nocontainers" is invalid: spec\.containers: Required value/);
      await assertGone(`${PODS}/nocontainers`);
    });

    it('a Deployment without a selector', async () => {
      const deploy = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'noselector' },
        spec: {
          replicas: 1,
          template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
        },
      };
      const path = `/apis/apps/v1/namespaces/${NS}/deployments`;
      const s = assertStatus(await api.post(path, deploy), 422, 'Invalid', /^Deployment\.apps "noselector" is invalid: .*spec\.selector: Required value/);
      assert.equal(s.details?.group, 'apps');
      assert.equal(s.details?.kind, 'Deployment');
      assert.equal(causeFor(s, 'spec.selector').reason, 'FieldValueRequired');
      // A nil selector selects nothing, so upstream also reports that it does not match the labels.
      const labels = causeFor(s, 'spec.template.metadata.labels');
      assert.equal(labels.reason, 'FieldValueInvalid');
      assert.match(labels.message ?? '', /`selector` does not match template `labels`/);
      await assertGone(`${path}/noselector`);
      assert.deepEqual(await names(path), []);
    });
  });

  describe('unknown fields', () => {
    const withBogus = (name: string) => pod(name, { bogus: true, containers: [{ name: 'c', image: 'busybox' }] });

    it('fieldValidation=Strict rejects them with 400', async () => {
      assertStatus(
        await api.post(`${PODS}?fieldValidation=Strict`, withBogus('strict')),
        400,
        'BadRequest',
        /^Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec\.bogus"$/,
      );
      await assertGone(`${PODS}/strict`);
    });

    it('fieldValidation=Warn creates, drops the field and warns', async () => {
      const r = await api.post(`${PODS}?fieldValidation=Warn`, withBogus('warned'));
      assert.equal(r.status, 201, show(r));
      expectedPods.add('warned');
      assert.equal(r.headers['warning'], '299 - "unknown field \\"spec.bogus\\""');
      const got = JSON.parse((await api.get(`${PODS}/warned`)).body);
      assert.equal(got.spec.bogus, undefined, 'the unknown field is not stored');
      assert.equal(got.spec.containers[0].image, 'busybox');
    });

    it('fieldValidation=Ignore creates silently', async () => {
      const r = await api.post(`${PODS}?fieldValidation=Ignore`, withBogus('ignored'));
      assert.equal(r.status, 201, show(r));
      expectedPods.add('ignored');
      assert.equal(r.headers['warning'], undefined);
      assert.equal(JSON.parse(r.body).spec.bogus, undefined);
    });

    it('kubectl create -f of a file with an unknown field prints the strict decoding error', () => {
      const file = join(tmp, 'pod-bogus.yaml');
      writeFileSync(
        file,
        `apiVersion: v1\nkind: Pod\nmetadata:\n  name: fromfile\n  namespace: ${NS}\nspec:\n  bogus: 1\n  containers:\n  - name: c\n    image: busybox\n`,
      );
      const r = kubectl(server, ['create', '-f', file]);
      assert.notEqual(r.code, 0, r.stdout);
      assert.match(r.stderr, /Error from server \(BadRequest\): error when creating ".*pod-bogus\.yaml": /);
      assert.match(r.stderr, /strict decoding error: unknown field "spec\.bogus"/);
      const get = kubectl(server, ['-n', NS, 'get', 'pod', 'fromfile']);
      assert.notEqual(get.code, 0);
      assert.match(get.stderr, /pods "fromfile" not found/);
    });
  });

  it('a request without a client certificate is 401 Unauthorized', async () => {
    assertStatus(await api.get('/api/v1/namespaces', { anonymous: true }), 401, 'Unauthorized', /^Unauthorized$/);
    assertStatus(await api.post(CMS, cm('anon'), { anonymous: true }), 401, 'Unauthorized');
    assertStatus(
      await api.get('/api/v1/namespaces', { anonymous: true, headers: { Authorization: 'Bearer not-a-token' } }),
      401,
      'Unauthorized',
    );
    await assertGone(`${CMS}/anon`);
  });

  it('a PUT with a stale resourceVersion is 409 Conflict and changes nothing', async () => {
    const created = await api.post(CMS, cm('stale', { v: '1' }));
    assert.equal(created.status, 201, show(created));
    expectedCms.add('stale');
    const old = JSON.parse(created.body);
    const bumped = await api.send('PATCH', `${CMS}/stale`, {
      body: { data: { v: '2' } },
      contentType: 'application/merge-patch+json',
    });
    assert.equal(bumped.status, 200, show(bumped));
    const current = JSON.parse(bumped.body);
    const s = assertStatus(
      await api.put(`${CMS}/stale`, { ...old, data: { v: 'stale-write' } }),
      409,
      'Conflict',
      /^Operation cannot be fulfilled on configmaps "stale": the object has been modified; please apply your changes to the latest version and try again$/,
    );
    assert.equal(s.details?.name, 'stale');
    assert.equal(s.details?.kind, 'configmaps');
    const now = JSON.parse((await api.get(`${CMS}/stale`)).body);
    assert.deepEqual(now.data, { v: '2' });
    assert.equal(now.metadata.resourceVersion, current.metadata.resourceVersion);
  });

  it('creating in a missing namespace is 404 NotFound', async () => {
    const s = assertStatus(await api.post('/api/v1/namespaces/nope/configmaps', cm('orphan')), 404, 'NotFound', /^namespaces "nope" not found$/);
    assert.equal(s.details?.name, 'nope');
    assert.equal(s.details?.kind, 'namespaces');
    const list = await api.get('/api/v1/configmaps?fieldSelector=metadata.namespace%3Dnope');
    assert.equal(list.status, 200, show(list));
    assert.deepEqual(JSON.parse(list.body).items, []);
    await assertGone('/api/v1/namespaces/nope');
  });

  it('creating in a terminating namespace is 403 Forbidden', async () => {
    kubectlOk(server, ['create', 'namespace', 'doomed']);
    // A finalizer on content keeps the namespace Terminating even if a namespace controller runs.
    const held = await api.post('/api/v1/namespaces/doomed/configmaps', { ...cm('held'), metadata: { name: 'held', finalizers: ['example.com/hold'] } });
    assert.equal(held.status, 201, show(held));
    kubectlOk(server, ['delete', 'namespace', 'doomed', '--wait=false']);
    await waitFor('namespace doomed Terminating', () =>
      kubectl(server, ['get', 'namespace', 'doomed', '-o', 'jsonpath={.status.phase}']).stdout === 'Terminating',
    );
    const s = assertStatus(
      await api.post('/api/v1/namespaces/doomed/configmaps', cm('late')),
      403,
      'Forbidden',
      /^configmaps "late" is forbidden: unable to create new content in namespace doomed because it is being terminated$/,
    );
    assert.equal(s.details?.name, 'late');
    assert.equal(s.details?.kind, 'configmaps');
    await assertGone('/api/v1/namespaces/doomed/configmaps/late');
    const r = kubectl(server, ['-n', 'doomed', 'create', 'configmap', 'late2', '--from-literal=a=b']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /unable to create new content in namespace doomed because it is being terminated/);
  });

  it('creating what exists is 409 AlreadyExists and keeps the original', async () => {
    const first = await api.post(CMS, cm('dup', { v: 'first' }));
    assert.equal(first.status, 201, show(first));
    expectedCms.add('dup');
    const s = assertStatus(await api.post(CMS, cm('dup', { v: 'second' })), 409, 'AlreadyExists', /^configmaps "dup" already exists$/);
    assert.equal(s.details?.name, 'dup');
    assert.equal(s.details?.kind, 'configmaps');
    const now = JSON.parse((await api.get(`${CMS}/dup`)).body);
    assert.equal(now.metadata.uid, JSON.parse(first.body).metadata.uid);
    assert.deepEqual(now.data, { v: 'first' });
    const r = kubectl(server, ['-n', NS, 'create', 'configmap', 'dup', '--from-literal=v=third']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /configmaps "dup" already exists/);
  });

  it('an invalid label selector is 400 BadRequest', async () => {
    for (const sel of ['a in (', '!!x', 'a=b=c', 'a in (x,y']) {
      assertStatus(await api.get(`${CMS}?labelSelector=${encodeURIComponent(sel)}`), 400, 'BadRequest');
    }
    const r = kubectl(server, ['-n', NS, 'get', 'configmaps', '-l', 'a in (']);
    assert.notEqual(r.code, 0);
  });

  describe('watch from a resourceVersion the cache no longer holds', () => {
    async function watchEvents(path: string): Promise<{ type: string; object: Status }[]> {
      const r = await api.get(path, { timeoutMs: 20_000 });
      assert.equal(r.status, 200, `a watch answers 200 and reports the error as an event:\n${show(r)}`);
      return r.body
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l));
    }

    function assertExpired(events: { type: string; object: Status }[], rv: number): void {
      assert.equal(events.length, 1, `exactly one ERROR event, then the stream ends: ${JSON.stringify(events).slice(0, 500)}`);
      const [e] = events;
      assert.equal(e!.type, 'ERROR');
      assert.equal(e!.object.kind, 'Status');
      assert.equal(e!.object.apiVersion, 'v1');
      assert.equal(e!.object.status, 'Failure');
      assert.equal(e!.object.code, 410);
      assert.equal(e!.object.reason, 'Expired');
      assert.match(e!.object.message, new RegExp(`^too old resource version: ${rv} \\(\\d+\\)$`));
    }

    it('resourceVersion=1 is older than the cache', async () => {
      assertExpired(await watchEvents(`${CMS}?watch=true&resourceVersion=1&timeoutSeconds=10`), 1);
    });

    it('a resourceVersion pushed out of the ring by later writes', async () => {
      // This server's watch cache keeps exactly the last 1000 events per resource (by default it grows
      // during bursts, as upstream's cacher does); a resourceVersion outside the window is answered the same way.
      kubectlOk(server, ['create', 'namespace', 'churn']);
      const first = await api.post('/api/v1/namespaces/churn/configmaps', cm('churn-0'));
      assert.equal(first.status, 201, show(first));
      const rv = Number(JSON.parse(first.body).metadata.resourceVersion);
      // Still in the ring: the watch is accepted (it would stream until timeoutSeconds).
      const fresh = await watchEvents(`/api/v1/namespaces/churn/configmaps?watch=true&resourceVersion=${rv}&timeoutSeconds=1`);
      assert.ok(fresh.every((e) => e.type !== 'ERROR'), JSON.stringify(fresh).slice(0, 500));
      let next = 1;
      const worker = async () => {
        while (next <= 1100) {
          const i = next++;
          const r = await api.post('/api/v1/namespaces/churn/configmaps', cm(`churn-${i}`));
          assert.equal(r.status, 201, show(r));
        }
      };
      await Promise.all(Array.from({ length: 16 }, worker));
      assertExpired(await watchEvents(`/api/v1/namespaces/churn/configmaps?watch=true&resourceVersion=${rv}&timeoutSeconds=10`), rv);
      // A client that relists and watches from the list's resourceVersion is fine again.
      const list = JSON.parse((await api.get('/api/v1/namespaces/churn/configmaps?limit=1')).body);
      assert.equal(list.metadata.remainingItemCount, 1100);
      const again = await watchEvents(
        `/api/v1/namespaces/churn/configmaps?watch=true&resourceVersion=${list.metadata.resourceVersion}&timeoutSeconds=1`,
      );
      assert.ok(again.every((e) => e.type !== 'ERROR'), JSON.stringify(again).slice(0, 500));
    });
  });
});
