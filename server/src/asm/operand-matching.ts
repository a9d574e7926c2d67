// Matches parsed AT&T operands (already put in Intel order) against one opcode-table entry at one
// operand size, and says where each operand goes in the encoding: ModRM.reg, ModRM.rm (register
// or memory), the opcode's low bits, an immediate, a relative target, a moffs, or nowhere (an
// implicit operand such as %al in `in`, or a string operand).

import type { OpcodeEntry } from '../isa';
import type { OperandCode, SizeCode } from '../isa/operand-codes';
import type { AsmRegister, AttOperand, RegisterClass } from './att-operand-syntax';
import type { Expr } from './expression-syntax';

type MemoryOperand = Extract<AttOperand, { kind: 'mem' }>;

export type OperandPlacement =
  | { kind: 'reg-field'; number: number }
  | { kind: 'rm-register'; number: number }
  | { kind: 'rm-memory'; mem: MemoryOperand }
  | { kind: 'opcode-register'; number: number }
  | { kind: 'immediate'; expr: Expr; size: 1 | 2 | 4; signed8: boolean }
  | { kind: 'relative'; expr: Expr; size: 1 | 2 | 4 }
  | { kind: 'moffs'; mem: MemoryOperand }
  | { kind: 'string'; mem: MemoryOperand | null; source: boolean }
  | { kind: 'address16' }
  | { kind: 'implicit' };

export interface MatchContext {
  /** Operand size being tried. */
  osize: 16 | 32;
  /** Parse-time value of an expression when it is an absolute number, else null. */
  known(e: Expr): bigint | null;
}

const FIXED_REGISTERS: Record<string, [RegisterClass, number]> = {
  AL: ['gpr8', 0], CL: ['gpr8', 1], DL: ['gpr8', 2], BL: ['gpr8', 3], AH: ['gpr8', 4], CH: ['gpr8', 5], DH: ['gpr8', 6], BH: ['gpr8', 7],
  AX: ['gpr16', 0], EAX: ['gpr32', 0], ECX: ['gpr32', 1], EDX: ['gpr32', 2], EBX: ['gpr32', 3],
  ES: ['segment', 0], CS: ['segment', 1], SS: ['segment', 2], DS: ['segment', 3], FS: ['segment', 4], GS: ['segment', 5],
};
const OPERAND_SIZE_REGISTERS = ['eAX', 'eCX', 'eDX', 'eBX', 'eSP', 'eBP', 'eSI', 'eDI'];

/** The general-register class a size code asks for at this operand size, or null (memory only). */
export function registerClassFor(size: SizeCode, osize: 16 | 32): RegisterClass | null {
  switch (size) {
    case 'b': return 'gpr8';
    case 'w': return 'gpr16';
    case 'd': case 'y': return 'gpr32';
    case 'v': case 'z': case 'wv': return osize === 16 ? 'gpr16' : 'gpr32';
    default: return null;
  }
}

function isReg(o: AttOperand | undefined, cls: RegisterClass, number?: number): o is Extract<AttOperand, { kind: 'reg' }> {
  return o !== undefined && o.kind === 'reg' && !o.indirect && o.reg.cls === cls && (number === undefined || o.reg.number === number);
}

function isPlainMemory(o: AttOperand | undefined): o is MemoryOperand {
  return o !== undefined && o.kind === 'mem' && !o.indirect;
}

function immediateSize(size: SizeCode, osize: 16 | 32): 1 | 2 | 4 {
  if (size === 'b' || size === 'bs') return 1;
  if (size === 'w') return 2;
  if (size === 'd') return 4;
  return osize === 16 ? 2 : 4;
}

/** An imm8 form's test: a sign-extended byte at this operand size (instruction-encodings-by-shape.ts classes values by it). */
export function fitsSigned8(v: bigint, osize: 16 | 32): boolean {
  const wrapped = osize === 16 ? BigInt.asIntN(16, v) : BigInt.asIntN(32, v);
  // A value given in unsigned form (0xffffffff) also fits once wrapped, as GNU as treats it.
  return (wrapped >= -128n && wrapped <= 127n) && (v >= -(1n << BigInt(osize)) && v < (1n << BigInt(osize)));
}

function stringBase(o: MemoryOperand, source: boolean): boolean {
  if (o.index !== null || o.disp !== null || o.base === null) return false;
  const want = source ? ['esi', 'si'] : ['edi', 'di'];
  if (!want.includes(o.base.name)) return false;
  return source || o.segment === null || o.segment.name === 'es';
}

/** A register in ModRM.reg, unless the entry fixes ModRM.reg to another value (one row per sreg). */
function regField(number: number, entry: OpcodeEntry): OperandPlacement | null {
  return entry.reg >= 0 && entry.reg !== number ? null : { kind: 'reg-field', number };
}

