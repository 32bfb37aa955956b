import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry, type ResourceDef } from '../../api/registry.js';
import { StatusError } from '../../api/status.js';
import { apiGroupList, apiResourceList, compareVersions, groupDiscoveryList, groupsOf, storageVersionHash } from './documents.js';
import { discoveryHandler } from './handler.js';
import { chooseDiscoveryFormat } from './negotiate.js';

type Decl = Pick<ResourceDef, 'group' | 'version' | 'kind' | 'plural' | 'singular' | 'namespaced'> & Partial<ResourceDef>;

function registry(): Registry {
  const r = new Registry();
  const decls: Decl[] = [
    { group: '', version: 'v1', kind: 'Pod', plural: 'pods', singular: 'pod', namespaced: true, shortNames: ['po'], categories: ['all'], subresources: ['status', 'binding', 'eviction', 'log', 'exec'] },
    { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', singular: 'namespace', namespaced: false, shortNames: ['ns'], subresources: ['status', 'finalize'] },
    { group: '', version: 'v1', kind: 'Binding', plural: 'bindings', singular: 'binding', namespaced: true, verbs: ['create'] },
    { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', singular: 'deployment', namespaced: true, shortNames: ['deploy'], categories: ['all'], subresources: ['status', 'scale'] },
    { group: 'flowcontrol.apiserver.k8s.io', version: 'v1beta3', kind: 'FlowSchema', plural: 'flowschemas', singular: 'flowschema', namespaced: false },
    { group: 'flowcontrol.apiserver.k8s.io', version: 'v1', kind: 'FlowSchema', plural: 'flowschemas', singular: 'flowschema', namespaced: false },
  ];
  for (const d of decls) r.add(d as ResourceDef);
  return r;
}

const KUBECTL_132 =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
const KUBECTL_127 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

test('chooseDiscoveryFormat follows the Accept order', () => {
  assert.deepEqual(chooseDiscoveryFormat(KUBECTL_132), { aggregated: 'v2' });
  assert.deepEqual(chooseDiscoveryFormat(KUBECTL_127), { aggregated: 'v2beta1' });
  assert.deepEqual(chooseDiscoveryFormat('application/json, */*'), { aggregated: false });
  assert.deepEqual(chooseDiscoveryFormat(undefined), { aggregated: false });
  assert.deepEqual(chooseDiscoveryFormat('application/vnd.kubernetes.protobuf,application/json'), { aggregated: false });
  assert.deepEqual(
    chooseDiscoveryFormat('application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList'),
    { aggregated: 'v2beta1' },
  );
  assert.deepEqual(chooseDiscoveryFormat('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList;q=0,application/json'), { aggregated: false });
  assert.deepEqual(chooseDiscoveryFormat('application/json;q=0.5,application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList'), { aggregated: 'v2' });
});

test('version priority: GA, then beta, then alpha; higher first', () => {
  const vs = ['v1alpha1', 'v1beta1', 'v2', 'v1', 'v1beta2', 'v2alpha1', 'foo'];
  assert.deepEqual([...vs].sort(compareVersions), ['v2', 'v1', 'v1beta2', 'v1beta1', 'v2alpha1', 'v1alpha1', 'foo']);
});

test('storageVersionHash matches upstream for apps/v1 Deployment', () => {
  assert.equal(storageVersionHash('apps', 'v1', 'Deployment'), '8aSe+NMegvE=');
});

test('legacy documents', () => {
  const r = registry();
  const list = apiGroupList(r) as { groups: { name: string; preferredVersion: { groupVersion: string }; versions: unknown[] }[] };
  assert.deepEqual(list.groups.map((g) => g.name), ['apps', 'flowcontrol.apiserver.k8s.io']);
  const fc = list.groups[1]!;
  assert.equal(fc.preferredVersion.groupVersion, 'flowcontrol.apiserver.k8s.io/v1');
  assert.deepEqual(fc.versions, [
    { groupVersion: 'flowcontrol.apiserver.k8s.io/v1', version: 'v1' },
    { groupVersion: 'flowcontrol.apiserver.k8s.io/v1beta3', version: 'v1beta3' },
  ]);

  const core = apiResourceList(r, '', 'v1')!;
  assert.equal(core.groupVersion, 'v1');
  const byName = new Map(core.resources.map((x) => [x.name, x]));
  assert.deepEqual(
    [...byName.keys()],
    ['bindings', 'namespaces', 'namespaces/finalize', 'namespaces/status', 'pods', 'pods/binding', 'pods/eviction', 'pods/exec', 'pods/log', 'pods/status'],
  );
  const pods = byName.get('pods')!;
  assert.equal(pods.singularName, 'pod');
  assert.equal(pods.namespaced, true);
  assert.deepEqual(pods.verbs, ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']);
  assert.deepEqual(pods.shortNames, ['po']);
  assert.deepEqual(pods.categories, ['all']);
  assert.deepEqual(byName.get('bindings')!.verbs, ['create']);
  assert.deepEqual(byName.get('pods/status'), { name: 'pods/status', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get', 'patch', 'update'] });
  assert.deepEqual(byName.get('pods/eviction'), {
    name: 'pods/eviction',
    singularName: '',
    namespaced: true,
    group: 'policy',
    version: 'v1',
    kind: 'Eviction',
    verbs: ['create'],
  });
  assert.deepEqual(byName.get('pods/exec')!.verbs, ['create', 'get']);
  assert.equal(byName.get('pods/binding')!.kind, 'Binding');
  assert.deepEqual(byName.get('namespaces/finalize')!.verbs, ['update']);

  const apps = apiResourceList(r, 'apps', 'v1')!;
  const scale = apps.resources.find((x) => x.name === 'deployments/scale')!;
  assert.deepEqual([scale.group, scale.version, scale.kind], ['autoscaling', 'v1', 'Scale']);
  assert.equal(apiResourceList(r, 'apps', 'v2'), undefined);
});

test('aggregated documents', () => {
  const r = registry();
  const core = groupDiscoveryList(r, 'core', 'v2') as any;
  assert.equal(core.kind, 'APIGroupDiscoveryList');
  assert.equal(core.apiVersion, 'apidiscovery.k8s.io/v2');
  assert.equal(core.items.length, 1);
  assert.equal(core.items[0].metadata.name, undefined);
  const pods = core.items[0].versions[0].resources.find((x: any) => x.resource === 'pods');
  assert.deepEqual(pods.responseKind, { group: '', version: 'v1', kind: 'Pod' });
  assert.equal(pods.scope, 'Namespaced');
  assert.equal(pods.singularResource, 'pod');
  assert.deepEqual(
    pods.subresources.map((s: any) => s.subresource),
    ['binding', 'eviction', 'exec', 'log', 'status'],
  );
  assert.equal(core.items[0].versions[0].resources.find((x: any) => x.resource === 'namespaces').scope, 'Cluster');

  const groups = groupDiscoveryList(r, 'groups', 'v2beta1') as any;
  assert.equal(groups.apiVersion, 'apidiscovery.k8s.io/v2beta1');
  assert.deepEqual(groups.items.map((g: any) => g.metadata.name), ['apps', 'flowcontrol.apiserver.k8s.io']);
  assert.deepEqual(groups.items[1].versions.map((v: any) => v.version), ['v1', 'v1beta3']);
  assert.equal(groups.items[0].versions[0].freshness, 'Current');
  const deploy = groups.items[0].versions[0].resources[0];
  assert.deepEqual(deploy.subresources[0], { subresource: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: ['get', 'patch', 'update'] });
});

test('groupsOf puts core first even when declared later', () => {
  const r = new Registry();
  r.add({ group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', singular: 'deployment', namespaced: true });
  r.add({ group: '', version: 'v1', kind: 'Pod', plural: 'pods', singular: 'pod', namespaced: true });
  assert.deepEqual(groupsOf(r).map((g) => g.name), ['', 'apps']);
});

test('discoveryHandler over HTTP: negotiation, ETag, Vary, 304, 404s, other paths', async (t) => {
  const r = registry();
  const h = discoveryHandler(r);
  const server = createServer(async (req, res) => {
    try {
      if (!(await h(req, res, new URL(req.url!, 'http://x')))) {
        res.writeHead(599);
        res.end();
      }
    } catch (e) {
      const s = (e as StatusError).toStatus();
      res.writeHead(s.code);
      res.end(JSON.stringify(s));
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  t.after(() => server.close());
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const get = (path: string, headers: Record<string, string> = {}, method = 'GET') => fetch(base + path, { headers, method });

  let res = await get('/api', { accept: KUBECTL_132 });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
  assert.equal(res.headers.get('vary'), 'Accept');
  const etag = res.headers.get('etag')!;
  assert.ok(etag);
  assert.equal(((await res.json()) as any).items.length, 1);

  res = await get('/api', { accept: KUBECTL_132, 'if-none-match': etag });
  assert.equal(res.status, 304);

  res = await get('/apis', { accept: KUBECTL_127 });
  assert.equal(res.headers.get('content-type'), 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList');
  assert.equal(((await res.json()) as any).apiVersion, 'apidiscovery.k8s.io/v2beta1');

  res = await get('/apis/', { accept: 'application/json, */*' });
  assert.equal(res.headers.get('content-type'), 'application/json');
  assert.equal(((await res.json()) as any).kind, 'APIGroupList');

  res = await get('/api');
  assert.deepEqual(((await res.json()) as any).versions, ['v1']);

  res = await get('/api/v1');
  assert.equal(((await res.json()) as any).kind, 'APIResourceList');
  res = await get('/apis/apps');
  assert.equal(((await res.json()) as any).kind, 'APIGroup');
  res = await get('/apis/apps/v1');
  assert.equal(((await res.json()) as any).groupVersion, 'apps/v1');

  assert.equal((await get('/api/v2')).status, 404);
  assert.equal((await get('/apis/nope')).status, 599, 'not ours');
  assert.equal((await get('/apis/apps/v9')).status, 599, 'not ours');
  assert.equal((await get('/apis/apps/v1/deployments')).status, 599, 'resource paths are not discovery');
  assert.equal((await get('/api/v1/pods')).status, 599);
  assert.equal((await get('/healthz')).status, 599);
  assert.equal((await get('/apis', {}, 'POST')).status, 405);

  // Adding a resource changes the documents (and their ETags).
  r.add({ group: 'batch', version: 'v1', kind: 'Job', plural: 'jobs', singular: 'job', namespaced: true });
  res = await get('/apis', { accept: KUBECTL_132 });
  assert.equal(((await res.json()) as any).items.length, 3);
  res = await get('/api', { accept: KUBECTL_132, 'if-none-match': etag });
  assert.equal(res.status, 304, 'core unchanged');
});
