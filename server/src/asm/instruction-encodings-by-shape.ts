// Reuse of instruction encodings between statements that differ only in the values of constant
// operand expressions (`movl 8(%ebp),%eax` and `movl 16(%ebp),%eax`): compilers write many such
// lines, each of a text of its own. The encoder reads a constant only through a few tests (see
// valueClass), so statements of one shape whose constants pass the same tests get the same
// encoding, its fields pointing at each statement's own expressions.

import type { Expr } from './expression-syntax';
import type { AttOperand, AsmRegister } from './att-operand-syntax';
import type { EncodeResult } from './instruction-encoder';
import { fitsSigned8 } from './operand-matching';
import { displacementFitsByte } from './memory-operand-encoding';
import type { Statement } from './statement-parser';

type InstructionStatement = Extract<Statement, { kind: 'instruction' }>;

/** An encoding kept for a shape: made for a statement whose operand expressions were `exprs`. */
export interface ShapedEncoding {
  result: EncodeResult & { ok: true };
  exprs: Expr[];
}

/**
 * Everything the encoder asks of a known constant (operand-matching.ts: `=== 1n` for shifts by one,
 * a signed byte at 16 and 32 bits for imm8 forms; memory-operand-encoding.ts: zero, and a disp8
 * at 16- and 32-bit addressing; instruction-encoder.ts: `int $3`), as one character.
 * A new test of a known value in the encoder must be added here.
 */
function valueClass(v: bigint | null): string {
  if (v === null) return 'n';
  let bits = 0;
  if (v === 0n) bits |= 1;
  else if (v === 1n) bits |= 2;
  else if (v === 3n) bits |= 4;
  if (displacementFitsByte(v, 2)) bits |= 8;
  if (displacementFitsByte(v, 4)) bits |= 16;
  if (fitsSigned8(v, 16)) bits |= 32;
  if (fitsSigned8(v, 32)) bits |= 64;
  return String.fromCharCode(0x80 + bits);
}

function registerKey(r: AsmRegister | null): string {
  return r === null ? '-' : `${r.name}/${r.cls}/${r.number}`;
}

function operandKey(o: AttOperand, value: (e: Expr) => string): string {
  switch (o.kind) {
    case 'reg': return `r${registerKey(o.reg)}${o.indirect ? '*' : ''}`;
    case 'imm': return `i${value(o.expr)}`;
    case 'mem':
      return `m${registerKey(o.segment)},${o.disp === null ? '-' : value(o.disp)},${registerKey(o.base)},${registerKey(o.index)},${o.scale},${o.bare ? 'b' : ''}${o.indirect ? '*' : ''},${o.ptrBits ?? ''}`;
  }
}

/**
 * The shape of a statement whose operand expressions are all constants (else null): mnemonic,
 * syntax, prefixes, operands with each constant replaced by its value's class.
 */
export function shapeKey(s: InstructionStatement, known: (e: Expr) => bigint | null): string | null {
  if (s.mnemonic === null) return null;
  let constant = true;
  const value = (e: Expr): string => {
    if (isConstant(e)) return valueClass(known(e));
    constant = false;
    return '';
  };
  let key = `${s.intel ? 'I' : 'A'}${s.mnemonic}`;
  for (const p of s.prefixes) key += ` ${p.name}`;
  for (const o of s.operands) key += `|${operandKey(o, value)}`;
  return constant ? key : null;
}

/** True when an expression names no symbol and no `.`: its value is the same everywhere. */
export function isConstant(e: Expr): boolean {
  switch (e.kind) {
    case 'number': return true;
    case 'unary': return isConstant(e.arg);
    case 'binary': return isConstant(e.left) && isConstant(e.right);
    default: return false;
  }
}

/** Encodings by shape, for every assembly (an encoding is a pure function of its key). */
const BY_SHAPE = new Map<string, ShapedEncoding>();
/** Bounds the memory kept for documents long closed. */
const MAX_SHAPES = 20000;

export function encodingOfShape(key: string): ShapedEncoding | undefined {
  return BY_SHAPE.get(key);
}

/** Keeps an encoding for its shape when every field it has is one of the operands' expressions. */
export function keepEncodingOfShape(key: string, result: EncodeResult, exprs: Expr[]): void {
  if (!result.ok) return;
  const plans = result.encoding.near ? [result.encoding.plan, result.encoding.near] : [result.encoding.plan];
  // A field on an expression the encoder made (a folded predicate's immediate) carries columns of its line.
  if (!plans.every((p) => p.fields.every((f) => f.expr === null || exprs.includes(f.expr)))) return;
  if (BY_SHAPE.size >= MAX_SHAPES) BY_SHAPE.clear();
  BY_SHAPE.set(key, { result, exprs });
}
