// The emulator's form of one decoded instruction: the fields the handlers read on every execution
// (register numbers, effective-address parts, immediates, sizes), precomputed once per address
// from the isa decoder's DecodedInstruction and cached in the page that holds the code.

import type { DecodedInstruction, OpcodeEntry } from '../isa';
import type { Machine } from './machine';

/** An instruction handler. It may throw a CpuSignal or MemoryFault; machine.ts delivers them. */
export type Handler = (m: Machine, i: Insn) => void;

/** Segment register numbers as in the ModRM sreg field. */
export const SEG_ES = 0, SEG_CS = 1, SEG_SS = 2, SEG_DS = 3, SEG_FS = 4, SEG_GS = 5;

const SEGMENT_OF_PREFIX: Record<number, number> = { 0x26: SEG_ES, 0x2e: SEG_CS, 0x36: SEG_SS, 0x3e: SEG_DS, 0x64: SEG_FS, 0x65: SEG_GS };

/** 16-bit addressing: base and index register numbers per ModRM.rm (bx+si, bx+di, bp+si...). */
const BASE16: ReadonlyArray<[number, number]> = [[3, 6], [3, 7], [5, 6], [5, 7], [6, -1], [7, -1], [5, -1], [3, -1]];

export interface Insn {
  address: number;
  length: number;
  /** Address of the next instruction (address + length, wrapped). */
  next: number;
  entry: OpcodeEntry;
  exec: Handler;
  /** Operand size in bytes for `v`/`z` operands: 2 or 4. */
  osize: number;
  asize16: boolean;
  /** ModRM parts; `mem` is true for a memory operand (ModRM memory or moffs). */
  mem: boolean;
  reg: number;
  rm: number;
  /** Effective address parts: register numbers or -1, scale as a shift count, displacement. */
  base: number;
  index: number;
  scale: number;
  disp: number;
  /** Effective segment of the memory operand, and the segment of a string source (DS or override). */
  seg: number;
  /** First and second immediates (sign-extended where the table says so), and the opcode register. */
  imm: number;
  imm2: number;
  opReg: number;
  /** 0, 0xf2 or 0xf3 when the entry repeats; 0 otherwise (mandatory prefixes are not reps). */
  rep: number;
  decoded: DecodedInstruction;
}

export function buildInsn(d: DecodedInstruction, exec: Handler): Insn {
  const entry = d.entry!;
  const modrm = d.modrm;
  const override = d.prefixes.segment;
  const insn: Insn = {
    address: d.address, length: d.length, next: (d.address + d.length) >>> 0, entry, exec,
    osize: d.operandSize / 8, asize16: d.addressSize === 16,
    mem: false, reg: modrm >= 0 ? (modrm >> 3) & 7 : 0, rm: modrm >= 0 ? modrm & 7 : 0,
    base: -1, index: -1, scale: 0, disp: d.displacement | 0,
    seg: override ? SEGMENT_OF_PREFIX[override]! : SEG_DS,
    imm: d.immediate, imm2: d.immediate2, opReg: d.opcode & 7,
    rep: entry.rep !== null && d.prefixes.mandatory === 0 ? d.prefixes.rep : 0,
    decoded: d,
  };
  const moffs = entry.operands.some((o) => o.kind === 'method' && o.method === 'O');
  if (moffs) {
    insn.mem = true;
    insn.disp = d.displacement >>> 0;
  } else if (modrm >= 0 && modrm >> 6 !== 3 && entry.hasModrm && !ignoresMod(entry)) {
    insn.mem = true;
    const mod = modrm >> 6;
    const rm = modrm & 7;
    if (insn.asize16) {
      if (!(mod === 0 && rm === 6)) [insn.base, insn.index] = BASE16[rm]!;
    } else if (d.sib >= 0) {
      insn.scale = d.sib >> 6;
      const index = (d.sib >> 3) & 7;
      const base = d.sib & 7;
      insn.index = index === 4 ? -1 : index;
      insn.base = base === 5 && mod === 0 ? -1 : base;
    } else if (!(mod === 0 && rm === 5)) insn.base = rm;
    if (!override && (insn.base === 4 || insn.base === 5)) insn.seg = SEG_SS;
  }
  // Immediates the decoder read signed for `bs` stay negative numbers; handlers mask by size.
  return insn;
}

/** mov to/from control and debug registers take a register whatever ModRM.mod says. */
function ignoresMod(entry: OpcodeEntry): boolean {
  return entry.operands.some((o) => o.kind === 'method' && (o.method === 'C' || o.method === 'D'));
}
