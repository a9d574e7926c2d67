// Operand side of the decoder: how many immediate bytes an entry takes, whether a ModRM is followed
// by addressing bytes, and the Operand values built from the fields the decoder has read.

import type { DecodedInstruction, Operand } from './decoded-instruction';
import type { OpcodeEntry } from './opcode-entry';
import type { OperandCode, SizeCode } from './operand-codes';
import {
  CONTROL, DEBUG, GPR16, GPR32, GPR8, MMX, SEGMENT, X87, X87_INDEXED, XMM, YMM, type RegisterName,
} from './registers';

/** Register-only ModRM.rm methods whose mod bits the CPU ignores (mov to/from CR/DR). */
const MOD_IGNORED = new Set(['R']);

/** True when a memory ModRM (mod != 3) is followed by SIB/displacement bytes for this entry. */
export function memoryBytesFollow(entry: OpcodeEntry, modrm: number): boolean {
  if (modrm >> 6 === 3) return false;
  let ignores = modIgnoredCache[entry.id];
  if (ignores === undefined) {
    ignores = entry.mod === 'any' && entry.operands.some((o) => o.kind === 'method' && MOD_IGNORED.has(o.method));
    modIgnoredCache[entry.id] = ignores;
  }
  return !ignores;
}

const modIgnoredCache: boolean[] = [];

/** True when the entry names a register in VEX.vvvv (otherwise vvvv must be 1111b). */
export function usesVexVvvv(entry: OpcodeEntry): boolean {
  let uses = vvvvCache[entry.id];
  if (uses === undefined) {
    uses = entry.operands.some((o) => o.kind === 'method' && (o.method === 'H' || o.method === 'B'));
    vvvvCache[entry.id] = uses;
  }
  return uses;
}

const vvvvCache: boolean[] = [];

export interface ImmediateLayout {
  /** Size of a moffs displacement (A0-A3), or 0. */
  moffs: number;
  first: number;
  firstSigned: boolean;
  second: number;
}

function immediateSize(size: SizeCode, operandSize: 16 | 32): number {
  switch (size) {
    case 'b': case 'bs': return 1;
    case 'w': return 2;
    case 'd': return 4;
    case 'v': case 'z': return operandSize / 8;
    default: return 1;
  }
}

/** The immediates an entry takes, in encoding order. */
export function immediateLayout(entry: OpcodeEntry, operandSize: 16 | 32, addressSize: 16 | 32): ImmediateLayout {
  const layout: ImmediateLayout = { moffs: 0, first: 0, firstSigned: false, second: 0 };
  for (const o of entry.operands) {
    if (o.kind !== 'method') continue;
    if (o.method === 'O') layout.moffs = addressSize / 8;
    else if (o.method === 'A') {
      layout.first = operandSize / 8;
      layout.second = 2;
    } else if (o.method === 'I' || o.method === 'J' || o.method === 'L') {
      const size = o.method === 'J' ? (o.size === 'b' ? 1 : operandSize / 8) : o.method === 'L' ? 1 : immediateSize(o.size, operandSize);
      if (layout.first === 0) {
        layout.first = size;
        layout.firstSigned = o.method === 'J' || o.size === 'bs';
      } else layout.second = size;
    }
  }
  return layout;
}

/** Layouts per entry id for the four operand/address size combinations, computed once. */
const layoutCache: ImmediateLayout[][] = [];

export function cachedImmediateLayout(entry: OpcodeEntry, operandSize: 16 | 32, addressSize: 16 | 32): ImmediateLayout {
  let layouts = layoutCache[entry.id];
  if (layouts === undefined) {
    layouts = [immediateLayout(entry, 16, 16), immediateLayout(entry, 16, 32), immediateLayout(entry, 32, 16), immediateLayout(entry, 32, 32)];
    layoutCache[entry.id] = layouts;
  }
  return layouts[(operandSize === 32 ? 2 : 0) + (addressSize === 32 ? 1 : 0)]!;
}

/** Bytes of memory an operand of this size code touches (0 when not meaningful). */
export function memorySize(size: SizeCode, insn: DecodedInstruction): number {
  const os = insn.operandSize;
  const wide = insn.prefixes.vex?.l === 1;
  switch (size) {
    case 'b': case 'bs': return 1;
    case 'w': case 'wi': case 'wv': return 2;
    case 'd': case 'si': case 'ss': case 'sr': case 'di': case 'y': return 4;
    case 'q': case 'pi': case 'sd': case 'dr': case 'qi': return 8;
    case 'dq': return 16;
    case 'qq': return 32;
    case 'x': case 'ps': case 'pd': return wide ? 32 : 16;
    case 'v': case 'z': return os / 8;
    case 'a': return os / 4;
    case 'p': return os / 8 + 2;
    case 's': return 6;
    case 'er': case 'bcd': return 10;
    case 'env': return os === 16 ? 14 : 28;
    case 'fst': return os === 16 ? 94 : 108;
    case 'fx': return 512;
    case 'c': return 1;
    default: return 0;
  }
}

