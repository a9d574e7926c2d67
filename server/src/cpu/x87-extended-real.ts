// Exact 80-bit extended-precision arithmetic for the x87: a value is sign * m * 2^e with a 64-bit
// normalized BigInt mantissa (bit 63 set). Results are computed exactly, then rounded once to the
// control word's precision (24, 53 or 64 bits) and rounding mode, as the FPU does. The exponent
// range is not bounded (extended denormals and overflow do not occur in ordinary programs).

export type ExtKind = 'normal' | 'zero' | 'inf' | 'nan';

export interface Ext {
  readonly kind: ExtKind;
  readonly negative: boolean;
  /** Exponent of the mantissa's lowest bit: value = m * 2^e. */
  readonly e: number;
  /** 64-bit mantissa with bit 63 set (normal), 0n otherwise. */
  readonly m: bigint;
  /** The 80-bit image this value was loaded from: fld/fstp of m80 copy it bit for bit. */
  readonly raw?: { mantissa: bigint; signExponent: number };
  /** A signalling NaN or an unnormal: arithmetic on it raises IE. */
  readonly invalid?: boolean;
}

const QUIET_BIT = 1n << 62n;

/**
 * The NaN an operation with NaN operands returns: the quieted NaN operand, the one with the larger
 * significand when both are, and the positive one when the significands are equal (as the real
 * CPU does, whatever the operand order); an unnormal operand gives the real indefinite instead.
 */
export function propagateNaN(a: Ext, b?: Ext): Ext {
  const nans = [a, b].filter((x): x is Ext => x !== undefined && x.kind === 'nan');
  if (nans.some((x) => x.invalid && (x.m & TOP_BIT) === 0n)) return EXT_INDEFINITE;
  let pick = nans[0]!;
  if (nans.length === 2) {
    const [x, y] = [nans[0]!, nans[1]!];
    pick = y.m > x.m ? y : x.m > y.m ? x : x.negative ? y : x;
  }
  return { kind: 'nan', negative: pick.negative, e: 0, m: pick.m | QUIET_BIT | TOP_BIT };
}

export const EXT_ZERO: Ext = { kind: 'zero', negative: false, e: 0, m: 0n };
/** The "real indefinite" the FPU produces for invalid operations: a negative quiet NaN. */
export const EXT_INDEFINITE: Ext = { kind: 'nan', negative: true, e: 0, m: 0xc000000000000000n };

const TOP_BIT = 1n << 63n;

export function bitLength(v: bigint): number {
  return v === 0n ? 0 : v.toString(2).length;
}

/**
 * What the last rounding did, for the status word: PE (inexact) and C1 (rounded up in magnitude).
 * Callers reset it, run one operation and read it.
 */
export const LAST_ROUNDING = { inexact: false, up: false, overflow: false, underflow: false, denormal: false, invalid: false };

export function resetRoundingReport(): void {
  LAST_ROUNDING.inexact = LAST_ROUNDING.up = LAST_ROUNDING.overflow = LAST_ROUNDING.underflow = LAST_ROUNDING.denormal = false;
  LAST_ROUNDING.invalid = false;
}

/** Rounding modes of the control word's RC field. */
export type RoundingMode = 0 | 1 | 2 | 3; // nearest-even, down, up, toward zero

/**
 * Rounds the exact value sign * v * 2^e (v > 0, with `sticky` set when nonzero bits were already
 * dropped below v) to `bits` significant bits; returns a normalized Ext.
 */
export function roundExact(negative: boolean, v: bigint, e: number, bits: number, rc: RoundingMode, sticky = false): Ext {
  if (v === 0n) return { kind: 'zero', negative, e: 0, m: 0n };
  const length = bitLength(v);
  let drop = length - bits;
  let kept: bigint;
  if (drop > 0) {
    const shift = BigInt(drop);
    kept = v >> shift;
    const rest = v - (kept << shift);
    const half = 1n << (shift - 1n);
    const inexact = rest !== 0n || sticky;
    let up = false;
    if (rc === 0) up = rest > half || (rest === half && (sticky || (kept & 1n) === 1n));
    else if (rc === 1) up = negative && inexact;
    else if (rc === 2) up = !negative && inexact;
    if (inexact) LAST_ROUNDING.inexact = true;
    if (up) {
      LAST_ROUNDING.up = true;
      kept += 1n;
      if (bitLength(kept) > bits) {
        kept >>= 1n;
        drop++;
      }
    }
  } else {
    kept = v;
    drop = 0;
    if (sticky) {
      // Only the caller's sticky bits are inexact here; they sit below the kept bits.
      LAST_ROUNDING.inexact = true;
      const upward = (rc === 1 && negative) || (rc === 2 && !negative);
      if (upward) {
        LAST_ROUNDING.up = true;
        kept += 1n;
      }
    }
  }
  // Normalize the kept bits to a 64-bit mantissa.
  const normalizeShift = 64 - bitLength(kept);
  return { kind: 'normal', negative, e: e + drop - normalizeShift, m: kept << BigInt(normalizeShift) };
}

