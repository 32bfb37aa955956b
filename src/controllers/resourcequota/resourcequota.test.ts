import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod, ResourceQuota } from 'kubernetes-types/core/v1.js';
import { quotaStatus, sameResourceList, type NamespaceObjects } from './usage.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');

function pod(name: string, requests: Record<string, string>, limits: Record<string, string> = {}, extra: Partial<Pod> = {}): Pod {
  return { metadata: { name }, spec: { containers: [{ name: 'c', resources: { requests, limits } }] }, status: { phase: 'Running' }, ...extra };
}

const objs = (o: Partial<NamespaceObjects>): NamespaceObjects => ({
  pods: [],
  services: [],
  configmaps: [],
  secrets: [],
  persistentvolumeclaims: [],
  replicationcontrollers: [],
  resourcequotas: [],
  ...o,
});

test('quota: counts and compute sums of non-terminal pods; objects by kind', () => {
  const q: ResourceQuota = {
    spec: {
      hard: {
        pods: '10',
        'requests.cpu': '4',
        'requests.memory': '8Gi',
        'limits.cpu': '8',
        'limits.memory': '16Gi',
        cpu: '4',
        services: '5',
        'services.nodeports': '2',
        configmaps: '10',
        'count/secrets': '10',
        persistentvolumeclaims: '3',
        'requests.storage': '10Gi',
        'example.com/unknown': '1',
      },
    },
    status: { used: { 'example.com/unknown': '1' } },
  };
  const status = quotaStatus(
    q,
    objs({
      pods: [
        pod('a', { cpu: '100m', memory: '128Mi' }, { cpu: '200m', memory: '256Mi' }),
        pod('b', { cpu: '250m', memory: '1Gi' }),
        pod('done', { cpu: '1', memory: '1Gi' }, {}, { status: { phase: 'Succeeded' } }),
        // init container larger than the sum
        { metadata: { name: 'init' }, spec: { containers: [{ name: 'c', resources: { requests: { cpu: '100m' } } }], initContainers: [{ name: 'i', resources: { requests: { cpu: '500m' } } }] }, status: { phase: 'Pending' } },
      ],
      services: [{ spec: { type: 'NodePort', ports: [{ port: 80 }, { port: 443 }] } }, { spec: { type: 'ClusterIP' } }],
      configmaps: [{}, {}],
      secrets: [{}],
      persistentvolumeclaims: [{ spec: { resources: { requests: { storage: '1Gi' } } } }, { spec: { resources: { requests: { storage: '512Mi' } } } }],
    }),
    NOW,
  );
  assert.deepEqual(status.hard, q.spec!.hard);
  assert.deepEqual(status.used, {
    pods: '3',
    'requests.cpu': '850m',
    'requests.memory': `${128 + 1024}Mi`,
    'limits.cpu': '200m',
    'limits.memory': '256Mi',
    cpu: '850m',
    services: '2',
    'services.nodeports': '2',
    configmaps: '2',
    'count/secrets': '1',
    persistentvolumeclaims: '2',
    'requests.storage': '1536Mi',
    'example.com/unknown': '1',
  });
});

test('quota: scopes select pods; non-pod resources count zero under scopes', () => {
  const pods = [pod('be', {}), pod('burst', { cpu: '1' }), pod('deadline', { cpu: '2' }, {}, { spec: { activeDeadlineSeconds: 10, containers: [{ name: 'c', resources: { requests: { cpu: '2' } } }] } })];
  const u = (spec: ResourceQuota['spec']) => quotaStatus({ spec }, objs({ pods, services: [{}] }), NOW).used;
  assert.deepEqual(u({ hard: { pods: '9', services: '9' }, scopes: ['BestEffort'] }), { pods: '1', services: '0' });
  assert.deepEqual(u({ hard: { pods: '9', 'requests.cpu': '9' }, scopes: ['NotBestEffort', 'NotTerminating'] }), { pods: '1', 'requests.cpu': '1' });
  assert.deepEqual(u({ hard: { pods: '9' }, scopes: ['Terminating'] }), { pods: '1' });
  assert.deepEqual(u({ hard: { pods: '9' }, scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'DoesNotExist' }] } }), { pods: '3' });
});

test('quota: resource lists compare by quantity', () => {
  assert.ok(sameResourceList({ cpu: '1000m' }, { cpu: '1' }));
  assert.ok(!sameResourceList({ cpu: '1' }, { cpu: '2' }));
  assert.ok(!sameResourceList({ cpu: '1' }, { cpu: '1', pods: '1' }));
});
