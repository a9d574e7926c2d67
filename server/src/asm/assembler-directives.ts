// The directives of GNU as the assembler understands: sections, symbol attributes, data,
// alignment, space, `.set`/`.equ`, `.comm`/`.lcomm`, and the ones accepted and ignored because
// they emit no code here (`.loc`, `.cfi_*`, `.ident`...). Each handler reports its
// errors at the argument's columns and never throws.

import type { Token } from './source-lexer';
import { TokenCursor, parseExpression, type Expr } from './expression-syntax';
import type { Statement } from './statement-parser';
import type { AssemblyState } from './assembly-state';

type Directive = Extract<Statement, { kind: 'directive' }>;

/** Limits that keep a typo from allocating gigabytes (GNU as has similar ones). */
const MAX_ALIGNMENT = 1 << 30;
const MAX_SPACE = 1 << 26;

function parseArg(state: AssemblyState, d: Directive, tokens: Token[] | undefined): Expr | null {
  if (!tokens || tokens.length === 0) {
    state.error(d.range, `${d.name}: missing argument`);
    return null;
  }
  const c = new TokenCursor(tokens, tokens[tokens.length - 1]!.end);
  const e = parseExpression(c, (x) => x);
  if ('message' in e) {
    state.error(d.range, e.message, e.start, e.end);
    return null;
  }
  if (!c.atEnd()) {
    state.error(d.range, 'junk at end of expression', c.here(), tokens[tokens.length - 1]!.end);
    return null;
  }
  return e;
}

/** An argument that must be an absolute number where the directive stands. */
function absoluteArg(state: AssemblyState, d: Directive, tokens: Token[] | undefined): number | null {
  const e = parseArg(state, d, tokens);
  if (e === null) return null;
  const v = state.knownNow(e);
  if (v === null) {
    state.error(d.range, `${d.name}: expression must be an absolute number here`, e.start, e.end);
    return null;
  }
  return Number(v);
}

function optionalAbsolute(state: AssemblyState, d: Directive, tokens: Token[] | undefined): number | null {
  return tokens === undefined || tokens.length === 0 ? null : absoluteArg(state, d, tokens);
}

/** Columns of an argument's tokens, or of the whole statement when it has none. */
function argRange(d: Directive, tokens: Token[] | undefined): [number, number] {
  return tokens && tokens.length > 0 ? [tokens[0]!.start, tokens[tokens.length - 1]!.end] : [d.range.start, d.range.end];
}

function symbolName(state: AssemblyState, d: Directive, tokens: Token[] | undefined): string | null {
  if (!tokens || tokens.length !== 1 || tokens[0]!.kind !== 'ident') {
    state.error(d.range, `${d.name}: expected a symbol name`, ...argRange(d, tokens));
    return null;
  }
  return tokens[0]!.text;
}

function switchSection(state: AssemblyState, name: string): void {
  state.previous = state.current;
  state.current = name;
  state.section(name);
}

function sectionDirective(state: AssemblyState, d: Directive): void {
  const first = d.args[0];
  if (!first || first.length === 0) return state.error(d.range, '.section: missing section name');
  const name = first[0]!.kind === 'string' ? String.fromCharCode(...first[0]!.bytes!) : first.map((t) => t.text).join('');
  const section = state.section(name);
  const flags = d.args[1]?.[0];
  if (flags?.kind === 'string') section.flags = String.fromCharCode(...flags.bytes!).replace(/[^awxMSGTo?]/g, '');
  const type = d.args[2]?.map((t) => t.text).join('');
  if (type === '@nobits' || type === '%nobits') section.type = 'nobits';
  // After the type: the entry size when "M", then the group name and linkage when "G".
  let next = 3;
  if (section.flags.includes('M') && d.args[next] !== undefined) {
    const size = absoluteArg(state, d, d.args[next++]);
    if (size !== null) section.entrySize = size;
  }
  if (section.flags.includes('G')) {
    const group = d.args[next];
    if (group === undefined || group.length === 0) return state.error(d.range, '.section: the "G" flag needs a group name');
    const signature = group[0]!.kind === 'string' ? new TextDecoder().decode(Uint8Array.from(group[0]!.bytes!)) : group.map((t) => t.text).join('');
    section.group = { signature, comdat: d.args[next + 1]?.map((t) => t.text).join('') === 'comdat' };
  }
  switchSection(state, name);
}

