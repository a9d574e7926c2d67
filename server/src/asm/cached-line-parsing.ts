// Parsing through a cache of lines: each distinct line text (in the state it starts in) is lexed
// and parsed once, and its statements are shared by every line with that text, in this version of
// a document and the next. Numeric local labels are placeholders in the shared statements, named
// at each use. The result equals parseSource(); each statement also gets a slot where later
// stages keep work done for it (instruction-encoding-cache.ts).

import { lexLine, type LexState, type Token } from './source-lexer';
import type { Expr } from './expression-syntax';
import { operandExpr, type AttOperand } from './att-operand-syntax';
import { numberShapeKey, numberShapeTemplate, statementsWithNumbers, type NumberShapeTemplate } from './cached-lines-by-number-shape';
import { NumericLocalLabels, blockCommentOpening, parseLine, unterminatedCommentError, type AsmDiagnostic, type ParsedSource, type SourceRange, type Statement, type SyntaxMode } from './statement-parser';

/**
 * For a cached line: `1:` becomes a placeholder name (\x01 and the digits) that each use of the
 * line replaces with the next unique name, and `1b`/`1f` a placeholder (\x01 and the reference)
 * that each use resolves (see resolvedInstruction).
 */
class PlaceholderLocalLabels extends NumericLocalLabels {
  override define(digits: string): string {
    return `\x01${digits}`;
  }
  override resolve(ref: string): string {
    return `\x01${ref}`;
  }
}

/** A statement of parseSourceLines moved onto its line (cached statements are shared by all lines). */
export function statementOnLine(s: Statement, line: number): Statement {
  if (s.range.line === line) return s;
  if (s.kind === 'instruction') return { ...s, range: { line, start: s.range.start, end: s.range.end }, mnemonicRange: { ...s.mnemonicRange, line } };
  return onLine(s, line);
}

/**
 * One line's parse, kept by its text and the state it starts in. Statements are shared by every
 * line with that text (their objects are never modified); `1:` labels are made at each use, and
 * instructions with `1b`/`1f` copied with the names resolved there. Lines where a reference sits
 * elsewhere (or that have errors) are parsed again from their tokens at each use.
 */
interface ParsedLine {
  /** Kept only for a line parsed again at each use (`use` is 'parse'). */
  tokens: Token[] | null;
  /** How each use makes its statements: shared as they are, with `1b`/`1f` resolved, or parsed again. */
  use: 'shared' | 'resolve' | 'parse';
  statements: Statement[];
  /** Per statement: a place for later stages to keep work done for it (an encoding). */
  slots: StatementSlot[];
  errors: AsmDiagnostic[];
  blockCommentAfter: boolean;
  modeAfter: SyntaxMode;
  /** Generation of the last parse that used it (for eviction). */
  used: number;
}

/** Whatever later stages keep for one statement of a cached line (see parseSourceLines). */
export interface StatementSlot {
  memo: unknown;
  /** For a line made from another's statements (cached-lines-by-number-shape.ts): the statement whose shape this one has. */
  shapeFrom: Statement | null;
}

/** Parsed lines by starting state and text, reused across parses of one document. */
export class ParsedLineCache {
  readonly byState: Map<string, ParsedLine>[] = [new Map(), new Map(), new Map(), new Map(), new Map(), new Map(), new Map(), new Map()];
  /** AT&T lines by their text with the numbers of their operands left out: a template, or null when such lines are parsed (cached-lines-by-number-shape.ts). */
  readonly byNumberShape = new Map<string, NumberShapeTemplate | null>();
  generation = 0;
  /** Lines the last full parse used (resumed parses visit only part of the file). */
  private lastUsed = 0;
  private size(): number {
    return this.byState.reduce((n, m) => n + m.size, 0);
  }
  /** True when a full parse should run to evict lines (see sweep). */
  wantsSweep(): boolean {
    return this.size() > 2 * this.lastUsed + 1024;
  }
  /** Drops lines the last parse did not use, once they outnumber the used ones. */
  sweep(usedCount: number): void {
    this.lastUsed = usedCount;
    const total = this.size();
    if (total <= 2 * usedCount + 1024) return;
    for (const m of this.byState) for (const [k, v] of m) if (v.used !== this.generation) m.delete(k);
    this.byNumberShape.clear();
  }
}

