// Renders syntaxes/i386-asm.tmLanguage.json: the hand-written template with the mnemonic and
// register alternations derived from the opcode table. Shared by the generator and its staleness test.

import path from 'node:path';
import { grammarTemplate } from './i386-asm-grammar-template';
import { mnemonicAlternation, registerAlternation } from './grammar-mnemonic-alternation';

/** Where the grammar lives, relative to the repository root (package.json points here). */
export const GRAMMAR_RELATIVE_PATH = path.join('syntaxes', 'i386-asm.tmLanguage.json');

/** The grammar file's full text, as it must be committed. */
export function renderI386AsmGrammar(): string {
  return `${JSON.stringify(grammarTemplate(mnemonicAlternation(), registerAlternation()), null, 2)}\n`;
}