const scratch = new DataView(new ArrayBuffer(8));

export function extFromDouble(x: number): Ext {
  if (Number.isNaN(x)) return EXT_INDEFINITE;
  const negative = x < 0 || Object.is(x, -0);
  if (x === 0) return { kind: 'zero', negative, e: 0, m: 0n };
  if (!Number.isFinite(x)) return { kind: 'inf', negative, e: 0, m: TOP_BIT };
  scratch.setFloat64(0, x);
  const high = scratch.getUint32(0);
  const low = scratch.getUint32(4);
  const biased = (high >>> 20) & 0x7ff;
  let mantissa = (BigInt(high & 0xfffff) << 32n) | BigInt(low);
  let e: number;
  if (biased === 0) {
    e = -1074;
    LAST_ROUNDING.denormal = true;
  }
  else {
    mantissa |= 1n << 52n;
    e = biased - 1075;
  }
  return roundExact(negative, mantissa, e, 64, 0);
}

export function extFromInteger(n: bigint): Ext {
  if (n === 0n) return EXT_ZERO;
  return roundExact(n < 0n, n < 0n ? -n : n, 0, 64, 0);
}

/** The nearest double (or float, with single = true) under a rounding mode. */
export function extToDouble(x: Ext, rc: RoundingMode = 0, single = false): number {
  if (x.kind === 'zero') return x.negative ? -0 : 0;
  if (x.kind === 'inf') return x.negative ? -Infinity : Infinity;
  if (x.kind === 'nan') return NaN;
  const bits = single ? 24 : 53;
  const minExponent = single ? -149 : -1074; // exponent of the smallest denormal's bit
  const top = x.e + 63; // exponent of the leading bit
  // Denormal results keep fewer bits: as many as fit above the smallest denormal bit.
  const available = Math.min(bits, top - minExponent + 1);
  if (available <= 0) {
    LAST_ROUNDING.inexact = LAST_ROUNDING.underflow = true;
    const upward = (rc === 1 && x.negative) || (rc === 2 && !x.negative);
    const tiny = single ? 2 ** -149 : 2 ** -1074;
    const half = available === 0 && x.m > TOP_BIT && rc === 0;
    return (x.negative ? -1 : 1) * (upward || half ? tiny : 0);
  }
  const wasInexact = LAST_ROUNDING.inexact;
  LAST_ROUNDING.inexact = false;
  const r = roundExact(x.negative, x.m, x.e, available, rc);
  if (LAST_ROUNDING.inexact && available < bits) LAST_ROUNDING.underflow = true;
  LAST_ROUNDING.inexact ||= wasInexact;
  const maxExponent = single ? 127 : 1023;
  if (r.e + 63 > maxExponent) {
    LAST_ROUNDING.overflow = LAST_ROUNDING.inexact = true;
    const toInfinity = rc === 0 || (rc === 1 && x.negative) || (rc === 2 && !x.negative);
    LAST_ROUNDING.up = toInfinity;
    const largest = single ? 3.4028234663852886e38 : Number.MAX_VALUE;
    return (x.negative ? -1 : 1) * (toInfinity ? Infinity : largest);
  }
  // r.m has at most `available` significant bits: exact in a double.
  const value = Number(r.m >> BigInt(64 - available)) * 2 ** (r.e + 64 - available);
  return x.negative ? -value : value;
}

/** Rounds to an integer under a rounding mode; null for NaN and infinities. */
export function extToInteger(x: Ext, rc: RoundingMode): bigint | null {
  if (x.kind === 'zero') return 0n;
  if (x.kind !== 'normal') return null;
  let magnitude: bigint;
  if (x.e >= 0) magnitude = x.m << BigInt(x.e);
  else if (x.e <= -66) {
    magnitude = 0n;
    LAST_ROUNDING.inexact = true;
    const upward = (rc === 1 && x.negative) || (rc === 2 && !x.negative);
    if (upward) {
      LAST_ROUNDING.up = true;
      magnitude = 1n;
    }
  } else {
    const shift = BigInt(-x.e);
    magnitude = x.m >> shift;
    const rest = x.m - (magnitude << shift);
    const half = 1n << (shift - 1n);
    if (rest !== 0n) LAST_ROUNDING.inexact = true;
    const up = rc === 0 ? rest > half || (rest === half && (magnitude & 1n) === 1n) : rest !== 0n && ((rc === 1 && x.negative) || (rc === 2 && !x.negative));
    if (up) {
      LAST_ROUNDING.up = true;
      magnitude++;
    }
  }
  return x.negative ? -magnitude : magnitude;
}