/**
 * A line's parse from the start-of-file state (outside a comment, AT&T syntax with prefixes) when
 * some parse through `cache` made it: statements on line 0, `1:` labels as placeholders (a name
 * starting with \x01). Read-only: the entry's use and eviction are left as they are.
 */
export function cachedStartStateLine(cache: ParsedLineCache, lineText: string): { statements: readonly Statement[]; blockCommentAfter: boolean } | undefined {
  return cache.byState[0]!.get(lineText);
}

function localReferenceCount(tokens: Token[]): number {
  let n = 0;
  for (const t of tokens) if (t.kind === 'localref') n++;
  return n;
}

function placeholderCount(e: Expr | null): number {
  if (e === null) return 0;
  switch (e.kind) {
    case 'symbol': return e.name.charCodeAt(0) === 1 ? 1 : 0;
    case 'unary': return placeholderCount(e.arg);
    case 'binary': return placeholderCount(e.left) + placeholderCount(e.right);
    default: return 0;
  }
}

/**
 * How a line with `1b`/`1f` references is reused: resolved per use when every reference sits in an
 * instruction operand and the line parsed without errors, else parsed again at each use.
 */
function localReferenceUse(tokens: Token[], template: ParsedSource): ParsedLine['use'] {
  const references = localReferenceCount(tokens);
  if (references === 0) return 'shared';
  if (template.errors.length > 0) return 'parse';
  let found = 0;
  for (const st of template.statements) if (st.kind === 'instruction') for (const o of st.operands) found += placeholderCount(operandExpr(o));
  return found === references ? 'resolve' : 'parse';
}

function resolvedExpr(e: Expr, locals: NumericLocalLabels): Expr {
  switch (e.kind) {
    case 'symbol': return e.name.charCodeAt(0) === 1 ? { ...e, name: locals.resolve(e.name.slice(1)) } : e;
    case 'unary': return { ...e, arg: resolvedExpr(e.arg, locals) };
    case 'binary': return { ...e, left: resolvedExpr(e.left, locals), right: resolvedExpr(e.right, locals) };
    default: return e;
  }
}

/** A cached instruction with its `1b`/`1f` placeholders resolved at this point of the file. */
function resolvedInstruction(s: Extract<Statement, { kind: 'instruction' }>, locals: NumericLocalLabels): Statement {
  const operands = s.operands.map((o): AttOperand => {
    if (placeholderCount(operandExpr(o)) === 0) return o;
    if (o.kind === 'imm') return { ...o, expr: resolvedExpr(o.expr, locals) };
    return o.kind === 'mem' ? { ...o, disp: resolvedExpr(o.disp!, locals) } : o;
  });
  return { ...s, operands };
}

const PLACEHOLDER_LOCALS = new PlaceholderLocalLabels();

/** The four syntax modes, shared by the cached lines that end in them (never modified). */
const MODES: readonly SyntaxMode[] = [
  { intel: false, noprefix: false }, { intel: true, noprefix: false }, { intel: false, noprefix: true }, { intel: true, noprefix: true },
];
const NO_ERRORS: AsmDiagnostic[] = [];

function onLine<T extends { range: SourceRange }>(s: T, line: number): T {
  return { ...s, range: { line, start: s.range.start, end: s.range.end } };
}

/**
 * A line's cache entry, lexed and parsed from `state` and `mode` (it leaves `state` as the line's
 * end leaves it). Out of parseUntil's loop: V8 optimizes a small function sooner than a long loop.
 */