function gpr(size: SizeCode, n: number, operandSize: 16 | 32): RegisterName {
  switch (size) {
    case 'b': return GPR8[n]!;
    case 'w': return GPR16[n]!;
    case 'v': case 'z': case 'wv': return operandSize === 16 ? GPR16[n]! : GPR32[n]!;
    default: return GPR32[n]!;
  }
}

function vectorRegister(size: SizeCode, n: number, insn: DecodedInstruction): RegisterName {
  if (size === 'qq') return YMM[n]!;
  if ((size === 'x' || size === 'ps' || size === 'pd') && insn.prefixes.vex?.l === 1) return YMM[n]!;
  return XMM[n]!;
}

const SEGMENT_OF_PREFIX: Record<number, RegisterName> = {
  0x26: 'es', 0x2e: 'cs', 0x36: 'ss', 0x3e: 'ds', 0x64: 'fs', 0x65: 'gs',
};

const BASE16: Array<[RegisterName | null, RegisterName | null]> = [
  ['bx', 'si'], ['bx', 'di'], ['bp', 'si'], ['bp', 'di'], ['si', null], ['di', null], ['bp', null], ['bx', null],
];

/** The memory operand of a ModRM with mod != 3. */
function modrmMemory(insn: DecodedInstruction, size: number): Operand {
  const modrm = insn.modrm;
  const mod = modrm >> 6;
  const rm = modrm & 7;
  const override = insn.prefixes.segment;
  let base: RegisterName | null = null;
  let index: RegisterName | null = null;
  let scale: 1 | 2 | 4 | 8 = 1;
  if (insn.addressSize === 16) {
    if (!(mod === 0 && rm === 6)) [base, index] = BASE16[rm]!;
  } else if (insn.sib >= 0) {
    const sib = insn.sib;
    scale = (1 << (sib >> 6)) as 1 | 2 | 4 | 8;
    const indexReg = (sib >> 3) & 7;
    const baseReg = sib & 7;
    const vsib = insn.entry?.vsib ?? null;
    if (vsib !== null) index = vsib === 'ymm' ? YMM[indexReg]! : XMM[indexReg]!;
    else index = indexReg === 4 ? null : GPR32[indexReg]!;
    base = baseReg === 5 && mod === 0 ? null : GPR32[baseReg]!;
  } else if (!(mod === 0 && rm === 5)) {
    base = GPR32[rm]!;
  }
  const stackBased = base === 'esp' || base === 'ebp' || base === 'bp';
  return {
    kind: 'mem',
    segment: override ? SEGMENT_OF_PREFIX[override]! : stackBased ? 'ss' : 'ds',
    segmentOverride: override !== 0,
    base,
    index,
    scale,
    displacement: insn.displacement,
    displacementSize: insn.displacementSize,
    size,
    sib: insn.sib >= 0,
    addressSize: insn.addressSize,
  };
}

function stringMemory(insn: DecodedInstruction, which: 'X' | 'Y' | 'XLAT', size: number): Operand {
  const a16 = insn.addressSize === 16;
  const override = insn.prefixes.segment;
  const destination = which === 'Y';
  return {
    kind: 'mem',
    segment: destination ? 'es' : override ? SEGMENT_OF_PREFIX[override]! : 'ds',
    segmentOverride: !destination && override !== 0,
    base: which === 'X' ? (a16 ? 'si' : 'esi') : which === 'Y' ? (a16 ? 'di' : 'edi') : a16 ? 'bx' : 'ebx',
    index: null,
    scale: 1,
    displacement: 0,
    displacementSize: 0,
    size,
    sib: false,
    addressSize: insn.addressSize,
  };
}

function fixedOperand(name: string, insn: DecodedInstruction): Operand | string {
  const os = insn.operandSize;
  switch (name) {
    case 'AL': case 'CL': case 'DL': case 'BL': case 'AH': case 'CH': case 'DH': case 'BH':
      return { kind: 'reg', reg: name.toLowerCase() as RegisterName };
    case 'AX': return { kind: 'reg', reg: 'ax' };
    case 'DX': return { kind: 'reg', reg: 'dx' };
    case 'EAX': case 'ECX': case 'EDX': case 'EBX': return { kind: 'reg', reg: name.toLowerCase() as RegisterName };
    case 'aAX': return { kind: 'reg', reg: insn.addressSize === 16 ? 'ax' : 'eax' };
    case 'ES': case 'CS': case 'SS': case 'DS': case 'FS': case 'GS':
      return { kind: 'reg', reg: name.toLowerCase() as RegisterName };
    case '1': return { kind: 'const1' };
    case 'ST0': return { kind: 'reg', reg: X87[0] };
    case 'STi': return { kind: 'reg', reg: X87_INDEXED[insn.modrm & 7]! };
    case 'XMM0': return { kind: 'reg', reg: 'xmm0' };
    case 'XLAT': return stringMemory(insn, 'XLAT', 1);
    default: {
      // eAX..eDI: the operand-size register of that number.
      const n = ['eAX', 'eCX', 'eDX', 'eBX', 'eSP', 'eBP', 'eSI', 'eDI'].indexOf(name);
      if (n >= 0) return { kind: 'reg', reg: os === 16 ? GPR16[n]! : GPR32[n]! };
      return `operand ${name} is not known to the decoder`;
    }
  }
}

