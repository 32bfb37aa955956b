import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as core from './core.js';

const msgs = (errs: { field: string; detail: string }[]) => errs.map((e) => `${e.field}: ${e.detail}`);

function svc(spec: any): any {
  const s = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec };
  core.defaultService(s);
  return s;
}

test('service defaults', () => {
  const s = svc({ selector: { app: 'web' }, ports: [{ port: 80 }, { name: 'x', port: 81, targetPort: 'http' }] });
  assert.deepEqual(s.spec, {
    selector: { app: 'web' },
    ports: [
      { port: 80, protocol: 'TCP', targetPort: 80 },
      { name: 'x', port: 81, targetPort: 'http', protocol: 'TCP' },
    ],
    sessionAffinity: 'None',
    type: 'ClusterIP',
    internalTrafficPolicy: 'Cluster',
    ipFamilyPolicy: 'SingleStack',
    ipFamilies: ['IPv4'],
  });
  const np = svc({ type: 'NodePort', ports: [{ port: 80 }] });
  assert.equal(np.spec.externalTrafficPolicy, 'Cluster');
  const en = svc({ type: 'ExternalName', externalName: 'example.com' });
  assert.equal(en.spec.ipFamilies, undefined);
  assert.deepEqual(core.validateService(en), []);
});

test('service validation', () => {
  assert.deepEqual(msgs(core.validateService(svc({ selector: { app: 'web' } }))), ['spec.ports: Required value']);
  assert.deepEqual(core.validateService(svc({ clusterIP: 'None' })), []);
  const bad = svc({ type: 'Fancy', ports: [{ port: 0 }, { port: 80, name: 'a' }, { port: 81, name: 'a', protocol: 'ICMP' }] });
  assert.deepEqual(msgs(core.validateService(bad)), [
    'spec.type: Unsupported value: "Fancy": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
    'spec.ports[0].name: Required value',
    'spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
    'spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive',
    'spec.ports[2].name: Duplicate value: "a"',
    'spec.ports[2].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
  ]);
  assert.deepEqual(msgs(core.validateService(svc({ ports: [{ port: 80, nodePort: 30000 }] }))), [
    "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
  ]);
});

test('service clusterIP is kept and immutable', () => {
  const old = svc({ clusterIP: '10.96.0.10', ports: [{ port: 80 }] });
  assert.deepEqual(old.spec.clusterIPs, ['10.96.0.10']);
  const replaced = svc({ ports: [{ port: 80 }] });
  core.prepareServiceForUpdate(replaced, old);
  assert.equal(replaced.spec.clusterIP, '10.96.0.10');
  assert.deepEqual(core.validateServiceUpdate(replaced, old), []);
  const changed = svc({ clusterIP: '10.96.0.11', ports: [{ port: 80 }] });
  assert.deepEqual(msgs(core.validateServiceUpdate(changed, old)), ['spec.clusterIPs[0]: Invalid value: []string{"10.96.0.11"}: may not change once set']);
});

test('namespace defaults, finalizers and status', () => {
  const ns: any = { metadata: { name: 'team-a' } };
  core.defaultNamespace(ns);
  core.prepareNamespaceForCreate(ns);
  assert.deepEqual(ns, {
    metadata: { name: 'team-a', labels: { 'kubernetes.io/metadata.name': 'team-a' } },
    status: { phase: 'Active' },
    spec: { finalizers: ['kubernetes'] },
  });
  const upd: any = { metadata: { name: 'team-a' }, spec: { finalizers: [] } };
  core.prepareNamespaceForUpdate(upd, ns);
  assert.deepEqual(upd.spec.finalizers, ['kubernetes']);
  assert.deepEqual(msgs(core.validateNamespace({ spec: { finalizers: ['foo'] } })), [
    'spec.finalizers: Invalid value: "foo": name is neither a standard finalizer name nor is it fully qualified',
  ]);
});

