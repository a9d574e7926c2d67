// Where a symbol is defined and used in one document, for go to definition and find references:
// every identifier token the assembler's lexer sees with that name, and the label statements that
// define it. Mnemonics and directives share the identifier kind, so only names that some label
// or assignment defines count as symbols.

import { lexLine, type LexState } from '../asm/source-lexer';
import type { SourceRange, Statement } from '../asm';

export interface SymbolOccurrences {
  definitions: SourceRange[];
  references: SourceRange[];
}

/** The identifier token at a position, or null. */
export function identifierAt(text: string, line: number, character: number): string | null {
  const state: LexState = { inBlockComment: false };
  const lines = text.split('\n');
  for (let i = 0; i < line; i++) lexLine(lines[i] ?? '', state);
  const tok = lexLine(lines[line] ?? '', state).find((t) => t.kind === 'ident' && character >= t.start && character <= t.end);
  return tok ? tok.text : null;
}

export function symbolOccurrences(text: string, statements: readonly Statement[], name: string): SymbolOccurrences {
  const definitions = statements
    .filter((s) => (s.kind === 'label' || s.kind === 'assign') && s.name === name)
    .map((s) => ({ line: s.range.line, start: s.range.start, end: s.range.start + name.length }));
  if (definitions.length === 0) return { definitions, references: [] };
  const references: SourceRange[] = [];
  const state: LexState = { inBlockComment: false };
  text.split('\n').forEach((lineText, line) => {
    for (const t of lexLine(lineText, state)) {
      if (t.kind === 'ident' && t.text === name) references.push({ line, start: t.start, end: t.end });
    }
  });
  return { definitions, references };
}
