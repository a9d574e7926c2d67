// What the editor needs from the raw (unexpanded) text of a document, line by line: instruction
// ranges, label definitions and data directives. Each line is summarized on its own and remembered
// by its text, so after an edit only new or changed lines are looked at, and unchanged lines keep
// their summary object wherever they move. A line's statements come from the assembler's cache of
// parsed lines when it holds that text parsed from the start-of-file state, else from a parse here.
// A document where a line carries parser state into the next (an open block comment, a syntax
// switch) is summarized from a parse of the whole text: the assembler's, when it parsed the raw text.

import { parseSource, type SourceRange } from '../asm';
import { lexLine } from '../asm/source-lexer';
import { unchangedLineEnds, type UnchangedLineEnds } from './unchanged-line-ends';

/** Directives whose bytes are data, not instructions. */
const DATA_DIRECTIVES = new Set([
  '.byte', '.word', '.short', '.value', '.long', '.int', '.quad', '.ascii', '.asciz', '.string', '.fill',
  '.skip', '.space', '.zero', '.align', '.balign', '.p2align', '.org', '.octa', '.float', '.double',
]);

/** One line's parse, independent of its line number. Shared between versions: never mutated. */
export interface LineSummary {
  /** Columns of each instruction statement with a mnemonic. */
  readonly instructions: ReadonlyArray<{ start: number; end: number }>;
  /** Labels defined on the line, with their columns (numeric local labels excluded). */
  readonly labels: ReadonlyArray<{ name: string; start: number; end: number }>;
  /** The line holds a data directive: its bytes are not instructions. */
  readonly data: boolean;
  /** Parsing the line alone gives what parsing it in place gives (no state reaches the next line). */
  readonly standalone: boolean;
}

export interface SourceSummary {
  /** Each line's summary, by line number. */
  lines: readonly LineSummary[];
  /** Line of each label (the last definition wins, as a map filled in source order would). */
  labelLines: Map<string, number>;
  /** Every label definition in source order, with its range (the label and its colon). */
  labels(): Array<{ name: string; range: SourceRange }>;
}

const SYNTAX_SWITCH = /\.(?:intel|att)_syntax/i;
const EMPTY: LineSummary = { instructions: [], labels: [], data: false, standalone: true };

type LineStatements = ReturnType<typeof parseSource>['statements'];

/** What a line's statement adds to its summary. `1:` labels are skipped (named `.L1\x02n`, or \x01 in a cached parse). */
function addStatement(st: LineStatements[number], to: { instructions: Array<{ start: number; end: number }>; labels: Array<{ name: string; start: number; end: number }>; data: boolean }): void {
  if (st.kind === 'label' && !st.name.includes('\x02') && st.name.charCodeAt(0) !== 1) to.labels.push({ name: st.name, start: st.range.start, end: st.range.end });
  if (st.kind === 'directive' && DATA_DIRECTIVES.has(st.name)) to.data = true;
  if (st.kind === 'instruction' && st.mnemonic !== null) to.instructions.push({ start: st.range.start, end: st.range.end });
}

/** Calls `each` with every line's run of statements [from, to): lines from `lineOf` (a cached parse's statements may say line 0), else their own. */
function forEachLineRun(statements: readonly LineStatements[number][], each: (line: number, from: number, to: number) => void, lineOf?: readonly number[]): void {
  const lineAt = (i: number): number => (lineOf !== undefined ? lineOf[i]! : statements[i]!.range.line);
  let from = 0;
  while (from < statements.length) {
    const line = lineAt(from);
    let to = from + 1;
    while (to < statements.length && lineAt(to) === line) to++;
    each(line, from, to);
    from = to;
  }
}

/** Summaries of a line with one instruction and nothing else, shared by columns (start, then end). */
const singleInstructions = new Map<number, Map<number, LineSummary>>();
let singleInstructionCount = 0;

/**
 * What a run adds to a summary (as addStatement reads it), when that is at most one instruction:
 * the instruction, or null for nothing; undefined when it adds more.
 */
function loneInstruction(statements: readonly LineStatements[number][], from: number, to: number): LineStatements[number] | null | undefined {
  let found: LineStatements[number] | null = null;
  for (let i = from; i < to; i++) {
    const st = statements[i]!;
    if (st.kind === 'label' && !st.name.includes('\x02') && st.name.charCodeAt(0) !== 1) return undefined;
    if (st.kind === 'directive' && DATA_DIRECTIVES.has(st.name)) return undefined;
    if (st.kind === 'instruction' && st.mnemonic !== null) {
      if (found !== null) return undefined;
      found = st;
    }
  }
  return found;
}

function summaryOfRun(statements: readonly LineStatements[number][], from: number, to: number, standalone: boolean): LineSummary {
  // Most lines hold one instruction and nothing else: one shared summary per columns, not four objects a line.
  const lone = standalone ? loneInstruction(statements, from, to) : undefined;
  if (lone === null) return EMPTY;
  if (lone !== undefined) {
    const { start, end } = lone.range;
    let byEnd = singleInstructions.get(start);
    let shared = byEnd?.get(end);
    if (shared === undefined) {
      // Columns are few in real files; a pathological file does not keep the map growing.
      if (singleInstructionCount >= 10_000) singleInstructions.clear(), (singleInstructionCount = 0), (byEnd = undefined);
      if (byEnd === undefined) singleInstructions.set(start, (byEnd = new Map()));
      byEnd.set(end, (shared = { instructions: [{ start, end }], labels: [], data: false, standalone }));
      singleInstructionCount++;
    }
    return shared;
  }
  const out = { instructions: [], labels: [], data: false, standalone };
  for (let i = from; i < to; i++) addStatement(statements[i]!, out);
  return out;
}

