// The state the assembler builds while it walks the statements once, in order: sections, items,
// symbols and their attributes, and what is known "at parse time". GNU as sizes an immediate or a
// displacement from what it knows when it reads the line (absolute symbols defined above, and
// label differences inside one run of fixed-size code); this state answers that question too.

import type { AsmDiagnostic, SourceRange } from './statement-parser';
import type { Expr } from './expression-syntax';
import { evaluate, type EvalContext, type SymbolLookup } from './expression-evaluation';
import { defaultSection, type Item, type SectionState } from './assembly-items';
import { ReplayableMap } from './replayable-map';

export interface ParseTimeLabel {
  section: string;
  /** Run of fixed-size items the label sits in; a relaxable branch or an alignment ends a run. */
  frag: number;
  offset: number;
}

function copyMap<K, V>(from: Map<K, V>, to: Map<K, V>): void {
  for (const [k, v] of from) to.set(k, v);
}

type LabelItem = Extract<Item, { kind: 'label' }>;

function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Same entries in the same order (order decides the order of symbols and sections in the output). */
function sameMap<K, V>(a: Map<K, V>, b: Map<K, V>, same: (x: V, y: V) => boolean = (x, y) => x === y): boolean {
  if (a.size !== b.size) return false;
  const other = b.entries();
  for (const [k, v] of a) {
    const next = other.next().value as [K, V];
    if (next[0] !== k || !same(v, next[1])) return false;
  }
  return true;
}

function sameSet<T>(a: Set<T>, b: Set<T>): boolean {
  if (a.size !== b.size) return false;
  const other = b.values();
  for (const x of a) if (other.next().value !== x) return false;
  return true;
}

/** Structural equality of expressions (columns included: they place diagnostics). */
function sameExpr(a: Expr, b: Expr): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind || a.start !== b.start || a.end !== b.end) return false;
  switch (a.kind) {
    case 'number': return a.value === (b as typeof a).value;
    case 'symbol': return a.name === (b as typeof a).name;
    case 'dot': return true;
    case 'unary': return a.op === (b as typeof a).op && sameExpr(a.arg, (b as typeof a).arg);
    case 'binary': return a.op === (b as typeof a).op && sameExpr(a.left, (b as typeof a).left) && sameExpr(a.right, (b as typeof a).right);
  }
}

function sameSection(a: SectionState, b: SectionState): boolean {
  return a.name === b.name && a.flags === b.flags && a.type === b.type && a.alignment === b.alignment && a.entrySize === b.entrySize
    && a.group?.signature === b.group?.signature && a.group?.comdat === b.group?.comdat;
}

/**
 * The writes a map logged since `start` (`now`) against an earlier map's writes from `start` to
 * `then.length`: same keys in order, deletions in the same places, values equal by `same`.
 */
function sameWrites(now: { log: unknown[]; length: number }, then: { log: unknown[]; length: number }, start: number, same: (a: unknown, b: unknown) => boolean): boolean {
  if (now.length !== then.length) return false;
  for (let i = start; i < now.length; i += 2) {
    if (now.log[i] !== then.log[i]) return false;
    const a = now.log[i + 1];
    const b = then.log[i + 1];
    if (ReplayableMap.isDeletion(a) !== ReplayableMap.isDeletion(b) || (!ReplayableMap.isDeletion(a) && !same(a, b))) return false;
  }
  return true;
}

/**
 * The state at a point of the walk, kept to resume from (AssemblyState.resumedAt). The collections
 * that grow with the file (items, labels) are kept as lengths of their append-only histories; the
 * rest is copied.
 */
export interface WalkCheckpoint {
  small: AssemblyState;
  body: { items: Item[]; length: number };
  bssTail: { items: Item[]; length: number };
  labelItems: { log: unknown[]; length: number };
  parseLabels: { log: unknown[]; length: number };
}