function methodOperand(
  code: Extract<OperandCode, { kind: 'method' }>,
  insn: DecodedInstruction,
  immediateValue: number,
): Operand | string {
  const { method, size } = code;
  const os = insn.operandSize;
  const modrm = insn.modrm;
  const reg = (modrm >> 3) & 7;
  const rm = modrm & 7;
  const isReg = modrm >> 6 === 3;
  switch (method) {
    case 'A': return { kind: 'far', selector: insn.immediate2, offset: insn.immediate };
    case 'B': return { kind: 'reg', reg: GPR32[insn.prefixes.vex?.vvvv ?? 0]! };
    case 'C': return { kind: 'reg', reg: CONTROL[reg]! };
    case 'D': return { kind: 'reg', reg: DEBUG[reg]! };
    case 'E': return isReg ? { kind: 'reg', reg: gpr(size, rm, os) } : modrmMemory(insn, memorySize(size, insn));
    case 'G': return { kind: 'reg', reg: gpr(size, reg, os) };
    case 'H': return { kind: 'reg', reg: vectorRegister(size, insn.prefixes.vex?.vvvv ?? 0, insn) };
    case 'I': {
      // A sign-extended byte takes the operand size; its value was read signed.
      const bytes = size === 'bs' ? os / 8 : immediateSize(size, os);
      const mask = bytes >= 4 ? 0xffffffff : (1 << (bytes * 8)) - 1;
      return { kind: 'imm', value: (immediateValue & mask) >>> 0, size: bytes };
    }
    case 'J': return { kind: 'rel', target: relativeTarget(insn) };
    case 'L': return { kind: 'reg', reg: vectorRegister(size, (insn.immediate >> 4) & 7, insn) };
    case 'M': return isReg ? 'a memory operand is required' : modrmMemory(insn, memorySize(size, insn));
    case 'N': return { kind: 'reg', reg: MMX[rm]! };
    case 'O': {
      const override = insn.prefixes.segment;
      return {
        kind: 'mem', segment: override ? SEGMENT_OF_PREFIX[override]! : 'ds', segmentOverride: override !== 0,
        base: null, index: null, scale: 1, displacement: insn.displacement >>> 0,
        displacementSize: insn.displacementSize, size: memorySize(size, insn), sib: false, addressSize: insn.addressSize,
      };
    }
    case 'P': return { kind: 'reg', reg: MMX[reg]! };
    case 'Q': return isReg ? { kind: 'reg', reg: MMX[rm]! } : modrmMemory(insn, memorySize(size, insn));
    case 'R': return { kind: 'reg', reg: gpr(size, rm, os) };
    case 'S': return reg < 6 ? { kind: 'reg', reg: SEGMENT[reg]! } : `segment register ${reg} does not exist`;
    case 'U': return { kind: 'reg', reg: vectorRegister(size, rm, insn) };
    case 'V': return { kind: 'reg', reg: vectorRegister(size, reg, insn) };
    case 'W': return isReg ? { kind: 'reg', reg: vectorRegister(size, rm, insn) } : modrmMemory(insn, memorySize(size, insn));
    case 'X': return stringMemory(insn, 'X', memorySize(size, insn));
    case 'Y': return stringMemory(insn, 'Y', memorySize(size, insn));
    case 'Z': return { kind: 'reg', reg: gpr(size, insn.opcode & 7, os) };
  }
}

/** The target of a relative branch (the entry's J operand), from the fields decodeInto reads. */
export function relativeTarget(insn: DecodedInstruction): number {
  const target = (insn.address + insn.length + insn.immediate) >>> 0;
  return insn.operandSize === 16 ? target & 0xffff : target;
}

/**
 * Whether buildOperands can fail for this entry once decodeInto accepted the encoding: a memory
 * operand given a register ModRM, a segment register that does not exist, or a fixed operand
 * name unknown here (tried on `blank`, a result with no fields set).
 */
export function operandsMayFail(entry: OpcodeEntry, blank: DecodedInstruction): boolean {
  return entry.operands.some((code) => (code.kind === 'fixed'
    ? typeof fixedOperand(code.name, blank) === 'string'
    : code.method === 'M' || code.method === 'S'));
}

/** Builds the operands of a decoded entry, or returns why they cannot be built. */
export function buildOperands(insn: DecodedInstruction, entry: OpcodeEntry): Operand[] | string {
  const operands: Operand[] = [];
  let immediates = 0;
  for (const code of entry.operands) {
    // Immediate-carrying operands take the first and then the second immediate, in order.
    const takesImmediate = code.kind === 'method' && (code.method === 'I' || code.method === 'L');
    const immediateValue = takesImmediate && immediates++ > 0 ? insn.immediate2 : insn.immediate;
    const operand = code.kind === 'fixed' ? fixedOperand(code.name, insn) : methodOperand(code, insn, immediateValue);
    if (typeof operand === 'string') return operand;
    operands.push(operand);
  }
  return operands;
}
