// Against a real API server (bare, no scheduler: pods name their node) with the fake runtime.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { KubeObject } from '../api/registry.js';
import { CONFIGMAPS, LEASES, NODES, PODS, RestClient, isNotFound } from '../client/index.js';
import { eventually, startTestServer, type TestServer } from '../client/testing/server.js';
import { FakeRuntime } from '../runtime/fake/index.js';
import { MANAGED_BY, POD_UID } from './labels.js';
import { startKubelet, type Kubelet } from './kubelet.js';
import type { Pod } from './types.js';

let server: TestServer;
let client: RestClient;
let dataDir: string;
let runtime: FakeRuntime;
let kubelet: Kubelet;
const NODE = 'node-a';

const opts = () => ({
  client,
  runtime,
  nodeName: NODE,
  dataDir,
  nodeIP: '10.0.0.5',
  podResyncMs: 100,
  backoff: { initialMs: 300, maxMs: 1200 },
  objectCacheMs: 100,
  staticPodCheckMs: 200,
  log: () => {},
});

before(async () => {
  server = await startTestServer();
  client = await RestClient.fromKubeconfig(server.kubeconfig);
  dataDir = mkdtempSync(join(tmpdir(), 'k8ts-kubelet-'));
  runtime = new FakeRuntime({
    behaviour: (c) => (c.image === 'crash:1' ? { exitAfterMs: 30, exitCode: 1 } : c.image === 'done:1' ? { exitAfterMs: 30, exitCode: 0 } : {}),
  });
  kubelet = await startKubelet(opts());
});

