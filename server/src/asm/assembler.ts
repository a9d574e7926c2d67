// GNU as compatible assembly of AT&T i386 source into an Image. One walk over the statements
// encodes each instruction with what is known at that point (as GNU as does), then layout passes
// grow short branches that do not reach until nothing changes, and a last pass writes the bytes,
// relocations, symbols and the line map. It never throws on user input.

import { evaluate } from './expression-evaluation';
import type { AsmDiagnostic, Statement } from './statement-parser';
import { ParsedLineCache, parseSourceLines, statementOnLine, type LineParse, type StatementSlot } from './cached-line-parsing';
import { encodeWithSlot } from './instruction-encoding-cache';
import { AssemblyState, type WalkCheckpoint } from './assembly-state';
import { defineSet, handleDirective } from './assembler-directives';
import type { Image, ImageRelocation, ImageSection, ImageSymbol } from './assembled-image';
import { lineMapReusing, type PreviousLineMap } from './line-map-with-reused-bytes';
import { finalContext } from './final-symbol-values';
import { relax } from './branch-relaxation';
import { emitItem, type Emitter } from './section-emission';
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
  resume: { previous: ResumePoints | null; checkpointLines: number; lineMap: PreviousLineMap | null } | null;
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
}

/** Lines between checkpoints: each costs a copy of the small state, each gap a re-walk on resumption. */
export const CHECKPOINT_LINES = 4096;

/** Caches for one assembly, or (incremental) for a document's versions, keeping resume points. */
export function newAssemblyCaches(incremental = false, checkpointLines = CHECKPOINT_LINES): AssemblyCaches {
  return { lines: new ParsedLineCache(), resume: incremental ? { previous: null, checkpointLines, lineMap: null } : null };
}

/** The first line where two versions differ (the shorter one's length when one extends the other). */
function firstChangedLine(before: readonly string[], after: readonly string[]): number {
  const n = Math.min(before.length, after.length);
  for (let i = 0; i < n; i++) if (before[i] !== after[i]) return i;
  return n;
}

/**
 * Walks statements from `from` on; `states` holds a state per checkpoint before `from` and gets
 * a checkpoint of the state at each later one (by its statement index) as the walk passes it.
 */
function walk(statements: Statement[], slots: StatementSlot[], lineOf: number[], state: AssemblyState, from = 0, checkpoints: LineParse['checkpoints'] = [], states: WalkCheckpoint[] = []): void {
  const known = (e: Expr): bigint | null => state.knownNow(e);
  let nextCheckpoint = states.length;
  for (let i = from; i < statements.length; i++) {
    while (nextCheckpoint < checkpoints.length && checkpoints[nextCheckpoint]!.statements === i) {
      states.push(state.checkpoint());
      nextCheckpoint++;
    }
    const shared = statements[i]!;
    // Instructions are used as shared (only their range is per line); the rest are moved first.
    const s = shared.kind === 'instruction' ? shared : statementOnLine(shared, lineOf[i]!);
    switch (s.kind) {
      case 'label': {
        if (state.isDefined(s.name)) {
          state.error(s.range, `symbol '${s.name}' is already defined`);
          break;
        }
        const item = { kind: 'label' as const, name: s.name, section: state.current, range: s.range, address: 0 };
        state.labelItems.set(s.name, item);
        state.defineLabelAtParse(s.name);
        state.add(item, 0);
        break;
      }
      case 'assign':
        defineSet(state, s.name, s.expr, s.range);
        break;
      case 'directive':
        handleDirective(state, s);
        break;
      case 'instruction': {
        const r = encodeWithSlot(s, slots[i]!, known);
        const line = lineOf[i]!;
        const range = s.range.line === line ? s.range : { line, start: s.range.start, end: s.range.end };
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
  for (; nextCheckpoint < checkpoints.length; nextCheckpoint++) states.push(state.checkpoint());
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
    return imageOnUserLines(assembleUnguarded(expandedText(expansion), caches), expansion, source);
  } catch (e) {
    const message = `internal assembler error: ${e instanceof Error ? e.message : String(e)}`;
    return { sections: [], symbols: [], relocations: [], lines: [], diagnostics: [{ severity: 'error', message, line: 0, start: 0, end: 0 }] };
  }
}

/** Parse and walk, resumed from the previous version's checkpoints when the caches keep them. */
function parseAndWalk(lines: string[], caches: AssemblyCaches): { parse: LineParse; state: AssemblyState } {
  const resume = caches.resume;
  if (resume === null) {
    const parse = parseSourceLines(lines, caches.lines);
    const state = new AssemblyState();
    walk(parse.parsed.statements, parse.slots, parse.lineOf, state);
    return { parse, state };
  }
  const previous = resume.previous;
  resume.previous = null;
  let k = -1;
  // A full parse now and then lets the line cache evict lines no version uses any more.
  if (previous !== null && !caches.lines.wantsSweep()) {
    const changed = firstChangedLine(previous.lines, lines);
    const checkpoints = previous.parse.checkpoints;
    while (k + 1 < checkpoints.length && checkpoints[k + 1]!.line <= changed) k++;
  }
  let parse: LineParse;
  let state: AssemblyState;
  let states: WalkCheckpoint[];
  let from = 0;
  if (k < 0) {
    parse = parseSourceLines(lines, caches.lines, resume.checkpointLines);
    state = new AssemblyState();
    states = [];
  } else {
    const at = previous!.parse.checkpoints[k]!;
    parse = parseSourceLines(lines, caches.lines, resume.checkpointLines, { from: previous!.parse, at });
    // The checkpoint resumed from is made again at the same place: keep its state.
    states = previous!.states.slice(0, Math.min(k + 1, parse.checkpoints.length));
    state = AssemblyState.resumedAt(previous!.states[k]!);
    from = at.statements;
  }
  walk(parse.parsed.statements, parse.slots, parse.lineOf, state, from, parse.checkpoints, states);
  resume.previous = { lines, parse, states };
  return { parse, state };
}

function assembleUnguarded(source: string, caches: AssemblyCaches): Image {
  const lines = source.split('\n');
  const { parse, state } = parseAndWalk(lines, caches);
  const { parsed } = parse;
  const sizes = relax(state);
  const relocations: ImageRelocation[] = [];
  const buffers = new Map<string, Uint8Array | null>();
  for (const [name, s] of state.sections) buffers.set(name, s.type === 'nobits' ? null : new Uint8Array(sizes.get(name) ?? 0));
  const em: Emitter = { state, relocations };
  for (const item of state.items) emitItem(em, item, buffers.get(item.section) ?? null);
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
  const map = lineMapReusing(state, buffers, lines.length, caches.resume?.lineMap ?? null);
  if (caches.resume) caches.resume.lineMap = map.next;
  return { sections, symbols, relocations, lines: map.lines, diagnostics };
}
