import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CONFIGMAPS, NAMESPACES, PODS, SECRETS, isNotFound, type RestClient } from '../../client/index.js';
import { eventually, startTestServer, type TestServer } from '../../client/testing/server.js';
import { runControllers, type RunningControllers } from '../testing.js';
import { newNamespaceController } from './controller.js';
import { CONTENT_REMAINING, FINALIZERS_REMAINING } from './conditions.js';
import type { Namespace } from './deleter.js';

let server: TestServer;
let running: RunningControllers;
let client: RestClient;

before(async () => {
  server = await startTestServer();
  running = await runControllers(server.kubeconfig, [newNamespaceController({ remainingBackoffMaxMs: 300 })]);
  client = running.client;
});
after(async () => {
  await running?.stop();
  await server?.stop();
});

const gone = async (fn: () => Promise<unknown>) => {
  try {
    await fn();
    return false;
  } catch (e) {
    if (isNotFound(e)) return true;
    throw e;
  }
};

describe('namespace controller', () => {
  it('deleting a namespace removes everything in it, then the namespace', async () => {
    const ns = client.resource<Namespace>(NAMESPACES);
    await ns.create(undefined, { metadata: { name: 'doomed' } });
    await ns.create(undefined, { metadata: { name: 'bystander' } });
    const cms = client.resource(CONFIGMAPS);
    for (let i = 0; i < 5; i++) await cms.create('doomed', { metadata: { name: `cm${i}` }, data: { i: String(i) } });
    await cms.create('bystander', { metadata: { name: 'keep' } });
    await client.resource(SECRETS).create('doomed', { metadata: { name: 's' }, stringData: { a: 'b' } });
    await client.resource(PODS).create('doomed', { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    // A deployment (apps group): found through discovery, not a fixed list.
    await client.request({
      method: 'POST',
      path: '/apis/apps/v1/namespaces/doomed/deployments',
      body: {
        metadata: { name: 'd' },
        spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
      },
    });

    await ns.delete(undefined, 'doomed');
    await eventually(() => gone(() => ns.get(undefined, 'doomed')), 20_000, 'namespace doomed to go');
    const left = await cms.list('doomed');
    assert.equal(left.items.length, 0);
    assert.equal((await client.resource(PODS).list('doomed')).items.length, 0);
    // Other namespaces are untouched.
    assert.ok(await cms.get('bystander', 'keep'));
    assert.ok(await ns.get(undefined, 'bystander'));
  });

  it('waits for content held by finalizers, reporting it in conditions', async () => {
    const ns = client.resource<Namespace>(NAMESPACES);
    await ns.create(undefined, { metadata: { name: 'held' } });
    const cms = client.resource(CONFIGMAPS);
    await cms.create('held', { metadata: { name: 'pinned', finalizers: ['example.com/hold'] } });
    await cms.create('held', { metadata: { name: 'free' } });
    await ns.delete(undefined, 'held');

    let seen: Namespace | undefined;
    await eventually(async () => {
      seen = await ns.get(undefined, 'held');
      return seen.status?.conditions?.find((c) => c.type === FINALIZERS_REMAINING)?.status === 'True';
    }, 20_000, 'FinalizersRemaining condition');
    assert.equal(seen!.status?.phase, 'Terminating');
    const remaining = seen!.status!.conditions!.find((c) => c.type === CONTENT_REMAINING)!;
    assert.equal(remaining.status, 'True');
    assert.equal(remaining.reason, 'SomeResourcesRemain');
    assert.match(remaining.message!, /configmaps\. has 1 resource instances/);
    assert.match(seen!.status!.conditions!.find((c) => c.type === FINALIZERS_REMAINING)!.message!, /example\.com\/hold in 1 resource instances/);
    assert.deepEqual(seen!.spec?.finalizers, ['kubernetes']);
    assert.ok(await gone(() => cms.get('held', 'free')));

    // Release the finalizer: the configmap goes, then the namespace.
    const pinned = await cms.get('held', 'pinned');
    await cms.update('held', { ...pinned, metadata: { ...pinned.metadata, finalizers: [] } });
    await eventually(() => gone(() => ns.get(undefined, 'held')), 20_000, 'namespace held to go');
  });
});
