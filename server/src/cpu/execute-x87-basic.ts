// The x87 instructions gcc -m32 emits for ordinary float code: loads and stores of every memory
// format, arithmetic in all operand forms, compares (to C0-C3 and to EFLAGS), conversions with
// the control word's rounding, constants, fxch, fchs/fabs, fsqrt, frndint, fcmov and the control
// and status words. Arithmetic is exact 80-bit (x87-extended-real.ts) with PE and C1 reported;
// transcendentals go through doubles (an approximation). Stack faults yield the indefinite NaN.

import type { OpcodeEntry } from '../isa';
import type { HandlerFactory, HandlerFamily } from './dispatch-table';
import type { Insn } from './instruction-record';
import type { Machine } from './machine';
import { condition } from './flags-arithmetic';
import {
  EXT_INDEFINITE, LAST_ROUNDING, resetRoundingReport, extAbs, extAdd, extCompare, extDiv, extFromDouble, extMul, extNegate, extRoundToInteger,
  extSqrt, extSub, extToDouble, precisionOf, roundExact, type Ext, type Precision, type RoundingMode,
} from './x87-extended-real';
import { readInteger, readReal32, readReal64, readReal80, writeInteger, writeReal32, writeReal64, writeReal80 } from './x87-memory-formats';

const IE = 1, DE = 2, ZE = 4, OE = 8, UE = 0x10, SF_STACK = 1 << 6, PE = 1 << 5;
const C0 = 1 << 8, C1 = 1 << 9, C2 = 1 << 10, C3 = 1 << 14;
const EFLAGS_CF = 0x1, EFLAGS_PF = 0x4, EFLAGS_ZF = 0x40, EFLAGS_STATUS = 0x8d5;

function rc(m: Machine): RoundingMode {
  return ((m.x87.control >> 10) & 3) as RoundingMode;
}

/** Set when st() met an empty register: the masked stack-underflow response is then the indefinite. */
let underflowed = false;

function st(m: Machine, n: number): Ext {
  const p = (m.x87.top + n) & 7;
  if (m.x87.empty[p]) {
    m.x87.status = (m.x87.status | IE | SF_STACK) & ~C1;
    underflowed = true;
    return EXT_INDEFINITE;
  }
  return m.x87.regs[p]!;
}

function setSt(m: Machine, n: number, value: Ext): void {
  const p = (m.x87.top + n) & 7;
  m.x87.regs[p] = value;
  m.x87.empty[p] = 0;
}

function push(m: Machine, value: Ext): void {
  m.x87.top = (m.x87.top - 1) & 7;
  // C1 reports a stack overflow on a load, and is cleared otherwise (SDM FLD, FILD, FLD1...).
  m.x87.status &= ~C1;
  if (!m.x87.empty[m.x87.top]) {
    // Stack overflow (masked): the indefinite NaN replaces the value.
    m.x87.status |= IE | SF_STACK | C1;
    value = EXT_INDEFINITE;
  }
  setSt(m, 0, value);
}

function pop(m: Machine): void {
  m.x87.empty[m.x87.top] = 1;
  m.x87.top = (m.x87.top + 1) & 7;
}

/** Runs one rounding operation and reports PE and C1 (rounded up) in the status word. */
function rounded<T>(m: Machine, operation: () => T): T {
  resetRoundingReport();
  const result = operation();
  const r = LAST_ROUNDING;
  m.x87.status = (m.x87.status & ~C1) | (r.inexact ? PE : 0) | (r.inexact && r.up ? C1 : 0) | (r.overflow ? OE : 0) | (r.underflow ? UE : 0);
  return result;
}

/** IE for a NaN made from non-NaN operands, or from a signalling NaN or unnormal operand. */
function invalidCheck(m: Machine, result: Ext, inputs: Ext[]): Ext {
  if (result.kind === 'nan' && (!inputs.some((x) => x.kind === 'nan') || inputs.some((x) => x.invalid))) m.x87.status |= IE;
  return result;
}

type Format = string;

function memoryFormat(entry: OpcodeEntry): Format | null {
  const o = entry.operands[0];
  return o && o.kind === 'method' && o.method === 'M' ? o.size : null;
}

