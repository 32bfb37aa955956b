// Client compatibility: the oldest and newest kubectl on these machines (1.27, 1.33), the
// dispatcher's pick for our /version (1.32), and @kubernetes/client-node 1.4 (typed API, Watch,
// Informer) against one real `k8ts server`.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { kubectl, kubectlOk, startServer, waitFor, type ServerProcess } from './harness.js';

const MANIFEST = (ns: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${ns}
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.25
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: ${ns}
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 80
`;

describe('client compatibility', () => {
  let server: ServerProcess;
  before(async () => {
    server = await startServer({ datastore: 'sqlite' });
  });
  after(async () => {
    await server?.cleanup();
  });

  // undefined: the /usr/bin/kubectl dispatcher, which picks kubectl.1.<server minor> (32).
  for (const minor of [27, 33, undefined] as const) {
    const label = minor ? `kubectl 1.${minor}` : 'kubectl dispatcher (1.32)';
    const ns = `compat-${minor ?? 'dispatch'}`;
    describe(label, () => {
      const run = (args: string[], input?: string) => kubectlOk(server, args, { minor, input });

      it('is the expected client version', () => {
        const v = JSON.parse(run(['version', '-o', 'json'])) as { clientVersion: { minor: string }; serverVersion: { minor: string } };
        // Google's builds report e.g. "32+".
        assert.equal(parseInt(v.clientVersion.minor, 10), minor ?? 32);
        assert.equal(v.serverVersion.minor, '32');
      });

      it('create namespace', () => {
        assert.match(run(['create', 'namespace', ns]), new RegExp(`^namespace/${ns} created$`, 'm'));
        assert.match(run(['get', 'namespace', ns]), new RegExp(`^${ns}\\s+Active\\s+`, 'm'));
      });

      it('apply -f, then apply again reports unchanged', () => {
        const first = run(['apply', '-f', '-'], MANIFEST(ns));
        assert.match(first, /^deployment\.apps\/web created$/m);
        assert.match(first, /^service\/web created$/m);
        const again = run(['apply', '-f', '-'], MANIFEST(ns));
        assert.match(again, /^deployment\.apps\/web unchanged$/m);
        assert.match(again, /^service\/web unchanged$/m);
        const dep = JSON.parse(run(['-n', ns, 'get', 'deployment', 'web', '-o', 'json']));
        assert.equal(dep.spec.replicas, 2);
        assert.equal(dep.metadata.generation, 1, 'an unchanged apply does not bump generation');
        assert.ok(dep.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
      });

      it('get -o wide', () => {
        const out = run(['-n', ns, 'get', 'deployments,services', '-o', 'wide']);
        assert.match(out, /NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR/);
        assert.match(out, /deployment\.apps\/web\s+0\/2\s+\d+\s+\d+\s+\S+\s+web\s+nginx:1\.25\s+app=web/);
        assert.match(out, /NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\s+SELECTOR/);
        assert.match(out, /service\/web\s+ClusterIP\s+\S+\s+<none>\s+80\/TCP\s+\S+\s+app=web/);
      });

      it('get all', () => {
        const out = run(['-n', ns, 'get', 'all']);
        assert.match(out, /^deployment\.apps\/web\s+/m);
        assert.match(out, /^service\/web\s+ClusterIP\s+/m);
      });

      it('describe', () => {
        const dep = run(['-n', ns, 'describe', 'deployment', 'web']);
        assert.match(dep, /^Name:\s+web$/m);
        assert.match(dep, new RegExp(`^Namespace:\\s+${ns}$`, 'm'));
        assert.match(dep, /^Selector:\s+app=web$/m);
        assert.match(dep, /^Replicas:\s+2 desired/m);
        assert.match(dep, /Image:\s+nginx:1\.25/);
        const svc = run(['-n', ns, 'describe', 'service', 'web']);
        assert.match(svc, /^Type:\s+ClusterIP$/m);
        assert.match(svc, /^Port:\s+<unset>\s+80\/TCP$/m);
      });

      it('explain deployment.spec', () => {
        const out = run(['explain', 'deployment.spec']);
        assert.match(out, /KIND:\s+Deployment/);
        assert.match(out, /replicas\s+<integer>/);
        assert.match(out, /selector\s+<(LabelSelector|Object)>\s+-required-/);
        assert.match(out, /template\s+<(PodTemplateSpec|Object)>\s+-required-/);
      });

      it('api-resources', () => {
        const out = run(['api-resources']);
        assert.match(out, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
        assert.match(out, /^services\s+svc\s+v1\s+true\s+Service$/m);
        assert.match(out, /^namespaces\s+ns\s+v1\s+false\s+Namespace$/m);
      });

      it('delete', () => {
        const out = run(['delete', '-f', '-'], MANIFEST(ns));
        assert.match(out, /deployment\.apps "web" deleted/);
        assert.match(out, /service "web" deleted/);
        const get = kubectl(server, ['-n', ns, 'get', 'deployment', 'web'], { minor });
        assert.notEqual(get.code, 0);
        assert.match(get.stderr, /deployments\.apps "web" not found/);
        assert.match(run(['delete', 'namespace', ns, '--wait=false']), new RegExp(`namespace "${ns}" deleted`));
      });
    });
  }

  describe('@kubernetes/client-node 1.4', () => {
    const ns = 'node-client';
    let kc: k8s.KubeConfig;
    let core: k8s.CoreV1Api;

    const statusOf = (e: unknown): { code: number; body: { kind?: string; reason?: string; message?: string } } => {
      assert.ok(e instanceof k8s.ApiException, `expected an ApiException, got ${String(e)}`);
      const body = typeof e.body === 'string' ? JSON.parse(e.body) : e.body;
      return { code: e.code, body };
    };

    before(async () => {
      kc = new k8s.KubeConfig();
      kc.loadFromFile(server.kubeconfig);
      core = kc.makeApiClient(k8s.CoreV1Api);
      await core.createNamespace({ body: { metadata: { name: ns } } });
    });

    it('creates, lists, reads, patches and deletes a ConfigMap', async () => {
      const created = await core.createNamespacedConfigMap({
        namespace: ns,
        body: { metadata: { name: 'cfg', labels: { app: 'demo' } }, data: { a: '1' } },
      });
      assert.equal(created.metadata?.name, 'cfg');
      assert.ok(created.metadata?.uid);
      assert.match(created.metadata?.resourceVersion ?? '', /^\d+$/);

      const list = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'app=demo' });
      assert.deepEqual(list.items.map((i) => i.metadata?.name), ['cfg']);
      assert.match(list.metadata?.resourceVersion ?? '', /^\d+$/);

      const read = await core.readNamespacedConfigMap({ name: 'cfg', namespace: ns });
      assert.equal(read.metadata?.uid, created.metadata?.uid);
      assert.deepEqual(read.data, { a: '1' });

      // client-node's default patch type is JSON Patch.
      const jp = await core.patchNamespacedConfigMap({
        name: 'cfg',
        namespace: ns,
        body: [{ op: 'replace', path: '/data/a', value: '2' }],
      });
      assert.deepEqual(jp.data, { a: '2' });
      const mp = await core.patchNamespacedConfigMap(
        { name: 'cfg', namespace: ns, body: { data: { b: '3' } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      );
      assert.deepEqual(mp.data, { a: '2', b: '3' });
      const smp = await core.patchNamespacedConfigMap(
        { name: 'cfg', namespace: ns, body: { metadata: { labels: { tier: 'x' } } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch),
      );
      assert.deepEqual(smp.metadata?.labels, { app: 'demo', tier: 'x' });
      assert.ok(Number(smp.metadata?.resourceVersion) > Number(created.metadata?.resourceVersion));

      await assert.rejects(
        core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'cfg' } } }),
        (e) => {
          const s = statusOf(e);
          assert.equal(s.code, 409);
          assert.equal(s.body.reason, 'AlreadyExists');
          return true;
        },
      );

      await core.deleteNamespacedConfigMap({ name: 'cfg', namespace: ns });
      await assert.rejects(core.readNamespacedConfigMap({ name: 'cfg', namespace: ns }), (e) => {
        const s = statusOf(e);
        assert.equal(s.code, 404);
        assert.equal(s.body.kind, 'Status');
        assert.equal(s.body.reason, 'NotFound');
        assert.equal(s.body.message, 'configmaps "cfg" not found');
        return true;
      });
    });

    it('a Watch sees ADDED, MODIFIED and DELETED', async () => {
      const list = await core.listNamespacedConfigMap({ namespace: ns });
      const seen: string[] = [];
      let doneErr: unknown = 'not done';
      const watch = new k8s.Watch(kc);
      const ctl = await watch.watch(
        `/api/v1/namespaces/${ns}/configmaps`,
        { resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: true },
        (type, obj: k8s.V1ConfigMap) => {
          if (type !== 'BOOKMARK') seen.push(`${type} ${obj.metadata?.name} ${JSON.stringify(obj.data ?? {})}`);
        },
        (err) => (doneErr = err),
      );
      try {
        await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'watched' }, data: { v: '1' } } });
        await core.patchNamespacedConfigMap({ name: 'watched', namespace: ns, body: [{ op: 'replace', path: '/data/v', value: '2' }] });
        await core.deleteNamespacedConfigMap({ name: 'watched', namespace: ns });
        await waitFor('DELETED event', () => seen.length >= 3);
        assert.deepEqual(seen, ['ADDED watched {"v":"1"}', 'MODIFIED watched {"v":"2"}', 'DELETED watched {"v":"2"}']);
        assert.equal(doneErr, 'not done', 'the watch stays open');
      } finally {
        ctl.abort();
      }
    });

    it('an Informer lists, then sees add, update and delete', async () => {
      await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'pre' }, data: { v: '0' } } });
      const informer = k8s.makeInformer<k8s.V1ConfigMap>(kc, `/api/v1/namespaces/${ns}/configmaps`, () =>
        core.listNamespacedConfigMap({ namespace: ns }),
      );
      const events: string[] = [];
      const errors: unknown[] = [];
      informer.on('add', (o) => events.push(`add ${o.metadata?.name}`));
      informer.on('update', (o) => events.push(`update ${o.metadata?.name} ${o.data?.['v']}`));
      informer.on('delete', (o) => events.push(`delete ${o.metadata?.name}`));
      informer.on('error', (e) => errors.push(e));
      await informer.start();
      try {
        await waitFor('initial list', () => events.includes('add pre'));
        assert.ok(informer.get('pre', ns), 'the cache holds the listed object');
        await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'inf' }, data: { v: '1' } } });
        await waitFor('add inf', () => events.includes('add inf'));
        await core.patchNamespacedConfigMap(
          { name: 'inf', namespace: ns, body: { data: { v: '2' } } },
          k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
        );
        await waitFor('update inf', () => events.includes('update inf 2'));
        assert.equal(informer.get('inf', ns)?.data?.['v'], '2');
        await core.deleteNamespacedConfigMap({ name: 'inf', namespace: ns });
        await waitFor('delete inf', () => events.includes('delete inf'));
        assert.equal(informer.get('inf', ns), undefined);
        assert.deepEqual(events, ['add pre', 'add inf', 'update inf 2', 'delete inf']);
        assert.deepEqual(errors, []);
      } finally {
        await informer.stop();
      }
    });
  });
});
