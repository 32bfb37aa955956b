import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../api/status.js';
import { applyStrategicMergePatch } from './strategic.js';
import { deployment } from './testschema.js';
import { deepCopy, type JsonObject } from './json.js';

function liveDeployment(): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' }, finalizers: ['a', 'b'] },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'nginx',
              image: 'nginx:1.24',
              imagePullPolicy: 'IfNotPresent',
              args: ['-a', '-b'],
              env: [
                { name: 'A', value: '1' },
                { name: 'B', value: '2' },
              ],
              ports: [{ containerPort: 80, protocol: 'TCP' }],
            },
            { name: 'injected', image: 'proxy' },
          ],
        },
      },
    },
  };
}

const smp = (live: JsonObject, patch: unknown) => applyStrategicMergePatch(live, patch, deployment);

test('smp: kubectl set image merges the container by name', () => {
  const live = liveDeployment();
  const before = deepCopy(live);
  const out = smp(live, { spec: { template: { spec: { containers: [{ image: 'nginx:1.25', name: 'nginx' }] } } } });
  const want = liveDeployment() as any;
  want.spec.template.spec.containers[0].image = 'nginx:1.25';
  assert.deepEqual(out, want);
  assert.deepEqual(live, before, 'input not mutated');
});

test('smp: kubectl rollout restart adds the template annotation', () => {
  const out = smp(liveDeployment(), {
    spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2024-05-01T10:00:00Z' } } } },
  }) as any;
  assert.deepEqual(out.spec.template.metadata, {
    labels: { app: 'web' },
    annotations: { 'kubectl.kubernetes.io/restartedAt': '2024-05-01T10:00:00Z' },
  });
  assert.equal(out.spec.template.spec.containers.length, 2);
});

test('smp: kubectl rollout pause and label-style map patches', () => {
  const out = smp(liveDeployment(), { spec: { paused: true }, metadata: { labels: { tier: 'fe', app: null } } }) as any;
  assert.equal(out.spec.paused, true);
  assert.deepEqual(out.metadata.labels, { tier: 'fe' });
});

test('smp: kubectl apply three-way patch with $setElementOrder, deletes and additions', () => {
  // last-applied had containers [nginx(env A,B)], new config: nginx (env A only, new port), sidecar; replicas 3.
  const patch = {
    metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}\n' } },
    spec: {
      replicas: 3,
      template: {
        spec: {
          '$setElementOrder/containers': [{ name: 'nginx' }, { name: 'sidecar' }],
          containers: [
            {
              '$setElementOrder/env': [{ name: 'A' }],
              '$setElementOrder/ports': [{ containerPort: 80 }, { containerPort: 443 }],
              env: [{ $patch: 'delete', name: 'B' }],
              ports: [{ containerPort: 443 }],
              name: 'nginx',
            },
            { image: 'busybox', name: 'sidecar' },
          ],
        },
      },
    },
  };
  const out = smp(liveDeployment(), patch) as any;
  assert.equal(out.spec.replicas, 3);
  assert.equal(out.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'], '{}\n');
  assert.deepEqual(out.spec.template.spec.containers, [
    {
      name: 'nginx',
      image: 'nginx:1.24',
      imagePullPolicy: 'IfNotPresent',
      args: ['-a', '-b'],
      env: [{ name: 'A', value: '1' }],
      ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 443 }],
    },
    // upstream interleaves server-only items after patch items they cannot be ordered against
    { image: 'busybox', name: 'sidecar' },
    { name: 'injected', image: 'proxy' },
  ]);
});

test('smp: $setElementOrder reorders a merged list', () => {
  const live = { spec: { template: { spec: { containers: [{ name: 'a', image: '1' }, { name: 'b', image: '2' }] } } } };
  const out = smp(live, {
    spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }], containers: [{ name: 'a', image: '3' }] } } },
  }) as any;
  assert.deepEqual(out.spec.template.spec.containers, [
    { name: 'b', image: '2' },
    { name: 'a', image: '3' },
  ]);
});

test('smp: merge list without $setElementOrder keeps live order and appends new items', () => {
  const live = { spec: { template: { spec: { containers: [{ name: 'a' }, { name: 'b' }] } } } };
  const out = smp(live, { spec: { template: { spec: { containers: [{ name: 'c' }, { name: 'a', image: 'x' }] } } } }) as any;
  assert.deepEqual(out.spec.template.spec.containers, [{ name: 'c' }, { name: 'a', image: 'x' }, { name: 'b' }]);
});

