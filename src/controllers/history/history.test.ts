import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import {
  CONTROLLER_REVISION_HASH_LABEL,
  Fnv32a,
  applyRevision,
  canonicalJSON,
  controllerRevisionName,
  equalRevision,
  findEqualRevisions,
  hashControllerRevision,
  newControllerRevision,
  nextRevision,
  revisionsToTruncate,
  safeEncodeString,
  sortControllerRevisions,
  templatePatch,
} from './index.js';

const KIND = { apiVersion: 'apps/v1', kind: 'StatefulSet' };

function owner(image = 'nginx:1', labels = { app: 'web' }) {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'default', uid: 'uid-1' },
    spec: { replicas: 3, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image }] } } },
  };
}

test('fnv32a and the safe alphabet', () => {
  assert.equal(new Fnv32a().sum32(), 0x811c9dc5);
  assert.equal(new Fnv32a().write(new TextEncoder().encode('a')).sum32(), 0xe40c292c);
  assert.equal(safeEncodeString('0123456789'), '456789bcdf');
});

test('canonical JSON sorts keys and escapes like Go', () => {
  assert.equal(canonicalJSON({ b: 1, a: { d: [1, { z: 1, y: '<&>' }], c: undefined } }), '{"a":{"d":[1,{"y":"\\u003c\\u0026\\u003e","z":1}]},"b":1}');
});

test('the template patch replaces spec.template and round-trips through applyRevision', () => {
  const o = owner();
  const data = templatePatch(o) as any;
  assert.equal(data.spec.template.$patch, 'replace');
  assert.deepEqual(Object.keys(data), ['spec']);
  const changed = owner('nginx:2');
  const back = applyRevision(changed, { data });
  assert.equal(back.spec.template.spec.containers[0]!.image, 'nginx:1');
  assert.equal(changed.spec.template.spec.containers[0]!.image, 'nginx:2');
  assert.equal((back.spec.template as any).$patch, undefined);
  assert.equal(back.spec.replicas, 3);
});

test('new revisions: name, labels, owner, revision number, hash stable and salted by collisions', () => {
  const o = owner();
  const r = newControllerRevision(o, KIND, o.spec.template.metadata.labels, templatePatch(o), 4);
  const hash = r.metadata!.labels![CONTROLLER_REVISION_HASH_LABEL]!;
  assert.match(hash, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.equal(r.metadata!.name, `web-${hash}`);
  assert.equal(r.metadata!.labels!['app'], 'web');
  assert.equal(r.revision, 4);
  assert.deepEqual(r.metadata!.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'uid-1', controller: true, blockOwnerDeletion: true }]);
  const again = newControllerRevision(o, KIND, {}, templatePatch(owner()), 9);
  assert.equal(again.metadata!.name, r.metadata!.name, 'same template, same hash');
  assert.notEqual(hashControllerRevision(r, 1), hash);
  assert.notEqual(hashControllerRevision(r, 1), hashControllerRevision(r, 2));
  const other = newControllerRevision(o, KIND, {}, templatePatch(owner('nginx:2')), 5);
  assert.notEqual(other.metadata!.name, r.metadata!.name);
  assert.equal(controllerRevisionName('x'.repeat(300), 'abc').length, 227);
});

test('equality ignores key order but not data or hash label', () => {
  const o = owner();
  const a = newControllerRevision(o, KIND, {}, templatePatch(o), 1);
  const reordered = structuredClone(a);
  reordered.data = JSON.parse(JSON.stringify({ spec: { template: { spec: (a.data as any).spec.template.spec, metadata: (a.data as any).spec.template.metadata, $patch: 'replace' } } }));
  assert.ok(equalRevision(a, reordered));
  const b = newControllerRevision(o, KIND, {}, templatePatch(owner('nginx:2')), 2);
  assert.ok(!equalRevision(a, b));
  const relabelled = structuredClone(a);
  relabelled.metadata!.labels![CONTROLLER_REVISION_HASH_LABEL] = 'zzz';
  assert.ok(!equalRevision(a, relabelled));
  assert.deepEqual(findEqualRevisions([b, a, reordered], a), [a, reordered]);
});

function rev(name: string, revision: number, created = '2024-01-01T00:00:00Z'): ControllerRevision {
  return { metadata: { name, namespace: 'default', creationTimestamp: created, labels: { app: 'web' } }, revision, data: {} };
}

test('sort, next revision and truncation', () => {
  const rs = [rev('c', 3), rev('b', 1, '2024-01-02T00:00:00Z'), rev('a', 1), rev('d', 2)];
  assert.deepEqual(sortControllerRevisions(rs).map((r) => r.metadata!.name), ['a', 'b', 'd', 'c']);
  assert.equal(nextRevision(rs), 4);
  assert.equal(nextRevision([]), 1);
  // keep current (c) and a revision a live pod uses (a); history limit 1 leaves the newest other one (d).
  assert.deepEqual(revisionsToTruncate(rs, new Set(['c', 'a']), 1).map((r) => r.metadata!.name), ['b']);
  assert.deepEqual(revisionsToTruncate(rs, new Set(['c']), 0).map((r) => r.metadata!.name), ['a', 'b', 'd']);
  assert.deepEqual(revisionsToTruncate(rs, new Set(), 10), []);
});
