import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TableColumn } from '../../registry.js';
import { registry } from '../index.js';

const now = Date.parse('2024-06-01T12:00:00Z');
const created = new Date(now - 3 * 3600_000).toISOString(); // 3h

/** The row kubectl would print after NAME, keyed by column name. */
function row(group: string, plural: string, obj: any): Record<string, unknown> {
  const def = registry.get(group, 'v1', plural)!;
  const cols: TableColumn[] = def.columns!;
  obj.metadata = { name: 'x', creationTimestamp: created, ...obj.metadata };
  return Object.fromEntries(cols.map((c) => [c.name, c.cell(obj, now)]));
}

function names(group: string, plural: string, priority: 0 | 1): string[] {
  return registry.get(group, 'v1', plural)!.columns!.filter((c) => c.priority === priority).map((c) => c.name);
}

test('deployment columns', () => {
  assert.deepEqual(names('apps', 'deployments', 0), ['Ready', 'Up-to-date', 'Available', 'Age']);
  assert.deepEqual(names('apps', 'deployments', 1), ['Containers', 'Images', 'Selector']);
  const r = row('apps', 'deployments', {
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }, { name: 'side', image: 'busybox' }] } },
    },
    status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
  });
  assert.deepEqual(r, { Ready: '2/3', 'Up-to-date': 3, Available: 2, Age: '3h', Containers: 'nginx,side', Images: 'nginx:1.25,busybox', Selector: 'app=web' });
});

test('replicaset, statefulset, daemonset, replication controller', () => {
  assert.deepEqual(row('apps', 'replicasets', { spec: { replicas: 2, selector: { matchLabels: { a: 'b' } } }, status: { replicas: 2, readyReplicas: 1 } }), {
    Desired: 2, Current: 2, Ready: 1, Age: '3h', Containers: '', Images: '', Selector: 'a=b',
  });
  assert.equal(row('apps', 'statefulsets', { spec: { replicas: 3 }, status: { readyReplicas: 3 } }).Ready, '3/3');
  const ds = row('apps', 'daemonsets', {
    spec: { selector: { matchLabels: { k: 'v' } }, template: { spec: { nodeSelector: { 'kubernetes.io/os': 'linux' } } } },
    status: { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 1, updatedNumberScheduled: 2, numberAvailable: 1 },
  });
  assert.deepEqual(ds, { Desired: 2, Current: 2, Ready: 1, 'Up-to-date': 2, Available: 1, 'Node Selector': 'kubernetes.io/os=linux', Age: '3h', Containers: '', Images: '', Selector: 'k=v' });
  assert.equal(row('', 'replicationcontrollers', { spec: { replicas: 1, selector: { app: 'x' } } }).Selector, 'app=x');
});

test('controller revisions name their controller', () => {
  const r = row('apps', 'controllerrevisions', {
    metadata: { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'fluentd', uid: 'u', controller: true }] },
    revision: 4,
  });
  assert.deepEqual(r, { Controller: 'daemonset.apps/fluentd', Revision: 4, Age: '3h' });
  assert.equal(row('apps', 'controllerrevisions', {}).Controller, '<none>');
});

test('job status, completions and duration as kubectl 1.32', () => {
  assert.deepEqual(names('batch', 'jobs', 0), ['Status', 'Completions', 'Duration', 'Age']);
  const start = new Date(now - 90_000).toISOString();
  const running = row('batch', 'jobs', { spec: { completions: 3, parallelism: 1 }, status: { startTime: start, succeeded: 1 } });
  assert.deepEqual([running.Status, running.Completions, running.Duration], ['Running', '1/3', '90s']);
  const done = row('batch', 'jobs', {
    spec: { completions: 1 },
    status: { startTime: start, completionTime: new Date(now - 60_000).toISOString(), succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] },
  });
  assert.deepEqual([done.Status, done.Completions, done.Duration], ['Complete', '1/1', '30s']);
  assert.equal(row('batch', 'jobs', { spec: { parallelism: 4 }, status: {} }).Completions, '0/1 of 4');
  assert.equal(row('batch', 'jobs', { spec: {}, status: {} }).Duration, '');
  assert.equal(row('batch', 'jobs', { status: { conditions: [{ type: 'Failed', status: 'True' }] } }).Status, 'Failed');
  assert.equal(row('batch', 'jobs', { status: { conditions: [{ type: 'Suspended', status: 'True' }] } }).Status, 'Suspended');
  assert.equal(row('batch', 'jobs', { metadata: { deletionTimestamp: created } }).Status, 'Terminating');
});

