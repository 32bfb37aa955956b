// Resource quantities ("100m", "1Gi", "1e3"): exact parsing, comparison, arithmetic and upstream's
// canonical string form. A value is kept exactly as `num × 10^scale` (bigint mantissa), rounded up
// to nano precision as upstream does.

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export const QUANTITY_FORMAT_MSG = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

export class QuantityError extends Error {
  override name = 'QuantityError';
}

const decimalSuffixes: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const binarySuffixes: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const decimalByExp = new Map(Object.entries(decimalSuffixes).map(([s, e]) => [e, s]));
const binaryByExp = new Map(Object.entries(binarySuffixes).map(([s, e]) => [e, s]));

const pow10 = (n: number): bigint => 10n ** BigInt(n);
const abs = (n: bigint): bigint => (n < 0n ? -n : n);

export class Quantity {
  private constructor(
    /** value = num × 10^scale; scale ≥ -9 after construction. */
    readonly num: bigint,
    readonly scale: number,
    readonly format: QuantityFormat,
  ) {}

  static parse(input: string): Quantity {
    if (typeof input !== 'string' || input.length === 0) throw new QuantityError(QUANTITY_FORMAT_MSG);
    const m = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(.*)$/.exec(input);
    if (!m) throw new QuantityError(QUANTITY_FORMAT_MSG);
    const [, sign, intPart = '', fracPart = '', suffix = ''] = m;
    if (intPart.length === 0 && fracPart.length === 0) throw new QuantityError(QUANTITY_FORMAT_MSG);
    if (!/^[eEinumkKMGTP]*[-+]?[0-9]*$/.test(suffix)) throw new QuantityError(QUANTITY_FORMAT_MSG);
    let num = BigInt((intPart || '0') + fracPart);
    let scale = -fracPart.length;
    let format: QuantityFormat;
    if (suffix in decimalSuffixes) {
      format = 'DecimalSI';
      scale += decimalSuffixes[suffix]!;
    } else if (suffix in binarySuffixes) {
      format = 'BinarySI';
      num *= 2n ** BigInt(binarySuffixes[suffix]!);
    } else if (/^[eE][-+]?[0-9]+$/.test(suffix)) {
      format = 'DecimalExponent';
      const e = Number(suffix.slice(1));
      if (!Number.isSafeInteger(e) || Math.abs(e) > 1000) throw new QuantityError("unable to parse quantity's suffix");
      scale += e;
    } else {
      throw new QuantityError("unable to parse quantity's suffix");
    }
    if (sign === '-') num = -num;
    return Quantity.of(num, scale, format);
  }

  /** Build from `num × 10^scale`, rounding away from zero to nano precision. */
  static of(num: bigint, scale: number, format: QuantityFormat = 'DecimalSI'): Quantity {
    if (scale < -9) {
      const d = pow10(-9 - scale);
      const q = abs(num) / d;
      const r = abs(num) % d;
      const mag = r === 0n ? q : q + 1n;
      num = num < 0n ? -mag : mag;
      scale = -9;
    }
    // Keep the representation small: strip trailing zeros into the scale.
    if (num === 0n) return new Quantity(0n, 0, format);
    while (num % 10n === 0n) {
      num /= 10n;
      scale += 1;
    }
    return new Quantity(num, scale, format);
  }

  static fromNumber(n: number, format: QuantityFormat = 'DecimalSI'): Quantity {
    return Quantity.of(BigInt(Math.trunc(n)), 0, format);
  }

  static milli(n: number, format: QuantityFormat = 'DecimalSI'): Quantity {
    return Quantity.of(BigInt(Math.trunc(n)), -3, format);
  }

  isZero(): boolean {
    return this.num === 0n;
  }

  sign(): -1 | 0 | 1 {
    return this.num === 0n ? 0 : this.num < 0n ? -1 : 1;
  }

  /** -1, 0 or 1 as this is less than, equal to or greater than `other`. */
  cmp(other: Quantity | string): -1 | 0 | 1 {
    const o = typeof other === 'string' ? Quantity.parse(other) : other;
    const [a, b] = align(this, o);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  equals(other: Quantity | string): boolean {
    return this.cmp(other) === 0;
  }

  add(other: Quantity | string): Quantity {
    const o = typeof other === 'string' ? Quantity.parse(other) : other;
    const s = Math.min(this.scale, o.scale);
    return Quantity.of(this.num * pow10(this.scale - s) + o.num * pow10(o.scale - s), s, this.format);
  }

  sub(other: Quantity | string): Quantity {
    const o = typeof other === 'string' ? Quantity.parse(other) : other;
    return this.add(o.neg());
  }

  neg(): Quantity {
    return new Quantity(-this.num, this.scale, this.format);
  }

  /** Value in whole units, rounded up (as upstream's Value()). */
  value(): number {
    return Number(this.ceilAtScale(0));
  }

  /** Value in thousandths, rounded up (as upstream's MilliValue()). */
  milliValue(): number {
    return Number(this.ceilAtScale(-3));
  }

  /** The value as a JS number (may lose precision). */
  toNumber(): number {
    return Number(this.num) * 10 ** this.scale;
  }

  private ceilAtScale(target: number): bigint {
    if (this.scale >= target) return this.num * pow10(this.scale - target);
    const d = pow10(target - this.scale);
    const q = this.num / d;
    return this.num % d === 0n || this.num < 0n ? q : q + 1n;
  }

  /** Upstream's canonical form: "1500m", "1Gi", "1536Mi", "1k", "1e3" … */
  toString(): string {
    if (this.num === 0n) return '0';
    let format = this.format;
    if (format === 'BinarySI') {
      const small = this.cmp(Quantity.of(1024n, 0)) < 0 && this.cmp(Quantity.of(-1024n, 0)) > 0;
      if (small || this.scale < 0) format = 'DecimalSI';
    }
    if (format === 'BinarySI') {
      let n = this.num * pow10(this.scale);
      let exp = 0;
      while (exp < 60 && n % 1024n === 0n) {
        n /= 1024n;
        exp += 10;
      }
      return `${n}${binaryByExp.get(exp) ?? ''}`;
    }
    // Largest multiple of 3 not above the scale (num has no trailing zeros), capped to E.
    let exp = Math.floor(this.scale / 3) * 3;
    if (format === 'DecimalSI' && exp > 18) exp = 18;
    const mantissa = this.num * pow10(this.scale - exp);
    if (format === 'DecimalExponent') return `${mantissa}${exp === 0 ? '' : `e${exp}`}`;
    return `${mantissa}${decimalByExp.get(exp)!}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

function align(a: Quantity, b: Quantity): [bigint, bigint] {
  const s = Math.min(a.scale, b.scale);
  return [a.num * pow10(a.scale - s), b.num * pow10(b.scale - s)];
}

export function parseQuantity(s: string): Quantity {
  return Quantity.parse(s);
}

/** Parse without throwing: undefined when invalid. Numbers (as YAML may give) are accepted. */
export function tryParseQuantity(v: unknown): Quantity | undefined {
  try {
    if (typeof v === 'number' && Number.isFinite(v)) return Quantity.parse(String(v));
    return typeof v === 'string' ? Quantity.parse(v) : undefined;
  } catch {
    return undefined;
  }
}

/** Compare two quantities given as strings or Quantity values. */
export function compareQuantities(a: Quantity | string, b: Quantity | string): -1 | 0 | 1 {
  return (typeof a === 'string' ? Quantity.parse(a) : a).cmp(b);
}

/** The canonical string of a quantity string ("1000m" → "1"). */
export function canonicalQuantity(s: string): string {
  return Quantity.parse(s).toString();
}