function parsedLine(lineText: string, state: LexState, mode: SyntaxMode, shapes: ParsedLineCache['byNumberShape']): ParsedLine {
  const startState = (state.inBlockComment ? 1 : 0) | (mode.noprefix ? 2 : 0);
  const tokens = lexLine(lineText, state);
  // A line like an earlier one but for the numbers in its operands: that line's statements with its numbers.
  const key = mode.intel ? null : numberShapeKey(lineText, tokens, startState);
  const known = key === null ? undefined : shapes.get(key);
  if (known) {
    const statements = statementsWithNumbers(known, tokens);
    const slots = statements.map((_, k): StatementSlot => ({ memo: undefined, shapeFrom: known.statements[k]! }));
    return {
      tokens: null, use: known.use, statements, slots, errors: NO_ERRORS, blockCommentAfter: state.inBlockComment,
      modeAfter: MODES[(mode.intel ? 1 : 0) | (mode.noprefix ? 2 : 0)]!, used: 0,
    };
  }
  const template: ParsedSource = { statements: [], errors: [], lineCount: 0 };
  const modeAfter = { intel: mode.intel, noprefix: mode.noprefix };
  parseLine(tokens, 0, PLACEHOLDER_LOCALS, template, modeAfter);
  const slots = template.statements.map((): StatementSlot => ({ memo: undefined, shapeFrom: null }));
  const use = localReferenceUse(tokens, template);
  const statements = template.statements.slice();
  if (key !== null && known === undefined) {
    if (shapes.size >= MAX_NUMBER_SHAPES) shapes.clear();
    shapes.set(key, template.errors.length === 0 && !modeAfter.intel ? numberShapeTemplate(tokens, statements, use) : null);
  }
  // Only what each use reads is kept: a cache entry lives as long as its document.
  return {
    tokens: use === 'parse' ? tokens : null, use, statements, slots,
    errors: template.errors.length === 0 ? NO_ERRORS : template.errors, blockCommentAfter: state.inBlockComment,
    modeAfter: MODES[(modeAfter.intel ? 1 : 0) | (modeAfter.noprefix ? 2 : 0)]!, used: 0,
  };
}

/** Bounds the templates kept between sweeps. */
const MAX_NUMBER_SHAPES = 65536;

/** A cached line's statements at one use: shared, with `1:` named and `1b`/`1f` resolved here. */
function statementsOfUse(entry: ParsedLine, line: number, locals: NumericLocalLabels, out: ParsedSource): void {
  // In order: a `1:` defined earlier on the line counts for a later `1b`, as in parseOne.
  const statements = entry.statements;
  for (let k = 0; k < statements.length; k++) {
    const s = statements[k]!;
    if (s.kind === 'label' && s.name.charCodeAt(0) === 1) out.statements.push({ kind: 'label', name: locals.define(s.name.slice(1)), range: { line, start: s.range.start, end: s.range.end } });
    else if (s.kind === 'instruction' && entry.use === 'resolve') out.statements.push(resolvedInstruction(s, locals));
    else out.statements.push(s);
  }
  for (const e of entry.errors) out.errors.push({ ...e, line });
}

/** Where parsing may resume: the parse state at the start of a line, and how much output came before. */
export interface ParseCheckpoint {
  line: number;
  statements: number;
  errors: number;
  inBlockComment: boolean;
  locals: NumericLocalLabels;
  mode: SyntaxMode;
  commentOpened: { line: number; column: number };
}

/** The output of parseSourceLines, with its checkpoints (when asked for) in line order. */
export interface LineParse {
  parsed: ParsedSource;
  slots: StatementSlot[];
  lineOf: number[];
  checkpoints: ParseCheckpoint[];
}

/**
 * Parses lines through the cache. Statements of cached lines are
 * shared and say line 0: `lineOf` gives each statement's line (see statementOnLine). `slots` holds, for each statement, the slot of
 * its line's text, starting state and place on the line, shared by all equal statements, so later
 * stages can keep work done for one and reuse it for the others.
 * With `checkpointEvery`, a checkpoint is kept at every multiple of it; with `resume`, parsing
 * starts at a checkpoint of an earlier parse whose lines before it equal these (the output before
 * it is that parse's, and the result is the same as parsing from the start).
 */
