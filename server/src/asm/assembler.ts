// GNU as compatible assembly of AT&T i386 source into an Image. One walk over the statements
// encodes each instruction with what is known at that point (as GNU as does), then layout passes
// grow short branches that do not reach until nothing changes, and a last pass writes the bytes,
// relocations, symbols and the line map. It never throws on user input.

import { evaluate } from './expression-evaluation';
import type { AsmDiagnostic, Statement } from './statement-parser';
import { ParsedLineCache, SourceLineParser, parseSourceLines, type LineParse, type StatementSlot } from './cached-line-parsing';
import { encodeWithSlot } from './instruction-encoding-cache';
import { AssemblyState, type WalkCheckpoint } from './assembly-state';
import { defineSet, handleDirective } from './assembler-directives';
import type { Image, ImageRelocation, ImageSection, ImageSymbol } from './assembled-image';
import { lineMapReusing, type PreviousLineMap } from './line-map-with-reused-bytes';
import { splitReusing, type SplitSource } from './source-lines-reusing-previous';
import { finalContext } from './final-symbol-values';
import { relax } from './branch-relaxation';
import { relaxAfterEdit, type PreviousLayout, type SharedItems } from './relaxation-after-edit';
import { emitAfterEdit, emitAll } from './emission-after-edit';
import { expandSource, expandedText, imageOnUserLines } from './source-expansion';
import type { ExpansionOptions } from './expanded-source-lines';
import type { Expr } from './expression-syntax';

/** Options of assemble(): include paths, the file's name, and which preprocessor runs first. */
export type AssembleOptions = ExpansionOptions;

/**
 * What one assembly may reuse from earlier ones: parsed lines and instruction encodings by text.
 * A fresh assemble() makes its own (equal lines within a file share work); IncrementalAssembler
 * keeps them from one version of a document to the next.
 */
export interface AssemblyCaches {
  /** Parsed lines; each statement's slot keeps its encoding (instruction-encoding-cache.ts). */
  lines: ParsedLineCache;
  /** Kept by IncrementalAssembler only: where the next version may resume (see ResumePoints). */
  resume: {
    previous: ResumePoints | null; checkpointLines: number; lineMap: PreviousLineMap | null; split: SplitSource | null; joins: number;
    /** Versions laid out and emitted from the previous one's layout (relaxAfterEdit). */
    moves: number;
    /** The last version's layout and bytes, when it completed (the next one moves them after a join). */
    layout: PreviousLayout | null;
  } | null;
}

/**
 * The last version's lines, its parse with checkpoints every CHECKPOINT_LINES lines, and the
 * walk's state at each checkpoint. The next version parses and walks again only from the last
 * checkpoint before its first changed line: parsing and walking are one pass in source order, so
 * the state there depends only on the lines above, which are the same.
 */
interface ResumePoints {
  lines: string[];
  parse: LineParse;
  /** Per checkpoint of `parse`: the state before its first statement (never changed afterwards). */
  states: WalkCheckpoint[];
  /** The state at the end of its walk: the next version takes it over when it joins its walk to this one. */
  end: AssemblyState;
  /** Diagnostics of `end` from the walk (layout, emission and symbols add theirs after it). */
  endDiagnostics: number;
}

/** Lines between checkpoints: each costs a copy of the small state, each gap a re-walk on resumption. */
export const CHECKPOINT_LINES = 512;

/** Caches for one assembly, or (incremental) for a document's versions, keeping resume points. */
export function newAssemblyCaches(incremental = false, checkpointLines = CHECKPOINT_LINES): AssemblyCaches {
  return { lines: new ParsedLineCache(), resume: incremental ? { previous: null, checkpointLines, lineMap: null, split: null, joins: 0, moves: 0, layout: null } : null };
}

/** The first line where two versions differ (the shorter one's length when one extends the other). */
function firstChangedLine(before: readonly string[], after: readonly string[]): number {
  const n = Math.min(before.length, after.length);
  for (let i = 0; i < n; i++) if (before[i] !== after[i]) return i;
  return n;
}

/**
 * Walks statements from `from` to `to`; `states` holds a state per checkpoint before `from` and
 * gets a checkpoint of the state at each later one (by its statement index) as the walk passes it,
 * up to `to` included.
 */
