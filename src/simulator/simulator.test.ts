// End to end against a real `k8ts server` (memory datastore): nodes register and stay fresh, and pods
// bound to them move through their lifecycle.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../api/registry.js';
import { isNotFound, LEASES, NODES, PODS, RestClient } from '../client/index.js';
import { eventually, startTestServer, type TestServer } from '../client/testing/server.js';
import { startSimulator, type Simulator } from './index.js';

type Obj = Record<string, any>;

let server: TestServer;
let client: RestClient;
let sim: Simulator;
const logs: string[] = [];

before(async () => {
  server = await startTestServer();
  client = await RestClient.fromKubeconfig(server.kubeconfig, { qps: 0 });
  sim = await startSimulator({
    kubeconfig: server.kubeconfig,
    nodes: 3,
    namePrefix: 'simt-',
    cpu: '8',
    memory: '16Gi',
    pods: '50',
    labels: { 'topology.kubernetes.io/zone': 'zone-a', disk: 'ssd' },
    taints: [{ key: 'dedicated', value: 'sim', effect: 'NoSchedule' }],
    // Short periods so the test sees renewals and crash loops quickly.
    timings: { leaseRenewMs: 500, nodeStatusReportMs: 1000, backoffInitialMs: 300, backoffMaxMs: 2000 },
    log: (m) => logs.push(m),
  });
});

after(async () => {
  await sim?.stop();
  client?.close();
  await server?.stop();
});

const pods = () => client.resource<KubeObject>(PODS);

function pod(name: string, node: string, annotations: Record<string, string> = {}, restartPolicy = 'Always'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', annotations },
    spec: {
      nodeName: node,
      restartPolicy,
      containers: [{ name: 'app', image: 'registry.example/app:1.0' }],
      tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }],
    },
  };
}

async function waitPod(name: string, cond: (p: Obj) => boolean, timeoutMs = 10_000, what = name): Promise<Obj> {
  let last: Obj | undefined;
  await eventually(async () => {
    last = (await pods().get('default', name)) as Obj;
    return cond(last);
  }, timeoutMs, what);
  return last!;
}

