/**
 * Kubernetes resource quantities (`resource.Quantity`): parse, compare, add, format.
 *
 * A quantity is held exactly as an integer number of nano-units (`nano`, a bigint), the finest
 * precision Kubernetes keeps (finer input is rounded up, as the API server does), together with
 * the suffix family it was written in so that it can be printed back the way Kubernetes prints it
 * (canonical form: `1Gi`, `1500m`, `2k`, `1e3`).
 */

export type QuantityFormat = 'BinarySI' | 'DecimalSI' | 'DecimalExponent';

export class QuantityError extends Error {}

const NANO = 1_000_000_000n;
const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
/** Go's resource.Quantity refuses numbers whose magnitude is beyond this many digits. */
const MAX_DIGITS = 40;

const SYNTAX = /^([+-]?)(\d*)(?:\.(\d*))?(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;

export class Quantity {
  private constructor(
    /** The value in units of 10^-9, exact. */
    readonly nano: bigint,
    readonly format: QuantityFormat,
  ) {}

  static fromNano(nano: bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(nano, format);
  }

  static fromInt(n: bigint | number, format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(BigInt(n) * NANO, format);
  }

  /** Parses a quantity string; throws QuantityError with the reason when it is not one. */
  static parse(text: string): Quantity {
    if (typeof text !== 'string') throw new QuantityError(`quantity must be a string, got ${typeof text}`);
    const s = text.trim();
    const m = SYNTAX.exec(s);
    if (s === '' || !m || (m[2] === '' && (m[3] === undefined || m[3] === ''))) {
      throw new QuantityError(
        `quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
      );
    }
    const [, sign, whole, frac = '', suffix, exp] = m;
    if (whole.length + frac.length > MAX_DIGITS || (exp !== undefined && Math.abs(Number(exp)) > 100)) {
      throw new QuantityError('quantity is too large');
    }
    let digits = BigInt((whole || '0') + frac);
    let format: QuantityFormat = 'DecimalSI';
    // value = digits * 10^(-frac.length) * multiplier; computed in nano-units with round-up.
    let num = digits;
    let den = 10n ** BigInt(frac.length);
    if (suffix !== undefined && suffix in BINARY) {
      num *= 1n << BigInt(BINARY[suffix]);
      format = 'BinarySI';
    } else {
      const e = exp !== undefined ? Number(exp) : DECIMAL[suffix ?? ''];
      if (exp !== undefined) format = 'DecimalExponent';
      if (e >= 0) num *= 10n ** BigInt(e);
      else den *= 10n ** BigInt(-e);
    }
    num *= NANO;
    let nano = num / den;
    if (nano * den !== num) nano += 1n; // round up below nano precision, like Kubernetes
    if (sign === '-') nano = -nano;
    return new Quantity(nano, format);
  }

  /** Like parse, but returns undefined instead of throwing. */
  static tryParse(text: string): Quantity | undefined {
    try {
      return Quantity.parse(text);
    } catch {
      return undefined;
    }
  }

  cmp(o: Quantity): number {
    return this.nano < o.nano ? -1 : this.nano > o.nano ? 1 : 0;
  }
  add(o: Quantity): Quantity {
    return new Quantity(this.nano + o.nano, this.format);
  }
  sub(o: Quantity): Quantity {
    return new Quantity(this.nano - o.nano, this.format);
  }
  sign(): number {
    return this.nano < 0n ? -1 : this.nano > 0n ? 1 : 0;
  }
  isInteger(): boolean {
    return this.nano % NANO === 0n;
  }
  /** Integer value rounded away from zero (Go's Quantity.Value(): 1.5 → 2, -1.5 → -2). */
  value(): bigint {
    return awayFromZero(this.nano, NANO);
  }
  /** Milli-units rounded away from zero (Go's Quantity.MilliValue()). */
  milli(): bigint {
    return awayFromZero(this.nano, 1_000_000n);
  }
  toNumber(): number {
    return Number(this.nano) / 1e9;
  }

  /** Canonical Kubernetes string form (what the API server would print). */
  toString(): string {
    const neg = this.nano < 0n;
    const abs = neg ? -this.nano : this.nano;
    const body = formatAbs(abs, this.format);
    return neg && abs !== 0n ? '-' + body : body;
  }
  toJSON(): string {
    return this.toString();
  }
}

/** `n / unit`, rounded away from zero when inexact (Go's `negativeScaleInt64`). */
function awayFromZero(n: bigint, unit: bigint): bigint {
  const q = n / unit;
  if (q * unit === n) return q;
  return n > 0n ? q + 1n : q - 1n;
}

function formatAbs(nano: bigint, format: QuantityFormat): string {
  if (nano === 0n) return '0';
  if (format === 'BinarySI' && nano % NANO === 0n) {
    let v = nano / NANO;
    const suffixes = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
    let i = 0;
    while (i < suffixes.length - 1 && v % 1024n === 0n) {
      v /= 1024n;
      i++;
    }
    if (i > 0 || v < 1024n) return `${v}${suffixes[i]}`;
    // An integer that is not a multiple of 1024 prints as a plain decimal number.
    return decimal(nano, 'DecimalSI');
  }
  return decimal(nano, format === 'DecimalExponent' ? 'DecimalExponent' : 'DecimalSI');
}

/** Largest exponent (a multiple of 3, ≥ -9) such that the mantissa is an integer. */
function decimal(nano: bigint, format: 'DecimalSI' | 'DecimalExponent'): string {
  let mantissa = nano;
  let exp = -9;
  while (mantissa % 1000n === 0n && exp < 18) {
    mantissa /= 1000n;
    exp += 3;
  }
  if (format === 'DecimalExponent') return exp === 0 ? `${mantissa}` : `${mantissa}e${exp}`;
  const suffix: Record<number, string> = { [-9]: 'n', [-6]: 'u', [-3]: 'm', 0: '', 3: 'k', 6: 'M', 9: 'G', 12: 'T', 15: 'P', 18: 'E' };
  return `${mantissa}${suffix[exp]}`;
}

const parsed = new Map<string, Quantity>();
/**
 * The Quantity of a string the decoder has already checked (object fields, capacity values,
 * request policies), memoised: clusters repeat few distinct strings, and a Quantity is
 * immutable, so sharing one is safe. Throws QuantityError on a string that is not a quantity.
 */
export function parseQuantity(text: string): Quantity {
  let v = parsed.get(text);
  if (!v) {
    v = Quantity.parse(text);
    parsed.set(text, v);
  }
  return v;
}
