// AT&T operands: `%reg`, `$imm`, memory `seg:disp(base,index,scale)`, a bare expression (an
// absolute address, or a branch target), and `*` before an indirect branch operand. Parsing
// never throws; each failure comes back with the columns of the offending text.

import type { Token } from './source-lexer';
import { TokenCursor, parseExpression, type Expr, type LocalLabelResolver, type ParseError } from './expression-syntax';
import { CONTROL, GPR16, GPR32, GPR8, SEGMENT } from '../isa/registers';

export type RegisterClass = 'gpr8' | 'gpr16' | 'gpr32' | 'segment' | 'control' | 'debug' | 'eiz' | 'x87' | 'mmx' | 'xmm' | 'ymm' | 'unsupported';

export interface AsmRegister {
  name: string;
  cls: RegisterClass;
  /** Encoding number (0-7). */
  number: number;
}

export type AttOperand =
  | { kind: 'reg'; reg: AsmRegister; indirect: boolean; start: number; end: number }
  | { kind: 'imm'; expr: Expr; start: number; end: number }
  | {
      kind: 'mem';
      segment: AsmRegister | null;
      disp: Expr | null;
      base: AsmRegister | null;
      index: AsmRegister | null;
      scale: 1 | 2 | 4 | 8;
      /** True for an operand written as a bare expression (no parentheses, no segment). */
      bare: boolean;
      indirect: boolean;
      /** Intel syntax only: the size a `DWORD PTR` word gives the operand, in bits. */
      ptrBits?: number;
      start: number;
      end: number;
    };

const UNSUPPORTED_REGISTER = /^(zmm[0-9]+|k[0-7]|bnd[0-3]|tr[0-7]|r[0-9a-z]+)$/;

const KNOWN_REGISTERS = new Map<string, AsmRegister>();

/** Looks up a register by its AT&T name (without `%`). The result is shared: do not modify it. */
export function lookupRegister(name: string): AsmRegister | null {
  const known = KNOWN_REGISTERS.get(name);
  if (known !== undefined) return known;
  const found = findRegister(name);
  // Only real register names are kept, so bad input cannot grow the map.
  if (found !== null && found.cls !== 'unsupported') KNOWN_REGISTERS.set(name, found);
  return found;
}

function findRegister(name: string): AsmRegister | null {
  const tables: Array<[readonly string[], RegisterClass]> = [
    [GPR8, 'gpr8'], [GPR16, 'gpr16'], [GPR32, 'gpr32'], [SEGMENT, 'segment'], [CONTROL, 'control'],
  ];
  for (const [names, cls] of tables) {
    const n = names.indexOf(name);
    if (n >= 0) return { name, cls, number: n };
  }
  const debug = /^d[br]([0-7])$/.exec(name);
  if (debug) return { name, cls: 'debug', number: Number(debug[1]) };
  if (name === 'eiz') return { name, cls: 'eiz', number: 4 };
  if (name === 'st') return { name, cls: 'x87', number: 0 };
  const vector = /^([xy]?mm)([0-7])$/.exec(name);
  if (vector) return { name, cls: vector[1] === 'mm' ? 'mmx' : vector[1] === 'xmm' ? 'xmm' : 'ymm', number: Number(vector[2]) };
  if (UNSUPPORTED_REGISTER.test(name)) return { name, cls: 'unsupported', number: 0 };
  return null;
}

function registerAt(t: Token | undefined): AsmRegister | ParseError | null {
  if (t === undefined || t.kind !== 'register') return null;
  return lookupRegister(t.text) ?? { message: `bad register name '%${t.text}'`, start: t.start, end: t.end };
}

function isError(x: unknown): x is ParseError {
  return typeof x === 'object' && x !== null && 'message' in x;
}

/** Finds the `(` that opens a trailing `(base,index,scale)` group, or -1. */
function addressGroupStart(tokens: readonly Token[]): number {
  const last = tokens[tokens.length - 1];
  if (last === undefined || last.kind !== 'punct' || last.text !== ')') return -1;
  let depth = 0;
  for (let i = tokens.length - 1; i >= 0; i--) {
    const t = tokens[i]!;
    if (t.kind === 'punct' && t.text === ')') depth++;
    else if (t.kind === 'punct' && t.text === '(') {
      depth--;
      if (depth === 0) {
        const next = tokens[i + 1];
        const opensAddress = next !== undefined && (next.kind === 'register' || (next.kind === 'punct' && next.text === ','));
        return opensAddress ? i : -1;
      }
    }
  }
  return -1;
}

