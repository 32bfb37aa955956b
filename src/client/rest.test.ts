import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, isAlreadyExists, isConflict, isNotFound } from './errors.js';
import { RestClient } from './rest.js';
import { CONFIGMAPS, NODES, PODS } from './resources.js';
import type { WatchEvent } from './watch.js';
import type { KubeObject } from '../api/registry.js';
import { startTestServer, type TestServer } from './testing/server.js';
import { parseKubeconfig } from './kubeconfig.js';

let server: TestServer;
let client: RestClient;

before(async () => {
  server = await startTestServer();
  client = await RestClient.fromKubeconfig(server.kubeconfig);
});
after(async () => {
  client.close();
  await server.stop();
});

const cm = (name: string, data: Record<string, string> = {}, labels?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, ...(labels ? { labels } : {}) },
  data,
});

describe('kubeconfig', () => {
  it('resolves the current context with inline data', async () => {
    const text = [
      'apiVersion: v1',
      'kind: Config',
      'current-context: c',
      'contexts: [{name: c, context: {cluster: k, user: u, namespace: ns1}}]',
      `clusters: [{name: k, cluster: {server: "https://h:6443", certificate-authority-data: ${Buffer.from('CA').toString('base64')}}}]`,
      'users: [{name: u, user: {token: abc}}]',
    ].join('\n');
    const cfg = await parseKubeconfig(text);
    assert.equal(cfg.server, 'https://h:6443');
    assert.equal(cfg.caPem, 'CA');
    assert.equal(cfg.token, 'abc');
    assert.equal(cfg.namespace, 'ns1');
  });
});