export class AssemblyState {
  /** Items in source order. */
  private body: Item[] = [];
  /**
   * `.lcomm` and `.local`+`.comm` storage: GNU as allocates it in a later .bss subsection, so it
   * lands after every explicit .bss item whatever the source order.
   */
  private bssTail: Item[] = [];
  private joined: Item[] | null = null;
  private tailRuns = 0;
  readonly sections = new Map<string, SectionState>();
  readonly diagnostics: AsmDiagnostic[] = [];
  current = '.text';
  previous = '.text';
  readonly sectionStack: string[] = [];
  labelItems = new ReplayableMap<string, LabelItem>();
  /** The last `.set`/`.equ`/`=` of each symbol (the final value). */
  readonly setItems = new Map<string, Extract<Item, { kind: 'set' }>>();
  readonly globals = new Set<string>();
  readonly weaks = new Set<string>();
  /** Symbols named by `.local`: a later `.comm` of one allocates it in .bss, as GNU as does. */
  readonly locals = new Set<string>();
  readonly types = new Map<string, 'function' | 'object' | 'notype'>();
  readonly sizes = new Map<string, { expr: Expr; item: Extract<Item, { kind: 'set' }> }>();
  readonly commons = new Map<string, { size: number; alignment: number }>();
  /** `.hidden`, `.protected`, `.internal`: the ELF visibility of a symbol. */
  readonly visibility = new Map<string, 'hidden' | 'protected' | 'internal'>();
  /** Names given by `.file "name"`: local FILE symbols, as GNU as writes them. */
  readonly fileSymbols: string[] = [];
  /**
   * `.set alias, target` where target was not defined yet: GNU as gives the alias the target's
   * type and size at the end (see defineSet for the case where it was defined).
   */
  readonly lateAliases = new Map<string, string>();
  // Parse-time knowledge.
  private readonly frag = new Map<string, number>();
  private readonly fragOffset = new Map<string, number>();
  private parseLabels = new ReplayableMap<string, ParseTimeLabel>();
  private readonly parseSets = new Map<string, Expr>();

  constructor() {
    for (const name of ['.text', '.data', '.bss']) this.section(name);
  }

  /**
   * A checkpoint to continue the walk from later (incremental re-assembly). Items are shared:
   * their statement-given fields are never changed and layout recomputes the rest (address,
   * useNear); items, bssTail and the label maps are only appended to, so lengths stand for them.
   */
  checkpoint(): WalkCheckpoint {
    const small = new AssemblyState();
    this.copySmallInto(small);
    return {
      small,
      body: { items: this.body, length: this.body.length },
      bssTail: { items: this.bssTail, length: this.bssTail.length },
      labelItems: this.labelItems.mark(),
      parseLabels: this.parseLabels.mark(),
    };
  }

  /** A live state equal to the one a checkpoint was taken of (a checkpoint may be resumed again). */
  static resumedAt(cp: WalkCheckpoint): AssemblyState {
    const c = new AssemblyState();
    cp.small.copySmallInto(c);
    c.body = cp.body.items.slice(0, cp.body.length);
    c.bssTail = cp.bssTail.items.slice(0, cp.bssTail.length);
    c.labelItems = ReplayableMap.replayed(cp.labelItems);
    c.parseLabels = ReplayableMap.replayed(cp.parseLabels);
    return c;
  }

