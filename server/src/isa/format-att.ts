// AT&T syntax, spelled the way GNU objdump spells it, because kernel developers read objdump all
// day: reversed operands, `%` registers, `$` immediates, size suffixes only where no register
// gives the size, `*` before indirect branch targets, and objdump's prefix words and padding.
// Row facts carry objdump's oddities (x/y suffixes, `(8087 only)`, `(bad)` for forms it lacks).

import type { DecodedInstruction, Operand } from './decoded-instruction';
import type { OpcodeEntry } from './opcode-entry';
import type { OperandCode } from './operand-codes';
import { layoutInstruction, prefixWords, signedHex } from './format-prefix-words';
import { pseudoOp } from './format-pseudo-ops';

const SIZE_SUFFIX: Record<number, string> = { 1: 'b', 2: 'w', 4: 'l', 8: 'q' };

/** Register operands that do not decide the operand size (shift counts, I/O ports). */
function givesSize(code: OperandCode | undefined, operand: Operand): boolean {
  if (operand.kind !== 'reg') return false;
  return !(code?.kind === 'fixed' && (code.name === 'CL' || code.name === 'DX'));
}

/** True when a general-purpose register operand shows the operand size. */
export function hasGeneralRegister(insn: DecodedInstruction): boolean {
  return insn.operands.some((o) => o.kind === 'reg' && GENERAL_REGISTER.test(o.reg));
}

const GENERAL_REGISTER = /^(e?[abcd]x|[abcd][lh]|e?[sd]i|e?[sb]p)$/;

function suffixFor(insn: DecodedInstruction, e: OpcodeEntry): string {
  // loop/loope/loopne counting in CX (67 prefix): `loopw`; jcxz names the size itself (asize row).
  if (e.flow === 'loop' && e.asize === 0 && insn.addressSize === 16) return 'w';
  switch (e.suffix) {
    case 'never': return '';
    case 'data16': return insn.operandSize === 16 && !hasGeneralRegister(insn) ? 'w' : '';
    case 'always': return insn.operandSize === 16 ? 'w' : 'l';
    case 'env16': return insn.operandSize === 16 ? 's' : '';
    case 'xy': {
      const memory = insn.operands.find((o) => o.kind === 'mem');
      return memory?.kind !== 'mem' ? '' : memory.size === 16 ? 'x' : memory.size === 32 ? 'y' : '';
    }
    case 'auto': {
      const memory = insn.operands.find((o) => o.kind === 'mem');
      if (!memory || memory.kind !== 'mem') return '';
      if (insn.operands.some((o, i) => givesSize(e.operands[i], o))) return '';
      return SIZE_SUFFIX[memory.size] ?? '';
    }
  }
}

function isStringOperand(code: OperandCode | undefined): boolean {
  if (!code) return false;
  return code.kind === 'fixed' ? code.name === 'XLAT' : code.method === 'X' || code.method === 'Y';
}

export function formatAttMemory(m: Extract<Operand, { kind: 'mem' }>, forceSegment: boolean): string {
  const segment = m.segmentOverride || forceSegment ? `%${m.segment}:` : '';
  if (m.base === null && m.index === null && !m.sib) {
    const mask = m.addressSize === 16 ? 0xffff : 0xffffffff;
    return `${segment}0x${((m.displacement & mask) >>> 0).toString(16)}`;
  }
  const disp = m.displacementSize ? signedHex(m.displacement) : '';
  let inner = m.base ? `%${m.base}` : '';
  if (m.index) inner += m.addressSize === 16 ? `,%${m.index}` : `,%${m.index},${m.scale}`;
  else if (m.sib && (m.base !== 'esp' || m.scale !== 1)) inner += `,%eiz,${m.scale}`;
  return `${segment}${disp}(${inner})`;
}

/**
 * A register's name as objdump prints it in either syntax (no `%`): the row may say that objdump
 * widens an xmm operand to ymm when VEX.L = 1 (vmovss/vmovsd register store).
 */
export function objdumpRegisterName(insn: DecodedInstruction, index: number, reg: string): string {
  const widened = insn.entry?.row.objdumpYmmAtL1 === index && insn.prefixes.vex?.l === 1;
  return widened ? reg.replace(/^xmm/, 'ymm') : reg;
}

function formatOperand(insn: DecodedInstruction, o: Operand, index: number, code: OperandCode | undefined): string {
  switch (o.kind) {
    case 'reg':
      return code?.kind === 'fixed' && code.name === 'DX' ? '(%dx)' : `%${objdumpRegisterName(insn, index, o.reg)}`;
    case 'imm':
      return `$0x${o.value.toString(16)}`;
    case 'rel':
      return `0x${o.target.toString(16)}`;
    case 'far':
      return `$0x${o.selector.toString(16)},$0x${o.offset.toString(16)}`;
    case 'const1':
      return '';
    case 'mem':
      return formatAttMemory(o, isStringOperand(code));
  }
  return insn.mnemonic;
}

/** Formats a decoded instruction in AT&T syntax as objdump -d prints its text column. */
export function formatAtt(insn: DecodedInstruction): string {
  if (!insn.valid || insn.entry === null) return '(bad)';
  const e = insn.entry;
  const { before, hint } = prefixWords(insn);
  if (e.row.objdumpBad) return layoutInstruction(before, '(bad)', '');
  const pseudo = pseudoOp(insn, e.att);
  const texts: string[] = [];
  insn.operands.forEach((o, i) => {
    const text = i === pseudo.dropOperand ? '' : formatOperand(insn, o, i, e.operands[i]);
    if (text === '') return;
    texts.push(e.indirect && i === 0 ? `*${text}` : text);
  });
  if (!e.row.attKeepsOrder && !e.row.attOnlyOperands) texts.reverse();
  const mnemonic = pseudo.mnemonic + suffixFor(insn, e) + (e.row.objdumpRemark ?? '') + hint;
  return layoutInstruction(before, mnemonic, texts.join(','));
}
