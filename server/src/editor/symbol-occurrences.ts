// Where a symbol is defined and used, for go to definition and find references: in the document
// and in the files its `#include` / `.include` lines read. Uses are the identifier tokens the
// assembler's lexer sees with that name; definitions are labels, assignments (`x = 1`, `.set`,
// `.equ`), `.macro` names and `#define` names. Mnemonics and directives share the identifier
// kind, so only names that something defines count as symbols.

import { lexLine, type LexState } from '../asm/source-lexer';
import { parseSource, type SourceRange, type Statement } from '../asm';

/** A range in the document (file null) or in an included file (its path). */
export interface SymbolLocation {
  file: string | null;
  range: SourceRange;
}

export interface SymbolOccurrences {
  definitions: SymbolLocation[];
  references: SymbolLocation[];
}

/** The identifier token at a position, or null. */
export function identifierAt(text: string, line: number, character: number): string | null {
  const state: LexState = { inBlockComment: false };
  const lines = text.split('\n');
  for (let i = 0; i < line; i++) lexLine(lines[i] ?? '', state);
  const tok = lexLine(lines[line] ?? '', state).find((t) => t.kind === 'ident' && character >= t.start && character <= t.end);
  return tok ? tok.text : null;
}

const NAMING_DIRECTIVES = new Set(['.macro', '.set', '.equ', '.equiv', '.eqv']);
const C_DEFINE = /^\s*#\s*define\s+([A-Za-z_][A-Za-z0-9_]*)/;

function definitionsIn(text: string, statements: readonly Statement[], name: string): SourceRange[] {
  const out: SourceRange[] = [];
  for (const s of statements) {
    if ((s.kind === 'label' || s.kind === 'assign') && s.name === name) out.push({ line: s.range.line, start: s.range.start, end: s.range.start + name.length });
    if (s.kind === 'directive' && NAMING_DIRECTIVES.has(s.name)) {
      const first = s.args[0]?.[0];
      if (first?.kind === 'ident' && first.text === name) out.push({ line: s.range.line, start: first.start, end: first.end });
    }
  }
  // `#define` lines are comments to the assembler's lexer: they are found by their text.
  if (text.includes('define')) {
    text.split('\n').forEach((lineText, line) => {
      const m = C_DEFINE.exec(lineText);
      if (m && m[1] === name) {
        const start = m[0].length - name.length;
        out.push({ line, start, end: start + name.length });
      }
    });
  }
  return out.sort((a, b) => a.line - b.line || a.start - b.start);
}

function usesIn(text: string, name: string): SourceRange[] {
  const out: SourceRange[] = [];
  const state: LexState = { inBlockComment: false };
  text.split('\n').forEach((lineText, line) => {
    if (!lineText.includes(name)) {
      lexLine(lineText, state); // keeps the block-comment state
      return;
    }
    for (const t of lexLine(lineText, state)) if (t.kind === 'ident' && t.text === name) out.push({ line, start: t.start, end: t.end });
  });
  return out;
}

/**
 * Definitions and references of `name` in the document (its text and statements) and in the files
 * its includes read (`includedFiles`: path to text, in the order read).
 */
export function symbolOccurrences(
  text: string, statements: readonly Statement[], name: string, includedFiles: ReadonlyMap<string, string> = new Map(),
): SymbolOccurrences {
  const files: Array<{ file: string | null; text: string; statements: () => readonly Statement[] }> = [
    { file: null, text, statements: () => statements },
    ...[...includedFiles].map(([file, t]) => ({ file, text: t, statements: () => parseSource(t).statements })),
  ];
  const definitions: SymbolLocation[] = [];
  const references: SymbolLocation[] = [];
  for (const f of files) {
    if (!f.text.includes(name)) continue;
    const defs = definitionsIn(f.text, f.statements(), name);
    for (const range of defs) definitions.push({ file: f.file, range });
    const uses = usesIn(f.text, name);
    // A `#define` is no token: its name counts among the references as the declaration.
    for (const d of defs) if (!uses.some((u) => u.line === d.line && u.start === d.start)) uses.push(d);
    uses.sort((a, b) => a.line - b.line || a.start - b.start);
    for (const range of uses) references.push({ file: f.file, range });
  }
  if (definitions.length === 0) return { definitions, references: [] };
  return { definitions, references };
}
