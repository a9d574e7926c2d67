// The GNU as source-level directives, run before parsing: .macro/.endm/.exitm/.purgem with
// invocations, .rept/.irp/.irpc/.endr, the .if family with .else/.elseif/.endif, .include, and
// .error/.warning. Produced lines keep the line of the edited file that invoked them. Nesting and
// size are bounded so no input can recurse or grow without end; problems become diagnostics.

import type { AsmDiagnostic } from './statement-parser';
import { indexOutsideQuotes } from './index-outside-quotes';
import { derived, linesOfFile, reportExpansionProblem, wholeLineRange, type ExpandedLine, type ExpansionProblem } from './expanded-source-lines';
import { conditionTruth, evaluateAbsolute, type KnownSymbols } from './gas-conditional-evaluation';
import { bindArguments, parseParameters, splitArguments, substitute, type MacroParameter } from './gas-macro-arguments';
import { findIncludeFile, type IncludeFiles } from './include-file-search';

interface Macro {
  name: string;
  params: MacroParameter[];
  body: ExpandedLine[];
}

interface Conditional {
  /** Lines are kept now. */
  active: boolean;
  /** Some branch was taken (or the whole block sits in a skipped region). */
  done: boolean;
  sawElse: boolean;
  opener: ExpandedLine;
}

/** Deepest nesting of macro calls, .rept bodies and .include files. */
export const MAX_EXPANSION_DEPTH = 100;
/** Most lines expansion may produce. */
export const MAX_EXPANDED_LINES = 1_000_000;
/** Most lines expansion may look at (skipped and repeated ones included): a guard against hangs. */
export const MAX_EXPANSION_WORK = 4_000_000;

const HEAD = /^(\s*(?:(?:[A-Za-z_.$][A-Za-z0-9_.$@]*|[0-9]+)\s*:(?!:)\s*)*)([A-Za-z_.$][A-Za-z0-9_.$@]*)(.*)$/s;
const LABEL = /([A-Za-z_.$][A-Za-z0-9_.$@]*)\s*:/g;
const REPEAT_OPENERS = new Set(['.rept', '.irp', '.irpc']);

/** Drops a trailing `#` comment or block comment outside strings. */
function stripComment(text: string): string {
  const i = indexOutsideQuotes(text, '"', (k) => text[k] === '#' || (text[k] === '/' && text[k + 1] === '*'));
  return i < 0 ? text : text.slice(0, i);
}

interface Head {
  labels: string;
  word: string;
  /** `word` in lower case. */
  lower: string;
  rest: string;
  column: number;
}

/** Words the expander acts on (besides macro names); other lines pass through untouched. */
const CONTROL_WORDS = new Set([
  '.if', '.ifne', '.ifeq', '.ifge', '.ifgt', '.ifle', '.iflt', '.ifdef', '.ifndef', '.ifnotdef', '.ifb', '.ifnb',
  '.ifc', '.ifnc', '.ifeqs', '.ifnes', '.elseif', '.else', '.endif', '.macro', '.endm', '.rept', '.irp', '.irpc',
  '.endr', '.exitm', '.purgem', '.include', '.error', '.err', '.warning',
]);

// Repeated bodies bring the same texts again and again; parsing each once keeps .rept cheap.
const headCache = new Map<string, Head | null>();

function head(text: string): Head | null {
  const cached = headCache.get(text);
  if (cached !== undefined) return cached;
  const m = HEAD.exec(text);
  const h = m ? { labels: m[1]!, word: m[2]!, lower: m[2]!.toLowerCase(), rest: stripComment(m[3]!), column: m[1]!.length } : null;
  if (headCache.size > 50_000) headCache.clear();
  headCache.set(text, h);
  return h;
}

export class GasMacroExpander {
  readonly out: ExpandedLine[] = [];
  readonly diagnostics: AsmDiagnostic[] = [];
  readonly problems: ExpansionProblem[] = [];
  private readonly macros = new Map<string, Macro>();
  private readonly known: KnownSymbols = { constants: new Map(), defined: new Set() };
  private counter = 0;
  private work = 0;
  /** Set after a fatal problem (too deep, too large): expansion stops, as GNU as stops. */
  private tooLarge = false;
  /** Set when nesting went too deep: the expansion in progress unwinds to the edited file's line. */
  private unwinding = false;

