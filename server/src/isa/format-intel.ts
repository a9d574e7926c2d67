// Intel syntax as `objdump -d -M intel` prints it: destination first, bare registers and numbers,
// `DWORD PTR [base+index*scale+disp]` memory operands and `seg:` overrides before the bracket.

import type { DecodedInstruction, Operand } from './decoded-instruction';
import type { OperandCode } from './operand-codes';
import { layoutInstruction, prefixWords, signedHex } from './format-prefix-words';
import { hasGeneralRegister, objdumpRegisterName } from './format-att';
import { pseudoOp } from './format-pseudo-ops';

const PTR: Record<number, string> = {
  1: 'BYTE PTR ', 2: 'WORD PTR ', 4: 'DWORD PTR ', 6: 'FWORD PTR ', 8: 'QWORD PTR ', 10: 'TBYTE PTR ',
  16: 'XMMWORD PTR ', 32: 'YMMWORD PTR ',
};

function isStringOperand(code: OperandCode | undefined): boolean {
  if (!code) return false;
  return code.kind === 'fixed' ? code.name === 'XLAT' : code.method === 'X' || code.method === 'Y';
}

/** The size word of a memory operand; `octaword` rows say OWORD where others say XMMWORD. */
function sizeWord(bytes: number, octaword: boolean): string {
  return octaword && bytes === 16 ? 'OWORD PTR ' : PTR[bytes] ?? '';
}

export function formatIntelMemory(
  m: Extract<Operand, { kind: 'mem' }>,
  forceSegment: boolean,
  showSize: boolean,
  octaword = false,
): string {
  const size = showSize ? sizeWord(m.size, octaword) : '';
  if (m.base === null && m.index === null && !m.sib) {
    const mask = m.addressSize === 16 ? 0xffff : 0xffffffff;
    return `${size}${m.segment}:0x${((m.displacement & mask) >>> 0).toString(16)}`;
  }
  const segment = m.segmentOverride || forceSegment ? `${m.segment}:` : '';
  const parts: string[] = [];
  if (m.base) parts.push(m.base);
  if (m.index) parts.push(m.addressSize === 16 ? m.index : `${m.index}*${m.scale}`);
  else if (m.sib && (m.base !== 'esp' || m.scale !== 1)) parts.push(`eiz*${m.scale}`);
  let inner = parts.join('+');
  if (m.displacementSize) {
    const disp = signedHex(m.displacement);
    inner += disp.startsWith('-') ? disp : `+${disp}`;
  }
  return `${size}${segment}[${inner}]`;
}

/**
 * objdump's Intel syntax keeps a `w` only where no operand shows the 16-bit size (pushw, retw),
 * and on the 16-bit layout of the x87 environment and state (fldenvw).
 */
function intelSuffix(insn: DecodedInstruction): string {
  const e = insn.entry!;
  if (insn.operandSize !== 16) return '';
  if (e.suffix === 'env16') return 'w';
  if (e.suffix !== 'data16') return '';
  return hasGeneralRegister(insn) || insn.operands.some((o) => o.kind === 'mem' || o.kind === 'far') ? '' : 'w';
}

function formatOperand(insn: DecodedInstruction, o: Operand, index: number, code: OperandCode | undefined): string {
  switch (o.kind) {
    // Debug registers are %db0-%db7 in AT&T syntax but dr0-dr7 in Intel syntax.
    case 'reg':
      return code?.kind === 'method' && code.method === 'D' ? o.reg.replace(/^db/, 'dr') : objdumpRegisterName(insn, index, o.reg);
    case 'imm': return `0x${o.value.toString(16)}`;
    case 'rel': return `0x${o.target.toString(16)}`;
    case 'far': return `0x${o.selector.toString(16)}:0x${o.offset.toString(16)}`;
    case 'const1': return '1';
    case 'mem': {
      // A moffs operand carries no PTR word; lea's address-only operand has size 0 and none either.
      const showSize = !(code?.kind === 'method' && code.method === 'O');
      return formatIntelMemory(o, isStringOperand(code), showSize, insn.entry?.row.octaword === true);
    }
  }
}

/** Formats a decoded instruction in Intel syntax as objdump -d -M intel prints its text column. */
export function formatIntel(insn: DecodedInstruction): string {
  if (!insn.valid || insn.entry === null) return '(bad)';
  const e = insn.entry;
  const { before } = prefixWords(insn, 'intel');
  if (e.row.objdumpBad) return layoutInstruction(before, '(bad)', '');
  const pseudo = pseudoOp(insn, e.mnemonic);
  // Implicit operands that objdump shows in AT&T syntax only (monitor, mwait) are left out here.
  const texts = e.row.attOnlyOperands
    ? []
    : insn.operands.flatMap((o, i) => (i === pseudo.dropOperand ? [] : [formatOperand(insn, o, i, e.operands[i])]));
  const mnemonic = pseudo.mnemonic + intelSuffix(insn) + (e.row.objdumpRemark ?? '');
  return layoutInstruction(before, mnemonic, texts.join(','));
}
