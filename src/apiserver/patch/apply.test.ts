import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../api/status.js';
import { applyPatch, LAST_APPLIED_ANNOTATION } from './apply.js';
import { updateManagedFields, managerFromUserAgent, type ManagedFieldsEntry } from './managedfields.js';
import { deployment, configMap } from './testschema.js';
import type { JsonObject } from './json.js';

const T0 = new Date('2024-01-01T00:00:00.123Z');
const T1 = new Date('2024-01-01T00:01:00Z');
const T2 = new Date('2024-01-01T00:02:00Z');

function config(replicas: number | undefined, image = 'nginx:1.25', extra: JsonObject = {}): JsonObject {
  const spec: JsonObject = {
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'nginx', image, ports: [{ containerPort: 80 }] }] },
    },
    ...extra,
  };
  if (replicas !== undefined) spec.replicas = replicas;
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec };
}

/** The stored object after a write: server-set metadata added, as the apiserver would. */
function stored(obj: JsonObject): JsonObject {
  const o = structuredClone(obj);
  (o.metadata as JsonObject).uid = 'u-1';
  (o.metadata as JsonObject).resourceVersion = '5';
  return o;
}

const apply = (live: JsonObject | null, applied: JsonObject, manager = 'kubectl', force = false, now = T1) =>
  applyPatch({ live, applied, manager, force, schema: deployment, now, apiVersion: 'apps/v1', ignoredPaths: [['status']] });

function conflictOf(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof StatusError, String(e));
    return e;
  }
  assert.fail('expected a conflict');
}

test('apply: create sets fields and records an Apply entry with FieldsV1', () => {
  const r = apply(null, config(2));
  assert.equal(r.changed, true);
  assert.deepEqual(r.object.spec, config(2).spec);
  assert.deepEqual(r.managedFields, [
    {
      manager: 'kubectl',
      operation: 'Apply',
      apiVersion: 'apps/v1',
      time: '2024-01-01T00:01:00Z',
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:spec': {
          'f:replicas': {},
          'f:selector': {},
          'f:template': {
            'f:metadata': { 'f:labels': { 'f:app': {} } },
            'f:spec': {
              'f:containers': {
                'k:{"name":"nginx"}': {
                  '.': {},
                  'f:image': {},
                  'f:name': {},
                  'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
                },
              },
            },
          },
        },
      },
    },
  ]);
  assert.deepEqual((r.object.metadata as JsonObject).managedFields, r.managedFields);
});

test('apply: unchanged config changes nothing (no new timestamp)', () => {
  const first = stored(apply(null, config(2)).object);
  const again = apply(first, config(2), 'kubectl', false, T2);
  assert.equal(again.changed, false);
  assert.deepEqual(again.object, first);
  assert.equal(again.managedFields[0].time, '2024-01-01T00:01:00Z');
});

test('apply: omitted field previously applied is removed', () => {
  const first = stored(apply(null, config(2, 'nginx:1.25', { paused: true })).object);
  const r = apply(first, config(2));
  assert.equal('paused' in (r.object.spec as JsonObject), false);
  assert.equal('f:paused' in ((r.managedFields[0].fieldsV1 as any)['f:spec'] as JsonObject), false);
});

test('apply: omitted field also owned by another applier is kept', () => {
  let live = stored(apply(null, config(2)).object);
  live = stored(apply(live, config(2), 'other').object); // shared ownership of replicas (same value)
  const r = apply(live, config(undefined), 'kubectl');
  assert.equal((r.object.spec as JsonObject).replicas, 2);
  const kubectl = r.managedFields.find((e) => e.manager === 'kubectl')!;
  assert.equal('f:replicas' in (kubectl.fieldsV1 as any)['f:spec'], false);
});

