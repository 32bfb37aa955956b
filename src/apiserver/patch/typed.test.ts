import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSchemas } from '../../api/schema/load.js';
import type { JsonObject } from './json.js';
import { compare } from './typed.js';

const pod = loadSchemas().forKind('', 'v1', 'Pod');

test('compare: a subtree only on the right is added whole, with list keys, duplicates, nulls and empties as upstream tracks them', () => {
  const rhs: JsonObject = {
    metadata: { name: 'p', labels: { a: 'b' } },
    spec: {
      containers: [
        {
          name: 'c',
          image: 'i',
          env: [
            { name: 'A', value: '1' },
            { name: 'A', value: '2' },
          ],
          ports: [{ containerPort: 80 }],
          securityContext: null,
          volumeMounts: [],
        },
      ],
      nodeSelector: {},
    },
  };
  const { added, removed, modified } = compare({ metadata: {} }, rhs, pod);
  assert.ok(removed.empty() && modified.empty());
  assert.deepEqual(added.toFieldsV1(), {
    'f:metadata': { 'f:labels': { '.': {}, 'f:a': {} }, 'f:name': {} },
    'f:spec': {
      '.': {},
      'f:containers': {
        '.': {},
        'k:{"name":"c"}': {
          '.': {},
          // Two elements share the key: the element is tracked as a whole.
          'f:env': { '.': {}, 'k:{"name":"A"}': {} },
          'f:image': {},
          'f:name': {},
          // The key's schema default (protocol TCP) is part of the element's identity.
          'f:ports': { '.': {}, 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
          'f:securityContext': {},
          'f:volumeMounts': {},
        },
      },
      'f:nodeSelector': {},
    },
  });
});
