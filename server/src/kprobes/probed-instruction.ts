// The view of one decoded instruction that the kprobe rules read: its bytes as the kernel copies
// them, the legacy prefixes in order, and named facts derived from the opcode-table entry. Rules
// speak in these facts, never in opcode numbers of their own.

import type { DecodedInstruction, OpcodeEntry } from '../isa';

const LEGACY_PREFIXES = new Set([0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3]);

export interface ProbedInstruction {
  insn: DecodedInstruction;
  entry: OpcodeEntry;
  bytes: Uint8Array;
  length: number;
  /** The legacy prefix bytes before the opcode, in order. */
  prefixes: number[];
  /** The byte at the probe address: what 2.6.x's resume_execution switches on. */
  firstByte: number;
}

/** Builds the view; null for an invalid instruction (the rules need a table entry). */
export function probedInstruction(insn: DecodedInstruction): ProbedInstruction | null {
  if (!insn.valid || insn.entry === null) return null;
  const prefixes: number[] = [];
  for (const b of insn.bytes) {
    if (!LEGACY_PREFIXES.has(b)) break;
    prefixes.push(b);
  }
  return { insn, entry: insn.entry, bytes: insn.bytes, length: insn.length, prefixes, firstByte: insn.bytes[0]! };
}

const hex = (b: number): string => b.toString(16).toUpperCase().padStart(2, '0');
export { hex as hexByte };

/** Named facts of the table entry, as the rules of every profile use them. */
export const facts = {
  twoByte: (p: ProbedInstruction) => p.entry.vex === null && p.entry.map === '0f',
  threeByte: (p: ProbedInstruction) => p.entry.vex === null && (p.entry.map === '0f38' || p.entry.map === '0f3a'),
  vex: (p: ProbedInstruction) => p.entry.vex !== null,
  oneByte: (p: ProbedInstruction) => p.entry.vex === null && p.entry.map === 'primary',
  group: (p: ProbedInstruction, ...names: string[]) => p.entry.group !== null && names.includes(p.entry.group),
  conditionalJump: (p: ProbedInstruction) => p.entry.flow === 'jcc' && p.entry.relative && p.entry.group === null,
  loopOrJcxz: (p: ProbedInstruction) => p.entry.flow === 'loop',
  relativeCall: (p: ProbedInstruction) => p.entry.flow === 'call' && p.entry.relative,
  relativeJump: (p: ProbedInstruction) => p.entry.flow === 'jmp' && p.entry.relative,
  farDirect: (p: ProbedInstruction, flow: 'call' | 'jmp') => p.entry.flow === flow && p.entry.far && !p.entry.indirect,
  farIndirect: (p: ProbedInstruction) => p.entry.far && p.entry.indirect,
  nearIndirect: (p: ProbedInstruction, flow: 'call' | 'jmp') => p.entry.flow === flow && p.entry.indirect && !p.entry.far,
  nearReturn: (p: ProbedInstruction) => p.entry.flow === 'ret' && !p.entry.far,
  farReturn: (p: ProbedInstruction) => p.entry.flow === 'ret' && p.entry.far,
  interruptReturn: (p: ProbedInstruction) => p.entry.flow === 'iret',
  softwareInterrupt: (p: ProbedInstruction) => p.entry.flow === 'int' && p.entry.group === null && p.entry.mnemonic !== 'bound',
  mnemonic: (p: ProbedInstruction, ...names: string[]) => names.includes(p.entry.mnemonic),
  halt: (p: ProbedInstruction) => p.entry.flow === 'halt' && p.entry.mnemonic === 'hlt',
  /** pushf: the only instruction that reads TF into memory. */
  pushesFlags: (p: ProbedInstruction) => p.entry.mnemonic === 'pushf' || p.entry.mnemonic === 'pushfw',
  /** cli, sti, popf (iret too, which the rules treat apart). */
  writesInterruptFlag: (p: ProbedInstruction) => p.entry.writesIF && p.entry.flow === null,
  memoryOperand: (p: ProbedInstruction) => p.insn.modrm >= 0 && p.insn.modrm >> 6 !== 3,
  modrmReg: (p: ProbedInstruction) => (p.insn.modrm >> 3) & 7,
  hasPrefix: (p: ProbedInstruction, byte: number) => p.prefixes.includes(byte),
  /** A REP-prefixed string instruction: under TF it traps after one iteration. */
  repeatedString: (p: ProbedInstruction) => p.entry.rep !== null && p.insn.prefixes.rep !== 0 && p.insn.prefixes.mandatory === 0,
  /** mov to %ss and pop %ss hold the TF trap back for one more instruction. */
  loadsStackSegment: (p: ProbedInstruction) => p.insn.operands[0]?.kind === 'reg' && p.insn.operands[0].reg === 'ss' && (p.entry.mnemonic === 'mov' || p.entry.mnemonic === 'pop'),
};