function dataDirective(state: AssemblyState, d: Directive, width: 1 | 2 | 4 | 8): void {
  const exprs: Expr[] = [];
  for (const arg of d.args) {
    const e = parseArg(state, d, arg);
    if (e) exprs.push(e);
  }
  state.add({ kind: 'data', width, exprs, section: state.current, range: d.range, address: 0 }, width * exprs.length);
}

function stringDirective(state: AssemblyState, d: Directive, terminate: boolean): void {
  const bytes: number[] = [];
  for (const arg of d.args) {
    if (arg.length !== 1 || arg[0]!.kind !== 'string') {
      state.error(d.range, `${d.name}: expected a string`, arg[0]?.start ?? d.range.start, arg[arg.length - 1]?.end ?? d.range.end);
      continue;
    }
    bytes.push(...arg[0]!.bytes!);
    if (terminate) bytes.push(0);
  }
  state.add({ kind: 'bytes', bytes, section: state.current, range: d.range, address: 0 }, bytes.length);
}

function alignDirective(state: AssemblyState, d: Directive, powerOfTwo: boolean): void {
  const amount = absoluteArg(state, d, d.args[0]);
  if (amount === null) return;
  const alignment = powerOfTwo ? 2 ** amount : amount;
  if (alignment > MAX_ALIGNMENT) return state.error(d.range, `${d.name}: alignment too large (at most ${MAX_ALIGNMENT})`, ...argRange(d, d.args[0]));
  if (alignment < 1 || (alignment & (alignment - 1)) !== 0) return state.error(d.range, `${d.name}: alignment must be a power of 2`, ...argRange(d, d.args[0]));
  const fill = optionalAbsolute(state, d, d.args[1]);
  const max = optionalAbsolute(state, d, d.args[2]);
  const section = state.section(state.current);
  section.alignment = Math.max(section.alignment, alignment);
  const code = section.flags.includes('x');
  state.add({ kind: 'align', alignment, fill, max, code, section: state.current, range: d.range, address: 0 }, null);
}

function spaceDirective(state: AssemblyState, d: Directive): void {
  const size = absoluteArg(state, d, d.args[0]);
  if (size === null) return;
  if (size < 0) return state.error(d.range, `${d.name}: negative size`, ...argRange(d, d.args[0]));
  if (size > MAX_SPACE) return state.error(d.range, `${d.name}: size too large (at most ${MAX_SPACE} bytes)`, ...argRange(d, d.args[0]));
  const fill = d.name === '.zero' ? 0 : optionalAbsolute(state, d, d.args[1]) ?? 0;
  state.add({ kind: 'space', size, fill: fill & 0xff, section: state.current, range: d.range, address: 0 }, size);
}

function fillDirective(state: AssemblyState, d: Directive): void {
  const repeat = absoluteArg(state, d, d.args[0]);
  if (repeat === null || repeat < 0) return;
  const size = Math.max(0, Math.min(optionalAbsolute(state, d, d.args[1]) ?? 1, 8));
  if (repeat * size > MAX_SPACE) return state.error(d.range, `.fill: size too large (at most ${MAX_SPACE} bytes)`);
  const value = BigInt(optionalAbsolute(state, d, d.args[2]) ?? 0);
  const bytes: number[] = [];
  for (let r = 0; r < repeat; r++) {
    // GNU as stores at most 4 bytes of the value; wider units are zero-extended.
    for (let i = 0; i < size; i++) bytes.push(i < 4 ? Number((BigInt.asUintN(32, value) >> BigInt(8 * i)) & 0xffn) : 0);
  }
  state.add({ kind: 'bytes', bytes, section: state.current, range: d.range, address: 0 }, bytes.length);
}

/** `.org target[, fill]`: pads up to `target` in the current section, which must not lie behind. */
function orgDirective(state: AssemblyState, d: Directive): void {
  const e = parseArg(state, d, d.args[0]);
  if (e === null) return;
  const distance = state.distanceNow(e);
  if (distance === null) return state.error(d.range, '.org: the target must be an absolute offset or a place in this section known here', e.start, e.end);
  if (distance < 0n) return state.error(d.range, 'attempt to move .org backwards', e.start, e.end);
  if (distance > BigInt(MAX_SPACE)) return state.error(d.range, `.org: size too large (at most ${MAX_SPACE} bytes)`, e.start, e.end);
  const fill = optionalAbsolute(state, d, d.args[1]) ?? 0;
  const size = Number(distance);
  state.add({ kind: 'space', size, fill: fill & 0xff, section: state.current, range: d.range, address: 0 }, size);
}