  constructor(private readonly userLines: readonly string[], private readonly files: IncludeFiles) {}

  private report(severity: 'error' | 'warning', at: ExpandedLine, message: string, start?: number, end?: number): void {
    reportExpansionProblem(this, this.userLines, severity, at, message, start, end);
  }

  private emit(line: ExpandedLine): void {
    if (this.out.length >= MAX_EXPANDED_LINES) {
      if (!this.tooLarge) this.report('error', line, `expansion produces more than ${MAX_EXPANDED_LINES} lines`);
      this.tooLarge = true;
      return;
    }
    this.out.push(line);
  }

  /** Finds the line closing a block opened at `from` (exclusive), honouring nesting. */
  private blockEnd(lines: readonly ExpandedLine[], from: number, isOpen: (w: string) => boolean, close: string): number {
    let depth = 1;
    for (let i = from + 1; i < lines.length; i++) {
      const h = head(lines[i]!.text);
      if (!h) continue;
      const w = h.lower;
      if (isOpen(w)) depth++;
      else if (w === close && --depth === 0) return i;
    }
    return -1;
  }

  /** Remembers constants and labels, so later conditionals can test them. */
  private track(h: Head): void {
    if (h.labels !== '') this.trackLabels(h.labels);
    const w = h.lower;
    let name: string | null = null;
    let expr = '';
    if (w === '.set' || w === '.equ' || w === '.equiv' || w === '.eqv') {
      const comma = h.rest.indexOf(',');
      if (comma < 0) return;
      name = h.rest.slice(0, comma).trim();
      expr = h.rest.slice(comma + 1);
    } else if (/^\s*=[^=]/.test(h.rest)) {
      name = h.word;
      expr = h.rest.replace(/^\s*=/, '');
    } else if (h.rest.startsWith(':') && !h.labels) {
      this.known.defined.add(h.word);
    }
    if (name === null) return;
    const v = evaluateAbsolute(expr, this.known);
    if (typeof v === 'string') this.known.constants.delete(name);
    else this.known.constants.set(name, v);
    this.known.defined.add(name);
  }

