// Intel operands after `.intel_syntax`: bare (or %) registers, `DWORD PTR seg:[base+index*scale+disp]`
// memory, `OFFSET sym` and plain numbers as immediates, `sel:off` far pointers. Each is turned into
// the same operand form the AT&T parser yields, so one encoder serves both syntaxes. A PTR size
// rides along as `ptrBits` for the encoder's size check. Parsing never throws.

import type { Token } from './source-lexer';
import { TokenCursor, parseExpression, type Expr, type LocalLabelResolver, type ParseError } from './expression-syntax';
import { lookupRegister, type AsmRegister, type AttOperand } from './att-operand-syntax';

/** Sizes named before PTR, in bits (`FAR PTR`: a 16:32 far pointer). */
const PTR_BITS: Record<string, number> = {
  far: 48, byte: 8, word: 16, dword: 32, fword: 48, qword: 64, tbyte: 80, oword: 128, xmmword: 128, ymmword: 256,
};

export interface IntelOperandOptions {
  /** `.intel_syntax noprefix`: bare names are registers. */
  noprefix: boolean;
  /** The mnemonic is a branch: a bare number is its target, not an immediate. */
  branch: boolean;
}

export type IntelOperand = AttOperand | { kind: 'far'; selector: AttOperand; offset: AttOperand };

function isPunct(t: Token | undefined, text: string): boolean {
  return t !== undefined && t.kind === 'punct' && t.text === text;
}

function isWord(t: Token | undefined, word: string): boolean {
  return t !== undefined && t.kind === 'ident' && t.text.toLowerCase() === word;
}

function registerOf(t: Token | undefined, noprefix: boolean): AsmRegister | null {
  if (t === undefined) return null;
  if (t.kind === 'register') return lookupRegister(t.text);
  // GNU as knows no bare `eiz` in Intel syntax: it is a symbol there (objdump prints it all the same).
  if (noprefix && t.kind === 'ident' && t.text.toLowerCase() !== 'eiz') return lookupRegister(t.text.toLowerCase());
  return null;
}

function expressionOf(tokens: readonly Token[], end: number, local: LocalLabelResolver): Expr | ParseError {
  if (tokens.length === 0) return { message: 'missing expression', start: end, end };
  const c = new TokenCursor(tokens, end);
  const e = parseExpression(c, local);
  if ('message' in e) return e;
  if (!c.atEnd()) return { message: 'junk in operand', start: c.here(), end };
  return e;
}

function synthetic(text: string, at: number): Token {
  return { kind: 'punct', text, start: at, end: at };
}

/** Splits a bracket's inside at top-level + and -, each term with its sign token (null for the first). */
function terms(tokens: readonly Token[]): Array<{ sign: Token | null; tokens: Token[] }> {
  const out: Array<{ sign: Token | null; tokens: Token[] }> = [{ sign: null, tokens: [] }];
  let depth = 0;
  for (const t of tokens) {
    if (isPunct(t, '(')) depth++;
    if (isPunct(t, ')')) depth--;
    const last = out[out.length - 1]!;
    if (depth === 0 && (isPunct(t, '+') || isPunct(t, '-')) && last.tokens.length > 0) out.push({ sign: t, tokens: [] });
    else last.tokens.push(t);
  }
  return out;
}

