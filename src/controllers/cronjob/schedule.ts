// Schedule arithmetic for CronJobs: the most recent missed start time, the next one, Job names and
// the scheduled-timestamp annotation in the CronJob's time zone.

import type { Schedule } from '../../api/strategies/cron.js';

/** Missed start times beyond this are reported as "too many missed start times". */
export const MAX_MISSED_REPORTED = 100;

export interface MissedSchedules {
  /** The latest start time in (earliest, now], if any. */
  mostRecent?: number;
  /** How many start times fell in (earliest, now] (estimated when very many). */
  count: number;
}

/**
 * Start times in (earliest, now]: how many, and the latest. Walks the schedule; when there are more
 * than MAX_MISSED_REPORTED, the count is estimated from the spacing of the first two (as upstream)
 * and the latest is found by walking from shortly before `now`.
 */
export function missedSchedules(schedule: Schedule, earliest: number, now: number, timeZone?: string): MissedSchedules {
  const next = (t: number): number | undefined => schedule.next(new Date(t), timeZone)?.getTime();
  const t1 = next(earliest);
  if (t1 === undefined || t1 > now) return { count: 0 };
  let t = t1;
  let count = 1;
  for (;;) {
    const n = next(t);
    if (n === undefined || n > now) return { mostRecent: t, count };
    t = n;
    count++;
    if (count > MAX_MISSED_REPORTED) break;
  }
  // Very many: estimate the count, and find the latest by walking back from now in growing windows.
  const t2 = next(t1)!;
  const spacing = Math.max(1000, t2 - t1);
  const estimated = Math.floor((now - t1) / spacing) + 1;
  let window = spacing * 2;
  for (let tries = 0; tries < 40; tries++, window *= 2) {
    let c = next(Math.max(earliest, now - window));
    if (c === undefined || c > now) continue;
    let last = c;
    for (let steps = 0; steps < 10_000; steps++) {
      const n = next(c);
      if (n === undefined || n > now) break;
      last = c = n;
    }
    return { mostRecent: last, count: Math.max(estimated, count) };
  }
  return { mostRecent: t, count: Math.max(estimated, count) };
}

/** The Job name for a scheduled time: `<cronjob>-<minutes since the epoch>`. */
export function jobNameFor(cronJobName: string, scheduled: number): string {
  return `${cronJobName}-${Math.floor(scheduled / 60_000)}`;
}

function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** Minutes east of UTC of `timeZone` at instant `ms`. */
export function zoneOffsetMinutes(ms: number, timeZone?: string): number {
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone: timeZone ?? localZone(),
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const parts: Record<string, number> = {};
  for (const p of f.formatToParts(new Date(ms))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const wall = Date.UTC(parts['year']!, parts['month']! - 1, parts['day']!, parts['hour']!, parts['minute']!, parts['second']!);
  return Math.round((wall - Math.floor(ms / 1000) * 1000) / 60_000);
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** RFC 3339 (seconds) on the wall clock of `timeZone`, "Z" when the offset is zero. */
export function rfc3339InZone(ms: number, timeZone?: string): string {
  const off = zoneOffsetMinutes(ms, timeZone);
  const d = new Date(Math.floor(ms / 1000) * 1000 + off * 60_000);
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  if (off === 0) return `${date}Z`;
  const a = Math.abs(off);
  return `${date}${off < 0 ? '-' : '+'}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 1123 with numeric zone, in UTC ("Mon, 02 Jan 2006 15:04:05 +0000"). */
export function rfc1123zUTC(ms: number): string {
  const d = new Date(ms);
  return `${DAYS[d.getUTCDay()]}, ${pad(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}
