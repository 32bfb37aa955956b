import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeNode, makePod } from '../testing/wrappers.js';
import { fakeHandle, makeNodeInfos, runScore } from '../testing/framework.js';
import { ImageLocality, calculatePriority, normalizedImageName } from './image-locality.js';

const mb = 1024 * 1024;

test('normalizedImageName', () => {
  assert.equal(normalizedImageName('nginx'), 'nginx:latest');
  assert.equal(normalizedImageName('nginx:1.25'), 'nginx:1.25');
  assert.equal(normalizedImageName('localhost:5000/app'), 'localhost:5000/app:latest');
  assert.equal(normalizedImageName('localhost:5000/app:v1'), 'localhost:5000/app:v1');
});

test('calculatePriority thresholds', () => {
  assert.equal(calculatePriority(0, 1), 0);
  assert.equal(calculatePriority(23 * mb, 1), 0);
  assert.equal(calculatePriority(1000 * mb, 1), 100);
  assert.equal(calculatePriority(5000 * mb, 1), 100);
  assert.equal(calculatePriority(1000 * mb, 2), 49);
});

test('ImageLocality score', () => {
  const nodes = [
    makeNode('n1').images([
      { names: ['gcr.io/40:latest', 'gcr.io/40:v1'], sizeBytes: 40 * mb },
      { names: ['gcr.io/300:latest'], sizeBytes: 300 * mb },
    ]),
    makeNode('n2').images([
      { names: ['gcr.io/300:latest'], sizeBytes: 300 * mb },
      { names: ['gcr.io/2000:latest'], sizeBytes: 2000 * mb },
    ]),
    makeNode('n3'),
  ];
  const cases = [
    {
      // n1: 40MB·1/3 + 300MB·2/3 = 213.3MB → 100·(213.3−23)/(2000−23) = 9; n2: 200MB → 8
      name: 'two images, spread-weighted',
      pod: makePod().image('gcr.io/40').image('gcr.io/300'),
      want: [9, 8, 0],
    },
    {
      // n2: 2000MB·1/3 = 666.7MB with one container → 100·(666.7−23)/(1000−23) = 65
      name: 'a big image on one node',
      pod: makePod().image('gcr.io/2000'),
      want: [0, 65, 0],
    },
    { name: 'tags must match', pod: makePod().image('gcr.io/300:v2'), want: [0, 0, 0] },
    // n2: 666.7MB over two containers → 100·(666.7−23)/(2000−23) = 32
    { name: 'init containers count', pod: makePod().image('gcr.io/x'), init: 'gcr.io/2000', want: [0, 32, 0] },
  ];
  for (const c of cases) {
    const infos = makeNodeInfos(nodes.map((n) => n.obj));
    const pod = c.pod.obj;
    if (c.init) pod.spec!.initContainers = [{ name: 'i', image: c.init }];
    const { scores } = runScore(new ImageLocality(fakeHandle(infos)), pod, infos);
    assert.deepEqual(scores.map((s) => s.score), c.want, c.name);
  }
});
