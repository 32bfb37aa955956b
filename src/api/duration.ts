// Durations for humans, as kubectl prints ages ("45s", "5m30s", "2d3h", "3y").
// Same buckets as apimachinery's util/duration; a small negative skew (clocks a second apart) reads "0s".

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const YEAR = 365 * DAY;

/** Whole units of `unit` in `ms`, truncated toward zero (as Go's integer division of durations). */
function whole(ms: number, unit: number): number {
  return Math.trunc(ms / unit);
}

/** Anything more than a second in the future is a clock problem, not an age. */
function skew(ms: number): string | undefined {
  const seconds = whole(ms, SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  return undefined;
}

/**
 * An age with two or three significant figures: seconds up to 2m, minutes with seconds up to 10m,
 * hours with minutes up to 8h, days with hours up to 8d, years with days up to 8y.
 */
export function humanDuration(ms: number): string {
  const odd = skew(ms);
  if (odd !== undefined) return odd;
  const seconds = whole(ms, SECOND);
  if (seconds < 120) return `${seconds}s`;

  const minutes = whole(ms, MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 3 * 60) return `${minutes}m`;

  const hours = whole(ms, HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;

  const days = Math.trunc(hours / 24);
  if (hours < 8 * 24) {
    const h = hours % 24;
    return h === 0 ? `${days}d` : `${days}d${h}h`;
  }
  if (hours < 2 * 365 * 24) return `${days}d`;

  const years = Math.trunc(days / 365);
  if (hours < 8 * 365 * 24) {
    const d = days % 365;
    return d === 0 ? `${years}y` : `${years}y${d}d`;
  }
  return `${years}y`;
}

/** An age in one unit only: "45s", "5m", "3h", "12d", "2y". */
export function shortHumanDuration(ms: number): string {
  const odd = skew(ms);
  if (odd !== undefined) return odd;
  const seconds = whole(ms, SECOND);
  if (seconds < 60) return `${seconds}s`;
  const minutes = whole(ms, MINUTE);
  if (minutes < 60) return `${minutes}m`;
  const hours = whole(ms, HOUR);
  if (hours < 24) return `${hours}h`;
  if (hours < 365 * 24) return `${whole(ms, DAY)}d`;
  return `${whole(ms, YEAR)}y`;
}

/**
 * The age of a timestamp at `now` (ms since the epoch), or "<unknown>" when the timestamp is absent
 * or unparseable (upstream prints that for a zero time).
 */
export function ageSince(timestamp: string | undefined | null, now: number): string {
  if (!timestamp) return '<unknown>';
  const t = Date.parse(timestamp);
  if (Number.isNaN(t)) return '<unknown>';
  return humanDuration(now - t);
}
