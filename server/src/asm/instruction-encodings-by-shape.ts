// Reuse of instruction encodings between statements that differ only in the values of constant
// operand expressions (`movl 8(%ebp),%eax` and `movl 16(%ebp),%eax`): compilers write many such
// lines, each of a text of its own. The encoder reads a constant only through a few tests (see
// valueClass), so statements of one shape whose constants pass the same tests get the same
// encoding, its fields pointing at each statement's own expressions.

import type { Expr } from './expression-syntax';
import { operandExpr, type AttOperand, type AsmRegister } from './att-operand-syntax';
import type { EncodeResult } from './instruction-encoder';
import { fitsSigned8 } from './operand-matching';
import { displacementKind } from './memory-operand-encoding';
import type { Statement } from './statement-parser';

type InstructionStatement = Extract<Statement, { kind: 'instruction' }>;

/** An encoding kept for a shape: made for a statement whose operand expressions were `exprs`. */
export interface ShapedEncoding {
  result: EncodeResult & { ok: true };
  exprs: Expr[];
}

/**
 * Everything the encoder asks of a known constant (operand-matching.ts: `=== 1n` for shifts by one,
 * a signed byte at 16 and 32 bits for imm8 forms; memory-operand-encoding.ts: the displacement's
 * kind at 16- and 32-bit addressing; instruction-encoder.ts: `int $3`), as three characters.
 * A new test of a known value in the encoder must be added here.
 */
function valueClass(v: bigint | null): string {
  if (v === null) return 'nnn';
  let bits = 0;
  if (v === 1n) bits |= 1;
  else if (v === 3n) bits |= 2;
  if (fitsSigned8(v, 16)) bits |= 8;
  if (fitsSigned8(v, 32)) bits |= 16;
  return String.fromCharCode(0x80 + bits) + displacementKind(v, 2)[0]! + displacementKind(v, 4)[0]!;
}

function registerKey(r: AsmRegister | null): string {
  return r === null ? '-' : `${r.name}/${r.cls}/${r.number}`;
}

function operandKey(o: AttOperand): string {
  switch (o.kind) {
    case 'reg': return `r${registerKey(o.reg)}${o.indirect ? '*' : ''}`;
    case 'imm': return 'i#';
    case 'mem':
      return `m${registerKey(o.segment)},${o.disp === null ? '-' : '#'},${registerKey(o.base)},${registerKey(o.index)},${o.scale},${o.bare ? 'b' : ''}${o.indirect ? '*' : ''},${o.ptrBits ?? ''}`;
  }
}

/** The shape of a statement: mnemonic, syntax, prefixes, operands with their expressions left out. */
function shapeOf(s: InstructionStatement): string {
  let key = `${s.intel ? 'I' : 'A'}${s.mnemonic}`;
  for (const p of s.prefixes) key += ` ${p.name}`;
  for (const o of s.operands) key += `|${operandKey(o)}`;
  return key;
}

/**
 * The classes of the values of a statement's operand expressions in order, or null when one is
 * not a constant (or the statement has no mnemonic).
 */
export function valueClasses(s: InstructionStatement, known: (e: Expr) => bigint | null): string | null {
  if (s.mnemonic === null) return null;
  let classes = '';
  for (const o of s.operands) {
    const e = operandExpr(o);
    if (e === null) continue;
    if (!isConstant(e)) return null;
    classes += valueClass(known(e));
  }
  return classes;
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

/** Encodings by shape, then by value classes, for every assembly (an encoding is a pure function of both). */
const BY_SHAPE = new Map<string, Map<string, ShapedEncoding>>();
/** Bounds the memory kept for documents long closed. */
const MAX_SHAPES = 20000;
/** A statement's table of BY_SHAPE, found once per statement (lines made from another's statements ask with that one). */
const TABLE_OF = new WeakMap<InstructionStatement, Map<string, ShapedEncoding>>();

/** The encodings kept for statements of this one's shape, by value classes. */
export function encodingsOfShape(from: InstructionStatement): Map<string, ShapedEncoding> {
  let table = TABLE_OF.get(from);
  if (table === undefined) {
    const shape = shapeOf(from);
    table = BY_SHAPE.get(shape);
    if (table === undefined) {
      if (BY_SHAPE.size >= MAX_SHAPES) BY_SHAPE.clear();
      BY_SHAPE.set(shape, (table = new Map()));
    }
    TABLE_OF.set(from, table);
  }
  return table;
}

/** Keeps an encoding for its shape and classes when every field it has is one of the operands' expressions. */
export function keepEncodingOfShape(table: Map<string, ShapedEncoding>, classes: string, result: EncodeResult, exprs: Expr[]): void {
  if (!result.ok) return;
  const plans = result.encoding.near ? [result.encoding.plan, result.encoding.near] : [result.encoding.plan];
  // A field on an expression the encoder made (a folded predicate's immediate) carries columns of its line.
  if (!plans.every((p) => p.fields.every((f) => f.expr === null || exprs.includes(f.expr)))) return;
  table.set(classes, { result, exprs });
}