  /** Expands `lines`; returns 'exitm' when a macro body asked to stop. */
  run(lines: readonly ExpandedLine[], depth: number): 'exitm' | 'done' {
    const conds: Conditional[] = [];
    for (let i = 0; i < lines.length; i++) {
      if (this.tooLarge) return 'done';
      if (this.unwinding) {
        if (depth > 0) return 'done';
        this.unwinding = false;
      }
      const line = lines[i]!;
      if (++this.work > MAX_EXPANSION_WORK) {
        this.report('error', line, `expansion takes more than ${MAX_EXPANSION_WORK} lines of work; stopped`);
        this.tooLarge = true;
        return 'done';
      }
      const h = head(line.text);
      if (!h) {
        if ((conds.length === 0 || conds[conds.length - 1]!.active)) this.emit(line);
        continue;
      }
      const w = h.lower;
      // Most lines are neither directives of ours nor macro calls: pass them through quickly.
      if (!CONTROL_WORDS.has(w) && (this.macros.size === 0 || !this.macros.has(w))) {
        if (conds.length === 0 || conds[conds.length - 1]!.active) {
          this.track(h);
          this.emit(line);
        }
        continue;
      }
      const name = w.startsWith('.') ? w.slice(1) : '';
      const args = h.rest;
      const at = this.reporterFor(line, h);

      // Conditionals are followed even in skipped regions, to keep their nesting.
      if (name.startsWith('if')) {
        if (!(conds.length === 0 || conds[conds.length - 1]!.active)) {
          conds.push({ active: false, done: true, sawElse: false, opener: line });
          continue;
        }
        let truth = conditionTruth(name, args, this.known);
        if (typeof truth === 'string') {
          at(truth);
          truth = false;
        }
        conds.push({ active: truth === true, done: truth === true, sawElse: false, opener: line });
        continue;
      }
      if (name === 'elseif' || name === 'else' || name === 'endif') {
        const top = conds[conds.length - 1];
        if (top === undefined) {
          at(name === 'endif' ? '".endif" without ".if"' : `".${name}" without matching ".if"`);
          continue;
        }
        if (name === 'endif') {
          conds.pop();
          continue;
        }
        if (top.sawElse) {
          at(name === 'else' ? 'duplicate ".else"' : '".elseif" after ".else"');
          top.active = false;
          continue;
        }
        if (name === 'else') {
          top.sawElse = true;
          top.active = !top.done;
          top.done = true;
          continue;
        }
        if (top.done) {
          top.active = false;
          continue;
        }
        let truth = conditionTruth('elseif', args, this.known);
        if (typeof truth === 'string') {
          at(truth);
          truth = false;
        }
        top.active = truth === true;
        top.done = top.active;
        continue;
      }
      if (!(conds.length === 0 || conds[conds.length - 1]!.active)) {
        // A skipped .macro or .rept body must not end the conditional early.
        if (w === '.macro') {
          const end = this.blockEnd(lines, i, (x) => x === '.macro', '.endm');
          if (end > 0) i = end;
        }
        continue;
      }
      if (h.labels.trim() !== '' && (w === '.macro' || REPEAT_OPENERS.has(w) || this.macros.has(w))) {
        this.emit(derived(line, h.labels));
        this.trackLabels(h.labels);
      }
      if (w === '.macro') {
        const end = this.blockEnd(lines, i, (x) => x === '.macro', '.endm');
        if (end < 0) {
          at(`unexpected end of file in macro '${args.trim().split(/[\s,]/)[0] ?? ''}' definition (no .endm)`);
          return 'done';
        }
        const m = /^\s*([A-Za-z_.$][A-Za-z0-9_.$]*)\s*,?(.*)$/s.exec(args);
        if (!m) at('.macro: expected a macro name');
        else {
          const params = parseParameters(m[2]!);
          if (typeof params === 'string') at(`bad parameter list for macro '${m[1]}': ${params}`);
          else this.macros.set(m[1]!.toLowerCase(), { name: m[1]!, params, body: lines.slice(i + 1, end) });
        }
        i = end;
        continue;
      }
      if (REPEAT_OPENERS.has(w)) {
        const end = this.blockEnd(lines, i, (x) => REPEAT_OPENERS.has(x), '.endr');
        if (end < 0) {
          at(`${w} without .endr`);
          return 'done';
        }
        if (this.repeat(line, w, args, lines.slice(i + 1, end), depth, at) === 'exitm') return 'exitm';
        i = end;
        continue;
      }
      if (w === '.endm' || w === '.endr') {
        at(`${w} encountered without preceding ${w === '.endm' ? '.macro' : '.rept, .irp, or .irpc'}`, 'warning');
        continue;
      }
      if (w === '.exitm') {
        if (depth > 0) return 'exitm';
        at('ignoring .exitm outside a macro definition', 'warning');
        continue;
      }
      if (w === '.purgem') {
        const n = args.trim().toLowerCase();
        if (!this.macros.delete(n)) at(`attempt to purge non-existing macro '${args.trim()}'`, 'warning');
        continue;
      }
      if (w === '.include') {
        this.include(line, args, depth, at);
        continue;
      }
      if (w === '.error' || w === '.err' || w === '.warning') {
        const m = /^\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(args);
        const text = m ? m[1]! : w === '.err' ? '.err encountered' : args.trim();
        at(text || `${w} directive`, w === '.warning' ? 'warning' : 'error');
        continue;
      }
      const macro = this.macros.get(w);
      if (macro !== undefined) {
        this.invoke(line, macro, args, depth, at);
        continue;
      }
      this.emit(line);
    }
    if (depth === 0) this.unwinding = false;
    for (const c of this.unwinding || this.tooLarge ? [] : conds) {
      const r = wholeLineRange(c.opener.text);
      this.report('error', c.opener, 'end of file inside conditional (no .endif)', r.start, r.end);
    }
    return 'done';
  }

