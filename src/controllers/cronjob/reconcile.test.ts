import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CronJob, CronJobSpec, Job } from 'kubernetes-types/batch/v1.js';
import { parseCron } from '../../api/strategies/cron.js';
import { CRONJOB_SCHEDULED_TIMESTAMP, reconcileCronJob, type CronJobSyncInput } from './reconcile.js';
import { jobNameFor, missedSchedules, rfc3339InZone } from './schedule.js';

const at = (s: string) => Date.parse(s);
const CREATED = '2026-03-01T10:00:30Z';

function cronJob(spec: Partial<CronJobSpec> = {}, status: CronJob['status'] = {}): CronJob {
  return {
    metadata: { name: 'cj', namespace: 'ns', uid: 'cj-uid', creationTimestamp: CREATED },
    spec: {
      schedule: '*/5 * * * *',
      timeZone: 'UTC',
      concurrencyPolicy: 'Allow',
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
      jobTemplate: { metadata: { labels: { app: 'x' } }, spec: { template: { spec: { restartPolicy: 'Never', containers: [] } } } },
      ...spec,
    },
    status,
  };
}

function job(name: string, opts: { finished?: 'Complete' | 'Failed'; start?: string; completion?: string } = {}): Job {
  return {
    metadata: { name, namespace: 'ns', uid: `uid-${name}` },
    status: {
      ...(opts.start ? { startTime: opts.start } : {}),
      ...(opts.completion ? { completionTime: opts.completion } : {}),
      conditions: opts.finished ? [{ type: opts.finished, status: 'True' }] : [],
    },
  };
}

const ref = (name: string) => ({ apiVersion: 'batch/v1', kind: 'Job', namespace: 'ns', name, uid: `uid-${name}` });
const sync = (cj: CronJob, now: string, jobs: Job[] = [], extra: Partial<CronJobSyncInput> = {}) => reconcileCronJob({ cronJob: cj, jobs, now: at(now), ...extra });

describe('cronjob schedule helpers', () => {
  it('counts missed times and finds the most recent', () => {
    const s = parseCron('*/5 * * * *');
    assert.deepEqual(missedSchedules(s, at('2026-03-01T10:00:30Z'), at('2026-03-01T10:04:00Z'), 'UTC'), { count: 0 });
    assert.deepEqual(missedSchedules(s, at('2026-03-01T10:00:30Z'), at('2026-03-01T10:12:00Z'), 'UTC'), { mostRecent: at('2026-03-01T10:10:00Z'), count: 2 });
    const many = missedSchedules(parseCron('* * * * *'), at('2026-01-01T00:00:00Z'), at('2026-01-02T00:00:30Z'), 'UTC');
    assert.equal(many.mostRecent, at('2026-01-02T00:00:00Z'));
    assert.equal(many.count, 1440);
  });
  it('names jobs by minutes since the epoch; annotation in the time zone', () => {
    assert.equal(jobNameFor('cj', at('2026-03-01T10:05:00Z')), `cj-${at('2026-03-01T10:05:00Z') / 60000}`);
    assert.equal(rfc3339InZone(at('2026-03-01T10:05:00Z'), 'UTC'), '2026-03-01T10:05:00Z');
    assert.equal(rfc3339InZone(at('2026-03-01T10:05:00Z'), 'Asia/Tokyo'), '2026-03-01T19:05:00+09:00');
    assert.equal(rfc3339InZone(at('2026-07-01T10:05:00Z'), 'America/New_York'), '2026-07-01T06:05:00-04:00');
  });
});

