import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { OwnerSelectors } from './default-selector.js';

const pod = (labels: Record<string, string>, namespace = 'default'): Pod => ({ metadata: { name: 'p', namespace, labels }, spec: { containers: [] } });

test('default selector: union of the Services, RCs, ReplicaSets and StatefulSets selecting the pod', () => {
  const o = new OwnerSelectors();
  assert.equal(o.defaultSelector(pod({ app: 'web' })), undefined);
  o.set('Service', { metadata: { name: 'web', namespace: 'default' }, spec: { selector: { app: 'web' } } });
  o.set('Service', { metadata: { name: 'other', namespace: 'default' }, spec: { selector: { app: 'db' } } });
  o.set('Service', { metadata: { name: 'headless', namespace: 'default' }, spec: {} }); // selects nothing
  o.set('ReplicationController', { metadata: { name: 'rc', namespace: 'default' }, spec: { selector: { tier: 'front' } } });
  o.set('ReplicaSet', {
    metadata: { name: 'rs', namespace: 'default' },
    spec: { selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'track', operator: 'In', values: ['stable', 'canary'] }] }, template: {} },
  });
  o.set('StatefulSet', { metadata: { name: 'ss', namespace: 'other' }, spec: { selector: { matchLabels: { app: 'web' } }, serviceName: 's', template: {} } });

  const sel = o.defaultSelector(pod({ app: 'web', tier: 'front', track: 'stable' }))!;
  assert.ok(sel);
  assert.deepEqual(
    sel.requirements.map((r) => `${r.key} ${r.operator} ${r.values.join('|')}`).sort(),
    ['app = web', 'app = web', 'tier = front', 'track in canary|stable'].sort(),
  );
  assert.ok(sel.matches({ app: 'web', tier: 'front', track: 'canary' }));
  assert.ok(!sel.matches({ app: 'web', tier: 'back', track: 'canary' }));

  // Only the Service matches a pod without tier/track.
  const svcOnly = o.defaultSelector(pod({ app: 'web' }))!;
  assert.deepEqual(svcOnly.requirements.map((r) => r.key), ['app']);
  // Other namespaces do not count; deletion forgets.
  assert.deepEqual(o.defaultSelector(pod({ app: 'web' }, 'other'))!.requirements.map((r) => r.key), ['app']);
  o.delete('StatefulSet', { metadata: { name: 'ss', namespace: 'other' } });
  assert.equal(o.defaultSelector(pod({ app: 'web' }, 'other')), undefined);
  assert.equal(o.defaultSelector(pod({ app: 'cache' })), undefined);
});