export function parseSourceLines(
  lines: readonly string[], cache: ParsedLineCache, checkpointEvery = 0, resume?: { from: LineParse; at: ParseCheckpoint },
): LineParse {
  const parser = new SourceLineParser(lines, cache, checkpointEvery, resume);
  parser.parseUntil(lines.length);
  return parser.finish();
}

/** Most statements a spliced parse puts in place in the earlier one's arrays (they are passed as arguments). */
const MAX_SPLICED = 16384;

/**
 * parseSourceLines in steps: parseUntil() a line, look at the state there, go on, or splice the
 * rest of an earlier parse on (spliceRest) when its state at the same text is the same.
 */
export class SourceLineParser {
  readonly out: ParsedSource;
  slots: StatementSlot[] = [];
  lineOf: number[] = [];
  readonly checkpoints: ParseCheckpoint[] = [];
  private readonly state: LexState = { inBlockComment: false };
  private locals = new NumericLocalLabels();
  private readonly mode: SyntaxMode = { intel: false, noprefix: false };
  private commentOpened = { line: 0, column: 0 };
  /** The next line to parse. */
  line = 0;
  private used = 0;
  private spliced = false;

  constructor(
    private readonly lines: readonly string[], private readonly cache: ParsedLineCache, private readonly checkpointEvery = 0,
    private readonly resume?: { from: LineParse; at: ParseCheckpoint },
  ) {
    this.out = { statements: [], errors: [], lineCount: lines.length };
    if (resume) {
      const at = resume.at;
      const from = resume.from;
      this.out.statements = from.parsed.statements.slice(0, at.statements);
      this.out.errors = from.parsed.errors.slice(0, at.errors);
      this.slots = from.slots.slice(0, at.statements);
      this.lineOf = from.lineOf.slice(0, at.statements);
      for (const c of from.checkpoints) if (c.line < at.line) this.checkpoints.push(c);
      // The checkpoint resumed from is one of this parse too (it may sit off the grid: see spliceRest).
      this.checkpoints.push(at);
      this.state.inBlockComment = at.inBlockComment;
      this.locals = at.locals.clone();
      this.mode.intel = at.mode.intel;
      this.mode.noprefix = at.mode.noprefix;
      this.commentOpened = at.commentOpened;
      this.line = at.line;
    }
    cache.generation++;
  }

  /** Parses the lines before `end`. */
  parseUntil(end: number): void {
    const { lines, cache, out, state, mode, checkpointEvery } = this;
    const { slots, lineOf } = this;
    for (let line = this.line; line < end; line++) {
      if (checkpointEvery > 0 && line % checkpointEvery === 0 && this.checkpoints[this.checkpoints.length - 1]?.line !== line) {
        this.checkpoints.push({ line, statements: out.statements.length, errors: out.errors.length, inBlockComment: state.inBlockComment, locals: this.locals.clone(), mode: { ...mode }, commentOpened: this.commentOpened });
      }
      const lineText = lines[line]!;
      const wasInComment = state.inBlockComment;
      const stateIndex = (wasInComment ? 1 : 0) | (mode.intel ? 2 : 0) | (mode.noprefix ? 4 : 0);
      const before = out.statements.length;
      const map = cache.byState[stateIndex]!;
      let entry = map.get(lineText);
      if (entry === undefined) {
        entry = parsedLine(lineText, state, mode, cache.byNumberShape);
        map.set(lineText, entry);
      }
      if (entry.used !== cache.generation) this.used++;
      entry.used = cache.generation;
      if (!wasInComment && entry.blockCommentAfter) this.commentOpened = blockCommentOpening(lineText, line);
      state.inBlockComment = entry.blockCommentAfter;
      if (entry.use === 'parse') parseLine(entry.tokens!, line, this.locals, out, mode);
      else {
        mode.intel = entry.modeAfter.intel;
        mode.noprefix = entry.modeAfter.noprefix;
        statementsOfUse(entry, line, this.locals, out);
      }
      // Same statements as the template in the same order: parsing is deterministic given the state.
      if (out.statements.length - before === entry.slots.length) for (let k = 0; k < entry.slots.length; k++) slots.push(entry.slots[k]!);
      else for (let i = before; i < out.statements.length; i++) slots.push({ memo: undefined, shapeFrom: null });
      for (let i = before; i < out.statements.length; i++) lineOf.push(line);
    }
    if (end > this.line) this.line = end;
  }