export function extNegate(x: Ext): Ext {
  return { kind: x.kind, negative: !x.negative, e: x.e, m: x.m };
}

export function extAbs(x: Ext): Ext {
  return { kind: x.kind, negative: false, e: x.e, m: x.m };
}

/** -1, 0, 1, or null when unordered (a NaN). */
export function extCompare(a: Ext, b: Ext): number | null {
  if (a.kind === 'nan' || b.kind === 'nan') return null;
  const sign = (x: Ext): number => (x.kind === 'zero' ? 0 : x.negative ? -1 : 1);
  const sa = sign(a), sb = sign(b);
  if (sa !== sb) return sa < sb ? -1 : 1;
  if (sa === 0) return 0;
  let magnitude: number;
  if (a.kind === 'inf' || b.kind === 'inf') magnitude = a.kind === b.kind ? 0 : a.kind === 'inf' ? 1 : -1;
  else if (a.e !== b.e) magnitude = a.e > b.e ? 1 : -1;
  else magnitude = a.m === b.m ? 0 : a.m > b.m ? 1 : -1;
  return sa * magnitude;
}

export interface Precision {
  bits: number;
  rc: RoundingMode;
}

/** Precision and rounding from the control word (PC 00: 24 bits, 10: 53, 11: 64). */
export function precisionOf(control: number): Precision {
  const pc = (control >> 8) & 3;
  return { bits: pc === 0 ? 24 : pc === 2 ? 53 : 64, rc: ((control >> 10) & 3) as RoundingMode };
}

export function extAdd(a: Ext, b: Ext, p: Precision): Ext {
  if (a.kind === 'nan' || b.kind === 'nan') return propagateNaN(a, b);
  if (a.kind === 'inf' || b.kind === 'inf') {
    if (a.kind === 'inf' && b.kind === 'inf' && a.negative !== b.negative) return EXT_INDEFINITE;
    return a.kind === 'inf' ? a : b;
  }
  if (a.kind === 'zero' && b.kind === 'zero') {
    // +0 + -0 is +0, except rounding down gives -0.
    return { ...EXT_ZERO, negative: a.negative === b.negative ? a.negative : p.rc === 1 };
  }
  if (a.kind === 'zero') return roundExact(b.negative, b.m, b.e, p.bits, p.rc);
  if (b.kind === 'zero') return roundExact(a.negative, a.m, a.e, p.bits, p.rc);
  // Far apart: the smaller operand only decides rounding (sticky).
  let [big, small] = a.e >= b.e ? [a, b] : [b, a];
  if (big.e === small.e && small.m > big.m) [big, small] = [small, big];
  const gap = big.e - small.e;
  if (gap > 140) {
    const guard = 3n;
    const v = big.m << guard;
    const adjusted = big.negative === small.negative ? v : v - 1n;
    return roundExact(big.negative, adjusted, big.e - 3, p.bits, p.rc, true);
  }
  const x = big.m << BigInt(gap);
  const sum = big.negative === small.negative ? x + small.m : x - small.m;
  if (sum === 0n) return { ...EXT_ZERO, negative: p.rc === 1 };
  const negative = sum < 0n ? !big.negative : big.negative;
  return roundExact(negative, sum < 0n ? -sum : sum, small.e, p.bits, p.rc);
}

export function extSub(a: Ext, b: Ext, p: Precision): Ext {
  // A NaN operand propagates with its own sign: negating it first would flip that.
  if (a.kind === 'nan' || b.kind === 'nan') return propagateNaN(a, b);
  return extAdd(a, extNegate(b), p);
}

export function extMul(a: Ext, b: Ext, p: Precision): Ext {
  if (a.kind === 'nan' || b.kind === 'nan') return propagateNaN(a, b);
  const negative = a.negative !== b.negative;
  if (a.kind === 'inf' || b.kind === 'inf') {
    if (a.kind === 'zero' || b.kind === 'zero') return EXT_INDEFINITE;
    return { kind: 'inf', negative, e: 0, m: TOP_BIT };
  }
  if (a.kind === 'zero' || b.kind === 'zero') return { ...EXT_ZERO, negative };
  return roundExact(negative, a.m * b.m, a.e + b.e, p.bits, p.rc);
}

