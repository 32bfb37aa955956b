import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PeriodicSpreader } from './spread.js';
import { nodeInternalIP, nodePodCIDR, PodIPAllocator } from './addresses.js';

test('every key runs once per period, spread out, within the concurrency limit', async () => {
  let inFlight = 0;
  let maxInFlight = 0;
  const runs = new Map<number, number[]>();
  const t0 = Date.now();
  const s = new PeriodicSpreader<number>({
    periodMs: 200,
    concurrency: 3,
    run: async (k) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      (runs.get(k) ?? runs.set(k, []).get(k)!).push(Date.now() - t0);
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
    },
  });
  const keys = Array.from({ length: 20 }, (_, i) => i);
  s.addSpread(keys);
  s.start();
  await new Promise((r) => setTimeout(r, 650));
  await s.stop();
  assert.ok(maxInFlight <= 3);
  for (const k of keys) {
    const r = runs.get(k) ?? [];
    assert.ok(r.length >= 3 && r.length <= 4, `key ${k} ran ${r.length} times`);
  }
  // Spread: first runs cover the period rather than bunching at 0.
  const firsts = keys.map((k) => runs.get(k)![0]!);
  assert.ok(Math.max(...firsts) > 120, `first runs ${firsts}`);
});

test('removed keys stop running; errors do not stop the schedule', async () => {
  let a = 0;
  let b = 0;
  const errors: unknown[] = [];
  const s = new PeriodicSpreader<string>({
    periodMs: 30,
    concurrency: 2,
    run: async (k) => {
      if (k === 'a') a++;
      else {
        b++;
        throw new Error('boom');
      }
    },
    onError: (_k, e) => errors.push(e),
  });
  s.add('a', 0);
  s.add('b', 0);
  s.start();
  await new Promise((r) => setTimeout(r, 100));
  s.remove('a');
  const aAt = a;
  await new Promise((r) => setTimeout(r, 100));
  await s.stop();
  assert.ok(a <= aAt + 1);
  assert.ok(b >= 4);
  assert.equal(errors.length, b);
});

test('addresses: per-index node IPs and /24 pod CIDRs; pod IPs per UID', () => {
  assert.equal(nodeInternalIP(0), '172.16.0.2');
  assert.equal(nodeInternalIP(300), '172.16.1.46');
  assert.equal(nodePodCIDR(0), '10.64.0.0/24');
  assert.equal(nodePodCIDR(4999), '10.83.135.0/24');
  assert.throws(() => nodePodCIDR(-1));
  const a = new PodIPAllocator('10.64.3.0/24');
  assert.equal(a.allocate('x'), '10.64.3.2');
  assert.equal(a.allocate('y'), '10.64.3.3');
  assert.equal(a.allocate('x'), '10.64.3.2');
  a.release('x');
  assert.equal(a.allocate('z'), '10.64.3.4', 'freed addresses are not reused at once');
  assert.ok(a.adopt('w', '10.64.3.9'));
  assert.equal(a.adopt('v', '10.65.0.1'), false);
});
