// Reuse of instruction encodings between statements of equal text (the same line elsewhere in a
// file, or the same line in the next version of an edited document). An encoding depends only on
// the statement and on the parse-time values the encoder asked for; a kept encoding is reused when
// those values are still the same, with its fields pointing at the new statement's expressions.

import type { Expr } from './expression-syntax';
import { encodeInstruction, type EncodeResult } from './instruction-encoder';
import type { EncodingPlan } from './instruction-encoding-plan';
import type { Statement } from './statement-parser';
import type { StatementSlot } from './cached-line-parsing';
import { encodingsOfShape, isConstant, keepEncodingOfShape, valueClasses } from './instruction-encodings-by-shape';

type InstructionStatement = Extract<Statement, { kind: 'instruction' }>;

/** A parse-time value the encoder asked for: the expression by its place among the operands. */
interface KnownValue {
  index: number;
  value: bigint | null;
}

interface EncodingMemo {
  statement: InstructionStatement;
  result: EncodeResult;
  /** The operand expressions of the statement it was made for. */
  exprs: Expr[];
  known: KnownValue[];
}

/** Expressions of the operands in a fixed order; equal texts give structurally equal lists. */
function operandExpressions(s: InstructionStatement): Expr[] {
  // Counted first: a list grown by push keeps room for 16, and a kept memo holds this one.
  let n = 0;
  for (const o of s.operands) if (o.kind === 'imm' || (o.kind === 'mem' && o.disp !== null)) n++;
  const out = new Array<Expr>(n);
  let k = 0;
  for (const o of s.operands) {
    if (o.kind === 'imm') out[k++] = o.expr;
    else if (o.kind === 'mem' && o.disp !== null) out[k++] = o.disp;
  }
  return out;
}

const NO_KNOWN: KnownValue[] = [];

function rebindPlan(plan: EncodingPlan, from: Expr[], to: Expr[]): EncodingPlan {
  if (plan.fields.length === 0) return plan;
  return { ...plan, fields: plan.fields.map((f) => (f.expr === null ? f : { ...f, expr: to[from.indexOf(f.expr)] ?? f.expr })) };
}

/** True when every expression a result refers to is an operand's or a constant (so it can move). */
function rebindable(result: EncodeResult, exprs: Expr[]): boolean {
  if (!result.ok) return true;
  const plans = result.encoding.near ? [result.encoding.plan, result.encoding.near] : [result.encoding.plan];
  return plans.every((p) => p.fields.every((f) => f.expr === null || exprs.includes(f.expr) || isConstant(f.expr)));
}

/**
 * Encodes a statement, reusing the encoding kept in its slot (see parseSourceLines) when the
 * parse-time values it asked for are unchanged, and keeping the new one there otherwise.
 */
export function encodeWithSlot(s: InstructionStatement, slot: StatementSlot, known: (e: Expr) => bigint | null): EncodeResult {
  const memo = slot.memo as EncodingMemo | undefined;
  // The common case: the very statement the encoding was made for (a shared, cached line).
  if (memo !== undefined && memo.statement === s) {
    if (stillKnown(memo, memo.exprs, known)) return memo.result;
  }
  const exprs = operandExpressions(s);
  if (memo !== undefined && memo.statement !== s && memo.exprs.length === exprs.length && stillKnown(memo, exprs, known)) {
    return rebind(memo, exprs);
  }
  // A line of its own text that differs from an earlier one only in constants (`movl 8(%ebp),%eax`).
  const classes = valueClasses(s, known);
  const shapes = classes === null ? null : encodingsOfShape((slot.shapeFrom ?? s) as InstructionStatement);
  if (shapes !== null) {
    const kept = shapes.get(classes!);
    if (kept !== undefined) {
      const result = rebind({ statement: s, result: kept.result, exprs: kept.exprs, known: NO_KNOWN }, exprs);
      slot.memo = { statement: s, result, exprs, known: NO_KNOWN };
      return result;
    }
  }
  const asked: KnownValue[] = [];
  let movable = true;
  const result = encodeInstruction(s, (e) => {
    const value = known(e);
    if (!isConstant(e)) {
      const index = exprs.indexOf(e);
      if (index < 0) movable = false;
      else asked.push({ index, value });
    }
    return value;
  });
  slot.memo = movable && rebindable(result, exprs) ? { statement: s, result, exprs, known: asked } : undefined;
  if (shapes !== null) keepEncodingOfShape(shapes, classes!, result, exprs);
  return result;
}

function stillKnown(memo: EncodingMemo, exprs: Expr[], known: (e: Expr) => bigint | null): boolean {
  for (const k of memo.known) if (known(exprs[k.index]!) !== k.value) return false;
  return true;
}

function rebind(memo: EncodingMemo, exprs: Expr[]): EncodeResult {
  const r = memo.result;
  if (!r.ok || exprs.every((e, i) => e === memo.exprs[i])) return r;
  const { plan, near, warnings } = r.encoding;
  return { ok: true, encoding: { plan: rebindPlan(plan, memo.exprs, exprs), near: near && rebindPlan(near, memo.exprs, exprs), warnings } };
}
