// From an AT&T mnemonic as GNU as accepts it to the opcode-table entries it may mean. The table's
// AT&T names are objdump's spellings; `as` accepts each with an optional size suffix (b, w, l),
// plus the synonyms below (condition-code aliases, `sal`, Intel-style names for conversions).
// Every documented entry is indexed: integer, x87, MMX, SSE and VEX forms.

import { OPCODE_TABLE, type OpcodeEntry } from '../isa';
import type { OperandCode } from '../isa/operand-codes';

export interface MnemonicCandidate {
  entry: OpcodeEntry;
  /** Operand size the suffix asks for (8, 16, 32), or null without a suffix. */
  suffixBits: 8 | 16 | 32 | null;
}

const SUPPORTED_METHODS = new Set(['A', 'B', 'C', 'D', 'E', 'G', 'H', 'I', 'J', 'L', 'M', 'N', 'O', 'P', 'Q', 'R', 'S', 'U', 'V', 'W', 'X', 'Y', 'Z']);
const UNSUPPORTED_FIXED = new Set<string>([]);

/** True when every operand of the entry is one the integer encoder can match and encode. */
export function isEncodableEntry(e: OpcodeEntry): boolean {
  // Undocumented x87 register aliases: GNU as never emits them.
  if (e.undocumented && e.map === 'primary' && e.opcode >= 0xd8 && e.opcode <= 0xdf) return false;
  return e.operands.every((o: OperandCode) =>
    o.kind === 'fixed' ? !UNSUPPORTED_FIXED.has(o.name) : SUPPORTED_METHODS.has(o.method),
  );
}

/** Condition-code synonyms GNU as accepts, mapped to the table's (objdump's) names. */
const CONDITION_SYNONYMS: Record<string, string> = {
  c: 'b', nae: 'b', nb: 'ae', nc: 'ae', z: 'e', nz: 'ne', na: 'be', nbe: 'a', pe: 'p', po: 'np',
  nge: 'l', nl: 'ge', ng: 'le', nle: 'g',
};

/** Other spellings GNU as accepts for a table name. */
const SYNONYMS: Record<string, string[]> = {
  sal: ['shl'], wait: ['fwait'], cbw: ['cbtw'], cwde: ['cwtl'], cwd: ['cwtd'], cdq: ['cltd'],
  movzx: ['movzb', 'movzw'], movsx: ['movsb', 'movsw'], retf: ['lret'], int1: ['int1'], icebp: ['int1'],
  pushad: ['pusha'], popad: ['popa'], pushfd: ['pushf'], popfd: ['popf'], iretd: ['iret'],
  xlatb: ['xlat'],
  // The 64-bit integer x87 loads and stores: `as --32` takes a `q` suffix for `ll` on these three
  // only (fildq, fistpq, fisttpq); faddq, fistq and the like are 64-bit-mode errors there.
  fildq: ['fildll'], fistpq: ['fistpll'], fisttpq: ['fisttpll'],
};

let index: Map<string, OpcodeEntry[]> | null = null;

function byAttName(): Map<string, OpcodeEntry[]> {
  if (index) return index;
  index = new Map();
  for (const e of OPCODE_TABLE.entries) {
    if (!isEncodableEntry(e)) continue;
    const list = index.get(e.att) ?? [];
    list.push(e);
    index.set(e.att, list);
  }
  return index;
}

/** The table names a spelling may stand for (itself, or its synonyms). */
function baseNames(name: string): string[] {
  const names = [name, ...(SYNONYMS[name] ?? [])];
  const cc = /^(j|set|cmov)([a-z]+)$/.exec(name);
  if (cc && CONDITION_SYNONYMS[cc[2]!]) names.push(cc[1]! + CONDITION_SYNONYMS[cc[2]!]);
  return names;
}

const SUFFIX_BITS: Record<string, 8 | 16 | 32> = { b: 8, w: 16, l: 32 };

const candidateCache = new Map<string, readonly MnemonicCandidate[]>();

/** Every (entry, suffix) reading of a mnemonic (cached: the result is shared, do not modify it). */
export function mnemonicCandidates(mnemonic: string): readonly MnemonicCandidate[] {
  let cached = candidateCache.get(mnemonic);
  if (cached === undefined) {
    cached = computeCandidates(mnemonic);
    // Unknown words from bad input are not kept, so random text cannot grow the cache.
    if (cached.length > 0) candidateCache.set(mnemonic, cached);
  }
  return cached;
}

function computeCandidates(mnemonic: string): MnemonicCandidate[] {
  const table = byAttName();
  const out: MnemonicCandidate[] = [];
  const seen = new Set<string>();
  const add = (name: string, suffixBits: 8 | 16 | 32 | null): void => {
    for (const base of baseNames(name)) {
      const key = `${base}/${suffixBits}`;
      if (seen.has(key)) continue;
      seen.add(key);
      for (const entry of table.get(base) ?? []) out.push({ entry, suffixBits });
    }
  };
  add(mnemonic, null);
  const last = mnemonic[mnemonic.length - 1]!;
  if (mnemonic.length > 1 && SUFFIX_BITS[last] !== undefined) add(mnemonic.slice(0, -1), SUFFIX_BITS[last]!);
  // VEX forms whose memory operand does not show the vector length: `x` (128) or `y` (256).
  if (mnemonic.length > 1 && (last === 'x' || last === 'y')) {
    for (const entry of table.get(mnemonic.slice(0, -1)) ?? []) {
      if (entry.suffix === 'xy' && entry.vex?.l === (last === 'x' ? 0 : 1)) out.push({ entry, suffixBits: null });
    }
  }
  // The 16-bit x87 environment and state forms are spelled with an `s` (fnstenvs, frstors).
  if (mnemonic.length > 1 && last === 's') {
    for (const entry of table.get(mnemonic.slice(0, -1)) ?? []) if (entry.suffix === 'env16') out.push({ entry, suffixBits: 16 });
  }
  return out;
}

/** True when some reading of the mnemonic exists at all (to tell "unknown" from "bad operands"). */
export function isKnownMnemonic(mnemonic: string): boolean {
  return mnemonicCandidates(mnemonic).length > 0;
}
