import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CycleState, PodInfo } from '../../framework/index.js';
import { makeNode, makePod, sel, type NodeWrapper, type PodWrapper } from '../testing/wrappers.js';
import { fakeHandle, makeNodeInfos, runFilter, runScore, statusTuple } from '../testing/framework.js';
import {
  ErrReasonAffinityRulesNotMatch,
  ErrReasonAntiAffinityRulesNotMatch,
  ErrReasonExistingAntiAffinityRulesNotMatch,
  InterPodAffinity,
} from './inter-pod-affinity.js';

const AFF = ['UnschedulableAndUnresolvable', ErrReasonAffinityRulesNotMatch];
const ANTI = ['Unschedulable', ErrReasonAntiAffinityRulesNotMatch];
const EXISTING = ['Unschedulable', ErrReasonExistingAntiAffinityRulesNotMatch];
const ZONE = 'zone';
const HOST = 'kubernetes.io/hostname';
const scan = sel({ service: 'securityscan' });

// n1 and n2 in zone z1, n3 in z2, n4 without a zone label.
const nodes = () => [makeNode('n1').label(ZONE, 'z1'), makeNode('n2').label(ZONE, 'z1'), makeNode('n3').label(ZONE, 'z2'), makeNode('n4')];

function filterAll(pod: PodWrapper, pods: PodWrapper[], ns: NodeWrapper[] = nodes(), nsLabels: Record<string, Record<string, string>> = {}) {
  const infos = makeNodeInfos(ns.map((n) => n.obj), pods.map((p) => p.obj));
  const { statuses, preFilter } = runFilter(new InterPodAffinity(fakeHandle(infos, nsLabels)), pod.obj, infos);
  return { got: Object.fromEntries([...statuses].map(([k, v]) => [k, statusTuple(v)])), preFilter };
}