after(async () => {
  await kubelet?.stop();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const pods = () => client.resource<KubeObject>(PODS);

function pod(name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { nodeName: NODE, terminationGracePeriodSeconds: 5, ...spec } };
}

async function getPod(name: string): Promise<Pod | undefined> {
  try {
    return (await pods().get('default', name)) as Pod;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

test('registers the node with capacity, labels, nodeInfo and a lease', async () => {
  const node = (await client.resource<KubeObject>(NODES).get(undefined, NODE)) as any;
  assert.equal(node.metadata.labels['kubernetes.io/hostname'], NODE);
  assert.ok(Number(node.status.capacity.cpu) >= 1);
  assert.equal(node.status.capacity.pods, '110');
  assert.match(node.status.capacity.memory, /Ki$/);
  assert.ok(node.status.capacity['ephemeral-storage']);
  assert.equal(node.status.nodeInfo.kubeletVersion, 'v1.32.0-k8ts');
  assert.equal(node.status.nodeInfo.containerRuntimeVersion, 'fake://1.0.0');
  assert.deepEqual(node.status.addresses[0], { type: 'InternalIP', address: '10.0.0.5' });
  const ready = node.status.conditions.find((c: any) => c.type === 'Ready');
  assert.equal(ready.status, 'True');
  const lease = (await client.resource<KubeObject>(LEASES).get('kube-node-lease', NODE)) as any;
  assert.equal(lease.spec.holderIdentity, NODE);
});

test('a pod bound to the node goes Running with status, env and volumes', async () => {
  await client.resource<KubeObject>(CONFIGMAPS).create('default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { greeting: 'hello', 'a.txt': 'one' } });
  await pods().create(
    'default',
    pod('web', {
      containers: [
        {
          name: 'c',
          image: 'nginx:1',
          env: [
            { name: 'G', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'greeting' } } },
            { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'MSG', value: '$(G) from $(POD)' },
          ],
          volumeMounts: [{ name: 'cfg', mountPath: '/etc/cfg' }],
          ports: [{ containerPort: 80, hostPort: 8080 }],
        },
      ],
      volumes: [{ name: 'cfg', configMap: { name: 'cfg' } }],
    }),
  );
  let p: Pod | undefined;
  await eventually(async () => {
    p = await getPod('web');
    return p?.status?.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
  }, 10_000, 'web Running and Ready');
  const cs = p!.status!.containerStatuses![0]!;
  assert.ok(cs.state?.running);
  assert.equal(cs.ready, true);
  assert.equal(cs.started, true);
  assert.equal(cs.restartCount, 0);
  assert.match(cs.containerID ?? '', /^fake:\/\//);
  assert.match(cs.imageID ?? '', /^sha256:/);
  assert.match(p!.status!.podIP ?? '', /^10\.88\./);
  assert.equal(p!.status!.hostIP, '10.0.0.5');
  assert.ok(p!.status!.startTime);
  const create = runtime.callsOf('createContainer').at(-1)!.args[1] as any;
  const env = Object.fromEntries(create.envs.map((e: any) => [e.key, e.value]));
  assert.equal(env.MSG, 'hello from web');
  const sb = runtime.callsOf('runPodSandbox').at(-1)!.args[0] as any;
  assert.deepEqual(sb.portMappings, [{ protocol: 'TCP', containerPort: 80, hostPort: 8080 }]);
  const mount = create.mounts.find((m: any) => m.containerPath === '/etc/cfg');
  assert.equal(readFileSync(join(mount.hostPath, 'a.txt'), 'utf8'), 'one');
  // A ConfigMap change reaches the mounted file.
  await client.resource<KubeObject>(CONFIGMAPS).patch('default', 'cfg', { data: { greeting: 'hello', 'a.txt': 'two' } });
  await eventually(() => readFileSync(join(mount.hostPath, 'a.txt'), 'utf8') === 'two', 10_000, 'configmap update in the volume');
});

test('a crashing container backs off with a growing restartCount', async () => {
  await pods().create('default', pod('crash', { containers: [{ name: 'c', image: 'crash:1' }] }));
  let sawBackoff = false;
  await eventually(async () => {
    const p = await getPod('crash');
    const cs = p?.status?.containerStatuses?.[0];
    if (cs?.state?.waiting?.reason === 'CrashLoopBackOff') sawBackoff = true;
    return (cs?.restartCount ?? 0) >= 3 && sawBackoff && cs?.lastState?.terminated?.exitCode === 1;
  }, 15_000, 'restartCount ≥ 3 with CrashLoopBackOff');
  const p = await getPod('crash');
  assert.equal(p?.status?.phase, 'Running');
  assert.equal(p?.status?.containerStatuses?.[0]?.lastState?.terminated?.reason, 'Error');
});

test('restartPolicy Never: a completed pod Succeeds', async () => {
  await pods().create('default', pod('job', { restartPolicy: 'Never', initContainers: [{ name: 'init', image: 'done:1' }], containers: [{ name: 'c', image: 'done:1' }] }));
  await eventually(async () => (await getPod('job'))?.status?.phase === 'Succeeded', 10_000, 'job Succeeded');
  const p = await getPod('job');
  assert.equal(p?.status?.containerStatuses?.[0]?.state?.terminated?.reason, 'Completed');
  assert.equal(p?.status?.initContainerStatuses?.[0]?.state?.terminated?.exitCode, 0);
  assert.equal(p?.status?.conditions?.find((c) => c.type === 'Initialized')?.status, 'True');
});

test('a restarted kubelet adopts running containers without restarting them', async () => {
  const before = await getPod('web');
  const creates = runtime.callsOf('createContainer').length;
  await kubelet.stop();
  kubelet = await startKubelet(opts());
  await new Promise((r) => setTimeout(r, 800));
  const p = await getPod('web');
  assert.equal(p?.status?.phase, 'Running');
  assert.equal(p?.status?.containerStatuses?.[0]?.containerID, before?.status?.containerStatuses?.[0]?.containerID);
  assert.equal(p?.status?.containerStatuses?.[0]?.restartCount, 0);
  const webCreates = runtime.callsOf('createContainer').slice(creates).filter((c) => (c.args[1] as any).labels['io.kubernetes.pod.name'] === 'web');
  assert.equal(webCreates.length, 0);
});

test('deleting a pod stops its containers and completes the delete', async () => {
  const p = await getPod('web');
  const uid = p!.metadata!.uid!;
  await pods().delete('default', 'web');
  await eventually(async () => (await getPod('web')) === undefined, 10_000, 'web deleted');
  assert.equal(runtime.containersOfPod(uid, POD_UID).length, 0);
  assert.equal([...runtime.sandboxes.values()].filter((s) => s.sandbox.labels[POD_UID] === uid).length, 0);
  const stops = runtime.callsOf('stopContainer');
  assert.ok(stops.some((c) => (c.args[1] as number) > 0), 'stopped with a grace period');
});

test("removing a pod garbage-collects what gone pods left in the runtime (exited containers, empty sandboxes)", async () => {
  const labels = { [POD_UID]: 'stray', [MANAGED_BY]: NODE };
  const sb = await runtime.runPodSandbox({ metadata: { name: 'stray', uid: 'stray', namespace: 'default', attempt: 0 }, logDirectory: join(dataDir, 'stray'), portMappings: [], labels, annotations: {} });
  const id = await runtime.createContainer(sb, { metadata: { name: 'c', attempt: 0 }, image: 'nginx:1', command: [], args: [], envs: [], mounts: [], logPath: 'c/0.log', labels, annotations: {} }, runtime.sandboxes.get(sb)!.config);
  await runtime.startContainer(id);
  runtime.exitContainer(id, 0);
  await runtime.stopPodSandbox(sb);
  await pods().create('default', pod('short', { containers: [{ name: 'c', image: 'nginx:1' }] }));
  await eventually(async () => (await getPod('short'))?.status?.phase === 'Running', 10_000, 'short Running');
  await pods().delete('default', 'short');
  await eventually(() => !runtime.sandboxes.has(sb) && !runtime.containers.has(id), 10_000, 'stray sandbox and container collected');
});

test('static pods run from the manifests directory with a mirror pod in the API', async () => {
  const dir = join(dataDir, 'agent', 'manifests');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'static.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: static-web\n  namespace: kube-system\nspec:\n  containers:\n  - name: c\n    image: nginx:1\n');
  const name = `static-web-${NODE}`;
  let mirror: Pod | undefined;
  await eventually(async () => {
    try {
      mirror = (await pods().get('kube-system', name)) as Pod;
    } catch {
      return false;
    }
    return mirror.status?.phase === 'Running';
  }, 10_000, 'mirror pod Running');
  assert.ok(mirror!.metadata?.annotations?.['kubernetes.io/config.mirror']);
  assert.equal(mirror!.metadata?.ownerReferences?.[0]?.kind, 'Node');
  // A deleted mirror pod comes back.
  await pods().delete('kube-system', name, { gracePeriodSeconds: 0 });
  await eventually(async () => !!(await pods().get('kube-system', name).catch(() => undefined))?.metadata?.uid, 10_000, 'mirror recreated');
  rmSync(join(dir, 'static.yaml'));
  await eventually(async () => (await pods().get('kube-system', name).catch(() => undefined)) === undefined, 10_000, 'mirror removed');
  await eventually(() => [...runtime.containers.values()].every((c) => c.status.labels['io.kubernetes.pod.name'] !== name), 10_000, 'static containers removed');
});