test('apply: conflict with another Apply manager → 409 with upstream message and causes', () => {
  const live = stored(apply(null, config(2), 'alice').object);
  const err = conflictOf(() => apply(live, config(3), 'bob'));
  assert.equal(err.code, 409);
  assert.equal(err.reason, 'Conflict');
  assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "alice": .spec.replicas');
  assert.deepEqual(err.details, { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "alice"', field: '.spec.replicas' }] });
});

test('apply: conflict with an Update manager names its apiVersion', () => {
  const created = stored(apply(null, config(2), 'kubectl').object);
  // kubectl scale / edit style update by another manager
  const edited = structuredClone(created);
  (edited.spec as JsonObject).replicas = 5;
  const upd = updateManagedFields({ old: created, updated: edited, manager: 'kubectl-client-side-apply', operation: 'Update', schema: deployment, now: T2, apiVersion: 'apps/v1' });
  const err = conflictOf(() => apply(stored(upd.object), config(3), 'kubectl-ssa'));
  assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
  assert.deepEqual(err.details?.causes, [
    { reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: '.spec.replicas' },
  ]);
});

test('apply: several conflicts are grouped by manager', () => {
  const live = stored(apply(null, config(2), 'alice').object);
  const err = conflictOf(() => apply(live, config(3, 'nginx:2'), 'bob'));
  assert.equal(
    err.message,
    'Apply failed with 2 conflicts: conflicts with "alice":\n- .spec.replicas\n- .spec.template.spec.containers[name="nginx"].image',
  );
  assert.deepEqual(
    err.details?.causes?.map((c) => c.field),
    ['.spec.replicas', '.spec.template.spec.containers[name="nginx"].image'],
  );
});

test('apply: force takes ownership from the other manager', () => {
  const live = stored(apply(null, config(2), 'alice').object);
  const r = apply(live, config(3), 'bob', true);
  assert.equal((r.object.spec as JsonObject).replicas, 3);
  const alice = r.managedFields.find((e) => e.manager === 'alice')!;
  const bob = r.managedFields.find((e) => e.manager === 'bob')!;
  assert.equal('f:replicas' in (alice.fieldsV1 as any)['f:spec'], false);
  assert.ok('f:replicas' in (bob.fieldsV1 as any)['f:spec']);
});

test('apply: merge-key lists merge per element and keep other managers\' elements', () => {
  const live = stored(apply(null, config(2), 'alice').object);
  const sidecar = config(undefined);
  (sidecar.spec as any).template.spec.containers = [{ name: 'sidecar', image: 'busybox' }];
  delete (sidecar.spec as any).selector;
  const r = apply(live, sidecar, 'bob');
  assert.deepEqual(
    (r.object.spec as any).template.spec.containers.map((c: any) => c.name),
    ['nginx', 'sidecar'],
  );
  // bob drops its sidecar: only bob's element goes
  const r2 = apply(stored(r.object), { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } }, 'bob');
  assert.deepEqual(
    (r2.object.spec as any).template.spec.containers.map((c: any) => c.name),
    ['nginx'],
  );
  assert.equal(r2.managedFields.some((e) => e.manager === 'bob'), false, 'empty entry dropped');
});

test('apply: list-map key defaults (protocol TCP) match live elements', () => {
  const live = stored(apply(null, config(2)).object);
  const c = config(2);
  (c.spec as any).template.spec.containers[0].ports = [{ containerPort: 80, protocol: 'TCP', name: 'http' }];
  const r = apply(live, c);
  assert.deepEqual((r.object.spec as any).template.spec.containers[0].ports, [{ containerPort: 80, protocol: 'TCP', name: 'http' }]);
});

test('apply: status is not owned on main-resource writes', () => {
  const c = config(1) as any;
  c.status = { replicas: 9 };
  const r = apply(null, c);
  assert.equal('f:status' in (r.managedFields[0].fieldsV1 as JsonObject), false);
});

test('apply: managedFields in the configuration is 400', () => {
  const c = config(1) as any;
  c.metadata.managedFields = [];
  assert.throws(() => apply(null, c), (e: unknown) => e instanceof StatusError && e.code === 400 && e.message === 'metadata.managedFields must be nil');
});

test('apply: duplicate list-map keys in the configuration are rejected', () => {
  const c = config(1) as any;
  c.spec.template.spec.containers.push({ name: 'nginx', image: 'x' });
  assert.throws(() => apply(null, c), (e: unknown) => e instanceof StatusError && e.code === 500 && /duplicate entries for key \[name="nginx"\]/.test(e.message));
});

test('apply: on an object without managedFields, existing fields go to before-first-apply', () => {
  const live = stored(config(2));
  const r = apply(live, config(2), 'bob');
  const before = r.managedFields.find((e) => e.manager === 'before-first-apply')!;
  assert.equal(before.operation, 'Update');
  // bob applied the same values: shared, so before-first-apply still owns them too
  assert.ok('f:replicas' in (before.fieldsV1 as any)['f:spec']);
  // a different value conflicts with before-first-apply
  const err = conflictOf(() => apply(live, config(4), 'bob'));
  assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "before-first-apply" using apps/v1: .spec.replicas');
});

test('apply: kubectl upgrading from client-side apply may override fields matching last-applied', () => {
  const cfg = config(2);
  const lastApplied = JSON.stringify(cfg);
  const created = stored({ ...cfg, metadata: { ...(cfg.metadata as JsonObject), annotations: { [LAST_APPLIED_ANNOTATION]: lastApplied } } });
  const tracked = updateManagedFields({ old: null, updated: created, manager: 'kubectl-client-side-apply', operation: 'Update', schema: deployment, now: T0, apiVersion: 'apps/v1' });
  const live = stored(tracked.object);
  const r = apply(live, config(3), 'kubectl');
  assert.equal((r.object.spec as JsonObject).replicas, 3);
  const ann = ((r.object.metadata as JsonObject).annotations as JsonObject)[LAST_APPLIED_ANNOTATION] as string;
  assert.equal(JSON.parse(ann).spec.replicas, 3);
  assert.ok(ann.endsWith('\n'));
  // another manager name gets the conflict
  const err = conflictOf(() => apply(live, config(3), 'other'));
  assert.equal(err.code, 409);
});

test('updateManagedFields: create records all set fields for the manager', () => {
  const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { a: 'b' } }, data: { k: 'v' } };
  const r = updateManagedFields({ old: null, updated: obj, manager: 'kubectl-create', operation: 'Update', schema: configMap, now: T0, apiVersion: 'v1' });
  assert.deepEqual(r.managedFields, [
    {
      manager: 'kubectl-create',
      operation: 'Update',
      apiVersion: 'v1',
      time: '2024-01-01T00:00:00Z',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:data': { '.': {}, 'f:k': {} }, 'f:metadata': { 'f:labels': { '.': {}, 'f:a': {} } } },
    } satisfies ManagedFieldsEntry,
  ]);
  assert.equal('managedFields' in obj.metadata, false, 'input not mutated');
});

