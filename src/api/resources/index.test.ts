import { test } from 'node:test';
import assert from 'node:assert/strict';
import { storageKey } from '../registry.js';
import { builtinResources, findResource, registry, resourcesInCategory, setStrategies } from './index.js';

const expected: [group: string, plural: string, kind: string, namespaced: boolean][] = [
  ['', 'namespaces', 'Namespace', false],
  ['', 'pods', 'Pod', true],
  ['', 'nodes', 'Node', false],
  ['', 'services', 'Service', true],
  ['', 'endpoints', 'Endpoints', true],
  ['', 'configmaps', 'ConfigMap', true],
  ['', 'secrets', 'Secret', true],
  ['', 'serviceaccounts', 'ServiceAccount', true],
  ['', 'events', 'Event', true],
  ['', 'limitranges', 'LimitRange', true],
  ['', 'resourcequotas', 'ResourceQuota', true],
  ['', 'persistentvolumes', 'PersistentVolume', false],
  ['', 'persistentvolumeclaims', 'PersistentVolumeClaim', true],
  ['', 'podtemplates', 'PodTemplate', true],
  ['', 'replicationcontrollers', 'ReplicationController', true],
  ['apps', 'deployments', 'Deployment', true],
  ['apps', 'replicasets', 'ReplicaSet', true],
  ['apps', 'statefulsets', 'StatefulSet', true],
  ['apps', 'daemonsets', 'DaemonSet', true],
  ['apps', 'controllerrevisions', 'ControllerRevision', true],
  ['batch', 'jobs', 'Job', true],
  ['batch', 'cronjobs', 'CronJob', true],
  ['coordination.k8s.io', 'leases', 'Lease', true],
  ['discovery.k8s.io', 'endpointslices', 'EndpointSlice', true],
  ['events.k8s.io', 'events', 'Event', true],
  ['networking.k8s.io', 'ingresses', 'Ingress', true],
  ['networking.k8s.io', 'ingressclasses', 'IngressClass', false],
  ['networking.k8s.io', 'networkpolicies', 'NetworkPolicy', true],
  ['policy', 'poddisruptionbudgets', 'PodDisruptionBudget', true],
  ['rbac.authorization.k8s.io', 'roles', 'Role', true],
  ['rbac.authorization.k8s.io', 'rolebindings', 'RoleBinding', true],
  ['rbac.authorization.k8s.io', 'clusterroles', 'ClusterRole', false],
  ['rbac.authorization.k8s.io', 'clusterrolebindings', 'ClusterRoleBinding', false],
  ['scheduling.k8s.io', 'priorityclasses', 'PriorityClass', false],
  ['storage.k8s.io', 'storageclasses', 'StorageClass', false],
];

test('every expected resource is registered with its kind and scope', () => {
  assert.equal(registry.all().length, expected.length);
  for (const [group, plural, kind, namespaced] of expected) {
    const def = registry.get(group, 'v1', plural);
    assert.ok(def, `${group}/${plural}`);
    assert.equal(def.kind, kind);
    assert.equal(def.namespaced, namespaced, plural);
    assert.equal(registry.forKind(group, 'v1', kind), def);
    assert.equal(def.singular, def.plural === 'endpoints' ? 'endpoints' : kind.toLowerCase());
  }
});

test('plurals and kinds are unique within a group', () => {
  const seen = new Set<string>();
  for (const d of builtinResources) {
    for (const k of [`${d.group}/r/${d.plural}`, `${d.group}/k/${d.kind}`]) {
      assert.ok(!seen.has(k), `duplicate ${k}`);
      seen.add(k);
    }
  }
});

test('short names are unique except where upstream shares them', () => {
  const owner = new Map<string, string>();
  for (const d of builtinResources) {
    for (const s of d.shortNames ?? []) {
      const prev = owner.get(s);
      if (prev) assert.equal(s, 'ev', `short name ${s} on ${prev} and ${d.plural}`);
      owner.set(s, `${d.group}/${d.plural}`);
    }
  }
});

