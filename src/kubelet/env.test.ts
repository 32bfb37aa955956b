import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expand, expandCommand, renderEnv } from './env.js';
import type { PodContext } from './fieldref.js';
import { ContainerConfigError, type ObjectSource, type Pod } from './types.js';

const ctx: PodContext = { nodeName: 'n1', hostIP: '10.0.0.1', podIP: '10.88.0.2', allocatable: { cpu: '4', memory: '8Gi' } };
const source: ObjectSource = {
  configMap: async (ns, name) => (ns === 'ns' && name === 'cm' ? { data: { k: 'v', other: 'o' } } : undefined),
  secret: async (ns, name) => (ns === 'ns' && name === 's' ? { data: { pw: Buffer.from('hunter2').toString('base64') } } : undefined),
};

const pod: Pod = {
  metadata: { name: 'p', namespace: 'ns', uid: 'uid-1', labels: { app: 'web', tier: 'x' }, annotations: { note: 'hi' } },
  spec: {
    nodeName: 'n1',
    serviceAccountName: 'sa',
    containers: [{ name: 'c', image: 'i', resources: { limits: { cpu: '1500m', memory: '64Mi' }, requests: { cpu: '250m' } } }],
  },
};

test('$(VAR) expansion with $$ escapes and unknown references kept', () => {
  const vars = new Map([['A', 'x']]);
  assert.equal(expand('$(A)-$(B)-$$(A)-$', vars), 'x-$(B)-$(A)-$');
});

test('values, valueFrom of every kind, envFrom with prefix, later wins', async () => {
  const c = {
    name: 'c',
    image: 'i',
    resources: { limits: { cpu: '1500m', memory: '64Mi' }, requests: { cpu: '250m' } },
    envFrom: [{ configMapRef: { name: 'cm' }, prefix: 'CM_' }, { secretRef: { name: 's' } }],
    env: [
      { name: 'A', value: 'a' },
      { name: 'CM_k', value: 'overridden $(A)' },
      { name: 'K', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k' } } },
      { name: 'PW', valueFrom: { secretKeyRef: { name: 's', key: 'pw' } } },
      { name: 'NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
      { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
      { name: 'NOTE', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['note']" } } },
      { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
      { name: 'SA', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
      { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'HOST', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
      { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
      { name: 'CPUM', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
      { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
      { name: 'MISSING', valueFrom: { configMapKeyRef: { name: 'cm', key: 'nope', optional: true } } },
    ],
  };
  const env = Object.fromEntries((await renderEnv(pod, c, ctx, source)).map((e) => [e.key, e.value]));
  assert.deepEqual(env, {
    CM_k: 'overridden a',
    CM_other: 'o',
    pw: 'hunter2',
    A: 'a',
    K: 'v',
    PW: 'hunter2',
    NAME: 'p',
    NS: 'ns',
    UID: 'uid-1',
    APP: 'web',
    NOTE: 'hi',
    NODE: 'n1',
    SA: 'sa',
    IP: '10.88.0.2',
    HOST: '10.0.0.1',
    CPU: '2',
    CPUM: '250',
    MEM: '64',
  });
});

test('limits default to node allocatable', async () => {
  const env = await renderEnv(pod, { name: 'c', env: [{ name: 'M', valueFrom: { resourceFieldRef: { resource: 'limits.memory' } } }] }, ctx, source);
  assert.equal(env[0]!.value, String(8 * 1024 ** 3));
});

test('a missing non-optional reference is a config error', async () => {
  await assert.rejects(renderEnv(pod, { name: 'c', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cm', key: 'nope' } } }] }, ctx, source), ContainerConfigError);
  await assert.rejects(renderEnv(pod, { name: 'c', envFrom: [{ secretRef: { name: 'none' } }] }, ctx, source), ContainerConfigError);
});

test('command and args expand from the environment', () => {
  const r = expandCommand({ name: 'c', command: ['echo', '$(A)'], args: ['$(B)', '$$(A)'] }, [{ key: 'A', value: '1' }, { key: 'B', value: '2' }]);
  assert.deepEqual(r, { command: ['echo', '1'], args: ['2', '$(A)'] });
});
