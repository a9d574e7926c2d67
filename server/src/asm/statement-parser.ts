// Turns GNU as AT&T source text into statements: labels (with numeric local labels `1:` given
// unique names), `sym = expr` assignments, directives with their comma-separated arguments, and
// instructions with their prefix words and parsed operands. It never throws: every problem is an
// error with its line and columns, and parsing goes on with the next statement.

import { lexLine, type LexState, type Token } from './source-lexer';
import { TokenCursor, parseExpression, type Expr } from './expression-syntax';
import { parseAttOperand, splitOperands, type AttOperand } from './att-operand-syntax';
import { parseIntelOperand } from './intel-operand-syntax';

/** A place in the source: 0-based line, 0-based columns, end exclusive. */
export interface SourceRange {
  line: number;
  start: number;
  end: number;
}

export interface AsmDiagnostic extends SourceRange {
  severity: 'error' | 'warning';
  message: string;
}

export interface PrefixWord {
  name: string;
  start: number;
  end: number;
}

export type Statement =
  | { kind: 'label'; name: string; range: SourceRange }
  | { kind: 'assign'; name: string; expr: Expr; range: SourceRange }
  | { kind: 'directive'; name: string; args: Token[][]; range: SourceRange }
  | {
      kind: 'instruction';
      prefixes: PrefixWord[];
      /** Null for a line holding prefix words only (`rep`, `lock`). */
      mnemonic: string | null;
      mnemonicRange: SourceRange;
      operands: AttOperand[];
      range: SourceRange;
      /** Written in Intel syntax: the mnemonic is an Intel name (operands are in AT&T order all the same). */
      intel?: true;
    };

export interface ParsedSource {
  statements: Statement[];
  errors: AsmDiagnostic[];
  lineCount: number;
}

/** Prefix words GNU as accepts in front of a mnemonic. */
export const PREFIX_WORDS: ReadonlySet<string> = new Set([
  'lock', 'rep', 'repe', 'repz', 'repne', 'repnz', 'data16', 'data32', 'addr16', 'addr32',
  'cs', 'ds', 'es', 'fs', 'gs', 'ss', 'notrack', 'bnd', 'xacquire', 'xrelease',
  '{vex}', '{vex2}', '{vex3}',
]);

/** Gives numeric local labels (`1:`) unique names and resolves `1b` / `1f` to them. */
export class NumericLocalLabels {
  protected readonly counts = new Map<string, number>();
  /** The name each label was last given: `1b` is that very string (its hash is computed once). */
  private readonly lastNames = new Map<string, string>();
  define(digits: string): string {
    const n = (this.counts.get(digits) ?? 0) + 1;
    this.counts.set(digits, n);
    const name = this.name(digits, n);
    this.lastNames.set(digits, name);
    return name;
  }
  resolve(ref: string): string {
    const digits = ref.slice(0, -1);
    const backward = ref.endsWith('b');
    if (backward) {
      const last = this.lastNames.get(digits);
      if (last !== undefined) return last;
    }
    const n = this.counts.get(digits) ?? 0;
    return this.name(digits, backward ? n : n + 1);
  }
  /** True when both have defined the same numeric labels as many times. */
  sameCounts(other: NumericLocalLabels): boolean {
    if (this.counts.size !== other.counts.size) return false;
    for (const [k, v] of this.counts) if (other.counts.get(k) !== v) return false;
    return true;
  }
  /** A copy holding the same counts (to resume parsing from a checkpoint). */
  clone(): NumericLocalLabels {
    const c = new NumericLocalLabels();
    for (const [k, v] of this.counts) c.counts.set(k, v);
    return c;
  }
  private name(digits: string, n: number): string {
    // \x02 cannot appear in source, so these never collide with user symbols (GNU as does the same).
    return `.L${digits}\x02${n}`;
  }
}

function splitStatements(tokens: Token[]): Token[][] {
  // Most lines hold one statement: no copy then.
  if (tokens.length === 0) return [];
  if (!tokens.some((t) => t.kind === 'separator')) return [tokens];
  const out: Token[][] = [[]];
  for (const t of tokens) {
    if (t.kind === 'separator') out.push([]);
    else out[out.length - 1]!.push(t);
  }
  return out.filter((s) => s.length > 0);
}

/** Which syntax `.intel_syntax` / `.att_syntax` chose; it holds from line to line. */
export interface SyntaxMode {
  intel: boolean;
  /** `.intel_syntax noprefix`: registers without `%`. */
  noprefix: boolean;
}

const INTEL_BRANCH = /^(j[a-z]+|l?callw?|ljmp|loop[a-z]*|xbegin)$/;

