// The built-in C preprocessor for `.S` files, in the manner of `cpp -x assembler-with-cpp`:
// line splicing, comments, #include "..."/<...> through include paths, #define/#undef, the #if
// family with defined() and integer arithmetic, #error/#warning, and macro expansion of text lines.
// Unknown `#word` lines pass through (they are assembler comments). Every line keeps its origin.

import type { AsmDiagnostic } from './statement-parser';
import { linesOfFile, reportExpansionProblem, wholeLineRange, type ExpandedLine, type ExpansionProblem } from './expanded-source-lines';
import { findIncludeFile, type IncludeFiles } from './include-file-search';
import { blankComments, tokenizeLine, tokensText } from './preprocessor-tokens';
import { MacroExpander, parseDefine } from './preprocessor-macro-expansion';
import { evaluateCondition } from './preprocessor-expression';

/** Deepest #include nesting (cpp allows 200). */
export const MAX_INCLUDE_DEPTH = 200;

interface Conditional {
  active: boolean;
  done: boolean;
  sawElse: boolean;
  opener: ExpandedLine;
}

const PREDEFINED: ReadonlyArray<[string, string]> = [
  ['__ASSEMBLER__', '1'], ['__i386__', '1'], ['__i386', '1'], ['__ELF__', '1'],
  ['__linux__', '1'], ['__linux', '1'], ['__unix__', '1'], ['__unix', '1'], ['__STDC__', '1'],
];

export class BuiltinPreprocessor {
  readonly out: ExpandedLine[] = [];
  readonly diagnostics: AsmDiagnostic[] = [];
  readonly problems: ExpansionProblem[] = [];
  private readonly expander = new MacroExpander();

  constructor(private readonly userLines: readonly string[], private readonly files: IncludeFiles) {
    for (const [name, value] of PREDEFINED) this.expander.macros.set(name, { name, params: null, variadic: false, body: tokenizeLine(value) });
  }

  private report(severity: 'error' | 'warning', at: ExpandedLine, message: string, start?: number, end?: number): void {
    reportExpansionProblem(this, this.userLines, severity, at, message, start, end);
  }

  /** Joins backslash-continued lines and blanks comments; the result keeps the first line's origin. */
  private logicalLines(lines: readonly ExpandedLine[]): ExpandedLine[] {
    const out: ExpandedLine[] = [];
    const comment = { inComment: false };
    for (let i = 0; i < lines.length; i++) {
      const first = lines[i]!;
      let text = first.text;
      let joined = false;
      while (text.endsWith('\\') && i + 1 < lines.length) {
        text = text.slice(0, -1) + lines[++i]!.text;
        joined = true;
      }
      const blanked = blankComments(text, comment);
      out.push({ ...first, text: blanked, verbatim: first.verbatim && !joined });
    }
    return out;
  }