/** Loads a memory operand; a denormal float or double sets DE (denormal operand). */
function loadMemory(m: Machine, format: Format): Ext {
  switch (format) {
    case 'sr': case 'dr': {
      resetRoundingReport();
      const value = format === 'sr' ? readReal32(m, m.linear) : readReal64(m, m.linear);
      if (LAST_ROUNDING.denormal) m.x87.status |= DE;
      if (LAST_ROUNDING.invalid) m.x87.status |= IE;
      return value;
    }
    case 'er': return readReal80(m, m.linear);
    case 'wi': return readInteger(m, m.linear, 2);
    case 'di': return readInteger(m, m.linear, 4);
    default: return readInteger(m, m.linear, 8);
  }
}

function storeMemory(m: Machine, format: Format, value: Ext, truncate: boolean): void {
  const mode = truncate ? 3 : rc(m);
  rounded(m, () => {
    switch (format) {
      case 'sr': writeReal32(m, m.linear, value, mode); return;
      case 'dr': writeReal64(m, m.linear, value, mode); return;
      case 'er': writeReal80(m, m.linear, value); return;
      default: {
        const size = format === 'wi' ? 2 : format === 'di' ? 4 : 8;
        if (!writeInteger(m, m.linear, size, value, mode)) m.x87.status |= IE;
      }
    }
  });
}

type Arithmetic = (a: Ext, b: Ext, p: Precision) => Ext;
const ARITHMETIC: Record<string, Arithmetic> = {
  add: extAdd,
  mul: extMul,
  sub: extSub,
  subr: (a, b, p) => extSub(b, a, p),
  div: extDiv,
  divr: (a, b, p) => extDiv(b, a, p),
};

function compute(m: Machine, name: string, a: Ext, b: Ext): Ext {
  const f = ARITHMETIC[name]!;
  const result = rounded(m, () => f(a, b, precisionOf(m.x87.control)));
  const divisor = name === 'div' ? b : name === 'divr' ? a : null;
  if (divisor !== null && divisor.kind === 'zero' && result.kind === 'inf') m.x87.status |= ZE;
  return invalidCheck(m, result, [a, b]);
}

/** fadd/fiadd/faddp...: memory (st0 op m), ST0,STi (st0 op sti), STi,ST0 (sti op st0), p pops. */
function arithmetic(name: string, pops: boolean): HandlerFactory {
  // A stack underflow gives the real indefinite whatever the other operand (a NaN of its own included).
  const result = (m: Machine, a: Ext, b: Ext): Ext => (underflowed ? EXT_INDEFINITE : compute(m, name, a, b));
  return (entry) => {
    const format = memoryFormat(entry);
    if (format !== null) return (m) => { underflowed = false; setSt(m, 0, result(m, st(m, 0), loadMemory(m, format))); };
    if (entry.operands.length === 0) {
      return (m) => { underflowed = false; setSt(m, 1, result(m, st(m, 1), st(m, 0))); pop(m); };
    }
    const first = entry.operands[0];
    const toSti = first?.kind === 'fixed' && first.name === 'STi';
    return (m, i) => {
      const n = i.rm;
      underflowed = false;
      if (toSti) setSt(m, n, result(m, st(m, n), st(m, 0)));
      else setSt(m, 0, result(m, st(m, 0), st(m, n)));
      if (pops) pop(m);
    };
  };
}

function compareCodes(a: Ext, b: Ext): number {
  const c = extCompare(a, b);
  return c === null ? C3 | C2 | C0 : c > 0 ? 0 : c < 0 ? C0 : C3;
}

/** fcom/fcomp/fucom/ficom...: C3 C2 C0 from st0 against the operand; pops 0, 1 or 2 times. */
function compare(pops: number, unordered: boolean): HandlerFactory {
  return (entry) => {
    const format = memoryFormat(entry);
    return (m, i) => {
      const a = st(m, 0);
      const b = format !== null ? loadMemory(m, format) : entry.operands.length === 0 ? st(m, 1) : st(m, i.rm);
      const codes = compareCodes(a, b);
      m.x87.status = (m.x87.status & ~(C0 | C1 | C2 | C3)) | codes;
      // fcom signals invalid for any NaN; fucom only for signalling ones (not produced here).
      if (!unordered && (a.kind === 'nan' || b.kind === 'nan')) m.x87.status |= IE;
      for (let k = 0; k < pops; k++) pop(m);
    };
  };
}