/** Intel operands, parsed and put in AT&T order (far `sel:off` becomes `$sel,$off`). */
function intelOperands(mnemonic: string, parts: Token[][], mode: SyntaxMode, addr16: boolean): AttOperand[] | { message: string; start: number; end: number } {
  const branch = INTEL_BRANCH.test(mnemonic);
  const indirectCapable = /^(call|jmp)w?$|^l(call|jmp)$/.test(mnemonic);
  // GNU as reads a bare operand of `jmpw` (objdump's 16-bit relative spelling) as memory; not of `callw`.
  const bareIsMemory = mnemonic === 'jmpw';
  const groups: AttOperand[][] = [];
  for (const part of parts) {
    const o = parseIntelOperand(part, { noprefix: mode.noprefix, branch }, (x) => x);
    if ('message' in o) return o;
    if (o.kind === 'far') groups.push([o.selector, o.offset]);
    else {
      if (bareIsMemory && o.kind === 'mem') o.bare = false;
      // Under addr16 GNU as reads a branch's numeric target as a 16-bit address, sign-extended.
      if (addr16 && branch && o.kind === 'mem' && o.bare && o.disp?.kind === 'number' && o.disp.value < 0x10000n) {
        o.disp = { ...o.disp, value: BigInt.asIntN(16, o.disp.value) };
      }
      if (indirectCapable && (o.kind === 'reg' || (o.kind === 'mem' && !o.bare))) o.indirect = true;
      groups.push([o]);
    }
  }
  return groups.reverse().flat();
}

function parseOne(tokens: Token[], line: number, locals: NumericLocalLabels, out: ParsedSource, mode: SyntaxMode): void {
  const err = (message: string, start: number, end: number): void => {
    out.errors.push({ severity: 'error', message, line, start, end });
  };
  let i = 0;
  // Labels: `name:` or `1:`, possibly several on one line.
  while (i + 1 < tokens.length && tokens[i + 1]!.kind === 'punct' && tokens[i + 1]!.text === ':') {
    const t = tokens[i]!;
    if (t.kind === 'ident' && t.text !== '.') {
      out.statements.push({ kind: 'label', name: t.text, range: { line, start: t.start, end: tokens[i + 1]!.end } });
    } else if (t.kind === 'number' && /^[0-9]+$/.test(t.text)) {
      out.statements.push({ kind: 'label', name: locals.define(t.text), range: { line, start: t.start, end: tokens[i + 1]!.end } });
    } else break;
    i += 2;
  }
  // Numeric local references become plain symbol names from here on.
  const rest = tokens.some((t) => t.kind === 'localref')
    ? tokens.slice(i).map((t) => (t.kind === 'localref' ? { ...t, kind: 'ident' as const, text: locals.resolve(t.text) } : t))
    : i === 0 ? tokens : tokens.slice(i);
  if (rest.length === 0) return;
  const first = rest[0]!;
  const end = rest[rest.length - 1]!.end;
  const range: SourceRange = { line, start: first.start, end };
  if (first.kind !== 'ident' || first.text.includes('\x02')) {
    err(`expected a label, directive or instruction, found '${first.text}'`, first.start, first.end);
    return;
  }
  const second = rest[1];
  if (second !== undefined && second.kind === 'punct' && second.text === '=') {
    const c = new TokenCursor(rest.slice(2), end);
    const e = parseExpression(c, (x) => x);
    if ('message' in e) return err(e.message, e.start, e.end);
    if (!c.atEnd()) return err('junk at end of expression', c.here(), end);
    out.statements.push({ kind: 'assign', name: first.text, expr: e, range });
    return;
  }
  if (first.text.startsWith('.')) {
    const args = rest.length > 1 ? splitOperands(rest.slice(1)) : [];
    const name = first.text.toLowerCase();
    if (name === '.intel_syntax') {
      mode.intel = true;
      mode.noprefix = args[0]?.[0]?.text.toLowerCase() === 'noprefix';
    } else if (name === '.att_syntax') mode.intel = false;
    out.statements.push({ kind: 'directive', name, args, range });
    return;
  }
  const prefixes: PrefixWord[] = [];
  let k = 0;
  while (k < rest.length && rest[k]!.kind === 'ident' && PREFIX_WORDS.has(rest[k]!.text.toLowerCase())) {
    prefixes.push({ name: rest[k]!.text.toLowerCase(), start: rest[k]!.start, end: rest[k]!.end });
    k++;
  }
  const mnemonicToken = rest[k];
  if (mnemonicToken === undefined) {
    const last = prefixes[prefixes.length - 1]!;
    out.statements.push({ kind: 'instruction', prefixes, mnemonic: null, mnemonicRange: { line, start: last.start, end: last.end }, operands: [], range });
    return;
  }
  if (mnemonicToken.kind !== 'ident') {
    err(`expected an instruction mnemonic, found '${mnemonicToken.text}'`, mnemonicToken.start, mnemonicToken.end);
    return;
  }
  // Mnemonics with a dash (`xstore-rng`, `xcrypt-ecb`) arrive as three adjacent tokens.
  let mnemonicText = mnemonicToken.text;
  let mnemonicEnd = mnemonicToken.end;
  while (rest[k + 1]?.kind === 'punct' && rest[k + 1]!.text === '-' && rest[k + 1]!.start === mnemonicEnd &&
    rest[k + 2]?.kind === 'ident' && rest[k + 2]!.start === mnemonicEnd + 1) {
    mnemonicText += '-' + rest[k + 2]!.text;
    mnemonicEnd = rest[k + 2]!.end;
    k += 2;
  }
  // Branch hints `jne,pt` / `jne,pn` are the %ds / %cs prefixes.
  const hint = rest[k + 2];
  if (!mode.intel && rest[k + 1]?.kind === 'punct' && rest[k + 1]!.text === ',' && rest[k + 1]!.start === mnemonicEnd &&
    hint?.kind === 'ident' && (hint.text === 'pt' || hint.text === 'pn')) {
    prefixes.push({ name: hint.text === 'pt' ? 'ds' : 'cs', start: hint.start, end: hint.end });
    mnemonicEnd = hint.end;
    k += 2;
  }
  const operands: AttOperand[] = [];
  const operandTokens = rest.slice(k + 1);
  if (operandTokens.length > 0 && mode.intel) {
    const parts = splitOperands(operandTokens);
    if (parts.some((p) => p.length === 0)) return err('missing operand', mnemonicToken.end, end);
    const list = intelOperands(mnemonicText.toLowerCase(), parts, mode, prefixes.some((p) => p.name === 'addr16'));
    if ('message' in list) return err(list.message, list.start, list.end);
    operands.push(...list);
  } else if (operandTokens.length > 0) {
    for (const part of splitOperands(operandTokens)) {
      if (part.length === 0) {
        err('missing operand', mnemonicToken.end, end);
        return;
      }
      const bad = part.find((t) => t.kind === 'error');
      if (bad) return err(bad.message ?? 'bad token', bad.start, bad.end);
      const o = parseAttOperand(part, (x) => x);
      if ('message' in o) return err(o.message, o.start, o.end);
      operands.push(o);
    }
  }
  out.statements.push({
    kind: 'instruction',
    prefixes,
    mnemonic: mnemonicText.toLowerCase(),
    mnemonicRange: { line, start: mnemonicToken.start, end: mnemonicEnd },
    // An exact copy: an array grown by push keeps room for 16, and cached statements live long.
    operands: operands.slice(),
    range,
    ...(mode.intel ? { intel: true as const } : {}),
  });
}