test('InterPodAffinity filter', () => {
  const cases: {
    name: string;
    pod: PodWrapper;
    pods: PodWrapper[];
    nsLabels?: Record<string, Record<string, string>>;
    want: Record<string, string[] | null>;
  }[] = [
    {
      name: 'affinity: nodes in the zone of a matching pod',
      pod: makePod('new').podAffinity(ZONE, scan),
      pods: [makePod('s').label('service', 'securityscan').node('n1')],
      want: { n1: null, n2: null, n3: AFF, n4: AFF },
    },
    {
      name: 'affinity: no matching pod anywhere, pod does not match itself',
      pod: makePod('new').podAffinity(ZONE, scan),
      pods: [makePod('s').label('service', 'other').node('n1')],
      want: { n1: AFF, n2: AFF, n3: AFF, n4: AFF },
    },
    {
      name: 'affinity: the first pod of a self-affine group may go anywhere with the topology key',
      pod: makePod('new').label('service', 'securityscan').podAffinity(ZONE, scan),
      pods: [],
      want: { n1: null, n2: null, n3: null, n4: AFF },
    },
    {
      name: 'affinity: once a matching pod exists, the exception no longer applies',
      pod: makePod('new').label('service', 'securityscan').podAffinity(ZONE, scan),
      pods: [makePod('s').label('service', 'securityscan').node('n3')],
      want: { n1: AFF, n2: AFF, n3: null, n4: AFF },
    },
    {
      name: 'affinity: a pod must match all terms to count',
      pod: makePod('new').podAffinity(ZONE, scan).podAffinity(HOST, sel({ tier: 'db' })),
      pods: [makePod('s').label('service', 'securityscan').node('n1'), makePod('d').label('tier', 'db').node('n1')],
      want: { n1: AFF, n2: AFF, n3: AFF, n4: AFF },
    },
    {
      name: 'affinity: all terms matched by one pod',
      pod: makePod('new').podAffinity(ZONE, scan).podAffinity(HOST, sel({ tier: 'db' })),
      pods: [makePod('s').labels({ service: 'securityscan', tier: 'db' }).node('n1')],
      want: { n1: null, n2: AFF, n3: AFF, n4: AFF },
    },
    {
      name: 'affinity: pods of other namespaces do not match by default',
      pod: makePod('new').podAffinity(ZONE, scan),
      pods: [makePod('s').namespace('other').label('service', 'securityscan').node('n1')],
      want: { n1: AFF, n2: AFF, n3: AFF, n4: AFF },
    },
    {
      name: 'affinity: namespaces list',
      pod: makePod('new').podAffinity(ZONE, scan, { namespaces: ['other'] }),
      pods: [makePod('s').namespace('other').label('service', 'securityscan').node('n3')],
      want: { n1: AFF, n2: AFF, n3: null, n4: AFF },
    },
    {
      name: 'affinity: namespaceSelector',
      pod: makePod('new').podAffinity(ZONE, scan, { namespaceSelector: sel({ team: 'a' }) }),
      pods: [makePod('s').namespace('team-a').label('service', 'securityscan').node('n3')],
      nsLabels: { 'team-a': { team: 'a' } },
      want: { n1: AFF, n2: AFF, n3: null, n4: AFF },
    },
    {
      name: 'anti-affinity: not in the zone of a matching pod',
      pod: makePod('new').podAntiAffinity(ZONE, scan),
      pods: [makePod('s').label('service', 'securityscan').node('n1')],
      want: { n1: ANTI, n2: ANTI, n3: null, n4: null },
    },
    {
      name: 'anti-affinity by hostname',
      pod: makePod('new').podAntiAffinity(HOST, scan),
      pods: [makePod('s').label('service', 'securityscan').node('n1')],
      want: { n1: ANTI, n2: null, n3: null, n4: null },
    },
    {
      name: "existing pods' anti-affinity against the incoming pod",
      pod: makePod('new').label('app', 'web'),
      pods: [makePod('s').podAntiAffinity(ZONE, sel({ app: 'web' })).node('n1')],
      want: { n1: EXISTING, n2: EXISTING, n3: null, n4: null },
    },
    {
      name: "existing pods' anti-affinity not matching the incoming pod",
      pod: makePod('new').label('app', 'db'),
      pods: [makePod('s').podAntiAffinity(ZONE, sel({ app: 'web' })).node('n1')],
      want: { n1: null, n2: null, n3: null, n4: null },
    },
    {
      name: "existing pods' anti-affinity reaches only their own namespace by default",
      pod: makePod('new').namespace('other').label('app', 'web'),
      pods: [makePod('s').podAntiAffinity(ZONE, sel({ app: 'web' })).node('n1')],
      want: { n1: null, n2: null, n3: null, n4: null },
    },
    {
      name: "existing pods' anti-affinity with a namespaces list",
      pod: makePod('new').namespace('other').label('app', 'web'),
      pods: [makePod('s').podAntiAffinity(ZONE, sel({ app: 'web' }), { namespaces: ['other'] }).node('n1')],
      want: { n1: EXISTING, n2: EXISTING, n3: null, n4: null },
    },
    {
      name: "existing pods' anti-affinity with a namespaceSelector",
      pod: makePod('new').namespace('team-a').label('app', 'web'),
      pods: [makePod('s').podAntiAffinity(HOST, sel({ app: 'web' }), { namespaceSelector: sel({ team: 'a' }) }).node('n3')],
      nsLabels: { 'team-a': { team: 'a' } },
      want: { n1: null, n2: null, n3: EXISTING, n4: null },
    },
    {
      name: 'affinity satisfied but anti-affinity violated on the same node',
      pod: makePod('new').podAffinity(ZONE, scan).podAntiAffinity(HOST, sel({ app: 'db' })),
      pods: [makePod('s').label('service', 'securityscan').node('n1'), makePod('d').label('app', 'db').node('n2')],
      want: { n1: null, n2: ANTI, n3: AFF, n4: AFF },
    },
  ];
  for (const c of cases) assert.deepEqual(filterAll(c.pod, c.pods, nodes(), c.nsLabels).got, c.want, c.name);
});

test('InterPodAffinity preFilter skips when nothing has required terms', () => {
  const { preFilter } = filterAll(makePod('new'), [makePod('s').label('service', 'securityscan').node('n1')]);
  assert.equal((preFilter as { code: string }).code, 'Skip');
});

