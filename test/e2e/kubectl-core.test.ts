// The core verbs of real kubectl against a real `k8ts server` (sqlite store).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { kubectl, kubectlBackground, kubectlOk, startServer, waitFor, type ServerProcess } from './harness.js';

const MANIFEST = (image: string, env: string, port: number) => `
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
data:
  mode: fast
---
apiVersion: v1
kind: Secret
metadata:
  name: creds
  namespace: shop
data:
  password: czNjcmV0
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
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
        image: ${image}
        env:
        - name: MODE
          value: "${env}"
        ports:
        - containerPort: ${port}
      - name: sidecar
        image: busybox:1.36
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: ${port}
`;

describe('kubectl against k8ts server', () => {
  let server: ServerProcess;
  before(async () => {
    server = await startServer({ datastore: 'sqlite' });
  });
  after(async () => {
    await server?.cleanup();
  });

  it('applies a multi-document manifest, then reports unchanged, then patches only what changed', () => {
    const first = kubectlOk(server, ['apply', '-f', '-'], { input: MANIFEST('nginx:1.25', 'a', 8080) });
    assert.match(first, /namespace\/shop created/);
    assert.match(first, /configmap\/settings created/);
    assert.match(first, /secret\/creds created/);
    assert.match(first, /deployment.apps\/web created/);
    assert.match(first, /service\/web created/);

    const again = kubectlOk(server, ['apply', '-f', '-'], { input: MANIFEST('nginx:1.25', 'a', 8080) });
    for (const line of again.trim().split('\n')) assert.match(line, /unchanged$/);

    const diff = kubectl(server, ['diff', '-f', '-'], { input: MANIFEST('nginx:1.26', 'b', 9090) });
    assert.equal(diff.code, 1, `diff should report changes: ${diff.stderr}`);
    assert.match(diff.stdout, /-\s+image: nginx:1.25/);
    assert.match(diff.stdout, /\+\s+image: nginx:1.26/);

    const changed = kubectlOk(server, ['apply', '-f', '-'], { input: MANIFEST('nginx:1.26', 'b', 9090) });
    assert.match(changed, /deployment.apps\/web configured/);
    assert.match(changed, /configmap\/settings unchanged/);
    const dep = JSON.parse(kubectlOk(server, ['-n', 'shop', 'get', 'deployment', 'web', '-o', 'json']));
    const [web, sidecar] = dep.spec.template.spec.containers;
    assert.equal(web.image, 'nginx:1.26');
    assert.deepEqual(web.env, [{ name: 'MODE', value: 'b' }]);
    assert.equal(web.ports[0].containerPort, 9090);
    assert.equal(sidecar.image, 'busybox:1.36', 'the untouched container is kept');
    assert.equal(dep.metadata.generation, 2);
  });

  it('gets in every output format', () => {
    const plain = kubectlOk(server, ['-n', 'shop', 'get', 'deployments']);
    assert.match(plain, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE/m);
    assert.match(plain, /^web\s+/m);
    const wide = kubectlOk(server, ['-n', 'shop', 'get', 'deployments', '-o', 'wide']);
    assert.match(wide, /CONTAINERS\s+IMAGES\s+SELECTOR/);
    assert.match(wide, /nginx:1.26,busybox:1.36/);
    const yaml = kubectlOk(server, ['-n', 'shop', 'get', 'configmap', 'settings', '-o', 'yaml']);
    assert.match(yaml, /mode: fast/);
    const jp = kubectlOk(server, ['-n', 'shop', 'get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas}']);
    assert.equal(jp, '2');
    const all = kubectlOk(server, ['get', 'namespaces', '--show-labels']);
    assert.match(all, /shop\s+Active\s+\S+\s+kubernetes.io\/metadata.name=shop/);
    const allNs = kubectlOk(server, ['get', 'configmaps', '-A']);
    assert.match(allNs, /^NAMESPACE\s+NAME\s+DATA\s+AGE/m);
    assert.match(allNs, /^shop\s+settings\s+1\s/m);
  });

  it('selects by label and field, pages, and sorts', () => {
    for (const n of ['c1', 'c2', 'c3', 'c4', 'c5']) {
      kubectlOk(server, ['-n', 'shop', 'create', 'configmap', n, `--from-literal=k=${n}`]);
      kubectlOk(server, ['-n', 'shop', 'label', 'configmap', n, `tier=${n === 'c1' || n === 'c2' ? 'front' : 'back'}`]);
    }
    const front = kubectlOk(server, ['-n', 'shop', 'get', 'cm', '-l', 'tier=front', '-o', 'name']);
    assert.deepEqual(front.trim().split('\n'), ['configmap/c1', 'configmap/c2']);
    const notFront = kubectlOk(server, ['-n', 'shop', 'get', 'cm', '-l', 'tier in (back),tier!=front', '-o', 'name']);
    assert.equal(notFront.trim().split('\n').length, 3);
    const byName = kubectlOk(server, ['-n', 'shop', 'get', 'cm', '--field-selector', 'metadata.name=c4', '-o', 'name']);
    assert.equal(byName.trim(), 'configmap/c4');
    const chunked = kubectlOk(server, ['-n', 'shop', 'get', 'cm', '--chunk-size=2', '-o', 'name']);
    assert.ok(chunked.includes('configmap/c5') && chunked.includes('configmap/settings'));
    const sorted = kubectlOk(server, ['-n', 'shop', 'get', 'cm', '-l', 'tier', '--sort-by', '.data.k', '-o', 'name']);
    assert.deepEqual(sorted.trim().split('\n'), ['configmap/c1', 'configmap/c2', 'configmap/c3', 'configmap/c4', 'configmap/c5']);
    const bad = kubectl(server, ['-n', 'shop', 'get', 'cm', '--field-selector', 'spec.bogus=1']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /field label not supported/);
  });

  it('describes, explains and lists api-resources', () => {
    const desc = kubectlOk(server, ['-n', 'shop', 'describe', 'deployment', 'web']);
    assert.match(desc, /Name:\s+web/);
    assert.match(desc, /Replicas:\s+2 desired/);
    const explain = kubectlOk(server, ['explain', 'pod.spec.containers']);
    assert.match(explain, /KIND:\s+Pod/);
    assert.match(explain, /image\s+<string>/);
    const res = kubectlOk(server, ['api-resources']);
    assert.match(res, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment/m);
    assert.match(res, /^pods\s+po\s+v1\s+true\s+Pod/m);
    const all = kubectlOk(server, ['-n', 'shop', 'get', 'all']);
    assert.match(all, /deployment.apps\/web/);
    assert.match(all, /service\/web/);
  });

  it('labels, annotates and patches with all three patch types', () => {
    kubectlOk(server, ['-n', 'shop', 'label', 'cm', 'settings', 'team=a']);
    kubectlOk(server, ['-n', 'shop', 'annotate', 'cm', 'settings', 'note=hello']);
    kubectlOk(server, ['-n', 'shop', 'patch', 'cm', 'settings', '--type=merge', '-p', '{"data":{"extra":"1"}}']);
    kubectlOk(server, ['-n', 'shop', 'patch', 'cm', 'settings', '--type=json', '-p', '[{"op":"replace","path":"/data/mode","value":"slow"}]']);
    kubectlOk(server, ['-n', 'shop', 'patch', 'deployment', 'web', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox:1.37"}]}}}}']);
    const cm = JSON.parse(kubectlOk(server, ['-n', 'shop', 'get', 'cm', 'settings', '-o', 'json']));
    assert.equal(cm.metadata.labels.team, 'a');
    assert.equal(cm.metadata.annotations.note, 'hello');
    assert.deepEqual(cm.data, { mode: 'slow', extra: '1' });
    const dep = JSON.parse(kubectlOk(server, ['-n', 'shop', 'get', 'deploy', 'web', '-o', 'json']));
    assert.deepEqual(
      dep.spec.template.spec.containers.map((c: { image: string }) => c.image),
      ['nginx:1.26', 'busybox:1.37'],
    );
  });

  it('replace with a stale resourceVersion is a Conflict', () => {
    const stale = kubectlOk(server, ['-n', 'shop', 'get', 'cm', 'c1', '-o', 'json']);
    kubectlOk(server, ['-n', 'shop', 'label', 'cm', 'c1', 'bump=1']);
    const r = kubectl(server, ['replace', '-f', '-'], { input: stale });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Operation cannot be fulfilled on configmaps "c1": the object has been modified/);
  });

  it('creates with the protobuf-bodied create subcommands', () => {
    kubectlOk(server, ['create', 'namespace', 'pb']);
    kubectlOk(server, ['-n', 'pb', 'create', 'configmap', 'cfg', '--from-literal=a=b']);
    kubectlOk(server, ['-n', 'pb', 'create', 'secret', 'generic', 'sec', '--from-literal=k=v']);
    kubectlOk(server, ['-n', 'pb', 'create', 'deployment', 'dep', '--image=busybox', '--replicas=2', '--port=80']);
    kubectlOk(server, ['-n', 'pb', 'create', 'job', 'job1', '--image=busybox', '--', 'echo', 'hi']);
    kubectlOk(server, ['-n', 'pb', 'create', 'serviceaccount', 'robot']);
    kubectlOk(server, ['-n', 'pb', 'create', 'cronjob', 'cj', '--image=busybox', '--schedule=*/5 * * * *', '--', 'date']);
    const sec = JSON.parse(kubectlOk(server, ['-n', 'pb', 'get', 'secret', 'sec', '-o', 'json']));
    assert.equal(Buffer.from(sec.data.k, 'base64').toString(), 'v');
    const dep = JSON.parse(kubectlOk(server, ['-n', 'pb', 'get', 'deploy', 'dep', '-o', 'json']));
    assert.equal(dep.spec.replicas, 2);
    assert.equal(dep.spec.template.spec.containers[0].ports[0].containerPort, 80);
    const job = JSON.parse(kubectlOk(server, ['-n', 'pb', 'get', 'job', 'job1', '-o', 'json']));
    assert.deepEqual(job.spec.template.spec.containers[0].command, ['echo', 'hi']);
    assert.equal(job.spec.template.spec.restartPolicy, 'Never');
  });

  it('scales a deployment through the scale subresource', () => {
    kubectlOk(server, ['-n', 'shop', 'scale', 'deployment', 'web', '--replicas=5']);
    const jp = kubectlOk(server, ['-n', 'shop', 'get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas}']);
    assert.equal(jp, '5');
  });

  it('streams get -w as a table', async () => {
    const w = kubectlBackground(server, ['-n', 'shop', 'get', 'configmaps', '-w', '--output-watch-events']);
    try {
      await waitFor('initial list', () => /ADDED\s+settings/.test(w.output()));
      kubectlOk(server, ['-n', 'shop', 'create', 'configmap', 'watched', '--from-literal=a=1']);
      kubectlOk(server, ['-n', 'shop', 'label', 'configmap', 'watched', 'x=y']);
      kubectlOk(server, ['-n', 'shop', 'delete', 'configmap', 'watched']);
      await waitFor('ADDED/MODIFIED/DELETED', () => /DELETED\s+watched/.test(w.output()));
      const out = w.output();
      assert.match(out, /EVENT\s+NAME\s+DATA\s+AGE/);
      assert.match(out, /ADDED\s+watched\s+1/);
      assert.match(out, /MODIFIED\s+watched\s+1/);
    } finally {
      w.proc.kill();
    }
  });

  it('server-side apply reports a conflict for a field another manager owns', () => {
    const cm = (value: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ssa
  namespace: shop
data:
  owner: ${value}
`;
    assert.match(kubectlOk(server, ['apply', '--server-side', '-f', '-'], { input: cm('first') }), /serverside-applied/);
    const r = kubectl(server, ['apply', '--server-side', '--field-manager=other', '-f', '-'], { input: cm('second') });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /conflict with "kubectl"/);
    assert.match(r.stderr, /\.data\.owner/);
    kubectlOk(server, ['apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', '-'], { input: cm('second') });
    const got = JSON.parse(kubectlOk(server, ['-n', 'shop', 'get', 'cm', 'ssa', '-o', 'json', '--show-managed-fields']));
    assert.equal(got.data.owner, 'second');
    assert.ok(got.metadata.managedFields.some((m: { manager: string }) => m.manager === 'other'));
  });

  it('deletes and waits', () => {
    kubectlOk(server, ['-n', 'shop', 'delete', 'configmap', 'c5', '--wait']);
    const r = kubectl(server, ['-n', 'shop', 'get', 'configmap', 'c5']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /configmaps "c5" not found/);
    kubectlOk(server, ['-n', 'shop', 'delete', 'deployment', 'web', '--cascade=foreground', '--wait=false']);
  });
});
