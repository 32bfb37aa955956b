import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResourceDef } from '../registry.js';
import { errors } from '../status.js';
import { kindRules, strategyFor } from './index.js';

const def = (group: string, kind: string, namespaced = true): ResourceDef => ({
  group,
  version: 'v1',
  kind,
  plural: `${kind.toLowerCase()}s`,
  singular: kind.toLowerCase(),
  namespaced,
});

/** Run the strategy as the apiserver does on create and return what kubectl would print. */
function create(d: ResourceDef, obj: any): { obj: any; message?: string } {
  const s = strategyFor(d);
  s.defaults?.(obj);
  s.prepareForCreate?.(obj);
  const errs = s.validate?.(obj) ?? [];
  if (errs.length === 0) return { obj };
  return { obj, message: errors.invalid(d.group, d.kind, obj.metadata?.name ?? '', errs).message };
}

test('a pod without containers is rejected the way kubectl users know', () => {
  const r = create(def('', 'Pod'), { metadata: { name: 'bad', namespace: 'default' }, spec: {} });
  assert.equal(r.message, 'Pod "bad" is invalid: spec.containers: Required value');
});

test('a valid pod is defaulted and gets status on create', () => {
  const { obj, message } = create(def('', 'Pod'), {
    metadata: { name: 'web', namespace: 'default' },
    spec: { containers: [{ name: 'web', image: 'nginx' }] },
  });
  assert.equal(message, undefined);
  assert.deepEqual(obj.status, { phase: 'Pending', qosClass: 'BestEffort' });
  assert.equal(obj.spec.serviceAccountName, 'default');
});

test('deployment selector mismatch message', () => {
  const r = create(def('apps', 'Deployment'), {
    metadata: { name: 'web', namespace: 'default' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'a', image: 'b' }] } } },
  });
  assert.equal(
    r.message,
    'Deployment.apps "web" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"nginx"}: `selector` does not match template `labels`',
  );
});

test('name rules per kind', () => {
  const ns = create(def('', 'Namespace', false), { metadata: { name: 'a.b' } });
  assert.equal(ns.message, 'Namespace "a.b" is invalid: metadata.name: Invalid value: "a.b": must not contain dots');
  const svc = create(def('', 'Service'), { metadata: { name: '1web', namespace: 'd' }, spec: { ports: [{ port: 80 }] } });
  assert.match(svc.message ?? '', /metadata.name: Invalid value: "1web": a DNS-1035 label/);
  const role = create(def('rbac.authorization.k8s.io', 'ClusterRole', false), { metadata: { name: 'system:controller:x' }, rules: [] });
  assert.equal(role.message, undefined);
  const cm = create(def('', 'ConfigMap'), { metadata: { name: 'system:x', namespace: 'd' } });
  assert.match(cm.message ?? '', /RFC 1123 subdomain/);
  const cluster = create(def('', 'Node', false), { metadata: { name: 'n1', namespace: 'default' } });
  assert.equal(cluster.message, 'Node "n1" is invalid: metadata.namespace: Forbidden: not allowed on this type');
});

test('unknown kinds get the generic strategy', () => {
  assert.equal(kindRules('example.com', 'Widget'), undefined);
  const r = create(def('example.com', 'Widget'), { metadata: { namespace: 'd' } });
  assert.equal(r.message, 'Widget.example.com "" is invalid: metadata.name: Required value: name or generateName is required');
});

test('updates: identity kept by prepareForUpdate, immutables checked', () => {
  const s = strategyFor(def('', 'ConfigMap'));
  const old = { metadata: { name: 'c', namespace: 'd', uid: 'u', creationTimestamp: 't', resourceVersion: '5' }, data: { a: '1' } };
  const next: any = { metadata: { name: 'c', namespace: 'd', resourceVersion: '5' }, data: { a: '2' } };
  s.prepareForUpdate?.(next, old);
  assert.equal(next.metadata.uid, 'u');
  assert.deepEqual([...(s.validate?.(next) ?? []), ...(s.validateUpdate?.(next, old) ?? [])], []);
  const moved = { ...next, metadata: { ...next.metadata, namespace: 'other' } };
  assert.deepEqual(
    (s.validateUpdate?.(moved, old) ?? []).map((e) => `${e.field}: ${e.detail}`),
    ['metadata.namespace: Invalid value: "other": field is immutable'],
  );
});