test('cronjob columns', () => {
  const r = row('batch', 'cronjobs', { spec: { schedule: '*/5 * * * *', suspend: false }, status: { active: [{}], lastScheduleTime: new Date(now - 120_000).toISOString() } });
  assert.deepEqual([r.Schedule, r.Timezone, r.Suspend, r.Active, r['Last Schedule']], ['*/5 * * * *', '<none>', 'False', 1, '2m']);
  assert.equal(row('batch', 'cronjobs', { spec: {} })['Last Schedule'], '<none>');
});

test('service columns for each type', () => {
  assert.deepEqual(names('', 'services', 0), ['Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age']);
  const cip = row('', 'services', { spec: { type: 'ClusterIP', clusterIP: '10.43.0.1', clusterIPs: ['10.43.0.1'], ports: [{ port: 443, protocol: 'TCP' }], selector: { app: 'a' } } });
  assert.deepEqual(cip, { Type: 'ClusterIP', 'Cluster-IP': '10.43.0.1', 'External-IP': '<none>', 'Port(s)': '443/TCP', Age: '3h', Selector: 'app=a' });
  const np = row('', 'services', { spec: { type: 'NodePort', clusterIPs: ['10.43.0.2'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] } });
  assert.equal(np['Port(s)'], '80:30080/TCP,53/UDP');
  assert.equal(np.Selector, '<none>');
  const lb = row('', 'services', { spec: { type: 'LoadBalancer', clusterIPs: ['10.43.0.3'], ports: [] }, status: { loadBalancer: {} } });
  assert.deepEqual([lb['External-IP'], lb['Port(s)']], ['<pending>', '<none>']);
  const lb2 = row('', 'services', { spec: { type: 'LoadBalancer', externalIPs: ['1.1.1.1'] }, status: { loadBalancer: { ingress: [{ ip: '9.9.9.9' }, { hostname: 'lb.example' }] } } });
  assert.equal(lb2['External-IP'], '9.9.9.9,lb.example,1.1.1.1');
  const en = row('', 'services', { spec: { type: 'ExternalName', externalName: 'db.example.com' } });
  assert.deepEqual([en['Cluster-IP'], en['External-IP']], ['<none>', 'db.example.com']);
  assert.equal(row('', 'services', { spec: { clusterIPs: ['None'] } })['Cluster-IP'], 'None');
});

test('node columns', () => {
  const r = row('', 'nodes', {
    metadata: { labels: { 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/master': 'true', 'kubernetes.io/role': 'etcd' } },
    spec: { unschedulable: true },
    status: {
      conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True' }],
      addresses: [{ type: 'InternalIP', address: '192.168.1.10' }, { type: 'Hostname', address: 'n1' }],
      nodeInfo: { kubeletVersion: 'v1.32.0', osImage: 'Debian', kernelVersion: '6.1', containerRuntimeVersion: 'containerd://1.7' },
    },
  });
  assert.deepEqual(r, {
    Status: 'Ready,SchedulingDisabled',
    Roles: 'control-plane,etcd,master',
    Age: '3h',
    Version: 'v1.32.0',
    'Internal-IP': '192.168.1.10',
    'External-IP': '<none>',
    'OS-Image': 'Debian',
    'Kernel-Version': '6.1',
    'Container-Runtime': 'containerd://1.7',
  });
  const bare = row('', 'nodes', {});
  assert.deepEqual([bare.Status, bare.Roles, bare['OS-Image']], ['Unknown', '<none>', '<unknown>']);
  assert.equal(row('', 'nodes', { status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } }).Status, 'NotReady');
});

test('namespaces, configmaps, secrets, service accounts', () => {
  assert.deepEqual(row('', 'namespaces', { status: { phase: 'Active' } }), { Status: 'Active', Age: '3h' });
  assert.deepEqual(row('', 'configmaps', { data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }), { Data: 3, Age: '3h' });
  assert.deepEqual(row('', 'secrets', { type: 'kubernetes.io/tls', data: { 'tls.crt': '', 'tls.key': '' } }), { Type: 'kubernetes.io/tls', Data: 2, Age: '3h' });
  assert.deepEqual(row('', 'serviceaccounts', {}), { Secrets: 0, Age: '3h' });
});

test('endpoints and endpoint slices', () => {
  assert.equal(row('', 'endpoints', {}).Endpoints, '<none>');
  const ep = row('', 'endpoints', {
    subsets: [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }, { ip: 'fd00::3' }, { ip: '10.0.0.4' }], ports: [{ port: 80 }] }],
  });
  assert.equal(ep.Endpoints, '10.0.0.1:80,10.0.0.2:80,[fd00::3]:80 + 1 more...');
  assert.equal(row('', 'endpoints', { subsets: [{ addresses: [{ ip: '10.0.0.1' }] }] }).Endpoints, '10.0.0.1');
  const es = row('discovery.k8s.io', 'endpointslices', { addressType: 'IPv4', ports: [{ port: 80 }, { name: 'x' }, {}], endpoints: [{ addresses: ['10.0.0.1'] }] });
  assert.deepEqual(es, { AddressType: 'IPv4', Ports: '80,x,*', Endpoints: '10.0.0.1', Age: '3h' });
  assert.equal(row('discovery.k8s.io', 'endpointslices', {}).Endpoints, '<unset>');
});

