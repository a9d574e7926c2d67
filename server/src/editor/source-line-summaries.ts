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
  /** Labels defined on the line, with their columns (numeric local labels excluded). */
  labels: Array<{ name: string; start: number; end: number }>;
  /** The line holds a data directive: its bytes are not instructions. */
  data: boolean;
  /** Parsing the line alone gives what parsing it in place gives (no state reaches the next line). */
  standalone: boolean;
}

export interface SourceSummary {
  /** Columns of the instruction statements of each line (by line number; undefined: none). */
  instructions: Array<ReadonlyArray<{ start: number; end: number }> | undefined>;
  /** Line of each label (the last definition wins, as a map filled in source order would). */
  labelLines: Map<string, number>;
  /** Every label definition in source order, with its range (the label and its colon). */
  labels: Array<{ name: string; range: SourceRange }>;
  /** Lines whose code is data. */
  dataLines: Set<number>;
}

const SYNTAX_SWITCH = /\.(?:intel|att)_syntax/i;
const NO_INSTRUCTIONS: LineSummary['instructions'] = [];
const NO_LABELS: LineSummary['labels'] = [];

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
    if (st.kind === 'label' && !st.name.includes('\x02')) current!.labels.push({ name: st.name, start: st.range.start, end: st.range.end });
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
  return { instructions: [], labelLines: new Map(), labels: [], dataLines: new Set() };
}

function adder(out: SourceSummary): (line: number, s: LineSummary) => void {
  return (line, s) => {
    if (s.instructions.length > 0) out.instructions[line] = s.instructions;
    for (const l of s.labels) {
      out.labelLines.set(l.name, line);
      out.labels.push({ name: l.name, range: { line, start: l.start, end: l.end } });
    }
    if (s.data) out.dataLines.add(line);
  };
}

/** The summary from one parse of the whole text (a document without memory, and the fallback). */
export function summarizeWholeText(text: string): SourceSummary {
  const out = emptySummary();
  summarizeStatements(parseSource(text).statements, adder(out));
  return out;
}

/**
 * Per-document memory of the last version's lines and their summaries. The next version reuses
 * the summaries of its unchanged first and last lines, looks changed lines up by text among the
 * lines they replace, and parses only lines it has never seen.
 */
export class SourceLineSummaries {
  private lines: readonly string[] = [];
  private summaries: LineSummary[] = [];

  /** `lines` is `text` split at newlines. */
  summarize(text: string, lines: readonly string[]): SourceSummary {
    const old = this.lines;
    const oldSummaries = this.summaries;
    let head = 0;
    const most = Math.min(old.length, lines.length);
    while (head < most && old[head] === lines[head]) head++;
    let tail = 0;
    while (tail < most - head && old[old.length - 1 - tail] === lines[lines.length - 1 - tail]) tail++;
    // The replaced lines, by text, for lines that moved or came back.
    const replaced = new Map<string, LineSummary>();
    for (let i = head; i < old.length - tail; i++) replaced.set(old[i]!, oldSummaries[i]!);
    const summaries: LineSummary[] = new Array(lines.length);
    let standalone = true;
    for (let i = 0; i < lines.length; i++) {
      let s: LineSummary | undefined;
      if (i < head) s = oldSummaries[i]!;
      else if (i >= lines.length - tail) s = oldSummaries[i - lines.length + old.length]!;
      else {
        const lineText = lines[i]!;
        s = replaced.get(lineText);
        if (s === undefined) replaced.set(lineText, (s = summarizeLine(lineText)));
      }
      if (!s.standalone) standalone = false;
      summaries[i] = s;
    }
    this.lines = lines;
    this.summaries = summaries;
    // State crosses lines somewhere: the whole text is parsed at once, as the assembler does.
    if (!standalone) return summarizeWholeText(text);
    const out = emptySummary();
    const add = adder(out);
    for (let i = 0; i < summaries.length; i++) {
      const s = summaries[i]!;
      if (s.instructions.length > 0 || s.labels.length > 0 || s.data) add(i, s);
    }
    return out;
  }
}
