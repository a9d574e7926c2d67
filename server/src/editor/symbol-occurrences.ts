// Where a symbol is defined and used, for go to definition and find references: in the document
// and in the files its `#include` / `.include` lines read. Uses are the identifier tokens the
// assembler's lexer sees with that name; definitions are labels, assignments (`x = 1`, `.set`,
// `.equ`), `.macro` names and `#define` names. Mnemonics and directives share the identifier
// kind, so only names that something defines count as symbols. The C preprocessor's `#define`,
// `#undef` and `#if` lines are comments to that lexer: their words are found by their text.

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

interface Word {
  text: string;
  start: number;
  end: number;
}

// `#if`/`#elif` only without a space after `#`: `# if the count is zero...` is a prose comment.
const CPP_NAMING_LINE = /^\s*#(?:\s*(?:define|undef|ifdef|ifndef)|if|elif)\b/;
/** A C identifier that is not the tail of a number, register or longer word. */
const C_WORD = /(?<![A-Za-z0-9_$.%])[A-Za-z_][A-Za-z0-9_]*/g;

/** The words of a `#define`/`#undef`/`#if` line after its directive (none for other lines). */
function preprocessorLineWords(lineText: string): Word[] | null {
  const m = CPP_NAMING_LINE.exec(lineText);
  if (m === null) return null;
  // Comments and strings hold no names.
  const code = lineText.replace(/\/\*.*?(?:\*\/|$)|\/\/.*$|"(?:[^"\\]|\\.)*"?/g, (x) => ' '.repeat(x.length));
  const out: Word[] = [];
  for (const w of code.slice(m[0].length).matchAll(C_WORD)) {
    if (w[0] === 'defined') continue;
    const start = m[0].length + w.index;
    out.push({ text: w[0], start, end: start + w[0].length });
  }
  return out;
}

/** Identifier tokens of a line (the lexer's, or a preprocessor line's words); keeps `state`. */
function identifiersOf(lineText: string, state: LexState): Word[] {
  const tokens = lexLine(lineText, state);
  return preprocessorLineWords(lineText) ?? tokens.filter((t) => t.kind === 'ident');
}

/** The identifier token at a position, or null. */
export function identifierAt(text: string, line: number, character: number): string | null {
  const state: LexState = { inBlockComment: false };
  const lines = text.split('\n');
  for (let i = 0; i < line; i++) lexLine(lines[i] ?? '', state);
  const tok = identifiersOf(lines[line] ?? '', state).find((t) => character >= t.start && character <= t.end);
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
    for (const t of identifiersOf(lineText, state)) if (t.text === name) out.push({ line, start: t.start, end: t.end });
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
    // Every definition counts among the references (as the declaration).
    for (const d of defs) if (!uses.some((u) => u.line === d.line && u.start === d.start)) uses.push(d);
    uses.sort((a, b) => a.line - b.line || a.start - b.start);
    for (const range of uses) references.push({ file: f.file, range });
  }
  if (definitions.length === 0) return { definitions, references: [] };
  return { definitions, references };
}