test('core and events.k8s.io events', () => {
  const core = row('', 'events', {
    involvedObject: { kind: 'Pod', name: 'web-1', fieldPath: 'spec.containers{app}' },
    reason: 'Pulled',
    type: 'Normal',
    message: ' Pulled image \n',
    source: { component: 'kubelet', host: 'node-1' },
    firstTimestamp: new Date(now - 600_000).toISOString(),
    lastTimestamp: new Date(now - 60_000).toISOString(),
    count: 3,
  });
  assert.deepEqual(core, {
    'Last Seen': '60s', Type: 'Normal', Reason: 'Pulled', Object: 'pod/web-1', Subobject: 'spec.containers{app}',
    Source: 'kubelet, node-1', Message: 'Pulled image', 'First Seen': '10m', Count: 3,
  });
  const v1 = row('events.k8s.io', 'events', {
    regarding: { kind: 'Node', name: 'n1' },
    reason: 'Starting',
    type: 'Normal',
    note: 'Starting kubelet.',
    reportingController: 'kubelet',
    reportingInstance: 'n1',
    eventTime: new Date(now - 30_000).toISOString(),
  });
  assert.deepEqual(v1, {
    'Last Seen': '30s', Type: 'Normal', Reason: 'Starting', Object: 'node/n1', Subobject: '',
    Source: 'kubelet, n1', Message: 'Starting kubelet.', 'First Seen': '30s', Count: 1,
  });
});

