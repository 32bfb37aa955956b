import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bridgeFor, checkBridgeName } from './bridge.js';

test('the default pod CIDR keeps k8ts0; other CIDRs get a bridge of their own', () => {
  assert.equal(bridgeFor(), 'k8ts0');
  assert.equal(bridgeFor('10.42.0.0/24'), 'k8ts0');
  assert.equal(bridgeFor('10.42.1.0/24'), 'k8ts0a2a0100');
  assert.notEqual(bridgeFor('10.42.2.0/24'), bridgeFor('10.42.1.0/24'));
  assert.ok(bridgeFor('255.255.255.0/24').length <= 15);
  assert.throws(() => bridgeFor('fd00::/64'), /not an IPv4 CIDR/);
});

test('bridge names are Linux interface names', () => {
  assert.equal(checkBridgeName('cni-node2'), 'cni-node2');
  assert.throws(() => checkBridgeName('a-very-long-bridge'), /1–15/);
  assert.throws(() => checkBridgeName('br/0'));
  assert.throws(() => checkBridgeName(''));
});