test('InterPodAffinity addPod / removePod update the counts', () => {
  const infos = makeNodeInfos(nodes().map((n) => n.obj), [makePod('s').label('service', 'securityscan').node('n1').obj]);
  const pl = new InterPodAffinity(fakeHandle(infos));
  const pod = new PodInfo(makePod('new').podAntiAffinity(ZONE, scan).obj);
  const state = new CycleState();
  assert.equal(pl.preFilter(state, pod, infos), null);
  assert.deepEqual(statusTuple(pl.filter(state, pod, infos[1]!)), ANTI);
  const s2 = state.clone();
  pl.removePod(s2, pod, infos[0]!.pods[0]!, infos[0]!);
  assert.equal(pl.filter(s2, pod, infos[1]!), null);
  pl.addPod(s2, pod, new PodInfo(makePod('t').label('service', 'securityscan').node('n3').obj), infos[2]!);
  assert.deepEqual(statusTuple(pl.filter(s2, pod, infos[2]!)), ANTI);
  assert.deepEqual(statusTuple(pl.filter(state, pod, infos[1]!)), ANTI, 'the original state is untouched');
});

function scoreAll(pod: PodWrapper, pods: PodWrapper[], ns: NodeWrapper[]) {
  const infos = makeNodeInfos(ns.map((n) => n.obj), pods.map((p) => p.obj));
  const { scores, preScore } = runScore(new InterPodAffinity(fakeHandle(infos)), pod.obj, infos);
  return { scores: Object.fromEntries(scores.map((s) => [s.name, s.score])), preScore };
}

test('InterPodAffinity score', () => {
  const R = 'region';
  const ns = [makeNode('m1').label(R, 'r1'), makeNode('m2').label(R, 'r2'), makeNode('m3').label(R, 'r1'), makeNode('m4')];
  const s1 = sel({ security: 'S1' });
  const cases: { name: string; pod: PodWrapper; pods: PodWrapper[]; want: Record<string, number> | 'Skip' }[] = [
    { name: 'nothing with affinity → Skip', pod: makePod('new'), pods: [makePod('a').label('security', 'S1').node('m1')], want: 'Skip' },
    {
      name: 'preferred affinity: the region of the matching pod',
      pod: makePod('new').preferredPodAffinity(5, R, s1),
      pods: [makePod('a').label('security', 'S1').node('m1')],
      want: { m1: 100, m2: 0, m3: 100, m4: 0 },
    },
    {
      name: 'preferred weights add up per region',
      pod: makePod('new').preferredPodAffinity(5, R, s1).preferredPodAffinity(3, R, sel({ security: 'S2' })),
      pods: [makePod('a').label('security', 'S1').node('m1'), makePod('b').label('security', 'S2').node('m2')],
      want: { m1: 100, m2: 60, m3: 100, m4: 0 },
    },
    {
      name: 'preferred anti-affinity: away from the matching pod',
      pod: makePod('new').preferredPodAntiAffinity(5, R, s1),
      pods: [makePod('a').label('security', 'S1').node('m1')],
      want: { m1: 0, m2: 100, m3: 0, m4: 100 },
    },
    {
      name: "existing pods' preferred affinity attracts the incoming pod (symmetry)",
      pod: makePod('new').label('security', 'S1'),
      pods: [makePod('a').preferredPodAffinity(4, R, s1).node('m2')],
      want: { m1: 0, m2: 100, m3: 0, m4: 0 },
    },
    {
      name: "existing pods' preferred anti-affinity repels it",
      pod: makePod('new').label('security', 'S1'),
      pods: [makePod('a').preferredPodAntiAffinity(4, R, s1).node('m2')],
      want: { m1: 100, m2: 0, m3: 100, m4: 100 },
    },
    {
      name: "existing pods' preferred terms do not reach a pod of another namespace → Skip",
      pod: makePod('new').namespace('other').label('security', 'S1'),
      pods: [makePod('a').preferredPodAffinity(4, R, s1).node('m2')],
      want: 'Skip',
    },
    {
      name: "existing pods' required affinity counts with hardPodAffinityWeight 1",
      pod: makePod('new').label('security', 'S1').preferredPodAffinity(1, R, sel({ x: 'y' })),
      pods: [makePod('a').podAffinity(R, s1).node('m2'), makePod('b').label('x', 'y').node('m1'), makePod('c').label('x', 'y').node('m3')],
      want: { m1: 100, m2: 50, m3: 100, m4: 0 },
    },
  ];
  for (const c of cases) {
    const { scores, preScore } = scoreAll(c.pod, c.pods, ns);
    if (c.want === 'Skip') assert.equal(preScore?.code, 'Skip', c.name);
    else assert.deepEqual(scores, c.want, c.name);
  }
});