test('short names resolve', () => {
  const cases: [string, string, string][] = [
    ['po', '', 'pods'],
    ['svc', '', 'services'],
    ['ns', '', 'namespaces'],
    ['no', '', 'nodes'],
    ['cm', '', 'configmaps'],
    ['ep', '', 'endpoints'],
    ['ev', '', 'events'],
    ['sa', '', 'serviceaccounts'],
    ['pv', '', 'persistentvolumes'],
    ['pvc', '', 'persistentvolumeclaims'],
    ['limits', '', 'limitranges'],
    ['quota', '', 'resourcequotas'],
    ['rc', '', 'replicationcontrollers'],
    ['deploy', 'apps', 'deployments'],
    ['rs', 'apps', 'replicasets'],
    ['sts', 'apps', 'statefulsets'],
    ['ds', 'apps', 'daemonsets'],
    ['cj', 'batch', 'cronjobs'],
    ['ing', 'networking.k8s.io', 'ingresses'],
    ['netpol', 'networking.k8s.io', 'networkpolicies'],
    ['pdb', 'policy', 'poddisruptionbudgets'],
    ['pc', 'scheduling.k8s.io', 'priorityclasses'],
    ['sc', 'storage.k8s.io', 'storageclasses'],
    ['Pod', '', 'pods'],
    ['deployment', 'apps', 'deployments'],
    ['events.events.k8s.io', 'events.k8s.io', 'events'],
    ['ev.events.k8s.io', 'events.k8s.io', 'events'],
    ['deployments.v1.apps', 'apps', 'deployments'],
    ['jobs', 'batch', 'jobs'],
  ];
  for (const [name, group, plural] of cases) {
    const d = findResource(registry, name);
    assert.ok(d, name);
    assert.equal(`${d.group}/${d.plural}`, `${group}/${plural}`, name);
  }
  assert.equal(findResource(registry, 'nope'), undefined);
  assert.equal(findResource(registry, ''), undefined);
});

test('category all is exactly upstream list (minus HPAs, not served yet)', () => {
  const all = resourcesInCategory(registry, 'all').map((d) => d.plural).sort();
  assert.deepEqual(all, ['cronjobs', 'daemonsets', 'deployments', 'jobs', 'pods', 'replicasets', 'replicationcontrollers', 'services', 'statefulsets']);
});

test('generation, scale and status flags', () => {
  const withGeneration = builtinResources.filter((d) => d.generation).map((d) => d.plural).sort();
  for (const p of ['deployments', 'replicasets', 'statefulsets', 'daemonsets', 'replicationcontrollers', 'jobs', 'cronjobs', 'ingresses', 'networkpolicies', 'poddisruptionbudgets']) {
    assert.ok(withGeneration.includes(p), p);
  }
  for (const p of ['pods', 'services', 'configmaps', 'namespaces', 'nodes', 'events']) assert.ok(!withGeneration.includes(p), p);
  for (const d of builtinResources) {
    assert.equal(d.subresources?.includes('scale') ?? false, d.scale !== undefined, `${d.plural} scale`);
  }
  assert.deepEqual(
    builtinResources.filter((d) => d.scale).map((d) => d.plural).sort(),
    ['deployments', 'replicasets', 'replicationcontrollers', 'statefulsets'],
  );
  const pods = registry.get('', 'v1', 'pods')!;
  for (const s of ['status', 'binding', 'log', 'exec', 'attach', 'portforward', 'eviction']) assert.ok(pods.subresources!.includes(s), s);
  assert.ok(registry.get('', 'v1', 'serviceaccounts')!.subresources!.includes('token'));
});

test('events.k8s.io events share storage with core events', () => {
  const core = registry.get('', 'v1', 'events')!;
  const v1 = registry.get('events.k8s.io', 'v1', 'events')!;
  assert.equal(storageKey(core, 'default', 'e1'), '/registry/events/default/e1');
  assert.equal(storageKey(v1, 'default', 'e1'), '/registry/events/default/e1');
});

test('every resource has columns after NAME and they never throw on empty objects', () => {
  const now = Date.parse('2024-01-01T00:00:00Z');
  for (const d of builtinResources) {
    assert.ok(d.columns && d.columns.length > 0, d.plural);
    assert.ok(!d.columns.some((c) => c.name === 'Name'), `${d.plural} lists Name`);
    for (const c of d.columns) {
      c.cell({}, now);
      c.cell({ metadata: {}, spec: {}, status: {} }, now);
    }
  }
});

test('core group comes first in group versions', () => {
  const gvs = registry.groupVersions();
  assert.deepEqual(gvs[0], { group: '', version: 'v1' });
  assert.ok(gvs.some((g) => g.group === 'apps'));
});

test('setStrategies attaches what the lookup returns', () => {
  const leases = registry.get('coordination.k8s.io', 'v1', 'leases')!;
  const before = leases.strategy;
  const marker = { defaults: () => {} };
  setStrategies((d) => (d === leases ? marker : undefined));
  assert.equal(leases.strategy, marker);
  if (before) leases.strategy = before;
  else delete leases.strategy;
});
