// Parsing a new AT&T line from an earlier line that differs from it only in numbers inside operand
// expressions (`movl 8(%ebp),%eax` and `movl 16(%ebp),%eax`: compilers write many such lines,
// each of a text of its own). Same tokens at the same columns, numbers aside, give the same
// statements with other values, as long as the parse reads those numbers only as expression
// values: a line qualifies when each of its numbers is one number of an instruction operand's
// expression (not a scale, `%st(n)`, a directive argument or a `1:` label, and without errors).

import type { Token } from './source-lexer';
import type { Expr } from './expression-syntax';
import { operandExpr, type AttOperand } from './att-operand-syntax';
import type { Statement } from './statement-parser';

/** A parsed line whose numbers can be replaced: its statements and, per number token, its node. */
export interface NumberShapeTemplate {
  statements: Statement[];
  /** How each use of such a line makes its statements (cached-line-parsing.ts), the same for all. */
  use: 'shared' | 'resolve';
  /** The number nodes of the operand expressions, in the order of their tokens. */
  numbers: Expr[];
}

/** A number token the key leaves out: every one but a `1:` label's digits. */
function isReplaceable(tokens: readonly Token[], i: number): boolean {
  const next = tokens[i + 1];
  return tokens[i]!.kind === 'number' && !(next !== undefined && next.kind === 'punct' && next.text === ':');
}

/**
 * The line's text with the replaceable numbers left out (each becomes \x01 and its length), and
 * the lexer's starting state, or null when it has none. Equal keys: the same text but for numbers
 * of the same columns, so the same tokens (the lexer reads left to right, and each line's own
 * tokens say that a number fills each of those columns).
 */
export function numberShapeKey(lineText: string, tokens: readonly Token[], startState: number): string | null {
  let key = '';
  let from = 0;
  for (let i = 0; i < tokens.length; i++) {
    if (!isReplaceable(tokens, i)) continue;
    const t = tokens[i]!;
    key += lineText.slice(from, t.start) + '\x01' + String.fromCharCode(t.end - t.start);
    from = t.end;
  }
  return from === 0 ? null : String.fromCharCode(startState) + key + lineText.slice(from);
}

function collectNumbers(e: Expr, out: Expr[]): void {
  switch (e.kind) {
    case 'number': out.push(e); break;
    case 'unary': collectNumbers(e.arg, out); break;
    case 'binary': collectNumbers(e.left, out); collectNumbers(e.right, out); break;
    default: break;
  }
}

/**
 * The template of a line parsed without errors into labels and instructions only (and reused
 * without parsing again: `use`), when every replaceable number token is exactly one number node of
 * an operand expression (same columns, same value); else null.
 */
export function numberShapeTemplate(tokens: readonly Token[], statements: Statement[], use: 'shared' | 'resolve' | 'parse'): NumberShapeTemplate | null {
  if (use === 'parse') return null;
  const nodes: Expr[] = [];
  for (const s of statements) {
    if (s.kind === 'instruction') {
      for (const o of s.operands) {
        const e = operandExpr(o);
        if (e !== null) collectNumbers(e, nodes);
      }
    } else if (s.kind !== 'label') return null;
  }
  const numbers: Expr[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (!isReplaceable(tokens, i)) continue;
    const t = tokens[i]!;
    const node = nodes.find((n) => n.start === t.start && n.end === t.end && n.kind === 'number' && n.value === t.number);
    if (node === undefined) return null;
    numbers.push(node);
  }
  return numbers.length === nodes.length ? { statements, use, numbers } : null;
}

function withNumbers(e: Expr, values: Map<Expr, bigint>): Expr {
  switch (e.kind) {
    case 'number': return { kind: 'number', value: values.get(e)!, start: e.start, end: e.end };
    case 'unary': return { kind: 'unary', op: e.op, arg: withNumbers(e.arg, values), start: e.start, end: e.end };
    case 'binary': return { kind: 'binary', op: e.op, left: withNumbers(e.left, values), right: withNumbers(e.right, values), start: e.start, end: e.end };
    default: return e;
  }
}

function hasNumbers(e: Expr | null): boolean {
  if (e === null) return false;
  switch (e.kind) {
    case 'number': return true;
    case 'unary': return hasNumbers(e.arg);
    case 'binary': return hasNumbers(e.left) || hasNumbers(e.right);
    default: return false;
  }
}

/**
 * The statements of a line whose key is the template's, with its own numbers (`tokens` are its
 * tokens). Statements without numbers are the template's own (statements are never modified).
 */
export function statementsWithNumbers(template: NumberShapeTemplate, tokens: readonly Token[]): Statement[] {
  const values = new Map<Expr, bigint>();
  let k = 0;
  for (let i = 0; i < tokens.length; i++) if (isReplaceable(tokens, i)) values.set(template.numbers[k++]!, tokens[i]!.number!);
  return template.statements.map((s): Statement => {
    if (s.kind !== 'instruction' || !s.operands.some((o) => hasNumbers(operandExpr(o)))) return s;
    const operands = s.operands.map((o): AttOperand => {
      if (o.kind === 'imm') return hasNumbers(o.expr) ? { ...o, expr: withNumbers(o.expr, values) } : o;
      return o.kind === 'mem' && hasNumbers(o.disp) ? { ...o, disp: withNumbers(o.disp!, values) } : o;
    });
    return { ...s, operands };
  });
}