describe('cronjob reconcile', () => {
  it('before the first start time: nothing, requeue exactly at it', () => {
    const p = sync(cronJob(), '2026-03-01T10:01:00Z');
    assert.equal(p.create, undefined);
    assert.equal(p.requeueAfterMs, 4 * 60_000 + 100);
    assert.equal(p.statusChanged, false);
  });

  it('at a start time: creates the Job with name, annotation, labels and owner', () => {
    const p = sync(cronJob(), '2026-03-01T10:05:02Z');
    const scheduled = at('2026-03-01T10:05:00Z');
    assert.equal(p.create?.scheduledTime, scheduled);
    const j = p.create!.job;
    assert.equal(j.metadata?.name, `cj-${scheduled / 60000}`);
    assert.equal(j.metadata?.annotations?.[CRONJOB_SCHEDULED_TIMESTAMP], '2026-03-01T10:05:00Z');
    assert.deepEqual(j.metadata?.labels, { app: 'x' });
    assert.deepEqual(j.metadata?.ownerReferences, [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'cj', uid: 'cj-uid', controller: true, blockOwnerDeletion: true }]);
    assert.equal(j.spec?.template.spec?.restartPolicy, 'Never');
    assert.equal(p.requeueAfterMs, 5 * 60_000 - 2000 + 100);
  });

  it('uses the time zone for the schedule', () => {
    const p = sync(cronJob({ schedule: '0 9 * * *', timeZone: 'Asia/Tokyo' }), '2026-03-02T00:00:10Z');
    assert.equal(p.create?.scheduledTime, at('2026-03-02T00:00:00Z'));
    assert.equal(p.create?.job.metadata?.annotations?.[CRONJOB_SCHEDULED_TIMESTAMP], '2026-03-02T09:00:00+09:00');
  });

  it('does not start the same scheduled time twice', () => {
    const name = jobNameFor('cj', at('2026-03-01T10:05:00Z'));
    const p = sync(cronJob({}, { active: [ref(name)], lastScheduleTime: '2026-03-01T10:05:00Z' }), '2026-03-01T10:06:00Z', [job(name)]);
    assert.equal(p.create, undefined);
    assert.equal(p.requeueAfterMs, 4 * 60_000 + 100);
  });

  it('Forbid skips while a Job is active; Replace deletes the active one; Allow runs both', () => {
    const running = job('cj-old');
    const st = { active: [ref('cj-old')], lastScheduleTime: '2026-03-01T10:05:00Z' };
    const forbid = sync(cronJob({ concurrencyPolicy: 'Forbid' }, st), '2026-03-01T10:10:01Z', [running]);
    assert.equal(forbid.create, undefined);
    assert.deepEqual(forbid.events.map((e) => e.reason), ['JobAlreadyActive']);
    const replace = sync(cronJob({ concurrencyPolicy: 'Replace' }, st), '2026-03-01T10:10:01Z', [running]);
    assert.deepEqual(replace.delete, [{ name: 'cj-old', uid: 'uid-cj-old', why: 'Replace' }]);
    assert.ok(replace.create);
    assert.equal(replace.status.active, undefined);
    const allow = sync(cronJob({}, st), '2026-03-01T10:10:01Z', [running]);
    assert.ok(allow.create);
    assert.equal(allow.delete.length, 0);
    assert.equal(allow.status.active?.length, 1);
  });

  it('startingDeadlineSeconds: a start time missed by more than the deadline is skipped', () => {
    const late = sync(cronJob({ startingDeadlineSeconds: 30 }, { lastScheduleTime: '2026-03-01T10:05:00Z' }), '2026-03-01T10:11:00Z');
    assert.equal(late.create, undefined);
    const ok = sync(cronJob({ startingDeadlineSeconds: 90 }, { lastScheduleTime: '2026-03-01T10:05:00Z' }), '2026-03-01T10:11:00Z');
    assert.equal(ok.create?.scheduledTime, at('2026-03-01T10:10:00Z'));
    // With the deadline window, many missed times are not reported.
    const quiet = sync(cronJob({ schedule: '* * * * *', startingDeadlineSeconds: 200 }), '2026-03-05T00:00:10Z');
    assert.deepEqual(quiet.events, []);
    assert.equal(quiet.create?.scheduledTime, at('2026-03-05T00:00:00Z'));
  });

  it('warns about too many missed start times (over 100) and still starts the latest', () => {
    const p = sync(cronJob({ schedule: '* * * * *' }), '2026-03-01T12:00:10Z');
    assert.equal(p.events[0]?.reason, 'TooManyMissedTimes');
    assert.match(p.events[0]!.message, /^too many missed start times: 120\. Set or decrease \.spec\.startingDeadlineSeconds or check clock skew$/);
    assert.equal(p.create?.scheduledTime, at('2026-03-01T12:00:00Z'));
  });

  it('suspend: no Job and no requeue', () => {
    const p = sync(cronJob({ suspend: true }), '2026-03-01T10:05:02Z');
    assert.equal(p.create, undefined);
    assert.equal(p.requeueAfterMs, undefined);
  });

  it('removes finished and missing Jobs from active; records lastSuccessfulTime', () => {
    const done = job('cj-a', { finished: 'Complete', start: '2026-03-01T10:05:00Z', completion: '2026-03-01T10:06:00Z' });
    const p = sync(cronJob({}, { active: [ref('cj-a'), ref('cj-gone'), ref('cj-unsure')], lastScheduleTime: '2026-03-01T10:05:00Z' }), '2026-03-01T10:07:00Z', [done], {
      missing: new Set(['uid-cj-gone']),
    });
    assert.deepEqual(p.status.active, [ref('cj-unsure')]);
    assert.equal(p.status.lastSuccessfulTime, '2026-03-01T10:06:00Z');
    assert.deepEqual(p.events.map((e) => e.reason), ['SawCompletedJob', 'MissingJob']);
    assert.equal(p.events[0]!.message, 'Saw completed job: cj-a, condition: Complete');
    assert.ok(p.statusChanged);
  });

  it('reports unfinished Jobs of ours missing from active', () => {
    const p = sync(cronJob({}, { lastScheduleTime: '2026-03-01T10:05:00Z' }), '2026-03-01T10:06:00Z', [job('cj-x')]);
    assert.deepEqual(p.unexpected.map((j) => j.metadata?.name), ['cj-x']);
  });

  it('keeps successfulJobsHistoryLimit / failedJobsHistoryLimit finished Jobs, deleting the oldest', () => {
    const jobs = [
      job('s1', { finished: 'Complete', start: '2026-03-01T10:00:00Z' }),
      job('s2', { finished: 'Complete', start: '2026-03-01T10:01:00Z' }),
      job('s3', { finished: 'Complete', start: '2026-03-01T10:02:00Z' }),
      job('f1', { finished: 'Failed', start: '2026-03-01T10:00:00Z' }),
      job('f2', { finished: 'Failed', start: '2026-03-01T10:03:00Z' }),
      job('run'),
    ];
    const p = sync(cronJob({ successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 1 }, { active: [ref('run')], lastScheduleTime: '2026-03-01T10:05:00Z' }), '2026-03-01T10:06:00Z', jobs);
    assert.deepEqual(
      p.delete.map((d) => d.name),
      ['s1', 's2', 'f1'],
    );
    assert.ok(p.delete.every((d) => d.why === 'History'));
  });

  it('bad time zone or schedule: warning, no requeue', () => {
    const p = sync(cronJob({ timeZone: 'Mars/Olympus' }), '2026-03-01T10:05:02Z');
    assert.equal(p.events[0]?.reason, 'UnknownTimeZone');
    assert.equal(p.requeueAfterMs, undefined);
    const q = sync(cronJob({ schedule: 'nope' }), '2026-03-01T10:05:02Z');
    assert.equal(q.events[0]?.reason, 'UnparseableSchedule');
  });
});