test('updateManagedFields: a later update moves ownership and merges same-manager entries', () => {
  const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', uid: 'u' }, data: { a: '1', b: '2' } };
  const c = updateManagedFields({ old: null, updated: obj, manager: 'alice', operation: 'Update', schema: configMap, now: T0, apiVersion: 'v1' }).object;
  const next = structuredClone(c) as any;
  next.data.a = 'changed';
  const u1 = updateManagedFields({ old: c, updated: next, manager: 'bob', operation: 'Update', schema: configMap, now: T1, apiVersion: 'v1' });
  const byName = (e: ManagedFieldsEntry[], n: string) => e.find((x) => x.manager === n);
  assert.deepEqual(byName(u1.managedFields, 'alice')!.fieldsV1, { 'f:data': { '.': {}, 'f:b': {} } });
  assert.deepEqual(byName(u1.managedFields, 'bob')!.fieldsV1, { 'f:data': { 'f:a': {} } });
  const next2 = structuredClone(u1.object) as any;
  next2.data.b = 'bob-too';
  const u2 = updateManagedFields({ old: u1.object, updated: next2, manager: 'bob', operation: 'Update', schema: configMap, now: T2, apiVersion: 'v1' });
  assert.deepEqual(byName(u2.managedFields, 'bob')!.fieldsV1, { 'f:data': { 'f:a': {}, 'f:b': {} } });
  assert.equal(byName(u2.managedFields, 'bob')!.time, '2024-01-01T00:02:00Z');
  assert.deepEqual(byName(u2.managedFields, 'alice')!.fieldsV1, { 'f:data': {} }); // member only
  // a no-op update changes nothing
  const u3 = updateManagedFields({ old: u2.object, updated: structuredClone(u2.object), manager: 'carol', operation: 'Update', schema: configMap, now: T2, apiVersion: 'v1' });
  assert.deepEqual(u3.managedFields, u2.managedFields);
});

