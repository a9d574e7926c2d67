// Derives the mnemonic and register alternations of the TextMate grammar from the opcode table.
//
// The grammar must know every mnemonic GNU as accepts and objdump prints, and nobody should keep
// that list by hand: it comes from OPCODE_ROWS (Intel and AT&T names, the b/w/l size suffixes each
// row's operands allow, objdump's pseudo-op spellings) plus the condition-code synonyms of as.

import { OPCODE_ROWS } from '../server/src/isa';
import type { OpcodeRow } from '../server/src/isa/opcode-row-schema';
import { parseOperandCode } from '../server/src/isa/operand-codes';
import { pseudoOp } from '../server/src/isa/format-pseudo-ops';
import type { DecodedInstruction } from '../server/src/isa/decoded-instruction';
import { GPR8, GPR16, GPR32, SEGMENT, CONTROL, DEBUG, MMX, XMM, YMM } from '../server/src/isa/registers';

/** Integer operand sizes of SDM Appendix A and the AT&T suffixes that name them. */
const SIZE_SUFFIXES: Record<string, string> = { b: 'b', w: 'w', d: 'l', y: 'l', v: 'wl', z: 'wl', bs: 'wl', wv: 'wl' };

/** Addressing methods of general registers, memory and immediates: the ones a suffix can size. */
const SIZED_METHODS = new Set('ABEGIMORXYZ');

/** Fixed operands that fix the size (in/out with AL or eAX: `outb`, `inl`). */
const FIXED_SUFFIXES: Record<string, string> = { AL: 'b', AX: 'w', eAX: 'wl', EAX: 'l' };

/** Suffix letters as accepts after a row's mnemonic, from the row's suffix kind and operand sizes. */
export function suffixLettersOfRow(row: OpcodeRow): string {
  let letters = '';
  switch (row.suffix ?? 'auto') {
    case 'never': return '';
    case 'always': case 'data16': letters = 'wl'; break;
    case 'env16': return 'sw'; // the 16-bit x87 environment: fldenvs in AT&T, fldenvw in Intel
    case 'xy': return 'xy';
    case 'auto': break;
  }
  for (const text of (row.ops ?? '').split(',').filter((t) => t !== '')) {
    const code = parseOperandCode(text);
    if (typeof code === 'string') continue;
    if (code.kind === 'fixed') letters += FIXED_SUFFIXES[code.name] ?? '';
    else if (SIZED_METHODS.has(code.method)) letters += SIZE_SUFFIXES[code.size] ?? '';
  }
  // String instructions: Intel syntax names the doubleword form with d where AT&T says l (stosd).
  if (/(^|,)[XY]/.test(row.ops ?? '')) letters += 'd';
  // Near and far transfers take the operand-size suffix even without a sized operand: calll, retl.
  if (row.flow === 'call' || row.flow === 'jmp' || row.flow === 'ret') letters += 'wl';
  // loop counts in CX or ECX by the address size, which objdump and as write as a suffix (loopw).
  if (row.flow === 'loop' && row.m.startsWith('loop')) letters += 'wl';
  return [...new Set(letters)].sort().join('');
}

/**
 * Condition-code synonyms of as: each condition has one name in objdump's output and other names
 * users write (jz for je). Applied to every jcc, setcc and cmovcc name of the table.
 */
const CONDITION_SYNONYMS: Record<string, readonly string[]> = {
  b: ['c', 'nae'], ae: ['nb', 'nc'], e: ['z'], ne: ['nz'], be: ['na'], a: ['nbe'],
  p: ['pe'], np: ['po'], l: ['nge'], ge: ['nl'], le: ['ng'], g: ['nle'],
};
const CONDITIONAL_STEMS = ['j', 'set', 'cmov', 'loop'];

/** Other names as accepts for a table mnemonic (the alternative name is the key's value). */
const ASSEMBLER_SYNONYMS: Record<string, readonly string[]> = {
  shl: ['sal'], fwait: ['wait'], xlat: ['xlatb'],
};

