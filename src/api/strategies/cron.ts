// Cron schedules as CronJob uses them: five fields (minute hour day-of-month month day-of-week) with
// lists, ranges, steps, names (JAN…DEC, SUN…SAT), `*` and `?`, the @yearly/@annually/@monthly/
// @weekly/@daily/@midnight/@hourly macros, `@every <duration>`, and a `TZ=`/`CRON_TZ=` prefix.
// Error texts follow the parser upstream uses, since CronJob validation returns them verbatim.
// Used by CronJob validation here and by the CronJob controller for `next`.

export class CronError extends Error {
  override name = 'CronError';
}

export interface Schedule {
  /**
   * The first activation strictly after `after`, evaluated on the wall clock of `timeZone` (an IANA
   * name; default: the process's local zone, as upstream's controller-manager). A `TZ=` prefix in the
   * expression wins over the argument. Wall-clock times skipped by a DST change are skipped.
   * null when nothing matches within five years (e.g. "0 0 30 2 *").
   */
  next(after: Date, timeZone?: string): Date | null;
}

interface FieldBounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MINUTE: FieldBounds = { min: 0, max: 59 };
const HOUR: FieldBounds = { min: 0, max: 23 };
const DOM: FieldBounds = { min: 1, max: 31 };
const MONTH: FieldBounds = {
  min: 1,
  max: 12,
  names: { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 },
};
const DOW: FieldBounds = { min: 0, max: 6, names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } };

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** A parsed field: which values match, and whether it was unrestricted (`*`, `?`, `*\/1`). */
interface FieldSet {
  values: boolean[];
  star: boolean;
}

function parseInt10(s: string, expr: string): number {
  if (!/^[+-]?[0-9]+$/.test(s)) throw new CronError(`failed to parse int from ${s}: strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`);
  const n = Number(s);
  if (n < 0) throw new CronError(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

function intOrName(s: string, b: FieldBounds, expr: string): number {
  const named = b.names?.[s.toLowerCase()];
  return named !== undefined ? named : parseInt10(s, expr);
}

function parseField(field: string, b: FieldBounds): FieldSet {
  const values = new Array<boolean>(b.max + 1).fill(false);
  let star = false;
  for (const expr of field.split(',')) {
    const rangeAndStep = expr.split('/');
    const lowAndHigh = rangeAndStep[0]!.split('-');
    const single = lowAndHigh.length === 1;
    let start: number;
    let end: number;
    let isStar = false;
    if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
      start = b.min;
      end = b.max;
      isStar = true;
    } else {
      start = intOrName(lowAndHigh[0]!, b, expr);
      if (lowAndHigh.length === 1) end = start;
      else if (lowAndHigh.length === 2) end = intOrName(lowAndHigh[1]!, b, expr);
      else throw new CronError(`too many hyphens: ${expr}`);
    }
    let step = 1;
    if (rangeAndStep.length === 2) {
      step = parseInt10(rangeAndStep[1]!, expr);
      if (single && !isStar) end = b.max; // "N/step" means "N-max/step"
      if (step > 1) isStar = false;
    } else if (rangeAndStep.length > 2) {
      throw new CronError(`too many slashes: ${expr}`);
    }
    if (start < b.min) throw new CronError(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
    if (end > b.max) throw new CronError(`end of range (${end}) above maximum (${b.max}): ${expr}`);
    if (start > end) throw new CronError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
    if (step === 0) throw new CronError(`step of range should be a positive number: ${expr}`);
    for (let v = start; v <= end; v += step) values[v] = true;
    if (isStar) star = true;
  }
  return { values, star };
}

const DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration, in milliseconds. */
function parseDuration(s: string): number {
  const orig = s;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw new CronError(`failed to parse duration ${orig}: time: invalid duration ${JSON.stringify(orig)}`);
  let total = 0;
  const re = /^([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)/;
  while (s.length > 0) {
    const m = re.exec(s);
    if (!m || m[1] === '' || m[1] === '.') {
      const why = /^[0-9.]+$/.test(s) ? `missing unit in duration ${JSON.stringify(orig)}` : `invalid duration ${JSON.stringify(orig)}`;
      throw new CronError(`failed to parse duration ${orig}: time: ${why}`);
    }
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    s = s.slice(m[0].length);
  }
  return sign * total;
}

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Parse a cron expression; throws CronError with upstream's wording when invalid. */
export function parseCron(expr: string): Schedule {
  let spec = expr.trim();
  if (spec.length === 0) throw new CronError('empty spec string');
  let zone: string | undefined;
  if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) {
    const i = spec.indexOf(' ');
    const eq = spec.indexOf('=');
    const name = i < 0 ? spec.slice(eq + 1) : spec.slice(eq + 1, i);
    if (!isValidTimeZone(name)) throw new CronError(`provided bad location ${name}: unknown time zone ${name}`);
    zone = name;
    spec = i < 0 ? '' : spec.slice(i).trim();
  }
  if (spec.startsWith('@')) {
    if (spec.startsWith('@every ')) {
      const ms = Math.max(1000, Math.ceil(parseDuration(spec.slice(7).trim()) / 1000) * 1000);
      return {
        next(after: Date): Date {
          return new Date(Math.floor(after.getTime() / 1000) * 1000 + ms);
        },
      };
    }
    const macro = MACROS[spec.toLowerCase()];
    if (!macro) throw new CronError(`unrecognized descriptor: ${spec}`);
    spec = macro;
  }
  const fields = spec.split(/\s+/).filter((f) => f.length > 0);
  if (fields.length !== 5) throw new CronError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  const minute = parseField(fields[0]!, MINUTE);
  const hour = parseField(fields[1]!, HOUR);
  const dom = parseField(fields[2]!, DOM);
  const month = parseField(fields[3]!, MONTH);
  const dow = parseField(fields[4]!, DOW);
  const fixedZone = zone;
  return {
    next(after: Date, timeZone?: string): Date | null {
      return nextMatch({ minute, hour, dom, month, dow }, after, fixedZone ?? timeZone);
    },
  };
}

interface Fields {
  minute: FieldSet;
  hour: FieldSet;
  dom: FieldSet;
  month: FieldSet;
  dow: FieldSet;
}

interface Wall {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string | undefined): Intl.DateTimeFormat {
  const key = tz ?? '';
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(key, f);
  }
  return f;
}

function wallOf(ms: number, tz: string | undefined): Wall {
  if (tz === 'UTC' || tz === 'Etc/UTC') {
    const d = new Date(ms);
    return { y: d.getUTCFullYear(), mo: d.getUTCMonth() + 1, d: d.getUTCDate(), h: d.getUTCHours(), mi: d.getUTCMinutes() };
  }
  const parts: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(new Date(ms))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { y: parts.year!, mo: parts.month!, d: parts.day!, h: parts.hour! % 24, mi: parts.minute! };
}

const wallUTC = (w: Wall): number => Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi);