  /**
   * True when parsing on from here does what `earlier` did from its checkpoint `at`: outside a
   * block comment in both, same syntax mode, same numeric label counts (the lines that follow are
   * the same text).
   */
  continuesLike(at: ParseCheckpoint): boolean {
    return !this.state.inBlockComment && !at.inBlockComment && this.mode.intel === at.mode.intel && this.mode.noprefix === at.mode.noprefix && this.locals.sameCounts(at.locals);
  }

  /**
   * Takes the rest of an earlier parse from its checkpoint `index` on (continuesLike() holds and
   * the lines from there are these lines from `this.line` on): statements and slots are shared,
   * lines moved by the difference; checkpoints of this parse closer than half an interval before
   * the splice are dropped (returns how many are kept), the earlier ones after it moved over.
   */
  spliceRest(earlier: LineParse, index: number): number {
    const at = earlier.checkpoints[index]!;
    const shift = this.line - at.line;
    const statementShift = this.out.statements.length - at.statements;
    const errorShift = this.out.errors.length - at.errors;
    const { statements, errors } = earlier.parsed;
    const from = this.resume?.from === earlier ? this.resume.at.statements : -1;
    const walked = this.out.statements.length - from;
    if (from >= 0 && walked <= MAX_SPLICED) {
      // The earlier parse is not used again, and this one began as a copy of its statements up to
      // `from`: its arrays take this parse's statements from there in place (no copy of the rest).
      earlier.parsed.statements.splice(from, at.statements - from, ...this.out.statements.slice(from));
      earlier.slots.splice(from, at.statements - from, ...this.slots.slice(from));
      earlier.lineOf.splice(from, at.statements - from, ...this.lineOf.slice(from));
      const lineOf = earlier.lineOf;
      if (shift !== 0) for (let i = from + walked; i < lineOf.length; i++) lineOf[i] += shift;
      this.out.statements = earlier.parsed.statements;
      this.slots = earlier.slots;
      this.lineOf = lineOf;
    } else {
      this.out.statements = this.out.statements.concat(statements.slice(at.statements));
      this.slots = this.slots.concat(earlier.slots.slice(at.statements));
      const lineOf = earlier.lineOf.slice(at.statements);
      if (shift !== 0) for (let i = 0; i < lineOf.length; i++) lineOf[i] += shift;
      this.lineOf = this.lineOf.concat(lineOf);
    }
    for (let i = at.errors; i < errors.length; i++) this.out.errors.push({ ...errors[i]!, line: errors[i]!.line + shift });
    let keep = this.checkpoints.length;
    while (keep > 0 && this.checkpoints[keep - 1]!.line > this.line - this.checkpointEvery / 2) keep--;
    this.checkpoints.length = keep;
    const opened = this.commentOpened;
    for (let i = index; i < earlier.checkpoints.length; i++) {
      const c = earlier.checkpoints[i]!;
      const commentOpened = c.commentOpened.line >= at.line ? { line: c.commentOpened.line + shift, column: c.commentOpened.column } : opened;
      this.checkpoints.push({ ...c, line: c.line + shift, statements: c.statements + statementShift, errors: c.errors + errorShift, commentOpened });
    }
    this.line = this.lines.length;
    this.spliced = true;
    return keep;
  }

  finish(): LineParse {
    // A spliced parse has the earlier one's error for an unterminated comment already.
    if (this.state.inBlockComment && !this.spliced) this.out.errors.push(unterminatedCommentError(this.commentOpened));
    // A resumed parse did not visit the lines before its checkpoint: only a full parse may evict.
    if (!this.resume) this.cache.sweep(this.used);
    return { parsed: this.out, slots: this.slots, lineOf: this.lineOf, checkpoints: this.checkpoints };
  }
}
