// Words the editor completes: mnemonics from the opcode table (Intel names and objdump's AT&T
// spellings with the b/w/l suffixes that apply), registers, directives, and the document's labels.

import { OPCODE_TABLE } from '../isa';
import { CONTROL, DEBUG, GPR16, GPR32, GPR8, MMX, SEGMENT, XMM, YMM } from '../isa/registers';
import { DIRECTIVE_HELP } from './word-hover';

export interface CompletionWord {
  label: string;
  kind: 'mnemonic' | 'register' | 'directive' | 'label';
  detail: string;
}

let mnemonicCache: CompletionWord[] | null = null;

function mnemonics(): CompletionWord[] {
  if (mnemonicCache) return mnemonicCache;
  const words = new Map<string, string>();
  for (const e of OPCODE_TABLE.entries) {
    const detail = `${e.mnemonic} ${e.row.ops ?? ''}`.trim() + ` (${e.ext})`;
    if (e.suffix === 'always') {
      for (const s of ['w', 'l']) if (!words.has(e.att + s)) words.set(e.att + s, detail);
      continue;
    }
    if (!words.has(e.att)) words.set(e.att, detail);
    if (e.suffix === 'auto' && e.operands.some((o) => o.kind === 'method' && (o.method === 'E' || o.method === 'M'))) {
      for (const s of ['b', 'w', 'l']) if (!words.has(e.att + s)) words.set(e.att + s, detail);
    }
  }
  mnemonicCache = [...words.entries()].sort().map(([label, detail]) => ({ label, kind: 'mnemonic' as const, detail }));
  return mnemonicCache;
}

const REGISTERS: CompletionWord[] = [GPR32, GPR16, GPR8, SEGMENT, CONTROL, DEBUG, MMX, XMM, YMM]
  .flat()
  .map((r) => ({ label: `%${r}`, kind: 'register' as const, detail: 'register' }));

/** Completions for the text before the cursor on its line. */
export function completionWords(linePrefix: string, labels: readonly string[]): CompletionWord[] {
  const word = /[%.\w$]*$/.exec(linePrefix)?.[0] ?? '';
  if (word.startsWith('%')) return REGISTERS;
  if (word.startsWith('.')) {
    return Object.entries(DIRECTIVE_HELP).map(([label, detail]) => ({ label, kind: 'directive' as const, detail }));
  }
  const beforeWord = linePrefix.slice(0, linePrefix.length - word.length);
  // The first word of a statement is a mnemonic; later words are operands (labels).
  const atStatementStart = /^\s*(\w+:\s*)*$/.test(beforeWord) || /;\s*$/.test(beforeWord);
  const labelWords = labels.map((l) => ({ label: l, kind: 'label' as const, detail: 'label' }));
  return atStatementStart ? [...mnemonics(), ...labelWords] : [...labelWords, ...REGISTERS];
}