  /**
   * Whether the walk on from here does what an earlier walk did from its checkpoint `at`, given
   * that the same statements follow: both walks resumed from the checkpoint `from` and made the
   * same label definitions since (by name, in order; parse-time places as seen later, see
   * sameParseTimePlaces), and every other collection the walk reads or leaves in the result holds
   * the same values. `.set` and `.size` made since `from` are equal ones made again: the same
   * expressions in the same section. Diagnostics may differ: the walk never reads them. Returns
   * null when not, else which of the earlier walk's `.set`/`.size` values are this walk's
   * (joinedTo puts this walk's in their place).
   */
  continuesLike(at: WalkCheckpoint, from: WalkCheckpoint): Map<object, object> | null {
    const o = at.small;
    if (this.current !== o.current || this.previous !== o.previous || this.tailRuns !== o.tailRuns) return null;
    if (!sameList(this.sectionStack, o.sectionStack) || !sameList(this.fileSymbols, o.fileSymbols)) return null;
    if (!sameMap(this.sections, o.sections, sameSection) || !sameMap(this.commons, o.commons, (a, b) => a.size === b.size && a.alignment === b.alignment)) return null;
    if (!sameMap(this.types, o.types) || !sameMap(this.visibility, o.visibility) || !sameMap(this.lateAliases, o.lateAliases)) return null;
    if (!sameMap(this.frag, o.frag) || !sameMap(this.fragOffset, o.fragOffset) || !sameMap(this.parseSets, o.parseSets, sameExpr)) return null;
    if (!sameSet(this.globals, o.globals) || !sameSet(this.weaks, o.weaks) || !sameSet(this.locals, o.locals)) return null;
    const ours = new Map<object, object>();
    // Only the earlier walk's own values since `from` are replaced: one it had at `from` may sit
    // under other names too, where this walk has it as well.
    let before: Set<object> | null = null;
    const mine = (a: object, b: object): boolean => {
      if (a === b) return true;
      const known = ours.get(b);
      if (known !== undefined) return known === a;
      before ??= new Set<object>([...from.small.setItems.values(), ...from.small.sizes.values(), ...[...from.small.sizes.values()].map((v) => v.item)]);
      if (before.has(b)) return false;
      ours.set(b, a);
      return true;
    };
    const sameSetItem = (a: Extract<Item, { kind: 'set' }>, b: Extract<Item, { kind: 'set' }>): boolean => a === b || (a.name === b.name && a.section === b.section && sameExpr(a.expr, b.expr) && mine(a, b));
    if (!sameMap(this.setItems, o.setItems, sameSetItem)) return null;
    if (!sameMap(this.sizes, o.sizes, (a, b) => a === b || (sameExpr(a.expr, b.expr) && sameSetItem(a.item, b.item) && mine(a, b)))) return null;
    const same = sameWrites(this.labelItems.mark(), at.labelItems, from.labelItems.length, () => true)
      && sameWrites(this.parseLabels.mark(), at.parseLabels, from.parseLabels.length, this.sameParseTimePlaces(from));
    return same ? ours : null;
  }

  /**
   * Equality of the parse-time places of the labels defined since `from` in this walk and in the
   * earlier one, as far as the walk on can see them: a place is seen only through differences with
   * labels of its run of fixed-size code (or with `.` while the run is open). So the runs must be
   * the same, and the offsets the same up to one shift per run, where the run is closed here and
   * began after `from` (a shift in the offsets of a run changes none of their differences).
   */
  private sameParseTimePlaces(from: WalkCheckpoint): (a: unknown, b: unknown) => boolean {
    const shifts = new Map<string, number>();
    return (a, b) => {
      const x = a as ParseTimeLabel;
      const y = b as ParseTimeLabel;
      if (x.section !== y.section || x.frag !== y.frag) return false;
      const shift = x.offset - y.offset;
      const run = this.runName(x.section, x.frag);
      const known = shifts.get(run);
      if (known !== undefined) return known === shift;
      const open = x.frag === (this.frag.get(x.section) ?? 0);
      const older = x.frag <= (from.small.frag.get(x.section) ?? 0);
      if (shift !== 0 && (open || older)) return false;
      shifts.set(run, shift);
      return true;
    };
  }

