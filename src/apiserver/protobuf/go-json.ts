// How Go's encoding/json renders the apimachinery value types that have their own JSON form.

/** metav1.Time: RFC 3339 in UTC, whole seconds. */
export function formatTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** metav1.MicroTime: RFC 3339 in UTC with exactly six fractional digits. */
export function formatMicroTime(seconds: number, nanos: number): string {
  const micros = Math.floor(nanos / 1000);
  return formatTime(seconds).replace(/Z$/, `.${String(micros).padStart(6, '0')}Z`);
}

/** Parses metav1.Time / MicroTime JSON back to seconds + nanos (for the encoder). */
export function parseTime(s: string): { seconds: number; nanos: number } {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(s);
  if (!m) throw new Error(`invalid time ${JSON.stringify(s)}`);
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) throw new Error(`invalid time ${JSON.stringify(s)}`);
  return { seconds: Math.floor(ms / 1000), nanos: m[2] ? Number(m[2].padEnd(9, '0')) : 0 };
}

const NS = { us: 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n };

function withFraction(v: bigint, unit: bigint): string {
  const whole = v / unit;
  const frac = v % unit;
  if (frac === 0n) return whole.toString();
  const digits = (unit - 1n).toString().length;
  return `${whole}.${frac.toString().padStart(digits, '0').replace(/0+$/, '')}`;
}

/** metav1.Duration: Go's time.Duration.String(), e.g. "1h0m0s", "1.5s", "300ms". */
export function formatDuration(nanos: bigint): string {
  if (nanos === 0n) return '0s';
  const sign = nanos < 0n ? '-' : '';
  let u = nanos < 0n ? -nanos : nanos;
  if (u < NS.us) return `${sign}${u}ns`;
  if (u < NS.ms) return `${sign}${withFraction(u, NS.us)}µs`;
  if (u < NS.s) return `${sign}${withFraction(u, NS.ms)}ms`;
  const h = u / NS.h;
  u %= NS.h;
  const m = u / NS.m;
  u %= NS.m;
  let out = sign;
  if (h > 0n) out += `${h}h`;
  if (h > 0n || m > 0n) out += `${m}m`;
  return `${out}${withFraction(u, NS.s)}s`;
}

/** Parses a Go duration string ("1h2m3.5s", "300ms", "-1.5h") to nanoseconds (for the encoder). */
export function parseDuration(s: string): bigint {
  const m = /^([+-]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/.exec(s);
  if (s === '0') return 0n;
  if (!m) throw new Error(`invalid duration ${JSON.stringify(s)}`);
  const units: Record<string, bigint> = { ns: 1n, us: NS.us, µs: NS.us, μs: NS.us, ms: NS.ms, s: NS.s, m: NS.m, h: NS.h };
  let total = 0n;
  for (const part of s.replace(/^[+-]/, '').matchAll(/(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/g)) {
    const unit = units[part[3]];
    const frac = part[2] ?? '';
    total += BigInt(part[1] || '0') * unit;
    if (frac) total += (BigInt(frac) * unit) / 10n ** BigInt(frac.length);
  }
  return m[1] === '-' ? -total : total;
}