/** Parses one Intel operand from its (non-empty) tokens. */
export function parseIntelOperand(all: readonly Token[], opts: IntelOperandOptions, local: LocalLabelResolver): IntelOperand | ParseError {
  const start = all[0]!.start;
  const end = all[all.length - 1]!.end;
  let tokens = [...all];
  let ptrBits: number | undefined;
  // Branch distance words carry no meaning for the encoding: as relaxes anyway.
  if (opts.branch && (isWord(tokens[0], 'short') || isWord(tokens[0], 'near')) && tokens.length > 1) tokens = tokens.slice(1);
  const sizeWord = tokens[0]?.kind === 'ident' ? PTR_BITS[tokens[0].text.toLowerCase()] : undefined;
  if (sizeWord !== undefined && isWord(tokens[1], 'ptr')) {
    ptrBits = sizeWord;
    tokens = tokens.slice(2);
    if (tokens.length === 0) return { message: 'expected a memory operand after PTR', start, end };
  }
  if (isWord(tokens[0], 'offset')) {
    tokens = tokens.slice(1);
    if (isWord(tokens[0], 'flat') && isPunct(tokens[1], ':')) tokens = tokens.slice(2);
    const e = expressionOf(tokens, end, local);
    if ('message' in e) return e;
    return { kind: 'imm', expr: e, start, end };
  }
  const first = registerOf(tokens[0], opts.noprefix);
  if (first !== null && tokens.length === 1) {
    if (ptrBits !== undefined) return { message: `register '${first.name}' cannot take a PTR size`, start, end };
    return { kind: 'reg', reg: first, indirect: false, start, end };
  }
  // x87 stack registers: st(0) .. st(7).
  if (first?.cls === 'x87' && tokens.length === 4 && isPunct(tokens[1], '(') && isPunct(tokens[3], ')') && tokens[2]!.kind === 'number') {
    const n = Number(tokens[2]!.number);
    if (n > 7) return { message: `bad register name 'st(${n})'`, start, end };
    return { kind: 'reg', reg: { name: `st(${n})`, cls: 'x87', number: n }, indirect: false, start, end };
  }
  let segment: AsmRegister | null = null;
  if (first?.cls === 'segment' && isPunct(tokens[1], ':')) {
    segment = first;
    tokens = tokens.slice(2);
    if (tokens.length === 0) return { message: 'expected a memory operand after the segment', start, end };
  } else if (isWord(tokens[0], 'flat') && isPunct(tokens[1], ':')) {
    tokens = tokens.slice(2);
  }
  // Far pointer `sel:off` (direct far jmp/call).
  const colon = tokens.findIndex((t) => isPunct(t, ':'));
  if (segment === null && colon > 0 && !tokens.some((t) => isPunct(t, '['))) {
    const sel = expressionOf(tokens.slice(0, colon), tokens[colon]!.start, local);
    if ('message' in sel) return sel;
    const off = expressionOf(tokens.slice(colon + 1), end, local);
    if ('message' in off) return off;
    return { kind: 'far', selector: { kind: 'imm', expr: sel, start, end }, offset: { kind: 'imm', expr: off, start, end } };
  }
  const hasBracket = tokens.some((t) => isPunct(t, '['));
  if (!hasBracket && ptrBits === undefined && segment === null) {
    const e = expressionOf(tokens, end, local);
    if ('message' in e) return e;
    // A plain number is an immediate; a symbol names memory (use OFFSET for its address), and
    // a branch's bare operand is its target.
    const numeric = !tokens.some((t) => t.kind === 'ident');
    if (numeric && !opts.branch) return { kind: 'imm', expr: e, start, end };
    return { kind: 'mem', segment: null, disp: e, base: null, index: null, scale: 1, bare: true, indirect: false, start, end };
  }
  // Memory: displacement pieces outside and inside brackets, registers inside brackets.
  let base: AsmRegister | null = null;
  let index: AsmRegister | null = null;
  let scale: 1 | 2 | 4 | 8 = 1;
  const dispTokens: Token[] = [];
  const addDisp = (sign: Token | null, piece: Token[]): void => {
    if (piece.length === 0) return;
    if (dispTokens.length > 0 || (sign !== null && sign.text === '-')) dispTokens.push(sign ?? synthetic('+', piece[0]!.start));
    dispTokens.push(...piece);
  };
  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i]!;
    if (isPunct(t, ']')) return { message: "unbalanced ']'", start: t.start, end: t.end };
    if (!isPunct(t, '[')) {
      const j = tokens.findIndex((x, k) => k > i && isPunct(x, '['));
      const stop = j < 0 ? tokens.length : j;
      addDisp(null, tokens.slice(i, stop));
      i = stop;
      continue;
    }
    const close = tokens.findIndex((x, k) => k > i && isPunct(x, ']'));
    if (close < 0) return { message: "missing ']'", start: t.start, end };
    for (const term of terms(tokens.slice(i + 1, close))) {
      const p = term.tokens;
      const r0 = registerOf(p[0], opts.noprefix);
      const r2 = registerOf(p[2], opts.noprefix);
      let reg: AsmRegister | null = null;
      let factor: Token[] | null = null;
      if (r0 !== null && p.length === 1) reg = r0;
      else if (r0 !== null && isPunct(p[1], '*')) { reg = r0; factor = p.slice(2); }
      else if (r2 !== null && p.length === 3 && isPunct(p[1], '*')) { reg = r2; factor = p.slice(0, 1); }
      // GNU as reads `sym*1` inside brackets as a scale of one on a symbol: just the symbol.
      if (reg === null && p.length === 3 && p[0]!.kind === 'ident' && isPunct(p[1], '*') && p[2]!.kind === 'number' && p[2]!.number === 1n) {
        addDisp(term.sign, p.slice(0, 1));
        continue;
      }
      if (reg === null) {
        if (p.some((x) => registerOf(x, opts.noprefix) !== null && x.kind !== 'ident')) return { message: 'bad memory operand', start: t.start, end };
        addDisp(term.sign, p);
        continue;
      }
      const at = p[0]!.start;
      if (term.sign?.text === '-') return { message: `cannot subtract register '${reg.name}'`, start: term.sign.start, end: p[p.length - 1]!.end };
      if (factor !== null) {
        const e = expressionOf(factor, p[p.length - 1]!.end, local);
        if ('message' in e) return e;
        const v = e.kind === 'number' ? Number(e.value) : NaN;
        if (v !== 1 && v !== 2 && v !== 4 && v !== 8) return { message: 'scale factor must be 1, 2, 4 or 8', start: e.start, end: e.end };
        if (index !== null) return { message: 'too many index registers', start: at, end: p[p.length - 1]!.end };
        index = reg;
        scale = v;
      } else if (base === null) base = reg;
      else if (index === null) index = reg;
      else return { message: 'too many registers in memory operand', start: at, end: p[p.length - 1]!.end };
    }
    i = close + 1;
  }
  let disp: Expr | null = null;
  if (dispTokens.length > 0) {
    const e = expressionOf(dispTokens, end, local);
    if ('message' in e) return e;
    disp = e;
  }
  const mem: AttOperand = { kind: 'mem', segment, disp, base, index, scale, bare: false, indirect: false, start, end };
  if (ptrBits !== undefined) mem.ptrBits = ptrBits;
  return mem;
}