  /**
   * The state at the end of an earlier walk (`end`, the earlier version's own state, taken over)
   * joined to this one: this walk stopped where continuesLike(at) held, `shift` lines after the
   * earlier walk's place `at`, both resumed from `from`. Items and label definitions after `at` are the earlier walk's (their
   * lines moved by `shift`, in place: the earlier version is not used again), diagnostics after it
   * are moved copies, every other collection is the earlier end's. Returns how to move the
   * earlier walk's later checkpoints onto this one (rebased()).
   */
  joinedTo(end: AssemblyState, at: WalkCheckpoint, from: WalkCheckpoint, shift: number, ours: Map<object, object>): { state: AssemblyState; rebase: (cp: WalkCheckpoint) => WalkCheckpoint } {
    // The earlier walk's `.set`/`.size` values made before `at` (kept or copied since) become this walk's.
    const substitute = (c: AssemblyState): void => {
      if (ours.size === 0) return;
      for (const [k, v] of c.setItems) {
        const mine = ours.get(v) as typeof v | undefined;
        if (mine !== undefined) c.setItems.set(k, mine);
      }
      for (const [k, v] of c.sizes) {
        const mine = ours.get(v) as typeof v | undefined;
        if (mine !== undefined) c.sizes.set(k, mine);
        else {
          const item = ours.get(v.item) as typeof v.item | undefined;
          if (item !== undefined) c.sizes.set(k, { expr: v.expr, item });
        }
      }
    };
    substitute(end);
    const bodyShift = this.body.length - at.body.length;
    const tailShift = this.bssTail.length - at.bssTail.length;
    const labelShift = this.labelItems.mark().length - at.labelItems.length;
    const parseLabelShift = this.parseLabels.mark().length - at.parseLabels.length;
    const moveItems = (to: Item[], from: Item[], start: number): Item[] => {
      if (shift !== 0) for (let i = start; i < from.length; i++) from[i]!.range.line += shift;
      return to.concat(from.slice(start));
    };
    this.body = moveItems(this.body, end.body, at.body.length);
    this.bssTail = moveItems(this.bssTail, end.bssTail, at.bssTail.length);
    // The label maps: the earlier walk's own (same keys in the same order since `from`, see
    // continuesLike) with this walk's values put in, rather than its thousands of later writes replayed.
    if (labelShift === 0 && end.labelItems.overwrite(this.labelItems.mark(), from.labelItems.length)) this.labelItems = end.labelItems;
    else this.labelItems.replay(end.labelItems.mark(), at.labelItems.length);
    if (parseLabelShift === 0 && end.parseLabels.overwrite(this.parseLabels.mark(), from.parseLabels.length)) this.parseLabels = end.parseLabels;
    else this.parseLabels.replay(end.parseLabels.mark(), at.parseLabels.length);
    const kept = at.small.diagnostics.length;
    const ownDiagnostics = this.diagnostics.slice();
    const moved = end.diagnostics.slice(kept).map((d) => ({ ...d, line: d.line + shift }));
    end.body = this.body;
    end.bssTail = this.bssTail;
    end.joined = null;
    end.labelItems = this.labelItems;
    end.parseLabels = this.parseLabels;
    end.diagnostics.length = 0;
    for (const d of ownDiagnostics) end.diagnostics.push(d);
    for (const d of moved) end.diagnostics.push(d);
    const rebase = (cp: WalkCheckpoint): WalkCheckpoint => {
      substitute(cp.small);
      const diagnostics = cp.small.diagnostics;
      const count = diagnostics.length - kept;
      diagnostics.length = 0;
      for (const d of ownDiagnostics) diagnostics.push(d);
      for (let i = 0; i < count; i++) diagnostics.push(moved[i]!);
      return {
        small: cp.small,
        body: { items: end.body, length: cp.body.length + bodyShift },
        bssTail: { items: end.bssTail, length: cp.bssTail.length + tailShift },
        labelItems: { log: end.labelItems.mark().log, length: cp.labelItems.length + labelShift },
        parseLabels: { log: end.parseLabels.mark().log, length: cp.parseLabels.length + parseLabelShift },
      };
    };
    return { state: end, rebase };
  }

  /** Copies every collection except items and label maps (section attributes too). */
  private copySmallInto(c: AssemblyState): void {
    c.tailRuns = this.tailRuns;
    c.sections.clear();
    for (const [name, sec] of this.sections) c.sections.set(name, { ...sec, ...(sec.group ? { group: { ...sec.group } } : {}) });
    for (const d of this.diagnostics) c.diagnostics.push(d);
    c.current = this.current;
    c.previous = this.previous;
    for (const x of this.sectionStack) c.sectionStack.push(x);
    copyMap(this.setItems, c.setItems);
    for (const x of this.globals) c.globals.add(x);
    for (const x of this.weaks) c.weaks.add(x);
    for (const x of this.locals) c.locals.add(x);
    copyMap(this.types, c.types);
    copyMap(this.sizes, c.sizes);
    for (const [k, v] of this.commons) c.commons.set(k, { ...v });
    copyMap(this.visibility, c.visibility);
    for (const f of this.fileSymbols) c.fileSymbols.push(f);
    copyMap(this.lateAliases, c.lateAliases);
    copyMap(this.frag, c.frag);
    copyMap(this.fragOffset, c.fragOffset);
    copyMap(this.parseSets, c.parseSets);
  }

  section(name: string): SectionState {
    let s = this.sections.get(name);
    if (!s) {
      s = defaultSection(name);
      this.sections.set(name, s);
    }
    return s;
  }