  /** An error reporter for one line, made only for the lines this expander acts on. */
  private reporterFor(line: ExpandedLine, h: Head): (message: string, severity?: 'error' | 'warning') => void {
    return (message, severity = 'error') =>
      this.report(severity, line, message, h.column, h.column + h.word.length + h.rest.trimEnd().length);
  }

  private trackLabels(labels: string): void {
    for (const m of labels.matchAll(LABEL)) this.known.defined.add(m[1]!);
  }

  private deeper(depth: number, at: (m: string) => void): boolean {
    if (depth + 1 > MAX_EXPANSION_DEPTH) {
      at(`macros nested too deeply (more than ${MAX_EXPANSION_DEPTH} levels of macros, repeats and includes)`);
      this.unwinding = true;
      return false;
    }
    return true;
  }

  private invoke(line: ExpandedLine, macro: Macro, args: string, depth: number, at: (m: string) => void): void {
    if (!this.deeper(depth, at)) return;
    const values = bindArguments(macro.params, args, macro.name);
    if (typeof values === 'string') return at(values);
    const counter = this.counter++;
    const via = line.via ?? `macro '${macro.name}'`;
    const body = macro.body.map((b) => ({ ...derived(line, substitute(b.text, values, counter), via), verbatim: false }));
    this.run(body, depth + 1);
  }

  private repeat(line: ExpandedLine, w: string, args: string, body: ExpandedLine[], depth: number, at: (m: string) => void): 'exitm' | 'done' {
    if (!this.deeper(depth, at)) return 'done';
    const via = line.via ?? w;
    const copy = (values: Map<string, string>): ExpandedLine[] =>
      body.map((b) => ({ ...derived(line, substitute(b.text, values, null), via), verbatim: false }));
    const rounds: Map<string, string>[] = [];
    if (w === '.rept') {
      // A .rept body is the same every round: copy it once.
      const n = evaluateAbsolute(args, this.known);
      if (typeof n === 'string') {
        at(`bad or irreducible absolute expression: ${n}`);
        return 'done';
      }
      if (n * BigInt(Math.max(1, body.length)) > BigInt(MAX_EXPANDED_LINES)) {
        at(`.rept ${n} produces more than ${MAX_EXPANDED_LINES} lines`);
        return 'done';
      }
      const once = copy(new Map());
      for (let k = 0n; k < n; k++) {
        if (this.run(once, depth + 1) === 'exitm') return 'exitm';
        if (this.tooLarge || this.unwinding) break;
      }
      return 'done';
    } else {
      const m = /^\s*([A-Za-z_.$][A-Za-z0-9_.$]*)\s*,?(.*)$/s.exec(args);
      if (!m) {
        at(`${w}: expected a parameter name`);
        return 'done';
      }
      const rest = m[2]!.trim();
      if (w === '.irp') {
        const items = splitArguments(rest);
        if (items.length === 0) rounds.push(new Map([[m[1]!, '']]));
        for (const it of items) rounds.push(new Map([[m[1]!, it.value]]));
      } else {
        const chars = rest.startsWith('"') && rest.endsWith('"') && rest.length >= 2 ? rest.slice(1, -1) : rest;
        if (chars === '') rounds.push(new Map([[m[1]!, '']]));
        for (const ch of chars) rounds.push(new Map([[m[1]!, ch]]));
      }
    }
    for (const values of rounds) {
      if (this.run(copy(values), depth + 1) === 'exitm') return 'exitm';
      if (this.tooLarge || this.unwinding) break;
    }
    return 'done';
  }

  private include(line: ExpandedLine, args: string, depth: number, at: (m: string) => void): void {
    const m = /^\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(args);
    if (!m) return at('.include: expected a quoted file name');
    if (!this.deeper(depth, at)) return;
    const found = findIncludeFile(this.files, m[1]!, line.file, true);
    if (found === null) return at(`can't open ${m[1]} for reading: No such file or directory`);
    const base = found.path.split('/').pop() ?? found.path;
    const lines = linesOfFile(found.text, found.path, false, line.userLine).map((l) => ({ ...l, via: line.via ?? `.include "${base}" line ${l.line + 1}` }));
    this.run(lines, depth + 1);
  }
}
