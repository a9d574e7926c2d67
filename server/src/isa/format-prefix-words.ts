// What both formatters print before the mnemonic: the prefixes an instruction did not consume,
// spelled as objdump spells them (lock, rep/repz/repnz, bnd, notrack, segment names, data16,
// addr16), plus the branch-hint suffix (`,pt`/`,pn`) and objdump's mnemonic column padding.

import type { DecodedInstruction } from './decoded-instruction';
import type { OpcodeEntry } from './opcode-entry';

const SEGMENT_NAMES: Record<number, string> = { 0x26: 'es', 0x2e: 'cs', 0x36: 'ss', 0x3e: 'ds', 0x64: 'fs', 0x65: 'gs' };

const OPERAND_SIZED = new Set(['v', 'z', 'wv', 'a', 'p', 'env', 'fst']);

/** Whether the entry's meaning depends on the operand size, so that a 66 prefix is "used". */
function usesOperandSize(e: OpcodeEntry): boolean {
  if (e.osize !== 0 || e.suffix === 'data16' || e.suffix === 'always') return true;
  return e.operands.some((o) =>
    o.kind === 'method' ? OPERAND_SIZED.has(o.size) : /^e[A-D]X|^e[SB]P|^e[SD]I/.test(o.name),
  );
}

/** Whether a 67 prefix changed an address the instruction forms (objdump still names it on moffs). */
function usesAddressSize(insn: DecodedInstruction): boolean {
  const codes = insn.entry!.operands;
  return insn.operands.some((o, i) => {
    const code = codes[i];
    return o.kind === 'mem' && !(code?.kind === 'method' && code.method === 'O');
  });
}

export interface PrefixWords {
  /** Words printed before the mnemonic, in objdump's order. */
  before: string[];
  /** `,pt` or `,pn` for a branch-hinted conditional jump, else ''. */
  hint: string;
}

export function prefixWords(insn: DecodedInstruction, syntax: 'att' | 'intel' = 'att'): PrefixWords {
  const e = insn.entry!;
  const p = insn.prefixes;
  const before: string[] = [];
  let hint = '';
  const branch = e.flow === 'jmp' || e.flow === 'call' || e.flow === 'ret' || e.flow === 'jcc';
  if (p.segment !== 0) {
    const consumed = insn.operands.some((o) => o.kind === 'mem' && o.segmentOverride);
    if (!consumed) {
      if (syntax === 'att' && e.flow === 'jcc' && e.relative && (p.segment === 0x2e || p.segment === 0x3e)) {
        hint = p.segment === 0x2e ? ',pn' : ',pt';
      } else if (e.indirect && p.segment === 0x3e) {
        before.push('notrack');
      } else {
        before.push(SEGMENT_NAMES[p.segment]!);
      }
    }
  }
  if (p.operandSize && p.mandatory !== 0x66 && !usesOperandSize(e)) before.push('data16');
  if (p.addressSize && !usesAddressSize(insn) && e.flow !== 'loop') before.push('addr16');
  if (p.lock) before.push('lock');
  if (p.rep !== 0 && p.mandatory !== p.rep) {
    if (e.rep === 'rep') before.push(p.rep === 0xf3 ? 'rep' : 'repnz');
    else if (e.rep === 'repe') before.push(p.rep === 0xf3 ? 'repz' : 'repnz');
    else if (p.rep === 0xf2 && branch) before.push('bnd');
    else before.push(p.rep === 0xf3 ? 'repz' : 'repnz');
  }
  return { before, hint };
}

/** Joins prefix words, mnemonic and operands with objdump's padding: `%-6s ` then operands. */
export function layoutInstruction(words: string[], mnemonic: string, operands: string): string {
  const head = [...words, mnemonic].join(' ');
  if (operands === '') return head;
  return head.length < 6 ? `${head.padEnd(6)} ${operands}` : `${head} ${operands}`;
}

/** Signed hexadecimal as objdump prints displacements: `-0x4`, `0x10`. */
export function signedHex(value: number): string {
  return value < 0 ? `-0x${(-value).toString(16)}` : `0x${value.toString(16)}`;
}
