// From an Intel mnemonic (after `.intel_syntax`) to the opcode-table entries it may mean, and the
// size a `PTR` word must name for an entry's memory operand. Intel names carry no size suffix;
// the exceptions are the string forms (movsb/movsw/movsd), the 16-bit `w` forms objdump prints
// (pushw, fldenvw, callw), and the synonyms GNU as accepts (condition codes, sal, pushad...).

import { OPCODE_TABLE, type OpcodeEntry } from '../isa';
import type { OperandCode } from '../isa/operand-codes';
import { isEncodableEntry, type MnemonicCandidate } from './att-mnemonic-lookup';

const CONDITION_SYNONYMS: Record<string, string> = {
  c: 'b', nae: 'b', nb: 'ae', nc: 'ae', z: 'e', nz: 'ne', na: 'be', nbe: 'a', pe: 'p', po: 'np',
  nge: 'l', nl: 'ge', ng: 'le', nle: 'g',
};

const SYNONYMS: Record<string, string[]> = {
  sal: ['shl'], wait: ['fwait'], pushad: ['pusha'], popad: ['popa'], pushfd: ['pushf'], popfd: ['popf'],
  iretd: ['iret'], xlatb: ['xlat'], icebp: ['int1'], lret: ['retf'],
  // objdump spells the size into the descriptor-table names (sgdtd); GNU as takes the plain name.
  sgdt: ['sgdtd'], sidt: ['sidtd'], lgdt: ['lgdtd'], lidt: ['lidtd'],
};

const STRING_BASES = new Set(['movs', 'cmps', 'stos', 'lods', 'scas', 'ins', 'outs']);
const STRING_SUFFIX: Record<string, 8 | 16 | 32> = { b: 8, w: 16, d: 32 };

let index: Map<string, OpcodeEntry[]> | null = null;

function byIntelName(): Map<string, OpcodeEntry[]> {
  if (index) return index;
  index = new Map();
  for (const e of OPCODE_TABLE.entries) {
    if (!isEncodableEntry(e)) continue;
    const list = index.get(e.mnemonic) ?? [];
    list.push(e);
    index.set(e.mnemonic, list);
  }
  return index;
}

const cache = new Map<string, readonly MnemonicCandidate[]>();

/** Every reading of an Intel mnemonic (cached and shared: do not modify the result). */
export function intelMnemonicCandidates(mnemonic: string): readonly MnemonicCandidate[] {
  let cached = cache.get(mnemonic);
  if (cached === undefined) {
    cached = compute(mnemonic);
    if (cached.length > 0) cache.set(mnemonic, cached);
  }
  return cached;
}

function compute(mnemonic: string): MnemonicCandidate[] {
  const table = byIntelName();
  const names = [mnemonic, ...(SYNONYMS[mnemonic] ?? [])];
  const cc = /^(j|set|cmov)([a-z]+)$/.exec(mnemonic);
  if (cc && CONDITION_SYNONYMS[cc[2]!]) names.push(cc[1]! + CONDITION_SYNONYMS[cc[2]!]);
  const out: MnemonicCandidate[] = [];
  for (const name of new Set(names)) for (const entry of table.get(name) ?? []) out.push({ entry, suffixBits: null });
  // `ljmp`/`lcall`: the far forms only.
  if (mnemonic === 'ljmp' || mnemonic === 'lcall') {
    for (const entry of table.get(mnemonic.slice(1)) ?? []) if (entry.far) out.push({ entry, suffixBits: null });
  }
  const base = mnemonic.slice(0, -1);
  const last = mnemonic[mnemonic.length - 1]!;
  if (STRING_BASES.has(base) && STRING_SUFFIX[last] !== undefined) {
    for (const entry of table.get(base) ?? []) out.push({ entry, suffixBits: STRING_SUFFIX[last]! });
  }
  if (last === 'w' && mnemonic.length > 1) {
    for (const entry of table.get(base) ?? []) {
      if (entry.suffix === 'data16' || entry.suffix === 'env16' || entry.relative) out.push({ entry, suffixBits: 16 });
    }
  }
  return out;
}

/** Bits of memory an operand code names at an operand size; null where PTR is not checked. */
export function memoryBits(code: OperandCode | undefined, entry: OpcodeEntry, osize: 16 | 32): number | null {
  if (code === undefined || code.kind !== 'method') return null;
  switch (code.size) {
    case 'b': return 8;
    case 'w': case 'wv': case 'wi': return 16;
    case 'd': case 'si': case 'y': case 'ss': case 'sr': case 'di': return 32;
    case 'q': case 'pi': case 'sd': case 'dr': case 'qi': return 64;
    case 'er': case 'bcd': return 80;
    case 'qq': return 256;
    case 'dq': return 128;
    case 'v': case 'z': return osize;
    case 'p': return osize + 16;
    case 'a': return osize * 2;
    case 's': return 48;
    case 'ps': case 'pd': case 'x':
      if (entry.vex === null || entry.vex.l === 0) return 128;
      return entry.vex.l === 1 ? 256 : null;
    default: return null;
  }
}