describe('RestClient', () => {
  it('creates, gets, updates, patches and deletes over TLS with a client certificate', async () => {
    const cms = client.resource(CONFIGMAPS);
    const created = await cms.create('default', cm('a', { k: '1' }));
    assert.equal(created.metadata?.name, 'a');
    assert.ok(created.metadata?.resourceVersion);
    const got = await cms.get('default', 'a');
    assert.deepEqual(got['data'], { k: '1' });

    const updated = await cms.update('default', { ...got, data: { k: '2' } });
    assert.deepEqual(updated['data'], { k: '2' });
    // stale resourceVersion → 409 Conflict
    await assert.rejects(cms.update('default', { ...got, data: { k: '3' } }), (e) => isConflict(e) && (e as ApiError).code === 409);

    const merged = await cms.patch('default', 'a', { data: { x: 'y' } }, 'merge');
    assert.deepEqual(merged['data'], { k: '2', x: 'y' });
    const jp = await cms.patch('default', 'a', [{ op: 'remove', path: '/data/x' }], 'json');
    assert.deepEqual(jp['data'], { k: '2' });
    const smp = await cms.patch('default', 'a', { metadata: { labels: { l: 'v' } } }, 'strategic');
    assert.deepEqual(smp.metadata?.labels, { l: 'v' });

    await assert.rejects(cms.create('default', cm('a')), (e) => isAlreadyExists(e));
    await cms.delete('default', 'a');
    await assert.rejects(cms.get('default', 'a'), (e: unknown) => {
      assert.ok(e instanceof ApiError);
      assert.equal(e.code, 404);
      assert.equal(e.reason, 'NotFound');
      assert.match(e.message, /not found/);
      return isNotFound(e);
    });
  });

  it('lists with selectors and pages', async () => {
    const cms = client.resource(CONFIGMAPS);
    await Promise.all(Array.from({ length: 7 }, (_, i) => cms.create('default', cm(`p${i}`, {}, { grp: i % 2 ? 'odd' : 'even' }))));
    const odd = await cms.list('default', { labelSelector: 'grp=odd' });
    assert.deepEqual(odd.items.map((o) => o.metadata?.name).sort(), ['p1', 'p3', 'p5']);
    const byName = await cms.list('default', { fieldSelector: 'metadata.name=p4' });
    assert.equal(byName.items.length, 1);
    const page = await cms.list('default', { limit: 3, labelSelector: 'grp' });
    assert.equal(page.items.length, 3);
    assert.ok(page.metadata.continue);
    const all = await cms.listAll('default', { limit: 2, labelSelector: 'grp' });
    assert.equal(all.items.length, 7);
    assert.ok(all.metadata.resourceVersion);
  });

  it('binds a pod through pods/binding and updates status', async () => {
    const nodes = client.resource(NODES);
    await nodes.create(undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } });
    const pods = client.resource(PODS);
    await pods.create('default', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'bp' },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    });
    await pods.createSubresource('default', 'bp', 'binding', {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: 'bp' },
      target: { apiVersion: 'v1', kind: 'Node', name: 'n1' },
    });
    const bound = await pods.get('default', 'bp');
    assert.equal((bound['spec'] as { nodeName?: string }).nodeName, 'n1');
    // Binding writes straight to storage as upstream's does: no managedFields entry for the binder.
    assert.deepEqual(
      bound.metadata?.managedFields?.map((m) => [m.operation, m.subresource ?? '']),
      [['Update', '']],
    );
    const withStatus = await pods.updateStatus('default', { ...bound, status: { phase: 'Running', podIP: '10.0.0.5' } });
    assert.equal((withStatus['status'] as { phase: string }).phase, 'Running');
  });

  it('watches and stops', async () => {
    const cms = client.resource(CONFIGMAPS);
    const list = await cms.list('default');
    const events: WatchEvent<KubeObject>[] = [];
    const w = cms.watch('default', { resourceVersion: list.metadata.resourceVersion!, allowWatchBookmarks: true }, { onEvent: (e) => events.push(e) });
    await cms.create('default', cm('w1'));
    await cms.patch('default', 'w1', { data: { a: 'b' } });
    await cms.delete('default', 'w1');
    const t0 = Date.now();
    while (events.filter((e) => e.type !== 'BOOKMARK').length < 3 && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 20));
    w.stop();
    await w.done;
    assert.deepEqual(
      events.filter((e) => e.type !== 'BOOKMARK').map((e) => [e.type, e.object.metadata?.name]),
      [['ADDED', 'w1'], ['MODIFIED', 'w1'], ['DELETED', 'w1']],
    );
  });

  it('rejects a watch from a too-old resourceVersion with 410 Expired', async () => {
    const cms = client.resource(CONFIGMAPS);
    const w = cms.watch('default', { resourceVersion: '1' }, { onEvent: () => {} });
    // either an ERROR event or an HTTP 410 — both surface as ApiError 410 (if the ring still holds rv 1, nothing happens)
    const outcome = await Promise.race([w.done.then(() => 'closed', (e) => e), new Promise((r) => setTimeout(() => r('open'), 500))]);
    w.stop();
    if (outcome instanceof ApiError) assert.equal(outcome.code, 410);
  });

  it('a silent watch with idleTimeoutMs ends with an error', async () => {
    const cms = client.resource(CONFIGMAPS);
    const list = await cms.list('kube-public');
    const w = cms.watch('kube-public', { resourceVersion: list.metadata.resourceVersion!, idleTimeoutMs: 200 }, { onEvent: () => {} });
    await assert.rejects(w.done, /no data for 200 ms/);
  });

  it('rate limits with a token bucket', async () => {
    const slow = await RestClient.fromKubeconfig(server.kubeconfig, { qps: 20, burst: 2 });
    const t0 = performance.now();
    for (let i = 0; i < 6; i++) await slow.request({ path: '/version' });
    const ms = performance.now() - t0;
    slow.close();
    assert.ok(ms >= 150, `6 requests at qps 20 burst 2 took ${ms} ms`);
  });

  it('raw requests', async () => {
    const res = await client.requestRaw({ path: '/livez' });
    assert.equal(res.statusCode, 200);
    const v = await client.request<{ major: string }>({ path: '/version' });
    assert.equal(v.major, '1');
  });
});
