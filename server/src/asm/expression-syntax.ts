// Expressions of GNU as: the syntax tree and its parser over lexer tokens, with GNU as's four
// precedence levels (unary; * / % << >>; | & ^ !; + - and comparisons; && ||). Parsing never
// throws: a malformed expression yields an error with the token range where it went wrong.

import type { Token } from './source-lexer';

export type Expr =
  | { kind: 'number'; value: bigint; start: number; end: number }
  | { kind: 'symbol'; name: string; start: number; end: number }
  | { kind: 'dot'; start: number; end: number }
  | { kind: 'unary'; op: string; arg: Expr; start: number; end: number }
  | { kind: 'binary'; op: string; left: Expr; right: Expr; start: number; end: number };

export interface ParseError {
  message: string;
  start: number;
  end: number;
}

/** A cursor over one statement's tokens; parsers advance `pos`. */
export class TokenCursor {
  pos = 0;
  constructor(readonly tokens: readonly Token[], readonly lineEnd: number) {}
  peek(offset = 0): Token | undefined {
    return this.tokens[this.pos + offset];
  }
  atEnd(): boolean {
    return this.pos >= this.tokens.length;
  }
  isPunct(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t !== undefined && t.kind === 'punct' && t.text === text;
  }
  /** Column where the next token starts, or the end of the line. */
  here(): number {
    return this.peek()?.start ?? this.lineEnd;
  }
}

const LEVELS: ReadonlyArray<ReadonlySet<string>> = [
  new Set(['&&', '||']),
  new Set(['+', '-', '==', '!=', '<>', '<', '>', '<=', '>=']),
  new Set(['|', '&', '^', '!']),
  new Set(['*', '/', '%', '<<', '>>']),
];

/** Resolves a numeric local label reference (`1b`, `1f`) to the label's unique name. */
export type LocalLabelResolver = (text: string) => string;

function parsePrimary(c: TokenCursor, local: LocalLabelResolver): Expr | ParseError {
  const t = c.peek();
  if (t === undefined) return { message: 'expected an expression', start: c.here(), end: c.here() };
  if (t.kind === 'number') {
    c.pos++;
    return { kind: 'number', value: t.number!, start: t.start, end: t.end };
  }
  if (t.kind === 'localref') {
    c.pos++;
    return { kind: 'symbol', name: local(t.text), start: t.start, end: t.end };
  }
  if (t.kind === 'ident') {
    c.pos++;
    if (t.text === '.') return { kind: 'dot', start: t.start, end: t.end };
    return { kind: 'symbol', name: t.text, start: t.start, end: t.end };
  }
  if (t.kind === 'punct' && (t.text === '-' || t.text === '~' || t.text === '!' || t.text === '+')) {
    c.pos++;
    const arg = parsePrimary(c, local);
    if ('message' in arg) return arg;
    return { kind: 'unary', op: t.text, arg, start: t.start, end: arg.end };
  }
  if (t.kind === 'punct' && t.text === '(') {
    c.pos++;
    const inner = parseExpression(c, local);
    if ('message' in inner) return inner;
    if (!c.isPunct(')')) return { message: "expected ')'", start: c.here(), end: c.here() + 1 };
    const close = c.peek()!;
    c.pos++;
    return { ...inner, start: t.start, end: close.end };
  }
  return { message: `unexpected '${t.text}' in expression`, start: t.start, end: t.end };
}

function parseLevel(c: TokenCursor, level: number, local: LocalLabelResolver): Expr | ParseError {
  if (level >= LEVELS.length) return parsePrimary(c, local);
  let left = parseLevel(c, level + 1, local);
  if ('message' in left) return left;
  for (;;) {
    const t = c.peek();
    if (t === undefined || t.kind !== 'punct' || !LEVELS[level]!.has(t.text)) return left;
    c.pos++;
    const right = parseLevel(c, level + 1, local);
    if ('message' in right) return right;
    left = { kind: 'binary', op: t.text, left, right, start: left.start, end: right.end };
  }
}

/** Parses an expression at the cursor. */
export function parseExpression(c: TokenCursor, local: LocalLabelResolver): Expr | ParseError {
  return parseLevel(c, 0, local);
}

export function isParseError(x: unknown): x is ParseError {
  return typeof x === 'object' && x !== null && 'message' in x;
}

/** Every symbol name an expression mentions (for `.set` chains and undefined-symbol checks). */
export function symbolsOf(e: Expr, out: string[] = []): string[] {
  if (e.kind === 'symbol') out.push(e.name);
  else if (e.kind === 'unary') symbolsOf(e.arg, out);
  else if (e.kind === 'binary') {
    symbolsOf(e.left, out);
    symbolsOf(e.right, out);
  }
  return out;
}
