// Evaluation of expressions to a value GNU as would accept: an absolute number, or a number
// relative to one base (a section, or a symbol not defined here). Differences of two labels of
// one section cancel to a number; everything else that mixes bases is an error.

import type { Expr } from './expression-syntax';

/** A relocatable base: a section's start, or a symbol whose address the linker decides. */
export type ValueBase = { kind: 'section'; section: string } | { kind: 'symbol'; name: string };

export interface Value {
  constant: bigint;
  base: ValueBase | null;
  /**
   * For a value based on a section: the label that gave it, so a relocation can name a global
   * symbol the way GNU as does (global labels are relocated against themselves, locals against
   * the section).
   */
  label: { name: string; global: boolean; offset: bigint } | null;
  /** A relocation operator written after the symbol (`foo@PLT`, `bar@GOTOFF`), upper case. */
  modifier?: string;
}

/** Relocation operators of i386 ELF that GNU as accepts after a symbol name. */
export const RELOCATION_OPERATORS = new Set(['PLT', 'GOT', 'GOTOFF', 'GOTPC']);

export type EvalResult = { ok: true; value: Value } | { ok: false; message: string; start: number; end: number };

/** What the evaluator needs to know about a symbol. */
export type SymbolLookup =
  | { kind: 'absolute'; value: bigint }
  | { kind: 'label'; section: string; offset: bigint; global: boolean }
  | { kind: 'undefined' }
  | { kind: 'expr'; expr: Expr };

export interface EvalContext {
  lookup(name: string): SymbolLookup;
  /** The value of `.` here: the current section and offset. */
  dot: { section: string; offset: bigint };
}

const MASK64 = (1n << 64n) - 1n;

function abs(v: bigint): Value {
  return { constant: BigInt.asIntN(64, v), base: null, label: null };
}

function sameBase(a: ValueBase, b: ValueBase): boolean {
  return a.kind === b.kind && (a.kind === 'section' ? a.section === (b as { section: string }).section : a.name === (b as { name: string }).name);
}

function binary(op: string, l: bigint, r: bigint): bigint | string {
  switch (op) {
    case '*': return l * r;
    case '/': return r === 0n ? 'division by zero' : l / r;
    case '%': return r === 0n ? 'division by zero' : l % r;
    case '<<': return r >= 64n || r < 0n ? 0n : (l << r) & MASK64;
    case '>>': return r >= 64n || r < 0n ? 0n : BigInt.asIntN(64, l) >> r;
    case '|': return l | r;
    case '&': return l & r;
    case '^': return l ^ r;
    case '!': return l | ~r;
    case '==': return l === r ? -1n : 0n;
    case '!=': case '<>': return l !== r ? -1n : 0n;
    case '<': return l < r ? -1n : 0n;
    case '>': return l > r ? -1n : 0n;
    case '<=': return l <= r ? -1n : 0n;
    case '>=': return l >= r ? -1n : 0n;
    case '&&': return l !== 0n && r !== 0n ? 1n : 0n;
    case '||': return l !== 0n || r !== 0n ? 1n : 0n;
  }
  return `unknown operator '${op}'`;
}

/** Evaluates an expression. `depth` guards against `.set a, b` / `.set b, a` cycles. */
export function evaluate(e: Expr, ctx: EvalContext, depth = 0): EvalResult {
  const fail = (message: string): EvalResult => ({ ok: false, message, start: e.start, end: e.end });
  if (depth > 100) return fail('symbol definition loop');
  switch (e.kind) {
    case 'number':
      return { ok: true, value: abs(e.value) };
    case 'dot':
      return { ok: true, value: { constant: ctx.dot.offset, base: { kind: 'section', section: ctx.dot.section }, label: null } };
    case 'symbol': {
      const at = e.name.lastIndexOf('@');
      if (at > 0) {
        const modifier = e.name.slice(at + 1).toUpperCase();
        if (!RELOCATION_OPERATORS.has(modifier)) return fail(`unknown relocation operator '@${e.name.slice(at + 1)}'`);
        const inner = evaluate({ ...e, name: e.name.slice(0, at) }, ctx, depth + 1);
        if (!inner.ok) return inner;
        if (inner.value.base === null) return fail(`'@${modifier}' needs a symbol`);
        return { ok: true, value: { ...inner.value, modifier } };
      }
      const s = ctx.lookup(e.name);
      if (s.kind === 'absolute') return { ok: true, value: abs(s.value) };
      if (s.kind === 'label') {
        return {
          ok: true,
          value: { constant: s.offset, base: { kind: 'section', section: s.section }, label: { name: e.name, global: s.global, offset: s.offset } },
        };
      }
      if (s.kind === 'undefined') return { ok: true, value: { constant: 0n, base: { kind: 'symbol', name: e.name }, label: null } };
      const inner = evaluate(s.expr, ctx, depth + 1);
      return inner.ok ? inner : { ...inner, start: e.start, end: e.end };
    }
    case 'unary': {
      const a = evaluate(e.arg, ctx, depth);
      if (!a.ok) return a;
      if (e.op === '+') return a;
      if (a.value.base !== null) return fail(`operator '${e.op}' needs an absolute value`);
      const v = a.value.constant;
      return { ok: true, value: abs(e.op === '-' ? -v : e.op === '~' ? ~v : v === 0n ? 1n : 0n) };
    }
    case 'binary': {
      const l = evaluate(e.left, ctx, depth);
      if (!l.ok) return l;
      const r = evaluate(e.right, ctx, depth);
      if (!r.ok) return r;
      const a = l.value;
      const b = r.value;
      if (e.op === '+') {
        if (a.base && b.base) return fail('cannot add two relocatable values');
        const base = a.base ?? b.base;
        const label = a.base ? a.label : b.label;
        const modifier = a.base ? a.modifier : b.modifier;
        return { ok: true, value: { constant: BigInt.asIntN(64, a.constant + b.constant), base, label, ...(modifier ? { modifier } : {}) } };
      }
      if (e.op === '-') {
        if (b.base === null) return { ok: true, value: { ...a, constant: BigInt.asIntN(64, a.constant - b.constant) } };
        if (a.base && sameBase(a.base, b.base)) return { ok: true, value: abs(a.constant - b.constant) };
        return fail('cannot subtract symbols of different sections (or an undefined symbol)');
      }
      if (a.base || b.base) return fail(`operator '${e.op}' needs absolute values`);
      const v = binary(e.op, a.constant, b.constant);
      return typeof v === 'string' ? fail(v) : { ok: true, value: abs(v) };
    }
  }
}

/** True when the value is a plain number. */
export function isAbsolute(v: Value): boolean {
  return v.base === null;
}