test('storage: pv, pvc, storage classes', () => {
  const pv = row('', 'persistentvolumes', {
    spec: { capacity: { storage: '10Gi' }, accessModes: ['ReadWriteMany', 'ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain', claimRef: { namespace: 'ns', name: 'data' }, storageClassName: 'local' },
    status: { phase: 'Bound' },
  });
  assert.deepEqual(pv, {
    Capacity: '10Gi', 'Access Modes': 'RWO,RWX', 'Reclaim Policy': 'Retain', Status: 'Bound', Claim: 'ns/data', StorageClass: 'local',
    VolumeAttributesClass: '<unset>', Reason: '', Age: '3h', VolumeMode: '<unset>',
  });
  const pending = row('', 'persistentvolumeclaims', { spec: { storageClassName: 'local', resources: { requests: { storage: '1Gi' } } }, status: { phase: 'Pending' } });
  assert.deepEqual([pending.Status, pending.Volume, pending.Capacity, pending['Access Modes'], pending.StorageClass], ['Pending', '', '', '', 'local']);
  const bound = row('', 'persistentvolumeclaims', { spec: { volumeName: 'pv-1', volumeMode: 'Filesystem' }, status: { phase: 'Bound', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'] } });
  assert.deepEqual([bound.Volume, bound.Capacity, bound['Access Modes'], bound.VolumeMode], ['pv-1', '1Gi', 'RWO', 'Filesystem']);
  assert.deepEqual(row('storage.k8s.io', 'storageclasses', { provisioner: 'rancher.io/local-path', volumeBindingMode: 'WaitForFirstConsumer' }), {
    Provisioner: 'rancher.io/local-path', ReclaimPolicy: 'Delete', VolumeBindingMode: 'WaitForFirstConsumer', AllowVolumeExpansion: false, Age: '3h',
  });
});

test('networking, policy, rbac, scheduling, coordination', () => {
  const ing = row('networking.k8s.io', 'ingresses', {
    spec: { ingressClassName: 'traefik', rules: [{ host: 'a.example' }, {}, { host: 'b.example' }], tls: [{}] },
    status: { loadBalancer: { ingress: [{ ip: '10.0.0.9' }] } },
  });
  assert.deepEqual(ing, { Class: 'traefik', Hosts: 'a.example,b.example', Address: '10.0.0.9', Ports: '80, 443', Age: '3h' });
  assert.equal(row('networking.k8s.io', 'ingresses', { spec: { rules: [{ host: 'a' }, { host: 'b' }, { host: 'c' }, { host: 'd' }, { host: 'e' }] } }).Hosts, 'a,b,c + 2 more...');
  assert.equal(row('networking.k8s.io', 'ingresses', { spec: {} }).Hosts, '*');
  assert.deepEqual(row('networking.k8s.io', 'ingressclasses', { spec: { controller: 'x.io/ctl', parameters: { apiGroup: 'k8s.example.com', kind: 'Params', name: 'p' } } }), {
    Controller: 'x.io/ctl', Parameters: 'Params.k8s.example.com/p', Age: '3h',
  });
  assert.equal(row('networking.k8s.io', 'networkpolicies', { spec: { podSelector: {} } })['Pod-Selector'], '<none>');
  assert.equal(row('networking.k8s.io', 'networkpolicies', { spec: { podSelector: { matchLabels: { role: 'db' } } } })['Pod-Selector'], 'role=db');
  assert.deepEqual(row('policy', 'poddisruptionbudgets', { spec: { minAvailable: '50%' }, status: { disruptionsAllowed: 1 } }), {
    'Min Available': '50%', 'Max Unavailable': 'N/A', 'Allowed Disruptions': 1, Age: '3h',
  });
  const rb = row('rbac.authorization.k8s.io', 'rolebindings', {
    roleRef: { kind: 'ClusterRole', name: 'view', apiGroup: 'rbac.authorization.k8s.io' },
    subjects: [{ kind: 'User', name: 'alice' }, { kind: 'Group', name: 'devs' }, { kind: 'ServiceAccount', name: 'bot', namespace: 'ci' }, { kind: 'User', name: 'bob' }],
  });
  assert.deepEqual(rb, { Role: 'ClusterRole/view', Age: '3h', Users: 'alice, bob', Groups: 'devs', ServiceAccounts: 'ci/bot' });
  assert.deepEqual(row('rbac.authorization.k8s.io', 'clusterroles', { metadata: { creationTimestamp: '2024-05-01T10:00:00.000Z' } }), { 'Created At': '2024-05-01T10:00:00Z' });
  assert.equal(registry.get('rbac.authorization.k8s.io', 'v1', 'roles')!.columns![0]!.type, 'date');
  assert.deepEqual(row('scheduling.k8s.io', 'priorityclasses', { value: 2000000000, globalDefault: false, preemptionPolicy: 'PreemptLowerPriority' }), {
    Value: 2000000000, 'Global-Default': false, Age: '3h', PreemptionPolicy: 'PreemptLowerPriority',
  });
  assert.deepEqual(row('coordination.k8s.io', 'leases', { spec: { holderIdentity: 'node-1' } }), { Holder: 'node-1', Age: '3h' });
});

test('quota, limit ranges, pod templates', () => {
  const q = row('', 'resourcequotas', {
    status: { hard: { pods: '10', 'limits.cpu': '4', 'requests.cpu': '2', 'limits.memory': '8Gi' }, used: { pods: '3', 'requests.cpu': '500m' } },
  });
  assert.deepEqual(q, { Request: 'pods: 3/10, requests.cpu: 500m/2', Limit: 'limits.cpu: 0/4, limits.memory: 0/8Gi', Age: '3h' });
  assert.deepEqual(Object.keys(row('', 'limitranges', {})), ['Created At']);
  const pt = row('', 'podtemplates', { template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } });
  assert.deepEqual(pt, { Containers: 'c', Images: 'i', 'Pod Labels': 'app=x' });
});
