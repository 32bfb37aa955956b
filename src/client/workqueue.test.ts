import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  BucketRateLimiter,
  ExponentialFailureRateLimiter,
  MaxOfRateLimiter,
  WorkQueue,
  defaultControllerRateLimiter,
  runWorkers,
  type RateLimiter,
} from './workqueue.js';

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));
const noDelay = (): RateLimiter<string> => new ExponentialFailureRateLimiter<string>(1, 8);

describe('rate limiters', () => {
  it('exponential per item: 5 ms doubling, capped at 1000 s, forget resets', () => {
    const rl = new ExponentialFailureRateLimiter<string>();
    assert.deepEqual([1, 2, 3, 4].map(() => rl.when('a')), [5, 10, 20, 40]);
    assert.equal(rl.when('b'), 5);
    assert.equal(rl.numRequeues('a'), 4);
    for (let i = 0; i < 40; i++) rl.when('a');
    assert.equal(rl.when('a'), 1_000_000);
    rl.forget('a');
    assert.equal(rl.numRequeues('a'), 0);
    assert.equal(rl.when('a'), 5);
  });

  it('bucket: burst free, then paced by qps', () => {
    const rl = new BucketRateLimiter<string>(10, 3);
    assert.deepEqual([rl.when(), rl.when(), rl.when()], [0, 0, 0]);
    const d = rl.when();
    assert.ok(d > 90 && d <= 100, String(d));
  });

  it('max-of and the default controller limiter', () => {
    const rl = new MaxOfRateLimiter<string>(new ExponentialFailureRateLimiter(5, 1000), new ExponentialFailureRateLimiter(1, 1000));
    assert.equal(rl.when('x'), 5);
    assert.equal(rl.numRequeues('x'), 1);
    const def = defaultControllerRateLimiter<string>();
    assert.equal(def.when('k'), 5);
    assert.equal(def.when('k'), 10);
  });
});

describe('WorkQueue', () => {
  it('de-duplicates queued keys and keeps FIFO order', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    q.add('b');
    q.add('a');
    assert.equal(q.len(), 2);
    assert.equal(await q.get(), 'a');
    assert.equal(await q.get(), 'b');
    q.done('a');
    q.done('b');
    assert.equal(q.len(), 0);
  });

  it('never hands a key being processed to a second worker; re-adds are queued after done()', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    const k = await q.get();
    assert.equal(k, 'a');
    q.add('a');
    q.add('a');
    assert.equal(q.len(), 0, 'not queued while processing');
    let second: string | undefined;
    const waiter = q.get().then((v) => (second = v));
    await tick(5);
    assert.equal(second, undefined);
    q.done('a');
    await waiter;
    assert.equal(second, 'a');
    q.done('a');
    assert.equal(q.len(), 0);
  });

  it('get() waits for an item and wakes one waiter per add', async () => {
    const q = new WorkQueue<string>();
    const got: string[] = [];
    const w1 = q.get().then((v) => got.push(v!));
    const w2 = q.get().then((v) => got.push(v!));
    await tick();
    assert.deepEqual(got, []);
    q.add('x');
    await tick();
    assert.deepEqual(got, ['x']);
    q.add('y');
    await Promise.all([w1, w2]);
    assert.deepEqual(got, ['x', 'y']);
  });

  it('addAfter delays and keeps the earliest of duplicate delayed adds', async () => {
    const q = new WorkQueue<string>();
    q.addAfter('a', 60);
    q.addAfter('a', 10);
    q.addAfter('a', 500);
    const t0 = performance.now();
    assert.equal(await q.get(), 'a');
    const ms = performance.now() - t0;
    assert.ok(ms >= 8 && ms < 55, String(ms));
    q.done('a');
    await tick(80);
    assert.equal(q.len(), 0, 'the later duplicate was dropped');
    q.shutDown();
  });

  it('addRateLimited backs off per key; forget resets; numRequeues counts', async () => {
    const q = new WorkQueue<string>({ rateLimiter: new ExponentialFailureRateLimiter<string>(20, 1000) });
    q.addRateLimited('a');
    q.addRateLimited('a'); // second call → 40 ms, but the 20 ms one wins
    assert.equal(q.numRequeues('a'), 2);
    assert.equal(q.len(), 0);
    await tick(30);
    assert.equal(q.len(), 1);
    q.forget('a');
    assert.equal(q.numRequeues('a'), 0);
    q.shutDown();
  });

  it('shutDown drains queued items, then get() returns undefined; adds are ignored', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    const pending = new WorkQueue<string>();
    const blocked = pending.get();
    q.shutDown();
    pending.shutDown();
    assert.equal(await blocked, undefined);
    q.add('b');
    assert.equal(await q.get(), 'a');
    assert.equal(await q.get(), undefined);
    assert.ok(q.isShuttingDown());
  });

  it('shutDownWithDrain waits for items in flight', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    const k = (await q.get())!;
    let drained = false;
    const d = q.shutDownWithDrain().then(() => (drained = true));
    await tick(5);
    assert.equal(drained, false);
    q.done(k);
    await d;
    assert.equal(drained, true);
  });
});

describe('runWorkers', () => {
  it('processes keys with n workers, never the same key concurrently', async () => {
    const q = new WorkQueue<string>({ rateLimiter: noDelay() });
    const active = new Set<string>();
    let maxParallel = 0;
    let running = 0;
    const seen = new Map<string, number>();
    const run = runWorkers(q, 4, async (key) => {
      assert.ok(!active.has(key), `${key} handled twice at once`);
      active.add(key);
      running++;
      maxParallel = Math.max(maxParallel, running);
      await tick(2);
      seen.set(key, (seen.get(key) ?? 0) + 1);
      running--;
      active.delete(key);
    });
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 10; i++) q.add(`k${i}`);
      await tick(1);
    }
    while (q.len() > 0 || running > 0) await tick(5);
    q.shutDown();
    await run;
    assert.equal(seen.size, 10);
    assert.ok(maxParallel > 1 && maxParallel <= 4, String(maxParallel));
  });

  it('forgets on success, requeues with backoff on error, gives up after maxRetries', async () => {
    const q = new WorkQueue<string>({ rateLimiter: noDelay() });
    const attempts = new Map<string, number>();
    const failures: Array<[string, boolean]> = [];
    const run = runWorkers(
      q,
      2,
      (key) => {
        const n = (attempts.get(key) ?? 0) + 1;
        attempts.set(key, n);
        if (key === 'flaky' && n < 3) throw new Error('not yet');
        if (key === 'bad') throw new Error('never');
      },
      { maxRetries: 3, onError: (k, _e, requeued) => failures.push([k, requeued]) },
    );
    q.add('ok');
    q.add('flaky');
    q.add('bad');
    await tick(150);
    q.shutDown();
    await run;
    assert.equal(attempts.get('ok'), 1);
    assert.equal(attempts.get('flaky'), 3);
    assert.equal(q.numRequeues('flaky'), 0, 'forgotten after success');
    assert.equal(attempts.get('bad'), 4, 'first try + 3 retries');
    assert.deepEqual(failures.filter(([k]) => k === 'bad').map(([, r]) => r), [true, true, true, false]);
    assert.equal(q.numRequeues('bad'), 0);
  });
});
