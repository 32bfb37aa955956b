import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  defaultDaemonSet,
  defaultDeployment,
  defaultReplicationController,
  defaultStatefulSet,
  validateDaemonSet,
  validateDeployment,
  validateDeploymentUpdate,
  validateReplicationController,
  validateStatefulSet,
  validateStatefulSetUpdate,
} from './workloads.js';

const msgs = (errs: { field: string; detail: string }[]) => errs.map((e) => `${e.field}: ${e.detail}`);
const template = (labels: Record<string, string>) => ({ metadata: { labels }, spec: { containers: [{ name: 'web', image: 'nginx' }] } });

function deployment(spec: any): any {
  const d = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec };
  defaultDeployment(d);
  return d;
}

test('deployment defaults', () => {
  const d = deployment({ selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) });
  assert.equal(d.spec.replicas, 1);
  assert.deepEqual(d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.equal(d.spec.revisionHistoryLimit, 10);
  assert.equal(d.spec.progressDeadlineSeconds, 600);
  assert.equal(d.spec.template.spec.restartPolicy, 'Always');
  assert.equal(d.spec.template.spec.containers[0].imagePullPolicy, 'Always');
  assert.deepEqual(validateDeployment(d), []);
  const r = deployment({ strategy: { type: 'Recreate' }, selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) });
  assert.deepEqual(r.spec.strategy, { type: 'Recreate' });
});

test('deployment selector must match template labels', () => {
  const d = deployment({ selector: { matchLabels: { app: 'web' } }, template: template({ app: 'api' }) });
  assert.deepEqual(msgs(validateDeployment(d)), [
    'spec.template.metadata.labels: Invalid value: map[string]string{"app":"api"}: `selector` does not match template `labels`',
  ]);
});

test('deployment selector required, replicas non-negative, strategy checks', () => {
  const d = deployment({ replicas: -1, template: template({ app: 'web' }), strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } });
  assert.deepEqual(msgs(validateDeployment(d)), [
    'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    'spec.selector: Required value',
    'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
    'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0',
  ]);
  const e = deployment({ selector: {}, template: template({ app: 'web' }) });
  assert.deepEqual(msgs(validateDeployment(e)), [
    'spec.selector: Invalid value: &v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
  ]);
  const t = deployment({ selector: { matchLabels: { app: 'web' } }, template: { ...template({ app: 'web' }), spec: { restartPolicy: 'Never', containers: [{ name: 'a', image: 'b' }] } } });
  assert.deepEqual(msgs(validateDeployment(t)), ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"']);
});

test('apps/v1 selectors are immutable', () => {
  const old = deployment({ selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) });
  const next = structuredClone(old);
  next.spec.selector.matchLabels.app = 'web2';
  assert.deepEqual(msgs(validateDeploymentUpdate(next, old)), [
    'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
  ]);
  const scaled = structuredClone(old);
  scaled.spec.replicas = 5;
  assert.deepEqual(validateDeploymentUpdate(scaled, old), []);
});

test('statefulset defaults and update rules', () => {
  const s: any = { metadata: { name: 'db' }, spec: { serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: template({ app: 'db' }) } };
  defaultStatefulSet(s);
  assert.equal(s.spec.replicas, 1);
  assert.equal(s.spec.podManagementPolicy, 'OrderedReady');
  assert.deepEqual(s.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
  assert.equal(s.spec.revisionHistoryLimit, 10);
  assert.deepEqual(s.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
  assert.deepEqual(validateStatefulSet(s), []);
  const n = structuredClone(s);
  n.spec.serviceName = 'other';
  assert.deepEqual(msgs(validateStatefulSetUpdate(n, s)), [
    "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
  ]);
  const r = structuredClone(s);
  r.spec.replicas = 3;
  assert.deepEqual(validateStatefulSetUpdate(r, s), []);
});

test('daemonset defaults', () => {
  const ds: any = { metadata: { name: 'agent' }, spec: { selector: { matchLabels: { app: 'a' } }, template: template({ app: 'a' }) } };
  defaultDaemonSet(ds);
  assert.deepEqual(ds.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  assert.equal(ds.spec.revisionHistoryLimit, 10);
  assert.deepEqual(validateDaemonSet(ds), []);
  ds.spec.template.metadata.labels = { app: 'b' };
  assert.equal(validateDaemonSet(ds)[0]!.field, 'spec.template.metadata.labels');
});

test('replication controller: selector and labels from the template', () => {
  const rc: any = { metadata: { name: 'rc' }, spec: { template: template({ app: 'x' }) } };
  defaultReplicationController(rc);
  assert.deepEqual(rc.spec.selector, { app: 'x' });
  assert.deepEqual(rc.metadata.labels, { app: 'x' });
  assert.equal(rc.spec.replicas, 1);
  assert.deepEqual(validateReplicationController(rc), []);
  rc.spec.selector = { app: 'y' };
  assert.deepEqual(msgs(validateReplicationController(rc)), [
    'spec.template.metadata.labels: Invalid value: map[string]string{"app":"x"}: `selector` does not match template `labels`',
  ]);
});

test('statefulset containers may mount their volumeClaimTemplates by name', () => {
  const sts = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db', namespace: 'default' },
    spec: {
      serviceName: 'db',
      selector: { matchLabels: { app: 'db' } },
      updateStrategy: { type: 'RollingUpdate' },
      template: {
        metadata: { labels: { app: 'db' } },
        spec: { containers: [{ name: 'db', image: 'busybox', volumeMounts: [{ name: 'data', mountPath: '/data' }] }] },
      },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
  };
  defaultStatefulSet(sts);
  assert.deepEqual(msgs(validateStatefulSet(sts)), []);
  const missing = structuredClone(sts);
  missing.spec.template.spec.containers[0]!.volumeMounts[0]!.name = 'nope';
  assert.match(msgs(validateStatefulSet(missing)).join('\n'), /volumeMounts\[0\]\.name: Not found: "nope"/);
});
