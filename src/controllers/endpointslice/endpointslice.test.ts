import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { pod, svc } from '../endpoints/fixtures.js';
import { reconcileSlices, type SlicePlan } from './slices.js';
import { SliceTracker } from './tracker.js';

let seq = 0;
/** Apply a plan as the API server would, returning the slices afterwards. */
function apply(existing: EndpointSlice[], plan: SlicePlan): EndpointSlice[] {
  const del = new Set(plan.delete.map((s) => s.metadata!.name));
  const upd = new Map(plan.update.map((s) => [s.metadata!.name, s]));
  const out = existing.filter((s) => !del.has(s.metadata!.name)).map((s) => upd.get(s.metadata!.name) ?? s);
  for (const c of plan.create) out.push({ ...c, metadata: { ...c.metadata, name: `${c.metadata!.generateName}${++seq}` } });
  return JSON.parse(JSON.stringify(out));
}

test('slices: labels, owner, addressType, conditions, ports, targetRef, nodeName, zone', () => {
  const plan = reconcileSlices(svc(), [pod('a', '10.0.0.1'), pod('b', '10.0.0.2', { ready: false }), pod('c', '10.0.0.3', { deleting: true })], [], {
    zoneOf: (n) => (n === 'n1' ? 'z1' : undefined),
  });
  assert.equal(plan.create.length, 1);
  const s = plan.create[0]!;
  assert.equal(s.metadata?.generateName, 'web-');
  assert.deepEqual(s.metadata?.labels, { app: 'web', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
  assert.deepEqual(s.metadata?.ownerReferences, [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'svc-uid', controller: true, blockOwnerDeletion: true }]);
  assert.equal(s.addressType, 'IPv4');
  assert.deepEqual(s.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  assert.deepEqual(
    s.endpoints.map((e) => [e.addresses[0], e.conditions]),
    [
      ['10.0.0.1', { ready: true, serving: true, terminating: false }],
      ['10.0.0.2', { ready: false, serving: false, terminating: false }],
      ['10.0.0.3', { ready: false, serving: true, terminating: true }],
    ],
  );
  assert.deepEqual(s.endpoints[0]!.targetRef, { kind: 'Pod', namespace: 'ns', name: 'a', uid: 'uid-a' });
  assert.equal(s.endpoints[0]!.nodeName, 'n1');
  assert.equal(s.endpoints[0]!.zone, 'z1');
});

test('slices: at most 100 endpoints per slice; a steady state plans nothing; removals rewrite only their slice', () => {
  const pods = Array.from({ length: 250 }, (_, i) => pod(`p${String(i).padStart(3, '0')}`, `10.1.${Math.floor(i / 200)}.${i % 200}`));
  let slices = apply([], reconcileSlices(svc(), pods, []));
  assert.deepEqual(slices.map((s) => s.endpoints.length), [100, 100, 50]);
  assert.deepEqual(reconcileSlices(svc(), pods, slices), { create: [], update: [], delete: [] });
  // remove one pod from the first slice, add two new ones: the first fills the hole, the second
  // goes into the half-empty slice rather than a new slice of one
  const first = slices[0]!.endpoints[0]!.targetRef!.name;
  const next = [...pods.filter((p) => p.metadata!.name !== first), pod('new1', '10.2.0.1'), pod('new2', '10.2.0.2')];
  const plan = reconcileSlices(svc(), next, slices);
  assert.equal(plan.create.length, 0);
  assert.equal(plan.delete.length, 0);
  assert.deepEqual(plan.update.map((s) => s.metadata!.name), [slices[0]!.metadata!.name, slices[2]!.metadata!.name]);
  slices = apply(slices, plan);
  assert.equal(slices.reduce((n, s) => n + s.endpoints.length, 0), 251);
  assert.ok(slices.every((s) => s.endpoints.length <= 100));
  assert.deepEqual(reconcileSlices(svc(), next, slices), { create: [], update: [], delete: [] });
});

test('slices: port sets split slices; a service with no pods keeps one placeholder; other managers are ignored', () => {
  const pods = [pod('a', '10.0.0.1'), pod('b', '10.0.0.2', { ports: [{ name: 'http', containerPort: 9090 }] })];
  let slices = apply([], reconcileSlices(svc(), pods, []));
  assert.equal(slices.length, 2);
  assert.deepEqual(slices.map((s) => s.ports![0]!.port).sort(), [8080, 9090]);
  const foreign: EndpointSlice = { metadata: { name: 'mine', namespace: 'ns', labels: { 'kubernetes.io/service-name': 'web' } }, addressType: 'IPv4', endpoints: [] };
  const plan = reconcileSlices(svc(), [], [...slices, foreign]);
  assert.equal(plan.delete.length, 2);
  assert.equal(plan.create.length, 1);
  assert.deepEqual([plan.create[0]!.endpoints, plan.create[0]!.ports], [[], []]);
  slices = apply(slices, plan);
  assert.deepEqual(reconcileSlices(svc(), [], slices), { create: [], update: [], delete: [] });
  // pods come back: the placeholder goes once the new slice exists
  const back = reconcileSlices(svc(), [pod('a', '10.0.0.1')], slices);
  assert.equal(back.create.length, 1);
  assert.equal(back.delete.length, 1);
});

test('tracker: waits until the cache shows our writes and deletes', () => {
  const t = new SliceTracker();
  t.written('ns/web', { metadata: { name: 's1', resourceVersion: '10' }, addressType: 'IPv4', endpoints: [] });
  t.deleted('ns/web', 's2');
  const cache = new Map<string, EndpointSlice>([['s1', { metadata: { name: 's1', resourceVersion: '9' }, addressType: 'IPv4', endpoints: [] }], ['s2', { metadata: { name: 's2' }, addressType: 'IPv4', endpoints: [] }]]);
  assert.equal(t.caughtUp('ns/web', (n) => cache.get(n)), false);
  cache.set('s1', { metadata: { name: 's1', resourceVersion: '11' }, addressType: 'IPv4', endpoints: [] });
  assert.equal(t.caughtUp('ns/web', (n) => cache.get(n)), false);
  cache.delete('s2');
  assert.equal(t.caughtUp('ns/web', (n) => cache.get(n)), true);
});