describe('simulated nodes', () => {
  it('register Ready with capacity, labels, taints, addresses and nodeInfo', async () => {
    assert.deepEqual(sim.nodes, ['simt-0', 'simt-1', 'simt-2']);
    const node = (await client.resource<KubeObject>(NODES).get(undefined, 'simt-1')) as Obj;
    assert.equal(node.metadata.labels['kubernetes.io/hostname'], 'simt-1');
    assert.equal(node.metadata.labels['kubernetes.io/os'], 'linux');
    assert.equal(node.metadata.labels['kubernetes.io/arch'], 'amd64');
    assert.equal(node.metadata.labels['topology.kubernetes.io/zone'], 'zone-a');
    assert.equal(node.metadata.labels.disk, 'ssd');
    assert.deepEqual(node.spec.taints, [{ key: 'dedicated', value: 'sim', effect: 'NoSchedule' }]);
    assert.equal(node.spec.podCIDR, '10.64.1.0/24');
    assert.equal(node.status.capacity.cpu, '8');
    assert.equal(node.status.allocatable.memory, '16Gi');
    assert.equal(node.status.capacity.pods, '50');
    assert.ok(node.status.capacity['ephemeral-storage']);
    assert.deepEqual(node.status.addresses[0], { type: 'InternalIP', address: '172.16.0.3' });
    assert.equal(node.status.nodeInfo.kubeletVersion, 'v1.32.0-k8ts-sim');
    const conds = Object.fromEntries(node.status.conditions.map((c: Obj) => [c.type, c.status]));
    assert.deepEqual(conds, { Ready: 'True', MemoryPressure: 'False', DiskPressure: 'False', PIDPressure: 'False' });
  });

  it('renew leases and the Ready heartbeat', async () => {
    const leases = client.resource<KubeObject>(LEASES);
    const first = (await leases.get('kube-node-lease', 'simt-0')) as Obj;
    assert.equal(first.spec.holderIdentity, 'simt-0');
    assert.equal(first.spec.leaseDurationSeconds, 40);
    assert.equal(first.metadata.ownerReferences[0].kind, 'Node');
    await eventually(async () => {
      const l = (await leases.get('kube-node-lease', 'simt-0')) as Obj;
      return l.spec.renewTime !== first.spec.renewTime;
    }, 5000, 'lease renewed');
    const hb = (n: Obj) => n.status.conditions.find((c: Obj) => c.type === 'Ready').lastHeartbeatTime;
    const n0 = (await client.resource<KubeObject>(NODES).get(undefined, 'simt-2')) as Obj;
    await eventually(async () => hb((await client.resource<KubeObject>(NODES).get(undefined, 'simt-2')) as Obj) !== hb(n0), 5000, 'heartbeat');
  });

  it('run a pod bound to a simulated node: Running with an IP and full status', async () => {
    const created = Date.now();
    await pods().create('default', pod('web', 'simt-0'));
    const p = await waitPod('web', (p) => p.status?.phase === 'Running' && p.status?.conditions?.some((c: Obj) => c.type === 'Ready' && c.status === 'True'));
    const startup = Date.now() - created;
    assert.ok(startup < 3000, `startup took ${startup} ms`);
    assert.match(p.status.podIP, /^10\.64\.0\.\d+$/);
    assert.deepEqual(p.status.podIPs, [{ ip: p.status.podIP }]);
    assert.equal(p.status.hostIP, '172.16.0.2');
    assert.ok(p.status.startTime);
    const types = p.status.conditions.map((c: Obj) => `${c.type}=${c.status}`).sort();
    for (const t of ['ContainersReady=True', 'Initialized=True', 'PodScheduled=True', 'Ready=True']) assert.ok(types.includes(t), `${t} in ${types}`);
    const cs = p.status.containerStatuses[0];
    assert.ok(cs.state.running?.startedAt);
    assert.equal(cs.ready, true);
    assert.equal(cs.restartCount, 0);
    assert.equal(cs.image, 'registry.example/app:1.0');
    assert.match(cs.imageID, /^registry\.example\/app@sha256:/);
    assert.match(cs.containerID, /^sim:\/\/[0-9a-f]{64}$/);
  });

  it('ignores pods on nodes it does not simulate', async () => {
    await pods().create('default', pod('elsewhere', 'real-node-1'));
    await new Promise((r) => setTimeout(r, 500));
    const p = (await pods().get('default', 'elsewhere')) as Obj;
    assert.notEqual(p.status?.phase, 'Running');
  });

  it('succeed-after: exit 0 and Succeeded (restartPolicy Never)', async () => {
    await pods().create('default', pod('job', 'simt-1', { 'sim.k8ts.io/succeed-after': '1s' }, 'Never'));
    await waitPod('job', (p) => p.status?.phase === 'Running');
    const p = await waitPod('job', (p) => p.status?.phase === 'Succeeded');
    const t = p.status.containerStatuses[0].state.terminated;
    assert.equal(t.exitCode, 0);
    assert.equal(t.reason, 'Completed');
    assert.equal(p.status.conditions.find((c: Obj) => c.type === 'Ready').reason, 'PodCompleted');
  });

  it('fail-after with Never: Failed with exit 1', async () => {
    await pods().create('default', pod('fails', 'simt-1', { 'sim.k8ts.io/fail-after': '200ms' }, 'Never'));
    const p = await waitPod('fails', (p) => p.status?.phase === 'Failed');
    assert.equal(p.status.containerStatuses[0].state.terminated.exitCode, 1);
  });

  it('fail-after with Always: restartCount grows through CrashLoopBackOff', async () => {
    await pods().create('default', pod('crash', 'simt-2', { 'sim.k8ts.io/fail-after': '300ms' }));
    let sawBackoff = false;
    const p = await waitPod(
      'crash',
      (p) => {
        const cs = p.status?.containerStatuses?.[0];
        if (cs?.state?.waiting?.reason === 'CrashLoopBackOff') sawBackoff = true;
        return (cs?.restartCount ?? 0) >= 3;
      },
      15_000,
      'restartCount ≥ 3',
    );
    const cs = p.status.containerStatuses[0];
    assert.equal(cs.lastState.terminated.exitCode, 1);
    assert.equal(p.status.phase, 'Running');
    assert.ok(sawBackoff, 'CrashLoopBackOff was visible');
  });

  it('ready-after holds Ready False, then True', async () => {
    await pods().create('default', pod('slow', 'simt-0', { 'sim.k8ts.io/ready-after': '1s' }));
    const p = await waitPod('slow', (p) => p.status?.phase === 'Running');
    assert.equal(p.status.containerStatuses[0].ready, false);
    await waitPod('slow', (p) => p.status?.containerStatuses?.[0]?.ready === true);
  });

  it('deleting a running pod completes (containers stopped, then removed)', async () => {
    const running = await waitPod('web', (p) => p.status?.phase === 'Running');
    const seen: string[] = [];
    const ac = new AbortController();
    const w = pods().watch('default', { resourceVersion: running.metadata.resourceVersion, fieldSelector: 'metadata.name=web', signal: ac.signal }, {
      onEvent: (ev) => {
        const o = ev.object as Obj;
        const st = o.status?.containerStatuses?.[0]?.state ?? {};
        seen.push(`${ev.type}:${o.status?.phase}:${Object.keys(st)[0]}:${o.metadata?.deletionTimestamp ? 'deleting' : ''}`);
      },
    });
    await pods().delete('default', 'web');
    await eventually(async () => {
      try {
        await pods().get('default', 'web');
        return false;
      } catch (e) {
        if (isNotFound(e)) return true;
        throw e;
      }
    }, 10_000, 'pod web gone');
    await eventually(() => seen.some((e) => e.startsWith('DELETED')), 5000, 'DELETED event');
    ac.abort();
    await w.done.catch(() => {});
    // Marked for deletion, then the containers reported stopped, then gone.
    assert.ok(seen.includes('MODIFIED:Running:running:deleting'), seen.join(' '));
    assert.ok(seen.includes('MODIFIED:Succeeded:terminated:deleting'), seen.join(' '));
    assert.match(seen.at(-1)!, /^DELETED/);
  });

  it('pod IPs are distinct on a node', async () => {
    for (const n of ['ip-a', 'ip-b', 'ip-c']) await pods().create('default', pod(n, 'simt-0'));
    const ips = new Set<string>();
    for (const n of ['ip-a', 'ip-b', 'ip-c']) ips.add((await waitPod(n, (p) => !!p.status?.podIP)).status.podIP);
    assert.equal(ips.size, 3);
  });

  it('logged no errors', () => {
    assert.deepEqual(logs.filter((l) => !/conflict/i.test(l)), []);
  });
});