/** Lexes and parses one line into `out`, carrying the comment, local label and syntax state. */
export function parseLine(tokens: Token[], line: number, locals: NumericLocalLabels, out: ParsedSource, mode: SyntaxMode): void {
  for (const statement of splitStatements(tokens)) {
    const bad = statement.find((t) => t.kind === 'error');
    if (bad) {
      out.errors.push({ severity: 'error', message: bad.message ?? 'bad token', line, start: bad.start, end: bad.end });
      continue;
    }
    parseOne(statement, line, locals, out, mode);
  }
}

/** Parses a whole source text. Lines are split on \n; columns count UTF-16 code units. */
export function parseSource(text: string): ParsedSource {
  const out: ParsedSource = { statements: [], errors: [], lineCount: 0 };
  const lines = text.split('\n');
  out.lineCount = lines.length;
  const state: LexState = { inBlockComment: false };
  const locals = new NumericLocalLabels();
  const mode: SyntaxMode = { intel: false, noprefix: false };
  let commentOpened = { line: 0, column: 0 };
  lines.forEach((lineText, line) => {
    const wasInComment = state.inBlockComment;
    const tokens = lexLine(lineText, state);
    if (!wasInComment && state.inBlockComment) commentOpened = blockCommentOpening(lineText, line);
    parseLine(tokens, line, locals, out, mode);
  });
  if (state.inBlockComment) out.errors.push(unterminatedCommentError(commentOpened));
  return out;
}

/** Where a line opens a block comment that is still open at its end: its last `/*`. */
export function blockCommentOpening(lineText: string, line: number): { line: number; column: number } {
  return { line, column: Math.max(0, lineText.lastIndexOf('/*')) };
}

/** The error for a `/*` that never closes, at that `/*`, where the fix belongs. */
export function unterminatedCommentError(opened: { line: number; column: number }): AsmDiagnostic {
  return { severity: 'error', message: 'unterminated /* comment', line: opened.line, start: opened.column, end: opened.column + 2 };
}