/** A line's statements parsed alone (from the start-of-file state) by someone else, when known. */
export type ParsedLineAlone = (lineText: string) => { statements: readonly LineStatements[number][]; blockCommentAfter: boolean } | undefined;

function summarizeLine(text: string, parsedAlone?: ParsedLineAlone): LineSummary {
  // The assembler's parse of the same text in the same state, when it has one: no second lexing.
  const shared = parsedAlone?.(text);
  if (shared !== undefined) {
    const standalone = !shared.blockCommentAfter && !SYNTAX_SWITCH.test(text);
    if (shared.statements.length === 0) return standalone ? EMPTY : { ...EMPTY, standalone };
    return summaryOfRun(shared.statements, 0, shared.statements.length, standalone);
  }
  const state = { inBlockComment: false };
  lexLine(text, state);
  const standalone = !state.inBlockComment && !SYNTAX_SWITCH.test(text);
  const statements = parseSource(text).statements;
  if (statements.length === 0) return standalone ? EMPTY : { ...EMPTY, standalone };
  return summaryOfRun(statements, 0, statements.length, standalone);
}

function summaryOf(lines: readonly LineSummary[]): SourceSummary {
  const labelLines = new Map<string, number>();
  for (let i = 0; i < lines.length; i++) {
    const labels = lines[i]!.labels;
    for (let k = 0; k < labels.length; k++) labelLines.set(labels[k]!.name, i);
  }
  return {
    lines,
    labelLines,
    labels() {
      const out: Array<{ name: string; range: SourceRange }> = [];
      for (let i = 0; i < lines.length; i++) for (const l of lines[i]!.labels) out.push({ name: l.name, range: { line: i, start: l.start, end: l.end } });
      return out;
    },
  };
}

/** A parse of the whole text made elsewhere: statements and each one's line. */
export interface WholeTextParse {
  statements: readonly LineStatements[number][];
  lineOf: readonly number[];
}

/**
 * The summary from one parse of the whole text (a document without memory, and the fallback):
 * `parsed` when given (it must be the parse of `text`), else parseSource. With `reuse`, a line
 * whose run in `parsed` is the very statement objects of the line's cached parse alone takes its
 * summary alone (same statements, same summary) instead of a new one.
 */
export function summarizeWholeText(
  text: string, lineCount = text.split('\n').length, parsed?: WholeTextParse,
  reuse?: { lines: readonly string[]; alone: readonly LineSummary[]; parsedAlone: ParsedLineAlone },
): SourceSummary {
  const lines: LineSummary[] = new Array<LineSummary>(lineCount).fill(EMPTY);
  const statements = parsed?.statements ?? parseSource(text).statements;
  forEachLineRun(statements, (line, from, to) => {
    if (line >= lines.length) return;
    const alone = reuse?.alone[line];
    if (alone !== undefined && alone.standalone && sameStatements(reuse!.parsedAlone(reuse!.lines[line]!)?.statements, statements, from, to)) lines[line] = alone;
    else lines[line] = summaryOfRun(statements, from, to, true);
  }, parsed?.lineOf);
  return summaryOf(lines);
}

/** `cached` is the run [from, to) of `statements`, object for object. */
function sameStatements(cached: readonly LineStatements[number][] | undefined, statements: readonly LineStatements[number][], from: number, to: number): boolean {
  if (cached === undefined || cached.length !== to - from) return false;
  for (let i = from; i < to; i++) if (cached[i - from] !== statements[i]) return false;
  return true;
}

/**
 * Per-document memory of the last version's lines and their summaries. The next version keeps
 * the summaries of its unchanged first and last lines, looks changed lines up by text among the
 * lines they replace, and parses only lines it has never seen: work in proportion to the edit.
 */
export class SourceLineSummaries {
  private lines: readonly string[] = [];
  private summaries: LineSummary[] = [];
  /** Lines of the last version that are not standalone. */
  private stateful = 0;

  /**
   * `lines` is `text` split at newlines; `ends` may carry their comparison with the last version;
   * `parsedAlone` gives lines the assembler has parsed already, `wholeParse` its parse of `text`
   * when it parsed the text as it is.
   */
  summarize(text: string, lines: readonly string[], ends?: UnchangedLineEnds, parsedAlone?: ParsedLineAlone, wholeParse?: () => WholeTextParse | undefined): SourceSummary {
    const old = this.lines;
    const oldSummaries = this.summaries;
    const { head, tail } = unchangedLineEnds(old, lines, ends);
    // The replaced lines, by text, for lines that moved or came back.
    const replaced = new Map<string, LineSummary>();
    let stateful = this.stateful;
    for (let i = head; i < old.length - tail; i++) {
      const s = oldSummaries[i]!;
      replaced.set(old[i]!, s);
      if (!s.standalone) stateful--;
    }
    const middle: LineSummary[] = [];
    for (let i = head; i < lines.length - tail; i++) {
      const lineText = lines[i]!;
      let s = replaced.get(lineText);
      if (s === undefined) replaced.set(lineText, (s = summarizeLine(lineText, parsedAlone)));
      if (!s.standalone) stateful++;
      middle.push(s);
    }
    const summaries = head === oldSummaries.length - tail && middle.length === 0 && old.length === lines.length
      ? oldSummaries
      : oldSummaries.slice(0, head).concat(middle, oldSummaries.slice(oldSummaries.length - tail));
    this.lines = lines;
    this.summaries = summaries;
    this.stateful = stateful;
    // State crosses lines somewhere: the whole text is parsed at once, as the assembler does.
    if (stateful > 0) {
      const parsed = wholeParse?.();
      return summarizeWholeText(text, lines.length, parsed, parsed !== undefined && parsedAlone !== undefined ? { lines, alone: summaries, parsedAlone } : undefined);
    }
    return summaryOf(summaries);
  }
}