  error(range: SourceRange, message: string, start = range.start, end = range.end): void {
    this.diagnostics.push({ severity: 'error', message, line: range.line, start, end });
  }

  warning(range: SourceRange, message: string): void {
    this.diagnostics.push({ severity: 'warning', message, line: range.line, start: range.start, end: range.end });
  }

  /** Index in `items` where the deferred .bss storage starts (GNU as lists no bytes for it). */
  get deferredStart(): number {
    return this.body.length;
  }

  /** How many items the deferred .bss storage holds. */
  get deferredCount(): number {
    return this.bssTail.length;
  }

  /** Every item in layout order: the source-order items, then the deferred .bss storage. */
  get items(): Item[] {
    if (this.bssTail.length === 0) return this.body;
    this.joined ??= [...this.body, ...this.bssTail];
    return this.joined;
  }

  /** Appends an item of the current section and advances the parse-time position. */
  add(item: Item, fixedSize: number | null): void {
    this.body.push(item);
    this.joined = null;
    if (fixedSize === null) this.endRun();
    else this.fragOffset.set(this.current, (this.fragOffset.get(this.current) ?? 0) + fixedSize);
  }

  /** Ends the current run of fixed-size items (after a relaxable branch or an alignment). */
  endRun(): void {
    this.frag.set(this.current, (this.frag.get(this.current) ?? 0) + 1);
    this.fragOffset.set(this.current, 0);
  }

  /** Queues .bss storage laid out after all explicit .bss items (see bssTail). */
  addBssTail(item: Item): void {
    this.bssTail.push(item);
    this.joined = null;
  }

  /**
   * A label of the deferred .bss storage: its offset is unknown until the end, so at parse time
   * it sits alone in a run of its own and no difference with it folds to a number.
   */
  defineBssTailLabelAtParse(name: string): void {
    this.tailRuns++;
    this.parseLabels.set(name, { section: '.bss', frag: -this.tailRuns, offset: 0 });
  }

  defineLabelAtParse(name: string): void {
    this.parseLabels.set(name, { section: this.current, frag: this.frag.get(this.current) ?? 0, offset: this.fragOffset.get(this.current) ?? 0 });
  }

  defineSetAtParse(name: string, expr: Expr): void {
    this.parseSets.set(name, expr);
  }

  isDefined(name: string): boolean {
    return this.labelItems.has(name) || this.setItems.has(name) || this.commons.has(name);
  }

  private runName(section: string, frag: number): string {
    return `${section}\x00${frag}`;
  }

  /** The evaluation context of parse time: later labels and other runs are not numbers yet. */
  parseContext(): EvalContext {
    const lookup = (name: string): SymbolLookup => {
      const set = this.parseSets.get(name);
      if (set) return { kind: 'expr', expr: set };
      const label = this.parseLabels.get(name);
      if (label) return { kind: 'label', section: this.runName(label.section, label.frag), offset: BigInt(label.offset), global: false };
      return { kind: 'undefined' };
    };
    const dot = { section: this.runName(this.current, this.frag.get(this.current) ?? 0), offset: BigInt(this.fragOffset.get(this.current) ?? 0) };
    return { lookup, dot };
  }

  /**
   * How far past `.` an expression points in the current section, when that is known here: a
   * place in the current run of fixed-size items, or an absolute offset while no relaxable item
   * came before in this section. `.org` needs it.
   */
  distanceNow(e: Expr): bigint | null {
    const context = this.parseContext();
    const r = evaluate(e, context);
    if (!r.ok || r.value.modifier) return null;
    if (r.value.base === null) return (this.frag.get(this.current) ?? 0) === 0 ? r.value.constant - context.dot.offset : null;
    return r.value.base.kind === 'section' && r.value.base.section === context.dot.section ? r.value.constant - context.dot.offset : null;
  }

  /** The value of an expression if it is an absolute number at this point of the source. */
  knownNow(e: Expr): bigint | null {
    if (e.kind === 'number') return BigInt.asIntN(64, e.value);
    // A label or an undefined symbol is never a number here: only `.set` ones need evaluating.
    if (e.kind === 'symbol' && !this.parseSets.has(e.name)) return null;
    const r = evaluate(e, this.parseContext());
    return r.ok && r.value.base === null ? r.value.constant : null;
  }
}
