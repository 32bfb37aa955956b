// A rough throughput check of the anti-affinity path at upstream's scale: 5,000 nodes, 5,000 existing
// pods that all carry required anti-affinity; one cycle = PreFilter + Filter on every node + PreScore
// + Score on every node. The bar is generous (shared CI machines); the bench reports real numbers.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CycleState, PodInfo } from '../../framework/index.js';
import { fakeHandle, makeNodeInfos } from '../testing/framework.js';
import { makeNode, makePod, sel } from '../testing/wrappers.js';
import { InterPodAffinity } from './inter-pod-affinity.js';

test('InterPodAffinity: 5,000 nodes with anti-affinity pods, a cycle takes a few ms', () => {
  const N = 5000;
  const nodes = Array.from({ length: N }, (_, i) => makeNode(`node-${i}`).label('topology.kubernetes.io/zone', `z${i % 10}`).obj);
  const pods = Array.from({ length: N }, (_, i) =>
    makePod(`p-${i}`)
      .label('app', `a${i % 100}`)
      .podAntiAffinity('kubernetes.io/hostname', sel({ app: `a${i % 100}` }))
      .node(`node-${i}`).obj,
  );
  const infos = makeNodeInfos(nodes, pods);
  const pl = new InterPodAffinity(fakeHandle(infos));
  const warmup = 10;
  const cycles = 40;
  let start = performance.now();
  let feasible = 0;
  for (let c = 0; c < warmup + cycles; c++) {
    if (c === warmup) start = performance.now();
    const pod = new PodInfo(makePod(`new-${c}`).label('app', `a${c}`).podAntiAffinity('kubernetes.io/hostname', sel({ app: `a${c}` })).obj);
    const state = new CycleState();
    assert.equal(pl.preFilter(state, pod, infos), null);
    const ok = infos.filter((ni) => pl.filter(state, pod, ni) == null);
    feasible = ok.length;
    const pre = pl.preScore(state, pod, ok);
    if (!pre?.isSkip()) for (const ni of ok) pl.score(state, pod, ni);
  }
  const perCycle = (performance.now() - start) / cycles;
  assert.equal(feasible, N - N / 100);
  console.log(`# InterPodAffinity anti-affinity cycle on ${N} nodes: ${perCycle.toFixed(2)} ms`);
  assert.ok(perCycle < 30, `cycle took ${perCycle} ms`);
});
