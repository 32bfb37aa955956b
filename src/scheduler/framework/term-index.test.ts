import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makePod, sel } from '../plugins/testing/wrappers.js';
import { PodInfo } from './node-info.js';
import { ExistingTermIndex } from './term-index.js';

test('term index: terms reach their own namespace, listed namespaces, or any namespace with a namespaceSelector', () => {
  const own = new PodInfo(makePod('a').namespace('ns1').podAntiAffinity('kubernetes.io/hostname', sel({ app: 'a' })).obj);
  const listed = new PodInfo(makePod('b').namespace('ns1').preferredPodAffinity(10, 'zone', sel({ app: 'b' })).obj);
  const idx = ExistingTermIndex.of([own, listed]);
  assert.equal(idx.requiredAntiAffinity.mayMatch('ns1'), true);
  assert.equal(idx.requiredAntiAffinity.mayMatch('ns2'), false);
  assert.equal(idx.scoring.mayMatch('ns1'), true);
  assert.equal(idx.scoring.mayMatch('ns2'), false);

  const explicit = new PodInfo(makePod('c').namespace('ns1').podAntiAffinity('kubernetes.io/hostname', sel({ app: 'c' }), { namespaces: ['ns3', 'ns4'] }).obj);
  idx.addPod(explicit, 1);
  assert.equal(idx.requiredAntiAffinity.mayMatch('ns3'), true);
  assert.equal(idx.requiredAntiAffinity.mayMatch('ns4'), true);
  assert.equal(idx.requiredAntiAffinity.mayMatch('ns2'), false);

  const anyNs = new PodInfo(makePod('d').namespace('ns1').podAntiAffinity('kubernetes.io/hostname', sel({ app: 'd' }), { namespaceSelector: {} }).obj);
  idx.addPod(anyNs, 1);
  assert.equal(idx.requiredAntiAffinity.mayMatch('ns2'), true);
  idx.addPod(anyNs, -1);
  idx.addPod(explicit, -1);
  idx.addPod(own, -1);
  assert.equal(idx.requiredAntiAffinity.mayMatch('ns1'), false);
  assert.equal(idx.requiredAntiAffinity.mayMatch('ns3'), false);
  assert.equal(idx.scoring.mayMatch('ns1'), true);

  const copy = new ExistingTermIndex();
  copy.copyFrom(idx);
  assert.equal(copy.version, idx.version);
  assert.equal(copy.scoring.mayMatch('ns1'), true);
  assert.equal(copy.requiredAntiAffinity.mayMatch('ns1'), false);
});
