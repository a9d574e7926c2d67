// What both formatters print before the mnemonic: the prefixes an instruction did not consume,
// spelled as objdump spells them (lock, rep/repz/repnz, bnd, notrack, segment names, data16,
// addr16) in the order of the prefix bytes, then the `{vex}` pseudo-prefix of rows that ask for
// it, plus the branch-hint suffix (`,pt`/`,pn`) and objdump's mnemonic column padding.

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

/**
 * Whether a 67 prefix changed an address the instruction forms (objdump still names it on moffs):
 * a memory operand, a shown address-sized register (monitor's `%ax`), or a row restricted to one
 * address size (umonitor).
 */
function usesAddressSize(insn: DecodedInstruction, syntax: 'att' | 'intel'): boolean {
  const e = insn.entry!;
  if (e.asize !== 0) return true;
  const shown = syntax === 'att' || !e.row.attOnlyOperands;
  return insn.operands.some((o, i) => {
    const code = e.operands[i];
    if (code?.kind === 'fixed' && code.name === 'aAX') return shown;
    return o.kind === 'mem' && !(code?.kind === 'method' && code.method === 'O');
  });
}

export interface PrefixWords {
  /** Words printed before the mnemonic, in objdump's order. */
  before: string[];
  /** `,pt` or `,pn` for a branch-hinted conditional jump, else ''. */
  hint: string;
}

type PrefixGroup = 'segment' | 'data' | 'address' | 'lock' | 'rep';

function groupOf(byte: number): PrefixGroup | null {
  if (SEGMENT_NAMES[byte] !== undefined) return 'segment';
  switch (byte) {
    case 0x66: return 'data';
    case 0x67: return 'address';
    case 0xf0: return 'lock';
    case 0xf2: case 0xf3: return 'rep';
    default: return null;
  }
}

/** objdump's name for a prefix byte that had no effect (an earlier one of a repeated kind). */
function unusedName(byte: number): string {
  switch (byte) {
    case 0x66: return 'data16';
    case 0x67: return 'addr16';
    case 0xf0: return 'lock';
    case 0xf2: return 'repnz';
    case 0xf3: return 'repz';
    default: return SEGMENT_NAMES[byte]!;
  }
}

/**
 * The word for the effective segment prefix, or '' when the memory operand shows it. A relative
 * jcc in AT&T syntax turns CS or DS into a `,pn`/`,pt` hint when only one of the two appears
 * among its prefixes (objdump then drops the effective segment word, whichever it is).
 */
function segmentWord(insn: DecodedInstruction, syntax: 'att' | 'intel', seen: Set<number>, words: PrefixWords): string {
  const e = insn.entry!;
  const segment = insn.prefixes.segment;
  if (insn.operands.some((o) => o.kind === 'mem' && o.segmentOverride)) return '';
  if (syntax === 'att' && e.flow === 'jcc' && e.relative && seen.has(0x2e) !== seen.has(0x3e)) {
    words.hint = seen.has(0x2e) ? ',pn' : ',pt';
    return '';
  }
  return e.indirect && segment === 0x3e ? 'notrack' : SEGMENT_NAMES[segment]!;
}

/** The word for the effective F2/F3 prefix, or '' when it is the row's mandatory prefix. */
function repWord(insn: DecodedInstruction): string {
  const e = insn.entry!;
  const p = insn.prefixes;
  if (p.rep === 0xf3 && e.row.repzAlways) return 'repz';
  if (p.mandatory === p.rep) return '';
  if (e.rep === 'rep') return p.rep === 0xf3 ? 'rep' : 'repnz';
  if (e.rep === 'repe') return p.rep === 0xf3 ? 'repz' : 'repnz';
  const branch = e.flow === 'jmp' || e.flow === 'call' || e.flow === 'ret' || e.flow === 'jcc';
  if (p.rep === 0xf2 && branch) return 'bnd';
  return p.rep === 0xf3 ? 'repz' : 'repnz';
}

/** The word for the last prefix of a kind, the one that took effect ('' when none is printed). */
function effectiveWord(
  insn: DecodedInstruction,
  group: PrefixGroup,
  syntax: 'att' | 'intel',
  seen: Set<number>,
  words: PrefixWords,
): string {
  const e = insn.entry!;
  const p = insn.prefixes;
  switch (group) {
    case 'segment': return segmentWord(insn, syntax, seen, words);
    case 'data': return p.mandatory !== 0x66 && !usesOperandSize(e) ? 'data16' : '';
    // AT&T spells a 16-bit loop counter into the mnemonic (loopw), Intel keeps the addr16 word.
    case 'address': return usesAddressSize(insn, syntax) || (syntax === 'att' && e.flow === 'loop') ? '' : 'addr16';
    case 'lock': return 'lock';
    case 'rep': return repWord(insn);
  }
}

/** The words before the mnemonic: the legacy prefixes' words, then `{vex}` (see RowFacts). */
export function prefixWords(insn: DecodedInstruction, syntax: 'att' | 'intel' = 'att'): PrefixWords {
  const words: PrefixWords = { before: [], hint: '' };
  legacyPrefixWords(insn, syntax, words);
  if (insn.entry?.row.vexPseudoPrefix) words.before.push('{vex}');
  return words;
}

/**
 * The prefix words in the order of the prefix bytes, as objdump prints them: every prefix byte
 * that a later one of its kind overrides is named as unused, and the last one of each kind is
 * named unless the instruction consumed it.
 */
function legacyPrefixWords(insn: DecodedInstruction, syntax: 'att' | 'intel', words: PrefixWords): void {
  const p = insn.prefixes;
  const legacy = Math.min(p.count - (p.vex?.size ?? 0), insn.bytes.length);
  if (legacy <= 0) return;
  const last = new Map<PrefixGroup, number>();
  const seen = new Set<number>();
  for (let i = 0; i < legacy; i++) {
    const group = groupOf(insn.bytes[i]!);
    if (group) last.set(group, i);
    seen.add(insn.bytes[i]!);
  }
  for (let i = 0; i < legacy; i++) {
    const byte = insn.bytes[i]!;
    const group = groupOf(byte);
    if (!group) continue;
    const word = last.get(group) === i ? effectiveWord(insn, group, syntax, seen, words) : unusedName(byte);
    if (word !== '') words.before.push(word);
  }
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
