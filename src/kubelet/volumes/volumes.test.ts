import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { PodContext } from '../fieldref.js';
import type { ObjectSource, Pod } from '../types.js';
import { writeAtomic } from './atomic-writer.js';
import { containerMounts, VolumeManager } from './manager.js';
import { renderVolume } from './render.js';

const dir = mkdtempSync(join(tmpdir(), 'k8ts-vol-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const ctx: PodContext = { nodeName: 'n', hostIP: '10.0.0.1', podIP: '10.88.0.3', allocatable: { cpu: '2', memory: '1Gi' } };
let cmData: Record<string, string> = { a: 'A', b: 'B' };
const source: ObjectSource = {
  configMap: async (_ns, name) => (name === 'cm' ? { data: { ...cmData }, binaryData: { bin: Buffer.from([1, 2]).toString('base64') } } : undefined),
  secret: async (_ns, name) => (name === 's' ? { data: { user: Buffer.from('admin').toString('base64'), pw: Buffer.from('x').toString('base64') } } : undefined),
  serviceAccountToken: async () => 'TOKEN',
};
const pod: Pod = { metadata: { name: 'p', namespace: 'ns', uid: 'uid1', labels: { b: '2', a: '1' } }, spec: { containers: [{ name: 'c', resources: { limits: { memory: '32Mi' } } }] } };

const files = (m: Map<string, { data: Buffer; mode?: number }>) => Object.fromEntries([...m].map(([k, v]) => [k, [v.data.toString(), (v.mode ?? 0o644).toString(8)]]));

test('configMap: all keys, or items with paths and modes', async () => {
  assert.deepEqual(files(await renderVolume(pod, { name: 'v', configMap: { name: 'cm' } }, ctx, source)), { a: ['A', '644'], b: ['B', '644'], bin: ['\u0001\u0002', '644'] });
  const r = await renderVolume(pod, { name: 'v', configMap: { name: 'cm', defaultMode: 0o600, items: [{ key: 'a', path: 'sub/x' }, { key: 'b', path: 'y', mode: 0o400 }] } }, ctx, source);
  assert.deepEqual(files(r), { 'sub/x': ['A', '600'], y: ['B', '400'] });
  await assert.rejects(renderVolume(pod, { name: 'v', configMap: { name: 'nope' } }, ctx, source), /not found/);
  assert.equal((await renderVolume(pod, { name: 'v', configMap: { name: 'nope', optional: true } }, ctx, source)).size, 0);
  await assert.rejects(renderVolume(pod, { name: 'v', configMap: { name: 'cm', items: [{ key: 'zz', path: 'z' }] } }, ctx, source), /zz/);
});

test('secret, downwardAPI and projected', async () => {
  assert.deepEqual(files(await renderVolume(pod, { name: 'v', secret: { secretName: 's', items: [{ key: 'user', path: 'u' }] } }, ctx, source)), { u: ['admin', '644'] });
  const d = await renderVolume(
    pod,
    {
      name: 'v',
      downwardAPI: {
        items: [
          { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
          { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
          { path: 'mem', resourceFieldRef: { containerName: 'c', resource: 'limits.memory', divisor: '1Mi' } },
        ],
      },
    },
    ctx,
    source,
  );
  assert.deepEqual(files(d), { labels: ['a="1"\nb="2"', '644'], name: ['p', '644'], mem: ['32', '644'] });
  const p = await renderVolume(
    pod,
    {
      name: 'v',
      projected: {
        defaultMode: 0o640,
        sources: [{ configMap: { name: 'cm', items: [{ key: 'a', path: 'a' }] } }, { secret: { name: 's', items: [{ key: 'pw', path: 'pw' }] } }, { serviceAccountToken: { path: 'token', expirationSeconds: 3600 } }],
      },
    },
    ctx,
    source,
  );
  assert.deepEqual(files(p), { a: ['A', '640'], pw: ['x', '640'], token: ['TOKEN', '640'] });
});

test('atomic writer: ..data swap, visible symlinks, no rewrite when unchanged, removed keys vanish', () => {
  const v = join(dir, 'atomic');
  const payload = (m: Record<string, string>) => new Map(Object.entries(m).map(([k, s]) => [k, { data: Buffer.from(s), mode: 0o644 }]));
  assert.equal(writeAtomic(v, payload({ a: '1', 'd/b': '2' })), true);
  assert.equal(readFileSync(join(v, 'a'), 'utf8'), '1');
  assert.equal(readFileSync(join(v, 'd/b'), 'utf8'), '2');
  assert.ok(lstatSync(join(v, 'a')).isSymbolicLink());
  assert.equal(readlinkSync(join(v, 'a')), '..data/a');
  const first = readlinkSync(join(v, '..data'));
  assert.equal(writeAtomic(v, payload({ a: '1', 'd/b': '2' })), false);
  assert.equal(writeAtomic(v, payload({ a: '9' })), true);
  assert.notEqual(readlinkSync(join(v, '..data')), first);
  assert.equal(existsSync(join(v, first)), false, 'old payload removed');
  assert.equal(readFileSync(join(v, 'a'), 'utf8'), '9');
  assert.equal(existsSync(join(v, 'd')), false);
  assert.throws(() => writeAtomic(v, payload({ '../evil': 'x' })), /invalid path/);
});

test('the manager sets up emptyDir, hostPath and configMap volumes, refreshes, and tears down', async () => {
  const vm = new VolumeManager({ root: join(dir, 'pods'), source, tmpfs: false });
  const host = join(dir, 'host', 'data');
  const p: Pod = {
    ...pod,
    spec: {
      containers: [{ name: 'c', volumeMounts: [{ name: 'cfg', mountPath: '/cfg', readOnly: true }, { name: 'scratch', mountPath: '/tmp/s', subPath: 'sub' }] }],
      volumes: [
        { name: 'cfg', configMap: { name: 'cm' } },
        { name: 'scratch', emptyDir: {} },
        { name: 'h', hostPath: { path: host, type: 'DirectoryOrCreate' } },
      ],
    },
  };
  const paths = await vm.setUp(p, ctx);
  assert.equal(paths.get('cfg'), join(dir, 'pods', 'uid1', 'volumes', 'kubernetes.io~configmap', 'cfg'));
  assert.ok(statSync(paths.get('scratch')!).isDirectory());
  assert.ok(statSync(host).isDirectory());
  const mounts = containerMounts(p.spec!.containers[0]!, paths);
  assert.deepEqual(mounts[0], { containerPath: '/cfg', hostPath: paths.get('cfg'), readonly: true });
  assert.equal(mounts[1]!.hostPath, join(paths.get('scratch')!, 'sub'));
  cmData = { a: 'A2' };
  assert.deepEqual(await vm.refresh(p, ctx), []);
  assert.equal(readFileSync(join(paths.get('cfg')!, 'a'), 'utf8'), 'A2');
  assert.equal(existsSync(join(paths.get('cfg')!, 'b')), false);
  await assert.rejects(vm.setUp({ ...p, spec: { containers: [], volumes: [{ name: 'f', hostPath: { path: join(dir, 'nope'), type: 'File' } }] } }, ctx), /not a file/);
  await vm.tearDown('uid1');
  assert.equal(existsSync(join(dir, 'pods', 'uid1')), false);
});

test('disk emptyDir over its sizeLimit is reported', async () => {
  const vm = new VolumeManager({ root: join(dir, 'pods2'), source, tmpfs: false });
  const p: Pod = { ...pod, spec: { containers: [], volumes: [{ name: 'e', emptyDir: { sizeLimit: '1Ki' } }] } };
  const paths = await vm.setUp(p, ctx);
  assert.deepEqual(vm.overLimit(p), []);
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(paths.get('e')!, 'big'), Buffer.alloc(4096));
  assert.deepEqual(vm.overLimit(p), ['e']);
});

test('emptyDir medium Memory is a tmpfs (as root), unmounted on teardown', { skip: process.getuid?.() !== 0 ? 'needs root' : undefined }, async () => {
  const vm = new VolumeManager({ root: join(dir, 'pods3'), source, tmpfs: true });
  const p: Pod = { ...pod, metadata: { ...pod.metadata, uid: 'mem1' }, spec: { containers: [], volumes: [{ name: 'm', emptyDir: { medium: 'Memory', sizeLimit: '4Mi' } }] } };
  const paths = await vm.setUp(p, ctx);
  const mounts = readFileSync('/proc/self/mounts', 'utf8');
  const line = mounts.split('\n').find((l) => l.split(' ')[1] === paths.get('m'));
  assert.ok(line, 'mounted');
  assert.match(line!, /^tmpfs /);
  assert.match(line!, /size=4096k/);
  await vm.setUp(p, ctx); // idempotent
  await vm.tearDown('mem1');
  assert.equal(readFileSync('/proc/self/mounts', 'utf8').includes(paths.get('m')!), false);
  assert.equal(existsSync(paths.get('m')!), false);
});