test('smp: $retainKeys when switching strategy to Recreate', () => {
  const out = smp(liveDeployment(), { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' } } }) as any;
  assert.deepEqual(out.spec.strategy, { type: 'Recreate' });
});

test('smp: $retainKeys listing a key absent from the patch content is 400', () => {
  assert.throws(
    () => smp(liveDeployment(), { spec: { strategy: { $retainKeys: ['rollingUpdate'], type: 'Recreate' } } }),
    (e: unknown) => e instanceof StatusError && e.code === 400 && e.message === 'invalid patch format of retainKeys',
  );
});

test('smp: $deleteFromPrimitiveList and $setElementOrder on a primitive merge list', () => {
  const out = smp(liveDeployment(), {
    metadata: { '$deleteFromPrimitiveList/finalizers': ['a'], '$setElementOrder/finalizers': ['b', 'c'], finalizers: ['c'] },
  }) as any;
  assert.deepEqual(out.metadata.finalizers, ['b', 'c']);
});

test('smp: primitive merge list is a set union', () => {
  const out = smp(liveDeployment(), { metadata: { finalizers: ['b', 'z'] } }) as any;
  assert.deepEqual(out.metadata.finalizers, ['a', 'b', 'z']);
});

test('smp: non-merge lists are replaced (args, tolerations)', () => {
  const out = smp(liveDeployment(), {
    spec: { template: { spec: { tolerations: [{ key: 'k' }], containers: [{ name: 'nginx', args: ['-c'] }] } } },
  }) as any;
  assert.deepEqual(out.spec.template.spec.containers[0].args, ['-c']);
  assert.deepEqual(out.spec.template.spec.tolerations, [{ key: 'k' }]);
});

test('smp: $patch: replace in a list replaces it; $patch: delete in a list element deletes', () => {
  const out = smp(liveDeployment(), {
    spec: { template: { spec: { containers: [{ name: 'only', image: 'x' }, { $patch: 'replace' }] } } },
  }) as any;
  assert.deepEqual(out.spec.template.spec.containers, [{ name: 'only', image: 'x' }]);
  const out2 = smp(liveDeployment(), { spec: { template: { spec: { containers: [{ name: 'injected', $patch: 'delete' }] } } } }) as any;
  assert.deepEqual(
    out2.spec.template.spec.containers.map((c: any) => c.name),
    ['nginx'],
  );
});

test('smp: $patch: replace and delete in maps', () => {
  const out = smp(liveDeployment(), { metadata: { labels: { $patch: 'replace', only: 'me' } } }) as any;
  assert.deepEqual(out.metadata.labels, { only: 'me' });
  const out2 = smp(liveDeployment(), { spec: { strategy: { $patch: 'delete' } } }) as any;
  assert.deepEqual(out2.spec.strategy, {});
  const out3 = smp(liveDeployment(), { $patch: 'delete' });
  assert.deepEqual(out3, {});
});

test('smp: null deletes; new values drop nested nulls and directives', () => {
  const out = smp(liveDeployment(), {
    spec: { replicas: null, template: { spec: { nodeSelector: { disk: 'ssd', gone: null }, volumes: [{ name: 'v', emptyDir: {}, x: null }] } } },
  }) as any;
  assert.equal('replicas' in out.spec, false);
  assert.deepEqual(out.spec.template.spec.nodeSelector, { disk: 'ssd' });
  assert.deepEqual(out.spec.template.spec.volumes, [{ name: 'v', emptyDir: {} }]);
});

test('smp: ports merge by containerPort', () => {
  const out = smp(liveDeployment(), {
    spec: { template: { spec: { containers: [{ name: 'nginx', ports: [{ containerPort: 80, name: 'http' }, { containerPort: 8080 }] }] } } },
  }) as any;
  assert.deepEqual(out.spec.template.spec.containers[0].ports, [
    { containerPort: 80, protocol: 'TCP', name: 'http' },
    { containerPort: 8080 },
  ]);
});

test('smp: unknown schema falls back to merge-patch semantics', () => {
  const live = { spec: { custom: { list: [{ name: 'a', v: 1 }], m: { a: 1, b: 2 } } } };
  const out = applyStrategicMergePatch(live, { spec: { custom: { list: [{ name: 'a', v: 2 }], m: { b: null, c: 3 } } } }, undefined);
  assert.deepEqual(out, { spec: { custom: { list: [{ name: 'a', v: 2 }], m: { a: 1, c: 3 } } } });
});

test('smp: errors map to upstream codes', () => {
  const is = (code: number, msg?: RegExp) => (e: unknown) =>
    e instanceof StatusError && e.code === code && (!msg || msg.test(e.message));
  assert.throws(() => smp(liveDeployment(), ['x']), is(400));
  assert.throws(() => smp(liveDeployment(), { spec: { template: { spec: { containers: [{ image: 'x' }] } } } }), is(500, /does not contain declared merge key: name/));
  assert.throws(() => smp({ metadata: { finalizers: [] } }, { metadata: { finalizers: [['x']] } }), is(422));
  assert.throws(() => smp(liveDeployment(), { metadata: { finalizers: [['x']] } }), is(500, /list element types are not identical/));
  assert.throws(() => smp(liveDeployment(), { metadata: { $deleteFromPrimitiveList: ['a'] } }), is(400, /primitive list/));
  assert.throws(() => smp(liveDeployment(), { spec: { template: { spec: { containers: [{ $patch: 'merge' }] } } } }), is(500, /merging lists cannot yet be specified/));
  assert.throws(() => smp(liveDeployment(), { spec: { $patch: 'bogus' } }), is(500, /unknown patch type/));
});
