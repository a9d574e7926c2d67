// ModRM.mod/rm, SIB and displacement size for an AT&T memory operand, chosen as GNU as chooses:
// no displacement when it is a known zero (but %ebp/%bp as base needs a disp8 of 0), disp8 when a
// known value fits in a signed byte, else the full size; %esp as base and any index need a SIB.

import type { AttOperand } from './att-operand-syntax';

type MemoryOperand = Extract<AttOperand, { kind: 'mem' }>;

export interface MemoryEncoding {
  mod: number;
  rm: number;
  sib: number | null;
  dispSize: 0 | 1 | 2 | 4;
  addressSize: 16 | 32;
  /** Segment the CPU uses when no override is given (SS for %ebp/%esp/%bp bases). */
  defaultSegment: 'ds' | 'ss';
}

const SCALE_BITS: Record<number, number> = { 1: 0, 2: 1, 4: 2, 8: 3 };

function fits8(v: bigint): boolean {
  return v >= -128n && v <= 127n;
}

/** 16-bit addressing: the eight base/index combinations of ModRM.rm. */
const RM16: Record<string, number> = {
  'bx+si': 0, 'bx+di': 1, 'bp+si': 2, 'bp+di': 3, si: 4, di: 5, bp: 6, bx: 7,
};

/**
 * A known displacement as GNU as reads it (optimize_disp): at 32-bit addressing its low 32 bits as
 * a signed number (`0xffffffff(%ebp)` is -1, a disp8); at 16-bit addressing a value from 0 to
 * 0xffff as a signed 16-bit number, any other as it is.
 */
export function signedDisplacement(v: bigint, wide: 2 | 4): bigint {
  const bits = wide === 2 ? 16 : 32;
  return bits === 32 || (v >= 0n && v < 1n << 16n) ? BigInt.asIntN(bits, v) : v;
}

/**
 * What a known displacement needs at this address size: nothing (zero), a disp8, or the full size
 * (instruction-encodings-by-shape.ts classes values by it).
 */
export function displacementKind(v: bigint, wide: 2 | 4): 'zero' | 'byte' | 'wide' {
  const d = signedDisplacement(v, wide);
  return d === 0n ? 'zero' : fits8(d) ? 'byte' : 'wide';
}

function dispSizeFor(known: bigint | null, hasDisp: boolean, wide: 2 | 4, needsDisp: boolean): 0 | 1 | 2 | 4 {
  if (!hasDisp) return needsDisp ? 1 : 0;
  if (known === null) return wide;
  const kind = displacementKind(known, wide);
  if (kind === 'zero' && !needsDisp) return 0;
  return kind === 'wide' ? wide : 1;
}

/**
 * Encodes a memory operand's addressing part. `knownDisp` is the displacement's value when it is
 * an absolute number at this point of the source, else null (symbols take the full size).
 */
export function encodeMemoryOperand(m: MemoryOperand, knownDisp: bigint | null): MemoryEncoding | string {
  const hasDisp = m.disp !== null;
  const base = m.base;
  const index = m.index;
  const sixteen = (base?.cls ?? index?.cls) === 'gpr16';
  if (sixteen) {
    if ((base && base.cls !== 'gpr16') || (index && index.cls !== 'gpr16')) return 'mixed 16-bit and 32-bit address registers';
    if (index && m.scale !== 1) return '16-bit addressing has no scale factor';
    const names = [base?.name, index?.name].filter((x): x is string => x !== undefined).sort((a, b) => (a.startsWith('b') ? -1 : b.startsWith('b') ? 1 : 0));
    const rm = RM16[names.join('+')];
    if (rm === undefined) return `'${m.base ? '%' + m.base.name : ''}${m.index ? ',%' + m.index.name : ''}' is not a valid 16-bit base/index expression`;
    const onlyBp = rm === 6;
    const dispSize = dispSizeFor(knownDisp, hasDisp, 2, onlyBp);
    const mod = dispSize === 0 ? 0 : dispSize === 1 ? 1 : 2;
    return { mod, rm, sib: null, dispSize, addressSize: 16, defaultSegment: names.includes('bp') ? 'ss' : 'ds' };
  }
  if (base && base.cls !== 'gpr32') return `'%${base.name}' cannot be a base register`;
  if (index && index.cls !== 'gpr32' && index.cls !== 'eiz') return `'%${index.name}' cannot be an index register`;
  if (index && index.name === 'esp') return "'%esp' cannot be an index register";
  const defaultSegment = base && (base.name === 'ebp' || base.name === 'esp') ? 'ss' : 'ds';
  if (!base && !index) {
    return { mod: 0, rm: 5, sib: null, dispSize: 4, addressSize: 32, defaultSegment };
  }
  const needsSib = index !== null || base!.name === 'esp';
  if (!needsSib) {
    const dispSize = dispSizeFor(knownDisp, hasDisp, 4, base!.name === 'ebp');
    const mod = dispSize === 0 ? 0 : dispSize === 1 ? 1 : 2;
    return { mod, rm: base!.number, sib: null, dispSize, addressSize: 32, defaultSegment };
  }
  const indexBits = index ? index.number : 4;
  const scaleBits = SCALE_BITS[m.scale]!;
  if (!base) {
    return { mod: 0, rm: 4, sib: (scaleBits << 6) | (indexBits << 3) | 5, dispSize: 4, addressSize: 32, defaultSegment };
  }
  const dispSize = dispSizeFor(knownDisp, hasDisp, 4, base.name === 'ebp');
  const mod = dispSize === 0 ? 0 : dispSize === 1 ? 1 : 2;
  return { mod, rm: 4, sib: (scaleBits << 6) | (indexBits << 3) | base.number, dispSize, addressSize: 32, defaultSegment };
}

export const SEGMENT_PREFIX: Record<string, number> = { es: 0x26, cs: 0x2e, ss: 0x36, ds: 0x3e, fs: 0x64, gs: 0x65 };
