import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ControllerRevision, DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod, Taint } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/registry.js';
import { DAEMON_SETS, NODES, PODS, type ResourceClient } from '../../client/index.js';
import { eventually, startTestServer, type TestServer } from '../../client/testing/server.js';
import { runControllers, type RunningControllers } from '../testing.js';
import { CONTROLLER_REVISIONS, POD_REVISION_LABEL } from '../history/index.js';
import { daemonSetController } from './controller.js';
import { targetNodeName } from './eligibility.js';
import { createReadyNode, playNodes } from './testing.js';

type Obj<T> = T & KubeObject;

let server: TestServer;
let h: RunningControllers;
let dss: ResourceClient<Obj<DaemonSet>>;
let pods: ResourceClient<Obj<Pod>>;
let nodes: ResourceClient<Obj<Node>>;
let revs: ResourceClient<Obj<ControllerRevision>>;

before(async () => {
  server = await startTestServer({ scheduler: true });
  h = await runControllers(server.kubeconfig, [daemonSetController]);
  dss = h.client.resource(DAEMON_SETS);
  pods = h.client.resource(PODS);
  nodes = h.client.resource(NODES);
  revs = h.client.resource(CONTROLLER_REVISIONS);
});
after(async () => {
  await h?.stop();
  await server?.stop();
});

const addNode = (name: string, taints: Taint[] = []) => createReadyNode(h.client, name, { taints });

function daemonSet(name: string, image: string): Obj<DaemonSet> {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'agent', image }] } },
    },
  };
}

const livePods = async (app: string) => (await pods.list('default', { labelSelector: `app=${app}` })).items.filter((p) => !p.metadata?.deletionTimestamp);

describe('daemonset controller against a real API server', () => {
  it('covers every eligible node, including one added later, and rolls out a new template', async () => {
    await addNode('n1');
    await addNode('n2');
    await addNode('tainted', [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]);
    await dss.create('default', daemonSet('agent', 'agent:1'));

    const podNodes = async () => (await livePods('agent')).map((p) => targetNodeName(p)).sort();
    await eventually(async () => JSON.stringify(await podNodes()) === '["n1","n2"]', 10_000, 'pods on n1 and n2');
    for (const p of await livePods('agent')) {
      assert.deepEqual(p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0]?.matchFields?.[0]?.key, 'metadata.name');
      assert.ok(p.spec?.tolerations?.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute' && t.tolerationSeconds === undefined));
      assert.equal(p.metadata?.ownerReferences?.[0]?.kind, 'DaemonSet');
      assert.ok(p.metadata?.labels?.[POD_REVISION_LABEL]);
    }
    // The scheduler places each pod on the node its affinity names.
    await eventually(async () => (await livePods('agent')).every((p) => p.spec?.nodeName && p.spec.nodeName === targetNodeName(p)), 10_000, 'scheduled by the scheduler');
    await eventually(
      async () => {
        await playNodes(h.client, 'default', { bind: false });
        const s = (await dss.get('default', 'agent')).status;
        return s?.desiredNumberScheduled === 2 && s.numberReady === 2 && s.numberAvailable === 2 && s.updatedNumberScheduled === 2 && s.observedGeneration === 1;
      },
      10_000,
      'status 2/2 ready',
    );
    const firstRevs = (await revs.list('default')).items;
    assert.equal(firstRevs.length, 1);
    assert.equal(firstRevs[0]!.revision, 1);

    // A node added later gets its pod.
    await addNode('n3');
    await eventually(async () => JSON.stringify(await podNodes()) === '["n1","n2","n3"]', 10_000, 'a pod on n3');
    await eventually(
      async () => {
        await playNodes(h.client, 'default');
        const s = (await dss.get('default', 'agent')).status;
        return s?.desiredNumberScheduled === 3 && s.numberReady === 3 && s.currentNumberScheduled === 3 && s.numberMisscheduled === 0;
      },
      10_000,
      'status 3/3 ready',
    );

    // A new template rolls out node by node (maxUnavailable 1).
    const cur = await dss.get('default', 'agent');
    cur.spec!.template.spec!.containers[0]!.image = 'agent:2';
    await dss.update('default', cur);
    await eventually(
      async () => {
        await playNodes(h.client, 'default');
        const ps = await livePods('agent');
        const s = (await dss.get('default', 'agent')).status;
        return ps.length === 3 && ps.every((p) => p.spec?.containers[0]?.image === 'agent:2') && s?.updatedNumberScheduled === 3 && s.numberAvailable === 3 && s.observedGeneration === 2;
      },
      20_000,
      'rollout to agent:2',
    );
    const after = (await revs.list('default')).items.sort((a, b) => a.revision - b.revision);
    assert.deepEqual(after.map((r) => r.revision), [1, 2]);
    const hash = after[1]!.metadata?.labels?.[POD_REVISION_LABEL];
    for (const p of await livePods('agent')) assert.equal(p.metadata?.labels?.[POD_REVISION_LABEL], hash);
  });
});