function parseAddressGroup(tokens: readonly Token[], local: LocalLabelResolver):
  { base: AsmRegister | null; index: AsmRegister | null; scale: 1 | 2 | 4 | 8 } | ParseError {
  // tokens: ( [base] [, index [, scale]] )
  let i = 1;
  let base: AsmRegister | null = null;
  let index: AsmRegister | null = null;
  let scale: 1 | 2 | 4 | 8 = 1;
  const b = registerAt(tokens[i]);
  if (isError(b)) return b;
  if (b) {
    base = b;
    i++;
  }
  const close = tokens.length - 1;
  if (i < close) {
    const comma = tokens[i]!;
    if (comma.kind !== 'punct' || comma.text !== ',') return { message: `expected ',' or ')'`, start: comma.start, end: comma.end };
    i++;
    const x = registerAt(tokens[i]);
    if (isError(x)) return x;
    if (x) {
      index = x;
      i++;
    }
    if (i < close) {
      const comma2 = tokens[i]!;
      if (comma2.kind !== 'punct' || comma2.text !== ',') return { message: `expected ',' or ')'`, start: comma2.start, end: comma2.end };
      i++;
      const c = new TokenCursor(tokens.slice(i, close), tokens[close]!.start);
      const e = parseExpression(c, local);
      if (isError(e)) return e;
      if (!c.atEnd()) return { message: 'junk after scale factor', start: c.here(), end: tokens[close]!.start };
      const v = e.kind === 'number' ? Number(e.value) : NaN;
      if (v !== 1 && v !== 2 && v !== 4 && v !== 8) {
        return { message: 'scale factor must be 1, 2, 4 or 8', start: e.start, end: e.end };
      }
      scale = v;
      i = close;
    }
  }
  if (i !== close) return { message: 'bad memory operand', start: tokens[i]!.start, end: tokens[close]!.end };
  return { base, index, scale };
}

/** The expression of an operand: an immediate's value, a memory operand's displacement (null for none). */
export function operandExpr(o: AttOperand): Expr | null {
  return o.kind === 'imm' ? o.expr : o.kind === 'mem' ? o.disp : null;
}

/** Parses one operand from its tokens (non-empty). */
export function parseAttOperand(all: readonly Token[], local: LocalLabelResolver): AttOperand | ParseError {
  let tokens = all;
  const start = all[0]!.start;
  const end = all[all.length - 1]!.end;
  let indirect = false;
  if (tokens[0]!.kind === 'punct' && tokens[0]!.text === '*') {
    indirect = true;
    tokens = tokens.slice(1);
    if (tokens.length === 0) return { message: "expected an operand after '*'", start, end };
  }
  const first = tokens[0]!;
  if (first.kind === 'punct' && first.text === '$') {
    if (indirect) return { message: "'*' before an immediate", start, end };
    const c = new TokenCursor(tokens.slice(1), end);
    const e = parseExpression(c, local);
    if (isError(e)) return e;
    if (!c.atEnd()) return { message: 'junk after immediate expression', start: c.here(), end };
    return { kind: 'imm', expr: e, start, end };
  }
  let segment: AsmRegister | null = null;
  if (first.kind === 'register') {
    const reg = registerAt(first);
    if (isError(reg)) return reg;
    if (tokens.length === 1) return { kind: 'reg', reg: reg!, indirect, start, end };
    // x87 stack registers: %st(0) .. %st(7).
    if (reg!.cls === 'x87' && tokens.length === 4 && tokens[1]!.text === '(' && tokens[3]!.text === ')' && tokens[2]!.kind === 'number') {
      const n = Number(tokens[2]!.number);
      if (n > 7) return { message: `bad register name '%st(${n})'`, start, end };
      return { kind: 'reg', reg: { name: `st(${n})`, cls: 'x87', number: n }, indirect, start, end };
    }
    const colon = tokens[1]!;
    if (colon.kind !== 'punct' || colon.text !== ':' || reg!.cls !== 'segment') {
      return { message: 'junk after register', start: colon.start, end };
    }
    segment = reg;
    tokens = tokens.slice(2);
    if (tokens.length === 0) return { message: "expected a memory operand after the segment", start, end };
  }
  const group = addressGroupStart(tokens);
  const dispTokens = group >= 0 ? tokens.slice(0, group) : tokens;
  let disp: Expr | null = null;
  if (dispTokens.length > 0) {
    const c = new TokenCursor(dispTokens, group >= 0 ? tokens[group]!.start : end);
    const e = parseExpression(c, local);
    if (isError(e)) return e;
    if (!c.atEnd()) return { message: 'junk in operand', start: c.here(), end: group >= 0 ? tokens[group]!.start : end };
    disp = e;
  }
  if (group < 0) {
    return { kind: 'mem', segment, disp, base: null, index: null, scale: 1, bare: segment === null, indirect, start, end };
  }
  const address = parseAddressGroup(tokens.slice(group), local);
  if (isError(address)) return address;
  return { kind: 'mem', segment, disp, ...address, bare: false, indirect, start, end };
}

/** Splits an operand list at top-level commas (commas inside parentheses belong to memory operands). */
export function splitOperands(tokens: readonly Token[]): Token[][] {
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (t.kind === 'punct' && t.text === '(') depth++;
    if (t.kind === 'punct' && t.text === ')') depth--;
    if (t.kind === 'punct' && t.text === ',' && depth === 0) parts.push([]);
    else parts[parts.length - 1]!.push(t);
  }
  return parts;
}