  /** Preprocesses one file's lines (already ExpandedLines). */
  run(lines: readonly ExpandedLine[], depth: number): void {
    const conds: Conditional[] = [];
    const active = (): boolean => conds.length === 0 || conds[conds.length - 1]!.active;
    for (const line of this.logicalLines(lines)) {
      const d = /^(\s*#\s*)([A-Za-z_]\w*|[0-9]+)?(.*)$/s.exec(line.text);
      if (d === null) {
        if (active()) this.emitText(line);
        continue;
      }
      const name = d[2] ?? '';
      const rest = d[3]!;
      const nameStart = d[1]!.length;
      const at = (message: string, severity: 'error' | 'warning' = 'error'): void =>
        this.report(severity, line, message, nameStart, line.text.trimEnd().length);
      switch (name) {
        case 'if': case 'ifdef': case 'ifndef': {
          if (!active()) {
            conds.push({ active: false, done: true, sawElse: false, opener: line });
            break;
          }
          const truth = this.truth(name, rest, line, at);
          conds.push({ active: truth, done: truth, sawElse: false, opener: line });
          break;
        }
        case 'elif': case 'else': case 'endif': {
          const top = conds[conds.length - 1];
          if (top === undefined) {
            at(`#${name} without #if`);
            break;
          }
          if (name === 'endif') {
            conds.pop();
            break;
          }
          if (top.sawElse) {
            at(`#${name} after #else`);
            top.active = false;
            break;
          }
          if (name === 'else') {
            top.sawElse = true;
            top.active = !top.done;
            top.done = true;
          } else if (top.done) top.active = false;
          else {
            top.active = this.truth('if', rest, line, at);
            top.done = top.active;
          }
          break;
        }
        default:
          if (active()) this.directive(line, name, rest, depth, at);
      }
    }
    for (const c of conds) {
      const r = wholeLineRange(c.opener.text);
      this.report('error', c.opener, 'unterminated #if', r.start, r.end);
    }
  }

  private truth(name: string, rest: string, line: ExpandedLine, at: (m: string) => void): boolean {
    this.expander.file = line.file;
    this.expander.line = line.line + 1;
    if (name === 'if') {
      const v = evaluateCondition(tokenizeLine(rest), this.expander);
      if (typeof v === 'string') {
        at(v);
        return false;
      }
      return v !== 0n;
    }
    const m = /^\s*([A-Za-z_]\w*)\s*$/.exec(rest);
    if (!m) {
      at(`#${name}: expected a macro name`);
      return false;
    }
    const defined = this.expander.macros.has(m[1]!) || m[1] === '__LINE__' || m[1] === '__FILE__';
    return name === 'ifdef' ? defined : !defined;
  }

  private directive(line: ExpandedLine, name: string, rest: string, depth: number, at: (m: string, s?: 'error' | 'warning') => void): void {
    switch (name) {
      case 'define': {
        const m = parseDefine(rest);
        if (typeof m === 'string') at(`#define: ${m}`);
        else this.expander.macros.set(m.name, m);
        return;
      }
      case 'undef': {
        const m = /^\s*([A-Za-z_]\w*)\s*$/.exec(rest);
        if (!m) at('#undef: expected a macro name');
        else this.expander.macros.delete(m[1]!);
        return;
      }
      case 'include': case 'include_next':
        return this.include(line, rest, depth, at);
      case 'error': case 'warning':
        return at(`#${name}${rest.trimEnd()}`, name === 'error' ? 'error' : 'warning');
      case 'line': case 'pragma': case 'ident': case 'sccs': case 'assert': case 'unassert':
        return;
      default:
        // `# 12 "file"` markers are dropped; other `#word` lines are assembler comments.
        if (/^[0-9]+$/.test(name)) return;
        this.out.push(line);
    }
  }

  private include(line: ExpandedLine, rest: string, depth: number, at: (m: string) => void): void {
    let spec = rest.trim();
    if (!/^["<]/.test(spec)) {
      this.expander.file = line.file;
      this.expander.line = line.line + 1;
      spec = tokensText(this.expander.expand(tokenizeLine(spec)).tokens).trim();
    }
    const m = /^"([^"]*)"$|^<([^>]*)>$/.exec(spec);
    if (!m) return at('#include expects "FILENAME" or <FILENAME>');
    const name = m[1] ?? m[2]!;
    if (depth + 1 > MAX_INCLUDE_DEPTH) return at(`#include nested more than ${MAX_INCLUDE_DEPTH} deep`);
    const found = findIncludeFile(this.files, name, line.file, m[1] !== undefined);
    if (found === null) return at(`${name}: No such file or directory`);
    const base = found.path.split('/').pop() ?? found.path;
    const lines = linesOfFile(found.text, found.path, false, line.userLine).map((l) => ({ ...l, via: `${base}:${l.line + 1}` }));
    this.run(lines, depth + 1);
  }

  private emitText(line: ExpandedLine): void {
    this.expander.file = line.file;
    this.expander.line = line.line + 1;
    const r = this.expander.expand(tokenizeLine(line.text));
    for (const e of r.errors) this.report('error', line, e, 0, line.text.trimEnd().length);
    if (!r.expanded) {
      this.out.push(line);
      return;
    }
    this.out.push({ ...line, text: tokensText(r.tokens), verbatim: false });
  }
}