function setDirective(state: AssemblyState, d: Directive): void {
  const name = symbolName(state, d, d.args[0]);
  const e = parseArg(state, d, d.args[1]);
  if (name === null || e === null) return;
  defineSet(state, name, e, d.range);
}

/** `sym`, `sym + n` or `sym - n`: the forms whose symbol lends its type and size to an alias. */
function aliasTarget(expr: Expr): { name: string; plain: boolean } | null {
  if (expr.kind === 'symbol') return { name: expr.name, plain: true };
  if (expr.kind === 'binary' && (expr.op === '+' || expr.op === '-') && expr.left.kind === 'symbol' && expr.right.kind === 'number') {
    return { name: expr.left.name, plain: false };
  }
  return null;
}

export function defineSet(state: AssemblyState, name: string, expr: Expr, range: Directive['range']): void {
  if (state.labelItems.has(name)) return state.error(range, `symbol '${name}' is already defined`);
  const target = aliasTarget(expr);
  if (target !== null && state.commons.has(target.name)) {
    return state.error(range, `'${name}' can't be equated to common symbol '${target.name}'`, expr.start, expr.end);
  }
  // GNU as copies the target's type and size as they are now when the target is defined already,
  // and at the end for a plain `sym` defined later; `sym + n` defined later lends nothing.
  state.lateAliases.delete(name);
  if (target !== null && state.isDefined(target.name)) {
    const type = state.types.get(target.name);
    if (type !== undefined) state.types.set(name, type);
    const size = state.sizes.get(target.name);
    if (size !== undefined) state.sizes.set(name, size);
    else state.sizes.delete(name);
  } else if (target?.plain === true) state.lateAliases.set(name, target.name);
  const item = { kind: 'set' as const, name, expr, section: state.current, range, address: 0 };
  state.setItems.set(name, item);
  state.defineSetAtParse(name, expr);
  state.add(item, 0);
}

/** Power-of-two alignment GNU as gives `.lcomm` storage from its size alone (it takes no alignment argument on ELF). */
function implicitLcommAlignment(size: number): number {
  return size >= 8 ? 8 : size >= 4 ? 4 : size >= 2 ? 2 : 1;
}

function commDirective(state: AssemblyState, d: Directive, local: boolean): void {
  const name = symbolName(state, d, d.args[0]);
  const size = absoluteArg(state, d, d.args[1]);
  if (name === null || size === null) return;
  if (local && d.args.length > 2) return state.error(d.range, '.lcomm takes a symbol and a size only (i386 ELF)');
  const explicit = optionalAbsolute(state, d, d.args[2]);
  if (size < 0 || size > MAX_SPACE || (explicit ?? 0) < 0 || (explicit ?? 0) > MAX_ALIGNMENT) return state.error(d.range, `${d.name}: size or alignment out of range`);
  if (!local && !state.locals.has(name)) {
    // A true common symbol keeps any alignment value (it is only recorded); .bss storage must be a power of 2.
    state.commons.set(name, { size, alignment: explicit ?? 0 });
    return;
  }
  if (explicit !== null && explicit !== 0 && (explicit & (explicit - 1)) !== 0) return state.error(d.range, 'alignment not a power of 2');
  // .lcomm, or .comm of a `.local` symbol: space in .bss under a local label. GNU as puts it in a
  // later .bss subsection, after all explicit .bss contents; .lcomm aligns by size, .comm only
  // when asked.
  const alignment = local ? implicitLcommAlignment(size) : explicit ?? 0;
  // Each item has a range of its own (a later version moves the lines of the items it takes over).
  const range = (): Directive['range'] => ({ ...d.range });
  if (alignment > 1) {
    state.addBssTail({ kind: 'align', alignment, fill: 0, max: null, code: false, section: '.bss', range: range(), address: 0 });
    state.section('.bss').alignment = Math.max(state.section('.bss').alignment, alignment);
  }
  const label = { kind: 'label' as const, name, section: '.bss', range: range(), address: 0, order: 0, region: 0 };
  // A local common symbol is an object of the given size, as GNU as records it.
  if (!state.types.has(name)) state.types.set(name, 'object');
  const sizeExpr = { kind: 'number' as const, value: BigInt(size), start: d.range.start, end: d.range.start };
  state.sizes.set(name, { expr: sizeExpr, item: { kind: 'set', name: '', expr: sizeExpr, section: '.bss', range: range(), address: 0 } });
  state.labelItems.set(name, label);
  state.defineBssTailLabelAtParse(name);
  state.addBssTail(label);
  state.addBssTail({ kind: 'space', size, fill: 0, section: '.bss', range: range(), address: 0 });
}

