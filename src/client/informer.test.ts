import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/registry.js';
import { InformerFactory } from './factory.js';
import { DeletedFinalStateUnknown, SharedInformer, objectOf } from './informer.js';
import { RestClient } from './rest.js';
import { CONFIGMAPS, NAMESPACES, PODS } from './resources.js';
import { indexByLabel, indexByNodeName } from './store.js';
import { eventually, startProxy, startTestServer, type TestServer } from './testing/server.js';

let server: TestServer;
let client: RestClient;

before(async () => {
  // A fixed 1,000-event watch window, so the relist test can outrun it.
  server = await startTestServer({ extraArgs: ['--watch-cache-max-events', '1000'] });
  client = await RestClient.fromKubeconfig(server.kubeconfig);
  const ns = client.resource(NAMESPACES);
  for (const n of ['inf1', 'inf2', 'inf3']) await ns.create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: n } });
});
after(async () => {
  client.close();
  await server.stop();
});

const pod = (name: string, nodeName?: string, labels?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, ...(labels ? { labels } : {}) },
  spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'busybox' }] },
});

function recorder() {
  const log: string[] = [];
  return {
    log,
    handlers: {
      onAdd: (o: KubeObject, initial: boolean) => log.push(`add ${o.metadata?.name}${initial ? ' initial' : ''}`),
      onUpdate: (a: KubeObject, b: KubeObject) => log.push(`update ${a.metadata?.name} ${a.metadata?.resourceVersion}->${b.metadata?.resourceVersion}`),
      onDelete: (o: KubeObject | DeletedFinalStateUnknown<KubeObject>) =>
        log.push(`delete ${objectOf(o).metadata?.name}${o instanceof DeletedFinalStateUnknown ? ' tombstone' : ''}`),
    },
  };
}

