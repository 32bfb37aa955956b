import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as o from './others.js';

const msgs = (errs: { field: string; detail: string }[]) => errs.map((e) => `${e.field}: ${e.detail}`);

test('priority classes', () => {
  const pc: any = { metadata: { name: 'high' }, value: 1000 };
  o.defaultPriorityClass(pc);
  assert.equal(pc.preemptionPolicy, 'PreemptLowerPriority');
  assert.deepEqual(o.validatePriorityClass(pc), []);
  assert.deepEqual(msgs(o.validatePriorityClass({ metadata: { name: 'huge' }, value: 2e9 })), [
    'value: Forbidden: maximum allowed value of a user defined priority is 1000000000',
  ]);
  assert.deepEqual(o.validatePriorityClass({ metadata: { name: 'system-node-critical' }, value: 2000001000 }), []);
  assert.deepEqual(msgs(o.validatePriorityClass({ metadata: { name: 'system-mine' }, value: 1 })), [
    "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class",
  ]);
  assert.deepEqual(msgs(o.validatePriorityClassUpdate({ ...pc, value: 5 }, pc)), ['value: Forbidden: may not be changed in an update.']);
});

test('storage classes', () => {
  const sc: any = { provisioner: 'rancher.io/local-path' };
  o.defaultStorageClass(sc);
  assert.deepEqual(sc, { provisioner: 'rancher.io/local-path', reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate' });
  assert.deepEqual(o.validateStorageClass(sc), []);
  assert.deepEqual(msgs(o.validateStorageClass({})), ['provisioner: Required value']);
  assert.deepEqual(msgs(o.validateStorageClassUpdate({ ...sc, reclaimPolicy: 'Retain' }, sc)), ['reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.']);
});

test('leases', () => {
  assert.deepEqual(o.validateLease({ spec: { holderIdentity: 'a', leaseDurationSeconds: 15 } }), []);
  assert.deepEqual(msgs(o.validateLease({ spec: { leaseDurationSeconds: 0 } })), ['spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0']);
});

test('rbac bindings default api groups and keep roleRef', () => {
  const rb: any = { roleRef: { kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: 'x' }, { kind: 'User', name: 'jane' }] };
  o.defaultRoleBinding(rb);
  assert.equal(rb.roleRef.apiGroup, 'rbac.authorization.k8s.io');
  assert.equal(rb.subjects[0].apiGroup, '');
  assert.equal(rb.subjects[1].apiGroup, 'rbac.authorization.k8s.io');
  assert.deepEqual(o.validateRoleBinding(rb), []);
  assert.deepEqual(msgs(o.validateClusterRoleBinding({ ...rb, roleRef: { ...rb.roleRef, kind: 'Role' } })), [
    'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"',
  ]);
  const changed = { ...rb, roleRef: { ...rb.roleRef, name: 'edit' } };
  assert.match(msgs(o.validateBindingUpdate(changed, rb))[0]!, /^roleRef: Invalid value: rbac.RoleRef\{.*\}: cannot change roleRef$/);
  assert.deepEqual(msgs(o.validateRole({ rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }] })), [
    'rules[0].nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs',
  ]);
});

test('network policies default protocol and policy types', () => {
  const np: any = { spec: { podSelector: {}, ingress: [{ ports: [{ port: 80 }] }], egress: [{}] } };
  o.defaultNetworkPolicy(np);
  assert.equal(np.spec.ingress[0].ports[0].protocol, 'TCP');
  assert.deepEqual(np.spec.policyTypes, ['Ingress', 'Egress']);
  assert.deepEqual(o.validateNetworkPolicy(np), []);
});

test('endpoint slices, PDBs, ingresses, HPAs', () => {
  const es: any = { addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'] }], ports: [{ port: 80 }] };
  o.defaultEndpointSlice(es);
  assert.deepEqual(es.ports, [{ port: 80, protocol: 'TCP', name: '' }]);
  assert.deepEqual(o.validateEndpointSlice(es), []);
  assert.deepEqual(msgs(o.validatePodDisruptionBudget({ spec: { minAvailable: 1, maxUnavailable: 1 } })).map((m) => m.replace(/Invalid value: .*: /, '')), [
    'spec: minAvailable and maxUnavailable cannot be both set',
  ]);
  assert.deepEqual(
    o.validateIngress({ spec: { rules: [{ host: 'a.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 's', port: { number: 80 } } } }] } }] } }),
    [],
  );
  assert.deepEqual(msgs(o.validateIngress({ spec: { rules: [{ http: { paths: [{ path: '/', backend: { service: { name: 's', port: { number: 80 } } } }] } }] } })), [
    'spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified',
  ]);
  const hpa: any = { spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 5 } };
  o.defaultHPA(hpa);
  assert.equal(hpa.spec.minReplicas, 1);
  assert.equal(hpa.spec.metrics[0].resource.target.averageUtilization, 80);
  assert.equal(hpa.spec.behavior.scaleDown.stabilizationWindowSeconds, 300);
  assert.deepEqual(o.validateHPA(hpa), []);
});