export function extDiv(a: Ext, b: Ext, p: Precision): Ext {
  if (a.kind === 'nan' || b.kind === 'nan') return propagateNaN(a, b);
  const negative = a.negative !== b.negative;
  if (a.kind === 'inf') return b.kind === 'inf' ? EXT_INDEFINITE : { kind: 'inf', negative, e: 0, m: TOP_BIT };
  if (b.kind === 'inf') return { ...EXT_ZERO, negative };
  if (b.kind === 'zero') return a.kind === 'zero' ? EXT_INDEFINITE : { kind: 'inf', negative, e: 0, m: TOP_BIT };
  if (a.kind === 'zero') return { ...EXT_ZERO, negative };
  const extra = 70n;
  const numerator = a.m << extra;
  const q = numerator / b.m;
  const sticky = q * b.m !== numerator;
  return roundExact(negative, q, a.e - b.e - 70, p.bits, p.rc, sticky);
}

export function extSqrt(a: Ext, p: Precision): Ext {
  if (a.kind === 'nan') return propagateNaN(a);
  if (a.negative && a.kind !== 'zero') return EXT_INDEFINITE;
  if (a.kind !== 'normal') return a;
  // Make the exponent even and give the root 66+ bits: sqrt(m * 2^(e)) = sqrt(m * 2^k) * 2^((e-k)/2).
  let shift = 130;
  if ((a.e - shift) % 2 !== 0) shift++;
  const n = a.m << BigInt(shift);
  // Newton's method from above (2^ceil(bits/2) >= root) decreases to the exact integer root.
  let x = 1n << BigInt(Math.ceil(bitLength(n) / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) break;
    x = y;
  }
  while (x * x > n) x--;
  while ((x + 1n) * (x + 1n) <= n) x++;
  return roundExact(false, x, (a.e - shift) / 2, p.bits, p.rc, x * x !== n);
}

/** Rounds to an integral value (frndint). */
export function extRoundToInteger(x: Ext, rc: RoundingMode): Ext {
  if (x.kind !== 'normal' || x.e >= 0) return x;
  const n = extToInteger(x, rc)!;
  return n === 0n ? { ...EXT_ZERO, negative: x.negative } : extFromInteger(n);
}

/** The 80-bit memory image: 64-bit mantissa (explicit integer bit), 15-bit exponent, sign. */
export function extToBytes(x: Ext): { mantissa: bigint; signExponent: number } {
  if (x.raw) return x.raw;
  const sign = x.negative ? 0x8000 : 0;
  if (x.kind === 'zero') return { mantissa: 0n, signExponent: sign };
  if (x.kind === 'inf') return { mantissa: TOP_BIT, signExponent: sign | 0x7fff };
  if (x.kind === 'nan') return { mantissa: x.m, signExponent: sign | 0x7fff };
  const biased = x.e + 63 + 16383;
  if (biased >= 0x7fff) return { mantissa: TOP_BIT, signExponent: sign | 0x7fff };
  if (biased <= 0) {
    // Extended denormal: shift the mantissa down (truncating; such values do not arise here).
    return { mantissa: x.m >> BigInt(1 - biased), signExponent: sign };
  }
  return { mantissa: x.m, signExponent: sign | biased };
}

export function extFromBytes(mantissa: bigint, signExponent: number): Ext {
  const raw = { mantissa, signExponent };
  const negative = (signExponent & 0x8000) !== 0;
  const biased = signExponent & 0x7fff;
  if (biased === 0x7fff) {
    if ((mantissa & ~TOP_BIT) === 0n && (mantissa & TOP_BIT) !== 0n) return { kind: 'inf', negative, e: 0, m: TOP_BIT, raw };
    // Signalling NaNs and pseudo-NaNs/infinities (integer bit clear) are invalid operands.
    const invalid = (mantissa & QUIET_BIT) === 0n || (mantissa & TOP_BIT) === 0n;
    return { kind: 'nan', negative, e: 0, m: mantissa, raw, invalid };
  }
  // Unnormals (integer bit clear, exponent not zero) are invalid operands on every FPU since the 387.
  if (biased !== 0 && (mantissa & TOP_BIT) === 0n) return { kind: 'nan', negative: true, e: 0, m: 0n, raw, invalid: true };
  if (mantissa === 0n) return { kind: 'zero', negative, e: 0, m: 0n, raw };
  return { ...roundExact(negative, mantissa, (biased === 0 ? 1 : biased) - 16383 - 63, 64, 0), raw };
}
