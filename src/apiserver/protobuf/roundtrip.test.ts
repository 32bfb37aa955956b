import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeProtobufObject } from './decode.js';
import { encodeProtobufObject } from './encode.js';

// Objects written in the exact shape Go marshals them (struct fields always present, pointers and
// omitempty fields only when set); encode → decode must give them back unchanged, key order included.
const podTemplate = {
  metadata: { creationTimestamp: null, labels: { app: 'x' } },
  spec: { containers: [{ name: 'c', image: 'busybox', resources: {} }] },
};
const objects: Array<Record<string, unknown> & { apiVersion: string; kind: string }> = [
  {
    kind: 'Deployment',
    apiVersion: 'apps/v1',
    metadata: { name: 'd', namespace: 'default', generation: 3, creationTimestamp: '2024-01-02T03:04:05Z', annotations: { 'deployment.kubernetes.io/revision': '2' } },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: 'x' } },
      template: podTemplate,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: 1 } },
      minReadySeconds: 5,
      revisionHistoryLimit: 10,
      paused: true,
      progressDeadlineSeconds: 600,
    },
    status: {
      observedGeneration: 3,
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 1,
      availableReplicas: 1,
      unavailableReplicas: 1,
      conditions: [
        { type: 'Available', status: 'False', lastUpdateTime: '2024-01-02T03:04:05Z', lastTransitionTime: '2024-01-02T03:04:05Z', reason: 'MinimumReplicasUnavailable', message: 'no' },
      ],
      collisionCount: 0,
    },
  },
  {
    kind: 'DaemonSet',
    apiVersion: 'apps/v1',
    metadata: { name: 'ds', creationTimestamp: null },
    spec: { selector: { matchLabels: { app: 'x' } }, template: podTemplate, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } }, revisionHistoryLimit: 10 },
    status: { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 3, numberReady: 0 },
  },
  {
    kind: 'StatefulSet',
    apiVersion: 'apps/v1',
    metadata: { name: 'ss', creationTimestamp: null },
    spec: {
      replicas: 3,
      selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['x'] }] },
      template: podTemplate,
      volumeClaimTemplates: [
        {
          metadata: { name: 'data', creationTimestamp: null },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: '' },
          status: {},
        },
      ],
      serviceName: 'ss',
      podManagementPolicy: 'Parallel',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: '50%' } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' },
      ordinals: { start: 0 },
    },
    status: { replicas: 0, availableReplicas: 0 },
  },
  {
    kind: 'ReplicaSet',
    apiVersion: 'apps/v1',
    metadata: {
      name: 'rs',
      creationTimestamp: null,
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'd', uid: 'u', controller: true, blockOwnerDeletion: true }],
    },
    spec: { replicas: 1, selector: { matchLabels: { app: 'x' } }, template: podTemplate },
    status: { replicas: 0 },
  },
  {
    kind: 'Service',
    apiVersion: 'v1',
    metadata: { name: 'lb', creationTimestamp: null },
    spec: {
      ports: [{ name: 'h', protocol: 'TCP', appProtocol: 'http', port: 80, targetPort: 'web', nodePort: 30080 }],
      selector: { app: 'x' },
      clusterIP: '10.0.0.10',
      clusterIPs: ['10.0.0.10'],
      type: 'LoadBalancer',
      sessionAffinity: 'ClientIP',
      externalTrafficPolicy: 'Local',
      healthCheckNodePort: 31000,
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } },
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      allocateLoadBalancerNodePorts: false,
      internalTrafficPolicy: 'Cluster',
    },
    status: { loadBalancer: { ingress: [{ ip: '1.2.3.4', ipMode: 'VIP', ports: [{ port: 80, protocol: 'TCP' }] }] } },
  },
  {
    kind: 'Eviction',
    apiVersion: 'policy/v1',
    metadata: { name: 'p1', namespace: 'default', creationTimestamp: null },
    deleteOptions: { gracePeriodSeconds: 0, preconditions: { uid: 'u1', resourceVersion: '5' } },
  },
  {
    kind: 'Namespace',
    apiVersion: 'v1',
    metadata: { name: 'gone', creationTimestamp: '2024-01-01T00:00:00Z', deletionTimestamp: '2024-01-02T00:00:00Z', finalizers: ['x/y'] },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Terminating', conditions: [{ type: 'NamespaceDeletionContentFailure', status: 'False', lastTransitionTime: '2024-01-02T00:00:00Z' }] },
  },
  {
    kind: 'Secret',
    apiVersion: 'v1',
    metadata: { name: 's', creationTimestamp: null },
    immutable: true,
    data: { bin: Buffer.from([0, 255, 1]).toString('base64'), empty: '' },
    stringData: { plain: 'text' },
    type: 'Opaque',
  },
];

for (const obj of objects) {
  test(`${obj.kind} round-trips through protobuf unchanged`, () => {
    const got = decodeProtobufObject(encodeProtobufObject(obj), { apiVersion: obj.apiVersion, kind: obj.kind });
    assert.deepEqual(got, obj);
    assert.equal(JSON.stringify(got), JSON.stringify(obj));
  });
}

test('zero-valued Go fields appear as Go writes them', () => {
  // A Deployment with nothing set: struct fields are {} / null time, omitempty scalars vanish.
  const got = decodeProtobufObject(encodeProtobufObject({ apiVersion: 'apps/v1', kind: 'Deployment' }));
  assert.deepEqual(got, {
    kind: 'Deployment',
    apiVersion: 'apps/v1',
    metadata: { creationTimestamp: null },
    spec: { selector: null, template: { metadata: { creationTimestamp: null }, spec: { containers: null } }, strategy: {} },
    status: {},
  });
});
