// What the editor needs from the raw (unexpanded) text of a document, line by line: instruction
// ranges, label definitions and data directives. Each line is parsed on its own and remembered by
// its text, so after an edit only new or changed lines are parsed again. A document where a line
// carries parser state into the next (an open block comment, a syntax switch) is parsed whole.

import { parseSource, type SourceRange } from '../asm';
import { lexLine } from '../asm/source-lexer';

/** Directives whose bytes are data, not instructions. */
const DATA_DIRECTIVES = new Set([
  '.byte', '.word', '.short', '.value', '.long', '.int', '.quad', '.ascii', '.asciz', '.string', '.fill',
  '.skip', '.space', '.zero', '.align', '.balign', '.p2align', '.org', '.octa', '.float', '.double',
]);

/** One line's parse, independent of its line number. */
interface LineSummary {
  /** Columns of each instruction statement with a mnemonic. */
  instructions: Array<{ start: number; end: number }>;
  /** Names of labels defined on the line (numeric local labels excluded). */
  labels: string[];
  /** The line holds a data directive: its bytes are not instructions. */
  data: boolean;
  /** Parsing the line alone gives what parsing it in place gives (no state reaches the next line). */
  standalone: boolean;
}

export interface SourceSummary {
  /** Instruction ranges by line. */
  instructionRanges: Map<number, SourceRange[]>;
  /** Line of each label (the last definition wins, as a map filled in source order would). */
  labelLines: Map<string, number>;
  /** Lines whose code is data. */
  dataLines: Set<number>;
}

const SYNTAX_SWITCH = /\.(?:intel|att)_syntax/i;
const NO_INSTRUCTIONS: LineSummary['instructions'] = [];
const NO_LABELS: string[] = [];

function summarizeStatements(statements: ReturnType<typeof parseSource>['statements'], into: (line: number, s: LineSummary) => void): void {
  // Groups the statements of a whole-text parse by line.
  let line = -1;
  let current: LineSummary | null = null;
  for (const st of statements) {
    if (st.range.line !== line) {
      if (current !== null) into(line, current);
      line = st.range.line;
      current = { instructions: [], labels: [], data: false, standalone: true };
    }
    if (st.kind === 'label' && !st.name.includes('\x02')) current!.labels.push(st.name);
    if (st.kind === 'directive' && DATA_DIRECTIVES.has(st.name)) current!.data = true;
    if (st.kind === 'instruction' && st.mnemonic !== null) current!.instructions.push({ start: st.range.start, end: st.range.end });
  }
  if (current !== null) into(line, current);
}

function summarizeLine(text: string): LineSummary {
  const state = { inBlockComment: false };
  lexLine(text, state);
  const standalone = !state.inBlockComment && !SYNTAX_SWITCH.test(text);
  let out: LineSummary = { instructions: NO_INSTRUCTIONS, labels: NO_LABELS, data: false, standalone };
  summarizeStatements(parseSource(text).statements, (_line, s) => (out = { ...s, standalone }));
  return out;
}

function emptySummary(): SourceSummary {
  return { instructionRanges: new Map(), labelLines: new Map(), dataLines: new Set() };
}

function adder(out: SourceSummary): (line: number, s: LineSummary) => void {
  return (line, s) => {
    if (s.instructions.length > 0) out.instructionRanges.set(line, s.instructions.map((r) => ({ line, start: r.start, end: r.end })));
    for (const name of s.labels) out.labelLines.set(name, line);
    if (s.data) out.dataLines.add(line);
  };
}

/** The summary from one parse of the whole text (a document without memory, and the fallback). */
export function summarizeWholeText(text: string): SourceSummary {
  const out = emptySummary();
  summarizeStatements(parseSource(text).statements, adder(out));
  return out;
}

/** Per-document memory of line summaries by line text; a document version reads it and refreshes it. */
export class SourceLineSummaries {
  private byText = new Map<string, LineSummary>();

  /** `lines` is `text` split at newlines. */
  summarize(text: string, lines: readonly string[]): SourceSummary {
    const out = emptySummary();
    const add = adder(out);
    const next = new Map<string, LineSummary>();
    const summaries: LineSummary[] = new Array(lines.length);
    for (let i = 0; i < lines.length; i++) {
      const lineText = lines[i]!;
      let s = next.get(lineText) ?? this.byText.get(lineText);
      if (s === undefined) s = summarizeLine(lineText);
      if (!s.standalone) {
        // State crosses lines somewhere: the whole text is parsed at once, as the assembler does.
        this.byText = new Map();
        return summarizeWholeText(text);
      }
      next.set(lineText, s);
      summaries[i] = s;
    }
    // Only the lines of this version are remembered, so the memory follows the document's size.
    this.byText = next;
    for (let i = 0; i < summaries.length; i++) {
      const s = summaries[i]!;
      if (s.instructions.length > 0 || s.labels.length > 0 || s.data) add(i, s);
    }
    return out;
  }
}
