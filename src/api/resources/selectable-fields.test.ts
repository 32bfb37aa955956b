import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFieldSelector } from '../selectors/index.js';
import { registry } from './index.js';
import { fieldGetter, supportedFieldLabels, unsupportedFieldLabels } from './selectable-fields.js';

const def = (g: string, p: string) => registry.get(g, 'v1', p)!;
const select = (g: string, p: string, sel: string, obj: any): boolean => parseFieldSelector(sel).matches(fieldGetter(def(g, p), obj));

test('pod fields as the scheduler and kubelet select them', () => {
  const pod = {
    metadata: { name: 'web', namespace: 'default' },
    spec: { nodeName: 'n1', restartPolicy: 'Always', schedulerName: 'default-scheduler', serviceAccountName: 'default', hostNetwork: true },
    status: { phase: 'Running', podIPs: [{ ip: '10.0.0.5' }], podIP: '10.0.0.5' },
  };
  assert.ok(select('', 'pods', 'spec.nodeName=n1', pod));
  assert.ok(select('', 'pods', 'status.phase!=Succeeded,status.phase!=Failed', pod));
  assert.ok(select('', 'pods', 'metadata.name=web,metadata.namespace=default', pod));
  assert.ok(select('', 'pods', 'spec.hostNetwork=true', pod));
  assert.ok(select('', 'pods', 'status.podIP=10.0.0.5', pod));
  assert.ok(select('', 'pods', 'spec.schedulerName=default-scheduler,spec.serviceAccountName=default,spec.restartPolicy=Always', pod));
  assert.ok(select('', 'pods', 'status.nominatedNodeName=', pod));
  const unscheduled = { metadata: { name: 'x' }, spec: {} };
  assert.ok(select('', 'pods', 'spec.nodeName=', unscheduled));
  assert.ok(select('', 'pods', 'spec.hostNetwork=false', unscheduled));
});

test('describe-style event selection', () => {
  const ev = { metadata: { name: 'e' }, involvedObject: { kind: 'Pod', name: 'web', namespace: 'default', uid: 'u1' }, reason: 'Pulled', type: 'Normal', source: { component: 'kubelet' } };
  assert.ok(select('', 'events', 'involvedObject.name=web,involvedObject.namespace=default,involvedObject.kind=Pod,involvedObject.uid=u1', ev));
  assert.ok(select('', 'events', 'source=kubelet,type=Normal,reason=Pulled', ev));
  const v1 = { metadata: { name: 'e' }, regarding: { kind: 'Pod', name: 'web' }, reportingController: 'kubelet', type: 'Warning' };
  assert.ok(select('events.k8s.io', 'events', 'regarding.name=web,reportingController=kubelet,type=Warning', v1));
});

test('other resource fields', () => {
  assert.ok(select('', 'namespaces', 'status.phase=Active', { status: { phase: 'Active' } }));
  assert.ok(select('', 'nodes', 'spec.unschedulable=false', { spec: {} }));
  assert.ok(select('', 'secrets', 'type=kubernetes.io/service-account-token', { type: 'kubernetes.io/service-account-token' }));
  assert.ok(select('batch', 'jobs', 'status.successful=2', { status: { succeeded: 2 } }));
  assert.ok(select('apps', 'replicasets', 'status.replicas=0', { status: {} }));
  assert.ok(select('', 'replicationcontrollers', 'status.replicas=3', { status: { replicas: 3 } }));
  assert.ok(select('', 'services', 'spec.type=ClusterIP,spec.clusterIP=10.43.0.1', { spec: { type: 'ClusterIP', clusterIP: '10.43.0.1' } }));
});

test('supported labels and unsupported detection', () => {
  assert.deepEqual(supportedFieldLabels(def('', 'nodes')), ['metadata.name', 'spec.unschedulable']);
  assert.deepEqual(supportedFieldLabels(def('', 'configmaps')), ['metadata.name', 'metadata.namespace']);
  assert.deepEqual(unsupportedFieldLabels(def('', 'pods'), ['spec.nodeName', 'spec.bogus', 'metadata.namespace']), ['spec.bogus']);
  assert.deepEqual(unsupportedFieldLabels(def('', 'nodes'), ['metadata.namespace']), ['metadata.namespace']);
  assert.equal(fieldGetter(def('', 'pods'), {})('spec.bogus'), undefined);
  assert.equal(fieldGetter(def('', 'pods'), {})('toString'), undefined);
});