test('configmaps: keys, size, immutability', () => {
  assert.deepEqual(core.validateConfigMap({ data: { 'app.properties': 'x', KEY_1: 'y' } }), []);
  assert.deepEqual(msgs(core.validateConfigMap({ data: { 'a b': 'x', '..': 'y' } })), [
    `data[a b]: Invalid value: "a b": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
    `data[..]: Invalid value: "..": must not be '..'`,
  ]);
  assert.deepEqual(msgs(core.validateConfigMap({ data: { a: 'x'.repeat(1024 * 1024 + 1) } })), [': Too long: may not be more than 1048576 bytes']);
  const old = { immutable: true, data: { a: '1' } };
  assert.deepEqual(core.validateConfigMapUpdate({ immutable: true, data: { a: '1' } }, old), []);
  assert.deepEqual(msgs(core.validateConfigMapUpdate({ data: { a: '2' } }, old)), [
    'immutable: Forbidden: field is immutable when `immutable` is set',
    'data: Forbidden: field is immutable when `immutable` is set',
  ]);
});

test('secrets: type default, stringData, type rules, type immutable', () => {
  const s: any = { stringData: { password: 'hunter2' } };
  core.defaultSecret(s);
  assert.deepEqual(s, { type: 'Opaque', data: { password: Buffer.from('hunter2').toString('base64') } });
  assert.deepEqual(core.validateSecret(s), []);
  assert.deepEqual(msgs(core.validateSecret({ type: 'kubernetes.io/tls', data: {} })), ['data[tls.crt]: Required value', 'data[tls.key]: Required value']);
  assert.deepEqual(msgs(core.validateSecretUpdate({ type: 'kubernetes.io/tls' }, { type: 'Opaque' })), ['type: Invalid value: "kubernetes.io/tls": field is immutable']);
});

test('persistent volumes and claims', () => {
  const pv: any = { spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/data' } } };
  core.defaultPersistentVolume(pv);
  assert.equal(pv.spec.persistentVolumeReclaimPolicy, 'Retain');
  assert.equal(pv.spec.volumeMode, 'Filesystem');
  assert.equal(pv.status.phase, 'Pending');
  assert.deepEqual(core.validatePersistentVolume(pv), []);
  const pvc: any = { spec: { accessModes: [], resources: { requests: { storage: '0' } } } };
  core.defaultPersistentVolumeClaim(pvc);
  assert.equal(pvc.spec.volumeMode, 'Filesystem');
  assert.deepEqual(msgs(core.validatePersistentVolumeClaim(pvc)), [
    'spec.accessModes: Required value: at least 1 access mode is required',
    'spec.resources[storage]: Invalid value: "0": must be greater than zero',
  ]);
  const bound = structuredClone(pvc);
  bound.spec.volumeName = 'pv-1';
  bound.spec.resources.requests.storage = '2Gi';
  assert.deepEqual(core.validatePersistentVolumeClaimUpdate(bound, pvc), []);
});

test('nodes: taints and podCIDR updates', () => {
  assert.deepEqual(
    msgs(core.validateNode({ spec: { taints: [{ key: 'a', effect: 'Sometimes' }], podCIDRs: ['10.0.0.0/33'] } })),
    [
      'spec.podCIDRs[0]: Invalid value: "10.0.0.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
      'spec.taints[0].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
    ],
  );
  assert.deepEqual(core.validateNodeUpdate({ spec: { podCIDRs: ['10.0.0.0/24'] } }, { spec: {} }), []);
  assert.deepEqual(msgs(core.validateNodeUpdate({ spec: { podCIDRs: ['10.0.1.0/24'] } }, { spec: { podCIDRs: ['10.0.0.0/24'] } })), [
    'spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid',
  ]);
  const n: any = { status: { capacity: { cpu: '4' } } };
  core.defaultNode(n);
  assert.deepEqual(n.status.allocatable, { cpu: '4' });
});

test('limit range defaults', () => {
  const lr: any = { spec: { limits: [{ type: 'Container', max: { cpu: '2' }, min: { memory: '64Mi' } }] } };
  core.defaultLimitRange(lr);
  assert.deepEqual(lr.spec.limits[0].default, { cpu: '2' });
  assert.deepEqual(lr.spec.limits[0].defaultRequest, { cpu: '2', memory: '64Mi' });
  assert.deepEqual(core.validateLimitRange(lr), []);
});

test('endpoints ports default to TCP', () => {
  const ep: any = { subsets: [{ addresses: [{ ip: '10.1.0.5' }], ports: [{ port: 8080 }] }] };
  core.defaultEndpoints(ep);
  assert.equal(ep.subsets[0].ports[0].protocol, 'TCP');
  assert.deepEqual(core.validateEndpoints(ep), []);
});