function walk(statements: Statement[], slots: StatementSlot[], lineOf: number[], state: AssemblyState, from = 0, to = statements.length, checkpoints: LineParse['checkpoints'] = [], states: WalkCheckpoint[] = []): void {
  const known = (e: Expr): bigint | null => state.knownNow(e);
  let nextCheckpoint = states.length;
  for (let i = from; i < to; i++) {
    while (nextCheckpoint < checkpoints.length && checkpoints[nextCheckpoint]!.statements === i) {
      states.push(state.checkpoint());
      nextCheckpoint++;
    }
    const shared = statements[i]!;
    const line = lineOf[i]!;
    // Every item gets a range of its own: a later version moves the lines of the items it takes over.
    switch (shared.kind) {
      case 'label': {
        const range = { line, start: shared.range.start, end: shared.range.end };
        if (state.isDefined(shared.name)) {
          state.error(range, `symbol '${shared.name}' is already defined`);
          break;
        }
        const item = { kind: 'label' as const, name: shared.name, section: state.current, range, address: 0, order: 0, region: 0 };
        state.labelItems.set(shared.name, item);
        state.defineLabelAtParse(shared.name);
        state.add(item, 0);
        break;
      }
      case 'assign':
        defineSet(state, shared.name, shared.expr, { line, start: shared.range.start, end: shared.range.end });
        break;
      case 'directive':
        handleDirective(state, { ...shared, range: { line, start: shared.range.start, end: shared.range.end } });
        break;
      case 'instruction': {
        // Instructions are used as shared (only their range is per line).
        const r = encodeWithSlot(shared, slots[i]!, known);
        const range = { line, start: shared.range.start, end: shared.range.end };
        if (!r.ok) {
          state.error(range, r.message, r.start, r.end);
          break;
        }
        for (const w of r.encoding.warnings) state.warning(range, w);
        const item = { kind: 'code' as const, encoding: r.encoding, useNear: false, section: state.current, range, address: 0 };
        state.add(item, r.encoding.near ? null : r.encoding.plan.bytes.length);
        break;
      }
    }
  }
  while (nextCheckpoint < checkpoints.length && checkpoints[nextCheckpoint]!.statements <= to) {
    states.push(state.checkpoint());
    nextCheckpoint++;
  }
}

function symbolsOf(state: AssemblyState, relocations: ImageRelocation[]): ImageSymbol[] {
  const out: ImageSymbol[] = [];
  const binding = (name: string): ImageSymbol['binding'] => (state.weaks.has(name) ? 'weak' : state.globals.has(name) ? 'global' : 'local');
  // .L names stay out of the symbol table unless a relocation must name them (x@GOTOFF in data).
  const named = new Set(relocations.map((r) => r.symbol));
  const sizeOf = (name: string): number => {
    const size = state.sizes.get(name);
    if (!size) return 0;
    const r = evaluate(size.expr, finalContext(state, size.item));
    if (r.ok && r.value.base === null) return Number(r.value.constant);
    state.error(size.item.range, `.size expression for '${name}' is not an absolute number`);
    return 0;
  };
  for (const name of state.fileSymbols) {
    out.push({ name, section: null, value: 0, binding: 'local', type: 'file', size: 0, defined: true, common: false });
  }
  for (const [name, label] of state.labelItems) {
    if (name.startsWith('.L') && !named.has(name)) continue;
    out.push({ name, section: label.section, value: label.address, binding: binding(name), type: state.types.get(name) ?? 'notype', size: sizeOf(name), defined: true, common: false });
  }
  // `.set`/`.equ`/`=` symbols: absolute ones (section null) or at a place of a section, as GNU as
  // writes them; one equated to an undefined symbol is not written (relocations name the target).
  for (const [name, item] of state.setItems) {
    if (name.startsWith('.L')) continue;
    const value = finalContext(state, item).lookup(name);
    if (value.kind !== 'absolute' && value.kind !== 'label') continue;
    const late = state.lateAliases.get(name);
    const from = late !== undefined && state.isDefined(late) ? late : name;
    const type = state.types.get(from) ?? state.types.get(name) ?? 'notype';
    const size = state.sizes.has(from) ? sizeOf(from) : sizeOf(name);
    const section = value.kind === 'label' ? value.section : null;
    const at = value.kind === 'label' ? value.offset : value.value;
    out.push({ name, section, value: Number(BigInt.asIntN(32, at)), binding: binding(name), type, size, defined: true, common: false });
  }
  for (const [name, c] of state.commons) {
    out.push({ name, section: null, value: c.alignment, binding: 'global', type: state.types.get(name) ?? 'object', size: c.size, defined: true, common: true });
  }
  const undefinedNames = new Set<string>();
  for (const r of relocations) if (!state.isDefined(r.symbol) && !state.sections.has(r.symbol) && r.symbol !== '*ABS*') undefinedNames.add(r.symbol);
  // A symbol named by .globl, .weak or a visibility directive is written even when never defined.
  for (const name of [...state.globals, ...state.weaks, ...state.visibility.keys()]) if (!state.isDefined(name)) undefinedNames.add(name);
  for (const name of undefinedNames) {
    out.push({ name, section: null, value: 0, binding: state.weaks.has(name) ? 'weak' : 'global', type: state.types.get(name) ?? 'notype', size: 0, defined: false, common: false });
  }
  for (const s of out) {
    const v = state.visibility.get(s.name);
    if (v !== undefined) s.visibility = v;
  }
  return out;
}

