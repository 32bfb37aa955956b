import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LeaderElector, formatMicroTime, type LeaderElectionConfig } from './leaderelection.js';
import { RestClient } from './rest.js';
import { LEASES } from './resources.js';
import { eventually, startTestServer, type TestServer } from './testing/server.js';

let server: TestServer;
let client: RestClient;

before(async () => {
  server = await startTestServer();
  client = await RestClient.fromKubeconfig(server.kubeconfig);
});
after(async () => {
  client.close();
  await server.stop();
});

interface Candidate {
  elector: LeaderElector;
  log: string[];
  leading: () => boolean;
}

function candidate(identity: string, name: string, extra: Partial<LeaderElectionConfig> = {}): Candidate {
  const log: string[] = [];
  let leading = false;
  const elector = new LeaderElector({
    client,
    namespace: 'kube-system',
    name,
    identity,
    leaseDurationSeconds: 2,
    renewDeadlineSeconds: 1.5,
    retryPeriodSeconds: 0.2,
    onStartedLeading: (signal) => {
      leading = true;
      log.push('started');
      signal.addEventListener('abort', () => log.push('signal aborted'));
    },
    onStoppedLeading: () => {
      leading = false;
      log.push('stopped');
    },
    onNewLeader: (id) => log.push(`leader ${id}`),
    ...extra,
  });
  return { elector, log, leading: () => leading };
}

describe('formatMicroTime', () => {
  it('prints microseconds', () => {
    assert.equal(formatMicroTime(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 67))), '2024-01-02T03:04:05.067000Z');
  });
});

describe('LeaderElector', () => {
  it('one of two candidates leads; the other takes over when the first stops and releases', async () => {
    const a = candidate('a', 'sched');
    const b = candidate('b', 'sched');
    const runA = a.elector.run();
    await eventually(() => a.leading(), 5000, 'a leads');
    const runB = b.elector.run();
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(b.leading(), false);
    assert.equal(b.elector.getLeader(), 'a');
    assert.ok(b.log.includes('leader a'));

    const lease = await client.resource(LEASES).get('kube-system', 'sched');
    const spec = lease['spec'] as Record<string, unknown>;
    assert.equal(spec['holderIdentity'], 'a');
    assert.equal(spec['leaseDurationSeconds'], 2);
    assert.match(String(spec['renewTime']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.match(String(spec['acquireTime']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.equal(spec['leaseTransitions'], 0);

    const t0 = Date.now();
    await a.elector.stop();
    await runA;
    assert.deepEqual(a.log.filter((l) => !l.startsWith('leader')), ['started', 'signal aborted', 'stopped']);
    await eventually(() => b.leading(), 5000, 'b takes over');
    assert.ok(Date.now() - t0 < 1500, 'released, so no need to wait for expiry');
    const after = (await client.resource(LEASES).get('kube-system', 'sched'))['spec'] as Record<string, unknown>;
    assert.equal(after['holderIdentity'], 'b');
    assert.equal(after['leaseTransitions'], 1);
    await b.elector.stop();
    await runB;
  });

  it('takes over an unreleased lease only after it expires', async () => {
    const a = candidate('a', 'cm', { releaseOnCancel: false });
    const b = candidate('b', 'cm');
    void a.elector.run();
    await eventually(() => a.leading(), 5000, 'a leads');
    void b.elector.run();
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    await a.elector.stop();
    await eventually(() => b.leading(), 6000, 'b takes over');
    const waited = Date.now() - t0;
    assert.ok(waited >= 1400, `took over after ${waited} ms (lease is 2 s)`);
    await b.elector.stop();
  });

  it('stops leading when renewals fail past the renew deadline', async () => {
    const a = candidate('a', 'lost');
    void a.elector.run();
    await eventually(() => a.leading(), 5000, 'a leads');
    // Someone else grabs the lease behind a's back.
    const leases = client.resource(LEASES);
    const lease = await leases.get('kube-system', 'lost');
    await leases.update('kube-system', { ...lease, spec: { ...(lease['spec'] as object), holderIdentity: 'intruder', renewTime: formatMicroTime(new Date()) } });
    // keep the intruder's record fresh
    let stopped = false;
    const keep = setInterval(() => {
      if (stopped) return;
      void (async () => {
        const l = await leases.get('kube-system', 'lost');
        await leases.update('kube-system', { ...l, spec: { ...(l['spec'] as object), holderIdentity: 'intruder', renewTime: formatMicroTime(new Date()) } });
      })().catch(() => {});
    }, 200);
    try {
      await eventually(() => !a.leading(), 5000, 'a steps down');
      assert.ok(a.log.includes('signal aborted'));
      assert.equal(a.elector.isLeader(), false);
    } finally {
      stopped = true;
      clearInterval(keep);
      await a.elector.stop();
    }
  });
});