describe('SharedInformer', () => {
  it('lists (paged), then sees adds, updates and deletes; indexes and listers follow', async () => {
    const pods = client.resource(PODS);
    for (let i = 0; i < 5; i++) await pods.create('inf1', pod(`pre${i}`, i % 2 ? 'node-a' : undefined, { app: i < 3 ? 'web' : 'db' }));
    const inf = new SharedInformer(client, PODS, { namespace: 'inf1', pageSize: 2, indexers: { nodeName: indexByNodeName, app: indexByLabel('app') } });
    const r = recorder();
    inf.addEventHandler(r.handlers);
    assert.equal(inf.hasSynced(), false);
    inf.start();
    await inf.waitForSync();
    assert.equal(inf.hasSynced(), true);
    assert.equal(r.log.filter((l) => l.endsWith('initial')).length, 5);
    assert.equal(inf.lister.list().length, 5);
    assert.equal(inf.lister.list('app=web').length, 3);
    assert.deepEqual(inf.lister.byIndex('nodeName', 'node-a').map((p) => p.metadata?.name).sort(), ['pre1', 'pre3']);
    assert.equal(inf.lister.byIndex('nodeName', '').length, 3);
    assert.equal(inf.lister.byIndex('app', 'db').length, 2);
    assert.equal(inf.lister.get('inf1', 'pre0')?.kind, 'Pod');

    r.log.length = 0;
    await pods.create('inf1', pod('new1'));
    await pods.createSubresource('inf1', 'new1', 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'new1' }, target: { kind: 'Node', name: 'node-b' } });
    await pods.delete('inf1', 'pre0', { gracePeriodSeconds: 0 });
    await eventually(() => inf.lister.get('inf1', 'pre0') === undefined && inf.lister.byIndex('nodeName', 'node-b').length === 1, 5000, 'events');
    assert.equal(r.log[0], 'add new1');
    assert.match(r.log[1]!, /^update new1 \d+->\d+$/);
    assert.ok(r.log.includes('delete pre0'), r.log.join('\n'));
    // a late handler gets the current contents replayed as adds
    const late = recorder();
    const remove = inf.addEventHandler(late.handlers);
    assert.equal(late.log.length, inf.indexer.size);
    remove();
    await inf.stop();
  });

  it('relists after 410 Expired and delivers missed deletes as tombstones; reconnects after connection loss', async () => {
    const proxy = await startProxy(server.url);
    const viaProxy = await RestClient.fromKubeconfig(server.kubeconfig, { server: proxy.url });
    const cms = client.resource(CONFIGMAPS);
    await cms.create('inf2', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'keep' }, data: { v: '0' } });
    await cms.create('inf2', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'gone' } });
    const errors: unknown[] = [];
    const inf = new SharedInformer(viaProxy, CONFIGMAPS, { namespace: 'inf2', backoffInitialMs: 50, backoffMaxMs: 200, onError: (e) => errors.push(e) });
    const r = recorder();
    inf.addEventHandler(r.handlers);
    inf.start();
    await inf.waitForSync();
    assert.equal(inf.listCount, 1);

    // 1. Plain connection loss: the watch resumes from its resourceVersion without a relist.
    proxy.cut();
    await cms.patch('inf2', 'keep', { data: { v: '1' } });
    await new Promise((res) => setTimeout(res, 150));
    proxy.restore();
    await eventually(() => (inf.lister.get('inf2', 'keep')?.['data'] as { v: string }).v === '1', 10_000, 'update after reconnect');
    assert.equal(inf.listCount, 1);
    assert.ok(errors.length > 0);

    // 2. Cut while more than the server's watch ring (1000 events) happens: the resume point is
    //    compacted away → 410 Expired → relist; the missed delete arrives as a tombstone.
    proxy.cut();
    await cms.delete('inf2', 'gone');
    await cms.create('inf3', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'churn' }, data: { i: '0' } });
    for (let i = 1; i <= 1100; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, j) => cms.patch('inf3', 'churn', { data: { [`k${(i + j) % 7}`]: String(i + j) } })));
    }
    await cms.create('inf2', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after' } });
    r.log.length = 0;
    proxy.restore();
    await eventually(() => inf.lister.get('inf2', 'after') !== undefined && inf.lister.get('inf2', 'gone') === undefined, 15_000, 'relist');
    assert.equal(inf.listCount, 2, 'relisted once');
    assert.ok(r.log.includes('delete gone tombstone'), r.log.join('\n'));
    assert.ok(r.log.includes('add after'), r.log.join('\n'));
    await inf.stop();
    viaProxy.close();
    await proxy.close();
  });

  it('InformerFactory shares one informer per resource and selection', async () => {
    const f = new InformerFactory(client);
    const a = f.informerFor(PODS, { namespace: 'inf1' });
    const b = f.informerFor(PODS, { namespace: 'inf1', indexers: { nodeName: indexByNodeName } });
    const c = f.informerFor(PODS, { namespace: 'inf1', labelSelector: 'app=web' });
    assert.equal(a, b);
    assert.notEqual(a, c);
    f.start();
    await f.waitForSync();
    assert.ok(a.hasSynced() && c.hasSynced());
    assert.ok(c.lister.list().every((p) => p.metadata?.labels?.['app'] === 'web'));
    assert.ok(a.lister.list().length > c.lister.list().length);
    const d = f.informerFor(CONFIGMAPS, { namespace: 'inf2' });
    await d.waitForSync(); // started automatically after factory start
    await f.stop();
  });

  it('resyncs periodically', async () => {
    const inf = new SharedInformer(client, CONFIGMAPS, { namespace: 'inf2' });
    let resyncs = 0;
    inf.addEventHandler({ onUpdate: (a, b) => a === b && resyncs++ }, { resyncPeriodMs: 50 });
    inf.start();
    await inf.waitForSync();
    await eventually(() => resyncs >= inf.indexer.size * 2, 3000, 'resyncs');
    await inf.stop();
  });
});