/** Matches one operand; returns its placement or null when it does not fit the code. */
export function matchOperand(code: OperandCode, o: AttOperand | undefined, entry: OpcodeEntry, ctx: MatchContext): OperandPlacement | null {
  const indirectBranch = entry.indirect;
  if (o !== undefined && o.kind !== 'imm' && o.indirect !== (indirectBranch && (code.kind === 'method' && (code.method === 'E' || code.method === 'M')))) {
    return null;
  }
  if (code.kind === 'fixed') {
    const name = code.name;
    if (name === '1') {
      if (o === undefined) return { kind: 'implicit' };
      return o.kind === 'imm' && ctx.known(o.expr) === 1n ? { kind: 'implicit' } : null;
    }
    if (name === 'XLAT') {
      if (o === undefined) return { kind: 'implicit' };
      return isPlainMemory(o) && o.disp === null && o.index === null && (o.base?.name === 'ebx' || o.base?.name === 'bx')
        ? { kind: 'string', mem: o, source: true }
        : null;
    }
    if (name === 'DX') {
      if (isReg(o, 'gpr16', 2)) return { kind: 'implicit' };
      return isPlainMemory(o) && o.base?.name === 'dx' && o.index === null && o.disp === null && o.segment === null ? { kind: 'implicit' } : null;
    }
    const fixed = FIXED_REGISTERS[name];
    if (fixed) return isReg(o, fixed[0], fixed[1]) ? { kind: 'implicit' } : null;
    const n = OPERAND_SIZE_REGISTERS.indexOf(name);
    if (n >= 0) return isReg(o, ctx.osize === 16 ? 'gpr16' : 'gpr32', n) ? { kind: 'implicit' } : null;
    // monitor's address register: %ax means 16-bit addressing (a 67 prefix).
    if (name === 'aAX') return isReg(o, 'gpr32', 0) ? { kind: 'implicit' } : isReg(o, 'gpr16', 0) ? { kind: 'address16' } : null;
    if (name === 'XMM0') return isReg(o, 'xmm', 0) ? { kind: 'implicit' } : null;
    if (name === 'ST0') return isReg(o, 'x87', 0) ? { kind: 'implicit' } : null;
    if (name === 'STi') return isReg(o, 'x87') ? { kind: 'rm-register', number: o.reg.number } : null;
    return null;
  }
  const { method, size } = code;
  switch (method) {
    case 'E': case 'M': case 'R': {
      if (o === undefined) return null;
      if (o.kind === 'reg') {
        if (method === 'M') return null;
        const cls = registerClassFor(size, ctx.osize);
        return cls !== null && o.reg.cls === cls ? { kind: 'rm-register', number: o.reg.number } : null;
      }
      if (o.kind === 'mem' && method !== 'R') return { kind: 'rm-memory', mem: o };
      return null;
    }
    case 'G': case 'Z': {
      const cls = registerClassFor(size, ctx.osize);
      if (cls === null || !isReg(o, cls)) return null;
      return method === 'G' ? regField(o.reg.number, entry) : { kind: 'opcode-register', number: o.reg.number };
    }
    case 'V': return isReg(o, 'xmm') ? regField(o.reg.number, entry) : null;
    case 'P': return isReg(o, 'mmx') ? regField(o.reg.number, entry) : null;
    case 'U': return isReg(o, 'xmm') ? { kind: 'rm-register', number: o.reg.number } : null;
    case 'N': return isReg(o, 'mmx') ? { kind: 'rm-register', number: o.reg.number } : null;
    case 'W': case 'Q': {
      if (isReg(o, method === 'W' ? 'xmm' : 'mmx')) return { kind: 'rm-register', number: o.reg.number };
      return isPlainMemory(o) ? { kind: 'rm-memory', mem: o } : null;
    }
    case 'C': return isReg(o, 'control') ? regField(o.reg.number, entry) : null;
    case 'D': return isReg(o, 'debug') ? regField(o.reg.number, entry) : null;
    case 'S': return isReg(o, 'segment') ? regField(o.reg.number, entry) : null;
    case 'I': {
      if (o === undefined || o.kind !== 'imm') return null;
      if (size === 'bs') {
        const v = ctx.known(o.expr);
        if (v === null || !fitsSigned8(v, ctx.osize)) return null;
        return { kind: 'immediate', expr: o.expr, size: 1, signed8: true };
      }
      return { kind: 'immediate', expr: o.expr, size: immediateSize(size, ctx.osize), signed8: false };
    }
    case 'J': {
      if (o === undefined || o.kind !== 'mem' || !o.bare || o.indirect) return null;
      return { kind: 'relative', expr: o.disp!, size: size === 'b' ? 1 : ctx.osize === 16 ? 2 : 4 };
    }
    case 'O': {
      if (!isPlainMemory(o) || o.base !== null || o.index !== null || o.disp === null) return null;
      return { kind: 'moffs', mem: o };
    }
    case 'X': case 'Y': {
      if (o === undefined) return { kind: 'string', mem: null, source: method === 'X' };
      return isPlainMemory(o) && stringBase(o, method === 'X') ? { kind: 'string', mem: o, source: method === 'X' } : null;
    }
    default:
      return null;
  }
}

/** Registers whose size says what the operand size is (for the suffix and size checks). */
export function sizeOfRegister(r: AsmRegister): 8 | 16 | 32 | null {
  return r.cls === 'gpr8' ? 8 : r.cls === 'gpr16' ? 16 : r.cls === 'gpr32' ? 32 : null;
}