/** objdump's pseudo-op spellings (cmpltps, vcmpeq_oqsd, pclmulhqlqdq) for rows that have them. */
function pseudoOpNames(row: OpcodeRow, mnemonic: string): string[] {
  if (!row.pseudoOps) return [];
  const names = new Set<string>();
  for (let imm = 0; imm < 256; imm++) {
    // Only the row and the immediate matter to pseudoOp(); the rest of the instruction is unused.
    const fake = { entry: { row }, operands: [{ kind: 'imm', value: imm }] } as unknown as DecodedInstruction;
    names.add(pseudoOp(fake, mnemonic).mnemonic);
  }
  return [...names];
}

/** Every mnemonic, mapped to the suffix letters it may carry ('' = none). */
export function collectMnemonics(): Map<string, string> {
  const result = new Map<string, string>();
  const add = (name: string, letters: string) => {
    const merged = [...new Set((result.get(name) ?? '') + letters)].sort().join('');
    result.set(name, merged);
  };
  for (const row of OPCODE_ROWS) {
    const letters = suffixLettersOfRow(row);
    for (const name of new Set([row.m, row.att ?? row.m])) {
      add(name, letters);
      for (const pseudo of pseudoOpNames(row, name)) add(pseudo, '');
      for (const synonym of ASSEMBLER_SYNONYMS[name] ?? []) add(synonym, letters);
    }
  }
  // Rows that spell the operand size into the name (iretw/iret, sgdtw/sgdtl, pushaw/pusha): as
  // also takes the bare stem and the stem with any suffix (iretl, sgdt, pushal, pushfl, popfd).
  for (const row of OPCODE_ROWS) {
    const name = row.att ?? row.m;
    if (row.osize !== 16 || !name.endsWith('w')) continue;
    const stem = name.slice(0, -1);
    if (result.has(stem) || result.has(`${stem}l`) || result.has(`${stem}d`)) add(stem, 'dlw');
  }
  for (const [name, letters] of [...result]) {
    for (const stem of CONDITIONAL_STEMS) {
      if (!name.startsWith(stem)) continue;
      for (const synonym of CONDITION_SYNONYMS[name.slice(stem.length)] ?? []) add(stem + synonym, letters);
    }
  }
  return result;
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');

/** Sorted by name, so that the generated file diffs well when the table grows. */
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

interface TrieNode {
  children: Map<string, TrieNode>;
  /** Suffix letters when a mnemonic ends here, undefined when none does. */
  letters?: string;
}

function emitTrie(node: TrieNode): string {
  const branches = [...node.children.keys()].sort(byName).map((c) => escapeRegex(c) + emitTrie(node.children.get(c)!));
  if (node.letters === undefined) return branches.length === 1 ? branches[0]! : `(?:${branches.join('|')})`;
  const ending = node.letters === '' ? '' : `[${node.letters}]?`;
  if (branches.length === 0) return ending;
  // A mnemonic ends here and longer ones continue: try the longer ones first, then the end.
  return `(?:${branches.join('|')}|${ending})`;
}

/**
 * The mnemonic alternation as a prefix tree (`a(?:d(?:c|d)...)`) with each name's suffix letters
 * as an optional class: Oniguruma then rejects a non-mnemonic after a character or two instead of
 * trying 1,400 words at every position, which keeps tokenizing large files fast. The caller wraps
 * it in a case-insensitive group and a word-end lookahead.
 */
export function mnemonicAlternation(): string {
  const root: TrieNode = { children: new Map() };
  for (const [name, letters] of collectMnemonics()) {
    let node = root;
    for (const c of name) {
      let next = node.children.get(c);
      if (!next) node.children.set(c, (next = { children: new Map() }));
      node = next;
    }
    node.letters = letters;
  }
  return emitTrie(root);
}

/**
 * Register names without `%`, from registers.ts, plus the spellings as accepts beside objdump's:
 * `dr0`..`dr7` for the debug registers and `st(0)`..`st(7)` with optional blanks for the x87 stack.
 */
export function registerAlternation(): string {
  const names: string[] = [...GPR32, ...GPR16, ...GPR8, ...SEGMENT, ...CONTROL, ...DEBUG, ...MMX, ...XMM, ...YMM, 'eiz'];
  for (const db of DEBUG) names.push(db.replace(/^db/, 'dr'));
  const plain = [...new Set(names)].sort((a, b) => b.length - a.length || byName(a, b)).map(escapeRegex).join('|');
  return `st\\s*\\(\\s*[0-7]\\s*\\)|${plain}|st`;
}