/** `.file "name"` names a FILE symbol; `.file N "name"` (DWARF line tables) makes none. */
function fileDirective(state: AssemblyState, d: Directive): void {
  const arg = d.args[0];
  if (d.args.length === 1 && arg?.length === 1 && arg[0]!.kind === 'string') state.fileSymbols.push(new TextDecoder().decode(Uint8Array.from(arg[0]!.bytes!)));
}

const IGNORED = new Set(['.loc', '.ident', '.code32', '.att_syntax', '.intel_syntax', '.loc_mark_labels', '.addrsig', '.addrsig_sym']);

/** Handles one directive statement. */
export function handleDirective(state: AssemblyState, d: Directive): void {
  const n = d.name;
  if (IGNORED.has(n) || n.startsWith('.cfi_')) return;
  switch (n) {
    case '.text': case '.data': case '.bss': return switchSection(state, n);
    case '.section': return sectionDirective(state, d);
    case '.file': return fileDirective(state, d);
    case '.previous': {
      const back = state.previous;
      return switchSection(state, back);
    }
    case '.pushsection': state.sectionStack.push(state.current); return sectionDirective(state, d);
    case '.popsection': {
      const back = state.sectionStack.pop();
      if (back === undefined) return state.error(d.range, '.popsection without .pushsection');
      return switchSection(state, back);
    }
    case '.globl': case '.global': case '.weak': case '.local':
      for (const arg of d.args) {
        const name = symbolName(state, d, arg);
        if (name === null) continue;
        if (n === '.weak') state.weaks.add(name);
        else if (n === '.local') {
          state.globals.delete(name);
          state.locals.add(name);
        }
        else state.globals.add(name);
      }
      return;
    case '.hidden': case '.protected': case '.internal':
      for (const arg of d.args) {
        const name = symbolName(state, d, arg);
        if (name !== null) state.visibility.set(name, n === '.hidden' ? 'hidden' : n === '.protected' ? 'protected' : 'internal');
      }
      return;
    case '.type': {
      const name = symbolName(state, d, d.args[0]);
      const kind = d.args[1]?.map((t) => t.text).join('').replace(/^[@%]/, '');
      if (name === null) return;
      if (kind === 'function' || kind === 'object' || kind === 'notype') state.types.set(name, kind);
      else state.error(d.range, `.type: unknown symbol type '${kind ?? ''}'`, ...argRange(d, d.args[1]));
      return;
    }
    case '.size': {
      const name = symbolName(state, d, d.args[0]);
      const e = parseArg(state, d, d.args[1]);
      if (name === null || e === null) return;
      const item = { kind: 'set' as const, name: '', expr: e, section: state.current, range: d.range, address: 0 };
      state.sizes.set(name, { expr: e, item });
      state.add(item, 0);
      return;
    }
    case '.byte': return dataDirective(state, d, 1);
    case '.word': case '.short': case '.value': case '.hword': return dataDirective(state, d, 2);
    case '.long': case '.int': return dataDirective(state, d, 4);
    case '.quad': return dataDirective(state, d, 8);
    case '.ascii': return stringDirective(state, d, false);
    case '.asciz': case '.string': return stringDirective(state, d, true);
    case '.align': case '.balign': return alignDirective(state, d, false);
    case '.p2align': return alignDirective(state, d, true);
    case '.skip': case '.space': case '.zero': return spaceDirective(state, d);
    case '.fill': return fillDirective(state, d);
    case '.org': return orgDirective(state, d);
    case '.set': case '.equ': return setDirective(state, d);
    case '.comm': return commDirective(state, d, false);
    case '.lcomm': return commDirective(state, d, true);
    case '.code16': case '.code64':
      return state.error(d.range, `${n} is not supported yet (AT&T 32-bit code only)`);
    default:
      return state.error(d.range, `unknown directive '${n}'`, d.range.start, Math.min(d.range.end, d.range.start + n.length));
  }
}