/** fcomi/fucomi(p): ZF PF CF from the compare, OF SF AF cleared. */
function compareToEflags(pops: boolean, unordered: boolean): HandlerFactory {
  return () => (m, i) => {
    const a = st(m, 0);
    const b = st(m, i.rm);
    const c = extCompare(a, b);
    const flags = c === null ? EFLAGS_ZF | EFLAGS_PF | EFLAGS_CF : c > 0 ? 0 : c < 0 ? EFLAGS_CF : EFLAGS_ZF;
    m.eflags = (m.eflags & ~EFLAGS_STATUS) | flags;
    m.x87.status &= ~C1;
    if (!unordered && c === null) m.x87.status |= IE;
    if (pops) pop(m);
  };
}

/** The FPU's constants: 64-bit mantissas rounded to nearest (the other modes differ in the last bit). */
function constant(mantissa: bigint, e: number): HandlerFactory {
  const value = roundExact(false, mantissa, e, 64, 0);
  return () => (m) => push(m, value);
}

function fromDouble(f: (x: number) => number): (x: Ext) => Ext {
  return (x) => extFromDouble(f(extToDouble(x)));
}

function unaryOnTop(f: (x: Ext, m: Machine) => Ext): HandlerFactory {
  return () => (m) => {
    // An empty ST(0) is a stack underflow: the result is the indefinite NaN itself, not f of it.
    if (m.x87.empty[m.x87.top & 7]) return void setSt(m, 0, st(m, 0));
    const x = st(m, 0);
    setSt(m, 0, invalidCheck(m, f(x, m), [x]));
  };
}

function fcmov(cc: number, negate: boolean): HandlerFactory {
  return () => (m, i) => {
    if (condition(m.eflags, cc) !== negate) setSt(m, 0, st(m, i.rm));
  };
}

const fld: HandlerFactory = (entry) => {
  const format = memoryFormat(entry);
  if (format !== null) return (m) => push(m, loadMemory(m, format));
  return (m, i) => push(m, st(m, i.rm));
};

function store(pops: boolean, truncate = false): HandlerFactory {
  return (entry) => {
    const format = memoryFormat(entry);
    if (format !== null) return (m) => {
      storeMemory(m, format, st(m, 0), truncate);
      if (pops) pop(m);
    };
    return (m, i) => {
      setSt(m, i.rm, st(m, 0));
      if (pops) pop(m);
    };
  };
}

function fxam(m: Machine): void {
  const p = m.x87.top & 7;
  const v = m.x87.regs[p]!;
  let codes: number;
  if (m.x87.empty[p]) codes = C3 | C0;
  else if (v.kind === 'nan') codes = C0;
  else if (v.kind === 'inf') codes = C2 | C0;
  else if (v.kind === 'zero') codes = C3;
  else codes = C2;
  if (v.negative) codes |= C1;
  m.x87.status = (m.x87.status & ~(C0 | C1 | C2 | C3)) | codes;
}

function fprem(m: Machine, nearest: boolean): void {
  const a = extToDouble(st(m, 0));
  const b = extToDouble(st(m, 1));
  const ratio = a / b;
  const q = nearest ? Math.round(ratio) : Math.trunc(ratio);
  setSt(m, 0, extFromDouble(a - q * b));
  const qi = Math.abs(q);
  m.x87.status = (m.x87.status & ~(C0 | C1 | C2 | C3)) | (qi & 1 ? C1 : 0) | (qi & 2 ? C3 : 0) | (qi & 4 ? C0 : 0);
}

const storeStatusWord = (entry: OpcodeEntry): ((m: Machine, i: Insn) => void) => {
  const toAx = entry.operands[0]?.kind === 'fixed';
  return (m) => {
    if (toAx) m.setReg(0, 2, m.x87.statusWord());
    else m.writeMem(m.linear, 2, m.x87.statusWord());
  };
};

const ONE = roundExact(false, 1n, 0, 64, 0);