/**
 * Assembles AT&T i386 source text. User input never makes this throw; an exception would be a bug
 * here, so as a last guard it becomes an error diagnostic instead of taking the editor down.
 */
export function assemble(source: string, options: AssembleOptions = {}): Image {
  return assembleWithCaches(source, options, newAssemblyCaches());
}

/** assemble() reusing (and refilling) the given caches; the Image is the same as assemble()'s. */
export function assembleWithCaches(source: string, options: AssembleOptions, caches: AssemblyCaches): Image {
  try {
    const expansion = expandSource(source, options);
    if (expansion === null) return assembleUnguarded(source, caches);
    return imageOnUserLines(assembleUnguarded(expandedText(expansion), caches), expansion, source, options.fileName);
  } catch (e) {
    const message = `internal assembler error: ${e instanceof Error ? e.message : String(e)}`;
    return { sections: [], symbols: [], relocations: [], lines: [], diagnostics: [{ severity: 'error', message, line: 0, start: 0, end: 0 }] };
  }
}

/** Parse and walk, resumed from the previous version's checkpoints when the caches keep them. */
function parseAndWalk(lines: string[], caches: AssemblyCaches): { parse: LineParse; state: AssemblyState; shared: SharedItems | null } {
  const resume = caches.resume;
  if (resume === null) {
    const parse = parseSourceLines(lines, caches.lines);
    const state = new AssemblyState();
    walk(parse.parsed.statements, parse.slots, parse.lineOf, state);
    return { parse, state, shared: null };
  }
  const previous = resume.previous;
  resume.previous = null;
  // A full parse now and then lets the line cache evict lines no version uses any more.
  if (previous === null || caches.lines.wantsSweep()) {
    const parse = parseSourceLines(lines, caches.lines, resume.checkpointLines);
    const state = new AssemblyState();
    const states: WalkCheckpoint[] = [];
    walk(parse.parsed.statements, parse.slots, parse.lineOf, state, 0, parse.parsed.statements.length, parse.checkpoints, states);
    resume.previous = { lines, parse, states, end: state, endDiagnostics: state.diagnostics.length };
    return { parse, state, shared: null };
  }
  const { parser, state, states, joined, shared } = resumedWalk(lines, previous, caches.lines, resume.checkpointLines);
  if (joined) resume.joins++;
  const parse = parser.finish();
  resume.previous = { lines, parse, states, end: state, endDiagnostics: state.diagnostics.length };
  return { parse, state, shared };
}

/**
 * Parses and walks a new version from the last checkpoint of the previous one before its first
 * changed line, and stops at the first later checkpoint of the previous version, past the change,
 * where the parse and the walk are in the same state as there (continuesLike): from there on the
 * text is the same, so the rest of the parse, items and symbols are the previous version's, moved
 * by the change in line count. Without such a place it goes to the end.
 */
function resumedWalk(
  lines: string[], previous: ResumePoints, cache: ParsedLineCache, checkpointLines: number,
): { parser: SourceLineParser; state: AssemblyState; states: WalkCheckpoint[]; joined: boolean; shared: SharedItems | null } {
  const before = previous.lines;
  const changed = firstChangedLine(before, lines);
  const checkpoints = previous.parse.checkpoints;
  let k = 0;
  while (k + 1 < checkpoints.length && checkpoints[k + 1]!.line <= changed) k++;
  // The previous version's lines from `unchangedFrom` on are this version's from unchangedFrom + shift.
  const shift = lines.length - before.length;
  const unchangedFrom = before.length - commonEndLines(before, lines, Math.min(before.length, lines.length) - changed);
  let parser: SourceLineParser;
  let state: AssemblyState;
  let states: WalkCheckpoint[];
  const from = checkpoints[k];
  if (from === undefined || from.line > changed) {
    parser = new SourceLineParser(lines, cache, checkpointLines);
    state = new AssemblyState();
    states = [];
  } else {
    parser = new SourceLineParser(lines, cache, checkpointLines, { from: previous.parse, at: from });
    // The checkpoint resumed from is made again at the same place: keep its state.
    states = previous.states.slice(0, k + 1);
    state = AssemblyState.resumedAt(previous.states[k]!);
  }
  let walked = parser.out.statements.length;
  for (let j = k + 1; j < checkpoints.length; j++) {
    const at = checkpoints[j]!;
    if (at.line < unchangedFrom || at.line + shift > lines.length) continue;
    parser.parseUntil(at.line + shift);
    walk(parser.out.statements, parser.slots, parser.lineOf, state, walked, parser.out.statements.length, parser.checkpoints, states);
    walked = parser.out.statements.length;
    if (from === undefined || !parser.continuesLike(at)) continue;
    const ours = state.continuesLike(previous.states[j]!, previous.states[k]!);
    if (ours === null) continue;
    const keep = parser.spliceRest(previous.parse, j);
    states.length = keep;
    previous.end.diagnostics.length = previous.endDiagnostics;
    const shared = sharedItems(state, previous.states[k]!, previous.states[j]!);
    const joined = state.joinedTo(previous.end, previous.states[j]!, previous.states[k]!, shift, ours);
    for (let i = j; i < checkpoints.length; i++) states.push(joined.rebase(previous.states[i]!));
    return { parser, state: joined.state, states, joined: true, shared };
  }
  parser.parseUntil(lines.length);
  walk(parser.out.statements, parser.slots, parser.lineOf, state, walked, parser.out.statements.length, parser.checkpoints, states);
  return { parser, state, states, joined: false, shared: null };
}

