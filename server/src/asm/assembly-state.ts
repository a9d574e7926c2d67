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