export const X87_BASIC: HandlerFamily = {
  fld,
  fild: fld,
  fst: store(false),
  fstp: store(true),
  fist: store(false),
  fistp: store(true),
  fisttp: store(true, true),
  fxch: () => (m, i) => {
    const a = st(m, 0);
    setSt(m, 0, st(m, i.rm));
    setSt(m, i.rm, a);
    m.x87.status &= ~C1;
  },
  fcom: compare(0, false),
  fcomp: compare(1, false),
  fcompp: compare(2, false),
  fucom: compare(0, true),
  fucomp: compare(1, true),
  fucompp: compare(2, true),
  ficom: compare(0, false),
  ficomp: compare(1, false),
  fcomi: compareToEflags(false, false),
  fcomip: compareToEflags(true, false),
  fucomi: compareToEflags(false, true),
  fucomip: compareToEflags(true, true),
  ftst: () => (m) => { m.x87.status = (m.x87.status & ~(C0 | C1 | C2 | C3)) | compareCodes(st(m, 0), { kind: 'zero', negative: false, e: 0, m: 0n }); },
  fxam: () => fxam,
  fld1: () => (m) => push(m, ONE),
  fldz: () => (m) => push(m, { kind: 'zero', negative: false, e: 0, m: 0n }),
  fldpi: constant(0xc90fdaa22168c235n, -62),
  fldl2e: constant(0xb8aa3b295c17f0bcn, -63),
  fldl2t: constant(0xd49a784bcd1b8afen, -62),
  fldlg2: constant(0x9a209a84fbcff799n, -65),
  fldln2: constant(0xb17217f7d1cf79acn, -64),
  // fchs and fabs clear C1 (SDM FCHS, FABS).
  fchs: unaryOnTop((x, m) => { m.x87.status &= ~C1; return extNegate(x); }),
  fabs: unaryOnTop((x, m) => { m.x87.status &= ~C1; return extAbs(x); }),
  fsqrt: unaryOnTop((x, m) => rounded(m, () => extSqrt(x, precisionOf(m.x87.control)))),
  frndint: unaryOnTop((x, m) => rounded(m, () => extRoundToInteger(x, rc(m)))),
  fsin: unaryOnTop(fromDouble(Math.sin)),
  fcos: unaryOnTop(fromDouble(Math.cos)),
  f2xm1: unaryOnTop(fromDouble((x) => 2 ** x - 1)),
  fsincos: () => (m) => {
    const x = extToDouble(st(m, 0));
    setSt(m, 0, extFromDouble(Math.sin(x)));
    push(m, extFromDouble(Math.cos(x)));
  },
  fptan: () => (m) => {
    setSt(m, 0, extFromDouble(Math.tan(extToDouble(st(m, 0)))));
    push(m, ONE);
  },
  fpatan: () => (m) => {
    setSt(m, 1, extFromDouble(Math.atan2(extToDouble(st(m, 1)), extToDouble(st(m, 0)))));
    pop(m);
  },
  fyl2x: () => (m) => {
    setSt(m, 1, extFromDouble(extToDouble(st(m, 1)) * Math.log2(extToDouble(st(m, 0)))));
    pop(m);
  },
  fyl2xp1: () => (m) => {
    setSt(m, 1, extFromDouble(extToDouble(st(m, 1)) * Math.log2(1 + extToDouble(st(m, 0)))));
    pop(m);
  },
  fscale: () => (m) => {
    const x = st(m, 0);
    const scale = Math.trunc(extToDouble(st(m, 1)));
    if (x.kind === 'normal' && Number.isFinite(scale)) setSt(m, 0, { ...x, e: x.e + scale });
  },
  fprem: () => (m) => fprem(m, false),
  fprem1: () => (m) => fprem(m, true),
  fnstcw: () => (m) => m.writeMem(m.linear, 2, m.x87.control),
  fldcw: () => (m) => m.x87.setControl(m.readMem(m.linear, 2)),
  fnstsw: storeStatusWord,
  fninit: () => (m) => m.x87.reset(),
  fnclex: () => (m) => { m.x87.status &= 0x7f00; },
  ffree: () => (m, i) => { m.x87.empty[(m.x87.top + i.rm) & 7] = 1; },
  ffreep: () => (m, i) => { m.x87.empty[(m.x87.top + i.rm) & 7] = 1; pop(m); },
  fincstp: () => (m) => { m.x87.top = (m.x87.top + 1) & 7; },
  fdecstp: () => (m) => { m.x87.top = (m.x87.top - 1) & 7; },
  fnop: () => () => undefined,
  fneni: () => () => undefined,
  fndisi: () => () => undefined,
  fnsetpm: () => () => undefined,
  fcmovb: fcmov(2, false),
  fcmove: fcmov(4, false),
  fcmovbe: fcmov(6, false),
  fcmovu: fcmov(10, false),
  fcmovnb: fcmov(2, true),
  fcmovne: fcmov(4, true),
  fcmovnbe: fcmov(6, true),
  fcmovnu: fcmov(10, true),
};

for (const name of Object.keys(ARITHMETIC)) {
  X87_BASIC[`f${name}`] = arithmetic(name, false);
  X87_BASIC[`f${name}p`] = arithmetic(name, true);
  X87_BASIC[`fi${name}`] = arithmetic(name, false);
}