/** Every instant (0, 1 or 2 of them, ascending) whose wall-clock time in tz is `w`. */
function instantsOf(w: Wall, tz: string | undefined): number[] {
  const guess = wallUTC(w);
  if (tz === 'UTC' || tz === 'Etc/UTC') return [guess];
  const offsets = new Set<number>();
  for (const probe of [guess - 86_400_000, guess, guess + 86_400_000]) {
    const pw = wallOf(probe, tz);
    offsets.add(wallUTC(pw) - Math.floor(probe / 60_000) * 60_000);
  }
  const out: number[] = [];
  for (const off of offsets) {
    const t = guess - off;
    const back = wallOf(t, tz);
    if (back.y === w.y && back.mo === w.mo && back.d === w.d && back.h === w.h && back.mi === w.mi) out.push(t);
  }
  return [...new Set(out)].sort((a, b) => a - b);
}

function dayMatches(f: Fields, y: number, mo: number, d: number): boolean {
  if (!f.month.values[mo]) return false;
  const weekday = new Date(Date.UTC(y, mo - 1, d)).getUTCDay();
  const domOk = f.dom.values[d] === true;
  const dowOk = f.dow.values[weekday] === true;
  // Both restricted: either may match. Otherwise both must (an unrestricted one always does).
  return f.dom.star || f.dow.star ? domOk && dowOk : domOk || dowOk;
}

function nextMatch(f: Fields, after: Date, tz: string | undefined): Date | null {
  const start = Math.floor(after.getTime() / 60_000) * 60_000 + 60_000;
  const first = wallOf(start, tz);
  const firstMinuteOfDay = first.h * 60 + first.mi;
  const minutes: number[] = [];
  for (let m = 0; m < 60; m++) if (f.minute.values[m]) minutes.push(m);
  const hours: number[] = [];
  for (let h = 0; h < 24; h++) if (f.hour.values[h]) hours.push(h);
  // Walk calendar days on the wall clock; ~5 years covers leap-day schedules.
  const day0 = Date.UTC(first.y, first.mo - 1, first.d);
  for (let i = 0; i < 366 * 5 + 2; i++) {
    const day = new Date(day0 + i * 86_400_000);
    const y = day.getUTCFullYear();
    const mo = day.getUTCMonth() + 1;
    const d = day.getUTCDate();
    if (!dayMatches(f, y, mo, d)) continue;
    for (const h of hours) {
      for (const mi of minutes) {
        // Skip candidates well before the start on the first day (the margin covers DST shifts).
        if (i === 0 && h * 60 + mi < firstMinuteOfDay - 180) continue;
        for (const t of instantsOf({ y, mo, d, h, mi }, tz)) if (t >= start) return new Date(t);
      }
    }
  }
  return null;
}
