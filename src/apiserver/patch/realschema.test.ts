// The patch engines against the real schema set (kubernetes-types), not hand-built nodes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSchemas } from '../../api/schema/load.js';
import { applyPatch } from './apply.js';
import { applyStrategicMergePatch } from './strategic.js';
import type { JsonObject } from './json.js';

const schemas = loadSchemas();
const deploy = schemas.forKind('apps', 'v1', 'Deployment')!;

const cfg = (replicas: number, image: string): JsonObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'nginx', image, ports: [{ containerPort: 80 }], env: [{ name: 'A', value: '1' }] }] },
    },
  },
});

test('real schema: SMP set image and $setElementOrder on Deployment', () => {
  const live = cfg(1, 'nginx:1.24');
  (live.spec as any).template.spec.containers[0].ports[0].protocol = 'TCP';
  const out = applyStrategicMergePatch(
    live,
    {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'nginx' }],
            containers: [{ name: 'nginx', image: 'nginx:1.25', env: [{ name: 'B', value: '2' }], '$setElementOrder/env': [{ name: 'B' }, { name: 'A' }] }],
          },
        },
      },
    },
    deploy,
  ) as any;
  const c = out.spec.template.spec.containers[0];
  assert.equal(c.image, 'nginx:1.25');
  assert.deepEqual(c.env.map((e: any) => e.name), ['B', 'A']);
  assert.deepEqual(c.ports, [{ containerPort: 80, protocol: 'TCP' }]);
});

test('real schema: server-side apply create, conflict, force', () => {
  const now = new Date('2024-01-01T00:00:00Z');
  const base = { schema: deploy, now, apiVersion: 'apps/v1', ignoredPaths: [['status']] };
  const created = applyPatch({ ...base, live: null, applied: cfg(1, 'nginx:1.24'), manager: 'kubectl', force: false });
  const live = created.object;
  (live.metadata as any).uid = 'u';
  // server defaulting adds protocol: the applier's port element still matches by key default
  (live.spec as any).template.spec.containers[0].ports[0].protocol = 'TCP';
  const same = applyPatch({ ...base, live, applied: cfg(1, 'nginx:1.24'), manager: 'kubectl', force: false });
  assert.equal(same.changed, false);
  assert.throws(
    () => applyPatch({ ...base, live, applied: cfg(2, 'nginx:1.24'), manager: 'ci', force: false }),
    (e: any) => e.code === 409 && e.message === 'Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas',
  );
  const forced = applyPatch({ ...base, live, applied: cfg(2, 'nginx:1.24'), manager: 'ci', force: true });
  assert.equal((forced.object.spec as any).replicas, 2);
  assert.deepEqual(
    forced.managedFields.map((e) => e.manager),
    ['ci', 'kubectl'], // same operation and second: ordered by manager name
  );
});
