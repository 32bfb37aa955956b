// Hand-built schema fragments (the shape kubernetes-types gives) for the patch tests.
import type { SchemaNode } from '../../api/schema/types.js';

const str: SchemaNode = { type: 'string' };
const int: SchemaNode = { type: 'integer', format: 'int32' };
const strMap: SchemaNode = { type: 'object', additionalProperties: str };

export const objectMeta: SchemaNode = {
  name: 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
  type: 'object',
  properties: {
    name: str,
    namespace: str,
    uid: str,
    resourceVersion: str,
    generation: { type: 'integer', format: 'int64' },
    creationTimestamp: { type: 'string', format: 'date-time' },
    labels: strMap,
    annotations: strMap,
    finalizers: { type: 'array', items: str, patchStrategy: 'merge', listType: 'set' },
    ownerReferences: {
      type: 'array',
      patchStrategy: 'merge',
      patchMergeKey: 'uid',
      listType: 'map',
      listMapKeys: ['uid'],
      items: { type: 'object', properties: { uid: str, name: str, kind: str, apiVersion: str } },
    },
    managedFields: { type: 'array', items: { type: 'object', properties: { manager: str } } },
  },
};

const envVar: SchemaNode = {
  name: 'io.k8s.api.core.v1.EnvVar',
  type: 'object',
  properties: { name: str, value: str, valueFrom: { type: 'object', properties: { fieldRef: { type: 'object', properties: { fieldPath: str } } } } },
};

const containerPort: SchemaNode = {
  name: 'io.k8s.api.core.v1.ContainerPort',
  type: 'object',
  properties: { containerPort: int, name: str, protocol: { type: 'string', default: 'TCP' } as SchemaNode },
};

export const container: SchemaNode = {
  name: 'io.k8s.api.core.v1.Container',
  type: 'object',
  properties: {
    name: str,
    image: str,
    imagePullPolicy: str,
    args: { type: 'array', items: str },
    env: { type: 'array', items: envVar, patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
    ports: {
      type: 'array',
      items: containerPort,
      patchStrategy: 'merge',
      patchMergeKey: 'containerPort',
      listType: 'map',
      listMapKeys: ['containerPort', 'protocol'],
    },
    resources: { type: 'object', properties: { limits: strMap, requests: strMap } },
  },
};

const volume: SchemaNode = {
  name: 'io.k8s.api.core.v1.Volume',
  type: 'object',
  properties: {
    name: str,
    configMap: { type: 'object', properties: { name: str } },
    emptyDir: { type: 'object', properties: { medium: str } },
  },
};

export const podSpec: SchemaNode = {
  name: 'io.k8s.api.core.v1.PodSpec',
  type: 'object',
  properties: {
    containers: { type: 'array', items: container, patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
    volumes: { type: 'array', items: volume, patchStrategy: 'merge,retainKeys', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
    nodeSelector: { ...strMap, mapType: 'atomic' },
    tolerations: { type: 'array', items: { type: 'object', properties: { key: str, operator: str } }, listType: 'atomic' },
    restartPolicy: str,
  },
};

export const deployment: SchemaNode = {
  name: 'io.k8s.api.apps.v1.Deployment',
  type: 'object',
  gvk: [{ group: 'apps', version: 'v1', kind: 'Deployment' }],
  properties: {
    apiVersion: str,
    kind: str,
    metadata: objectMeta,
    spec: {
      type: 'object',
      properties: {
        replicas: int,
        paused: { type: 'boolean' },
        selector: {
          type: 'object',
          mapType: 'atomic',
          properties: { matchLabels: strMap },
        },
        template: { type: 'object', properties: { metadata: objectMeta, spec: podSpec } },
        strategy: {
          type: 'object',
          patchStrategy: 'retainKeys',
          properties: {
            type: str,
            rollingUpdate: { type: 'object', properties: { maxSurge: { format: 'int-or-string' }, maxUnavailable: { format: 'int-or-string' } } },
          },
        },
      },
    },
    status: { type: 'object', properties: { replicas: int, readyReplicas: int, observedGeneration: int } },
  },
};

export const configMap: SchemaNode = {
  name: 'io.k8s.api.core.v1.ConfigMap',
  type: 'object',
  gvk: [{ group: '', version: 'v1', kind: 'ConfigMap' }],
  properties: { apiVersion: str, kind: str, metadata: objectMeta, data: strMap, binaryData: strMap, immutable: { type: 'boolean' } },
};