/**
 * The items a walk that joined the previous one at `at`, resumed at `from`, shares with it:
 * those before `from` and those it takes over; null when deferred .bss storage was made in
 * between (it sits after all the others, so the shared items are not two runs).
 */
function sharedItems(state: AssemblyState, from: WalkCheckpoint, at: WalkCheckpoint): SharedItems | null {
  if (state.deferredCount !== from.bssTail.length || at.bssTail.length !== from.bssTail.length) return null;
  return { prefix: from.body.length, end: state.deferredStart, oldEnd: at.body.length };
}

/** How many lines the two versions share at their ends, at most `limit`. */
function commonEndLines(before: readonly string[], after: readonly string[], limit: number): number {
  let same = 0;
  while (same < limit && before[before.length - 1 - same] === after[after.length - 1 - same]) same++;
  return same;
}

function assembleUnguarded(source: string, caches: AssemblyCaches): Image {
  let lines: string[];
  if (caches.resume === null) lines = source.split('\n');
  else {
    caches.resume.split = splitReusing(source, caches.resume.split);
    lines = caches.resume.split.lines;
  }
  const previousLayout = caches.resume?.layout ?? null;
  if (caches.resume) caches.resume.layout = null;
  const { parse, state, shared } = parseAndWalk(lines, caches);
  const { parsed } = parse;
  // After an edit that joined the previous walk, layout and emission move the previous version's.
  const moved = shared !== null && previousLayout !== null ? relaxAfterEdit(state, previousLayout, shared) : null;
  const relaxed = moved === null ? relax(state) : { sizes: moved.sizes, forcedOnly: true };
  if (moved !== null) caches.resume!.moves++;
  const { sizes } = relaxed;
  const relocations: ImageRelocation[] = [];
  const buffers = new Map<string, Uint8Array | null>();
  for (const [name, s] of state.sections) buffers.set(name, s.type === 'nobits' ? null : new Uint8Array(sizes.get(name) ?? 0));
  const em = { state, relocations };
  const rewritten = moved === null ? emitAll(em, state.items, buffers) : emitAfterEdit(em, state.items, buffers, previousLayout!, moved, shared!);
  const sections: ImageSection[] = [...state.sections.values()].map((s) => {
    const size = sizes.get(s.name) ?? 0;
    const out: ImageSection = { name: s.name, flags: s.flags, type: s.type, bytes: buffers.get(s.name) ?? new Uint8Array(0), size, alignment: s.alignment };
    if (s.entrySize !== undefined) out.entrySize = s.entrySize;
    if (s.group !== undefined) out.group = s.group;
    return out;
  });
  // Symbols first: a `.size` that is not a number is reported while they are made.
  const symbols = symbolsOf(state, relocations);
  const diagnostics: AsmDiagnostic[] = [...parsed.errors, ...state.diagnostics].sort((a, b) => a.line - b.line || a.start - b.start);
  const edit = moved !== null ? { ...shared!, changedAlignments: moved.changedAlignments } : null;
  const map = lineMapReusing(state, buffers, lines.length, caches.resume?.lineMap ?? null, edit);
  if (caches.resume) {
    caches.resume.lineMap = map.next;
    caches.resume.layout = { items: state.items, buffers, sizes, forcedOnly: relaxed.forcedOnly, rewritten };
  }
  return { sections, symbols, relocations, lines: map.lines, diagnostics };
}