test('updateManagedFields: fields removed by the write leave every owner; empty entries drop', () => {
  const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', uid: 'u' }, data: { a: '1' } };
  const c = updateManagedFields({ old: null, updated: obj, manager: 'alice', operation: 'Update', schema: configMap, now: T0, apiVersion: 'v1' }).object;
  const next = structuredClone(c) as any;
  delete next.data;
  next.immutable = true;
  const u = updateManagedFields({ old: c, updated: next, manager: 'bob', operation: 'Update', schema: configMap, now: T1, apiVersion: 'v1' });
  assert.deepEqual(u.managedFields.map((e) => e.manager), ['bob']);
});

test('updateManagedFields: never-tracked metadata and ignored paths', () => {
  const obj = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', namespace: 'n', uid: 'u', resourceVersion: '1', generation: 1, creationTimestamp: '2024-01-01T00:00:00Z' },
    spec: { replicas: 1 },
    status: { replicas: 1 },
  };
  const r = updateManagedFields({ old: null, updated: obj, manager: 'm', operation: 'Update', schema: deployment, now: T0, apiVersion: 'apps/v1', ignoredPaths: [['status']] });
  assert.deepEqual(r.managedFields[0].fieldsV1, { 'f:spec': { 'f:replicas': {} } });
});

test('updateManagedFields: untracked existing objects stay untracked; request managedFields [] resets', () => {
  const old = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', uid: 'u' }, data: { a: '1' } };
  const upd = { ...old, data: { a: '2' } };
  const r = updateManagedFields({ old, updated: upd, manager: 'm', operation: 'Update', schema: configMap, now: T0, apiVersion: 'v1' });
  assert.deepEqual(r.managedFields, []);
  const tracked = updateManagedFields({ old: null, updated: old, manager: 'm', operation: 'Update', schema: configMap, now: T0, apiVersion: 'v1' }).object;
  const reset = structuredClone(tracked) as any;
  reset.metadata.managedFields = [];
  const r2 = updateManagedFields({ old: tracked, updated: reset, manager: 'm', operation: 'Update', schema: configMap, now: T0, apiVersion: 'v1' });
  assert.equal('managedFields' in (r2.object.metadata as JsonObject), false);
});

test('updateManagedFields: subresource managers are distinct entries', () => {
  const obj = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', uid: 'u' }, spec: { replicas: 1 } };
  const c = updateManagedFields({ old: null, updated: obj, manager: 'kubectl', operation: 'Update', schema: deployment, now: T0, apiVersion: 'apps/v1' }).object;
  const next = structuredClone(c) as any;
  next.status = { readyReplicas: 1 };
  const r = updateManagedFields({ old: c, updated: next, manager: 'kube-controller-manager', operation: 'Update', subresource: 'status', schema: deployment, now: T1, apiVersion: 'apps/v1', ignoredPaths: [['spec'], ['metadata']] });
  const e = r.managedFields.find((x) => x.manager === 'kube-controller-manager')!;
  assert.equal(e.subresource, 'status');
  // status did not exist before, so the struct itself was added too (upstream's zero-valued Go struct would hide the '.')
  assert.deepEqual(e.fieldsV1, { 'f:status': { '.': {}, 'f:readyReplicas': {} } });
});

test('managerFromUserAgent: program name before the first "/"', () => {
  assert.equal(managerFromUserAgent('kubectl/v1.32.0 (linux/amd64) kubernetes/abc'), 'kubectl');
  assert.equal(managerFromUserAgent('kubectl-edit/v1.32.0 (linux/amd64)'), 'kubectl-edit');
  assert.equal(managerFromUserAgent('node-fetch'), 'node-fetch');
  assert.equal(managerFromUserAgent('a\u0007b/1'), 'ab');
  assert.equal(managerFromUserAgent('x'.repeat(300)).length, 128);
});
