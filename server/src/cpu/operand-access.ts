// Operand readers and writers built once per opcode entry from its SDM operand codes, so a
// family handler is written once for `Eb,Gb`, `Ev,Iz`, `eAX,Iz`... and sized per instruction.

import type { OpcodeEntry } from '../isa';
import type { OperandCode } from '../isa/operand-codes';
import type { Insn } from './instruction-record';
import type { Machine } from './machine';
import { mask } from './flags-arithmetic';

export type OperandRead = (m: Machine, i: Insn, size: number) => number;
export type OperandWrite = (m: Machine, i: Insn, size: number, value: number) => void;

const FIXED_REGISTER: Record<string, [number, number]> = {
  AL: [0, 1], CL: [1, 1], DL: [2, 1], BL: [3, 1], AH: [4, 1], CH: [5, 1], DH: [6, 1], BH: [7, 1],
  AX: [0, 2], DX: [2, 2], EAX: [0, 4], ECX: [1, 4], EDX: [2, 4], EBX: [3, 4],
  eAX: [0, 0], eCX: [1, 0], eDX: [2, 0], eBX: [3, 0], eSP: [4, 0], eBP: [5, 0], eSI: [6, 0], eDI: [7, 0],
};

/** Fixed operand size in bytes, or 0 when the instruction's operand size decides. */
export function fixedSize(code: OperandCode | undefined): number {
  if (code === undefined) return 0;
  if (code.kind === 'fixed') {
    const r = FIXED_REGISTER[code.name];
    return r ? r[1] : code.name === 'CL' ? 1 : 0;
  }
  switch (code.size) {
    case 'b': return 1;
    case 'w': return 2;
    case 'd': return 4;
    default: return 0;
  }
}

/** Size of an entry's first operand as a function of the instruction. */
export function sizeOf(entry: OpcodeEntry, index = 0): (i: Insn) => number {
  const fixed = fixedSize(entry.operands[index]);
  return fixed ? () => fixed : (i) => i.osize;
}

export function reader(code: OperandCode): OperandRead | null {
  if (code.kind === 'fixed') {
    if (code.name === '1') return () => 1;
    const r = FIXED_REGISTER[code.name];
    if (!r) return null;
    const n = r[0];
    return (m, _i, size) => m.getReg(n, size);
  }
  switch (code.method) {
    case 'E': case 'M': case 'O': case 'R': return (m, i, size) => m.readE(i, size);
    case 'G': return (m, i, size) => m.getReg(i.reg, size);
    case 'Z': return (m, i, size) => m.getReg(i.opReg, size);
    case 'I': return (_m, i, size) => mask(i.imm, size);
    default: return null;
  }
}

export function writer(code: OperandCode): OperandWrite | null {
  if (code.kind === 'fixed') {
    const r = FIXED_REGISTER[code.name];
    if (!r) return null;
    const n = r[0];
    return (m, _i, size, v) => m.setReg(n, size, v);
  }
  switch (code.method) {
    case 'E': case 'M': case 'O': case 'R': return (m, i, size, v) => m.writeE(i, size, v);
    case 'G': return (m, i, size, v) => m.setReg(i.reg, size, v);
    case 'Z': return (m, i, size, v) => m.setReg(i.opReg, size, v);
    default: return null;
  }
}

/** Reader and writer of operand `index`, or null when either is unavailable. */
export function readWrite(entry: OpcodeEntry, index: number): [OperandRead, OperandWrite] | null {
  const code = entry.operands[index];
  if (!code) return null;
  const r = reader(code);
  const w = writer(code);
  return r && w ? [r, w] : null;
}
