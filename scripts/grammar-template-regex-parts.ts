// Regex pieces shared by the TextMate grammar template's rule files (scripts/grammar-template-*.ts).
// Regexes are Oniguruma, written with String.raw so that they read as they run.

export const r = String.raw;

/** Where a statement ends: a `;` separator, a `#` or `//` comment, or the end of the line. */
export const STATEMENT_END = r`(?=[;#]|//)|$`;

/** Not inside a longer name, a register, or a macro parameter. */
export const WORD_START = r`(?<![\w.$%\\])`;
export const WORD_END = r`(?![\w.$])`;

/** Numbers may follow the `$` of an immediate. */
export const NUMBER_START = r`(?<![\w.%\\])`;

/** Captures of the instruction rules' begin: the mnemonic and an optional branch hint. */
export const MNEMONIC_CAPTURES = {
  1: { name: 'support.function.mnemonic.i386-asm' },
  2: { name: 'punctuation.separator.branch-hint.i386-asm' },
  3: { name: 'storage.modifier.branch-hint.i386-asm' },
};

/**
 * The begin of an instruction: a mnemonic from the generated alternation, optionally with a
 * static branch hint (`jne,pt` taken, `je,pn` not taken), not followed by more of a name.
 */
export function instructionBegin(mnemonics: string): string {
  return r`(?i)${WORD_START}(${mnemonics})(?:(,)(p[tn]))?(?![\w.$@:-])`;
}
