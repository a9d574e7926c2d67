// Integer expressions of `#if` / `#elif`: `defined NAME` / `defined(NAME)` first, then macro
// expansion, then C arithmetic over 64-bit integers with C precedence (?: || && | ^ & == != < >
// <= >= << >> + - * / % and unary ! ~ - +). Identifiers left over count as 0, as in C.

import type { PpToken } from './preprocessor-tokens';
import type { MacroExpander } from './preprocessor-macro-expansion';

/** Replaces `defined X` and `defined ( X )` with 1 or 0. */
function replaceDefined(ts: PpToken[], isDefined: (name: string) => boolean): PpToken[] | string {
  const out: PpToken[] = [];
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i]!;
    if (t.kind !== 'ident' || t.text !== 'defined') {
      out.push(t);
      continue;
    }
    let j = i + 1;
    const skip = (): void => {
      while (j < ts.length && ts[j]!.kind === 'space') j++;
    };
    skip();
    const paren = ts[j]?.kind === 'punct' && ts[j]!.text === '(';
    if (paren) {
      j++;
      skip();
    }
    const name = ts[j];
    if (name === undefined || name.kind !== 'ident') return 'operator "defined" requires an identifier';
    j++;
    if (paren) {
      skip();
      if (ts[j]?.text !== ')') return 'missing \')\' after "defined"';
      j++;
    }
    out.push({ kind: 'number', text: isDefined(name.text) ? '1' : '0' });
    i = j - 1;
  }
  return out;
}

function numberValue(text: string): bigint | null {
  const t = text.replace(/[uUlL]+$/, '');
  try {
    if (/^0[xX][0-9a-fA-F]+$/.test(t) || /^0[bB][01]+$/.test(t) || /^[1-9][0-9]*$|^0$/.test(t)) return BigInt(t);
    if (/^0[0-7]+$/.test(t)) return BigInt('0o' + t.slice(1));
  } catch {
    return null;
  }
  return null;
}

const BINARY: ReadonlyArray<readonly string[]> = [
  ['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['<', '>', '<=', '>='], ['<<', '>>'], ['+', '-'], ['*', '/', '%'],
];

/** Evaluates the text after `#if`; returns the value or an error message. */
export function evaluateCondition(tokens: PpToken[], expander: MacroExpander): bigint | string {
  const d = replaceDefined(tokens, (n) => expander.macros.has(n) || n === '__LINE__' || n === '__FILE__');
  if (typeof d === 'string') return d;
  const x = expander.expand(d);
  if (x.errors.length > 0) return x.errors[0]!;
  // Join punctuation characters into C operators.
  const items: string[] = [];
  const flat = x.tokens.filter((t) => t.kind !== 'space');
  for (let i = 0; i < flat.length; i++) {
    const t = flat[i]!;
    const two = t.text + (flat[i + 1]?.text ?? '');
    if (t.kind === 'punct' && ['||', '&&', '==', '!=', '<=', '>=', '<<', '>>'].includes(two) && flat[i + 1]!.kind === 'punct') {
      items.push(two);
      i++;
    } else items.push(t.kind === 'ident' ? '0' : t.text);
  }
  if (items.length === 0) return '#if with no expression';
  let pos = 0;
  let error: string | null = null;
  const fail = (m: string): bigint => {
    error ??= m;
    return 0n;
  };
  const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);
  const primary = (): bigint => {
    const t = items[pos++];
    if (t === undefined) return fail('missing expression');
    if (t === '(') {
      const v = ternary();
      if (items[pos++] !== ')') return fail("missing ')' in expression");
      return v;
    }
    if (t === '!') return primary() === 0n ? 1n : 0n;
    if (t === '~') return s64(~primary());
    if (t === '-') return s64(-primary());
    if (t === '+') return primary();
    if (t.startsWith("'")) {
      const inner = t.slice(1, -1);
      return BigInt(inner.startsWith('\\') ? ({ n: 10, t: 9, r: 13, '0': 0, '\\': 92, "'": 39 } as Record<string, number>)[inner[1] ?? ''] ?? 0 : inner.charCodeAt(0) || 0);
    }
    const n = numberValue(t);
    return n === null ? fail(`token "${t}" is not valid in preprocessor expressions`) : s64(n);
  };
  const binary = (level: number): bigint => {
    if (level >= BINARY.length) return primary();
    let left = binary(level + 1);
    while (pos < items.length && BINARY[level]!.includes(items[pos]!)) {
      const op = items[pos++]!;
      const right = binary(level + 1);
      switch (op) {
        case '||': left = left !== 0n || right !== 0n ? 1n : 0n; break;
        case '&&': left = left !== 0n && right !== 0n ? 1n : 0n; break;
        case '|': left |= right; break;
        case '^': left ^= right; break;
        case '&': left &= right; break;
        case '==': left = left === right ? 1n : 0n; break;
        case '!=': left = left !== right ? 1n : 0n; break;
        case '<': left = left < right ? 1n : 0n; break;
        case '>': left = left > right ? 1n : 0n; break;
        case '<=': left = left <= right ? 1n : 0n; break;
        case '>=': left = left >= right ? 1n : 0n; break;
        case '<<': left = right < 0n || right > 63n ? 0n : s64(left << right); break;
        case '>>': left = right < 0n || right > 63n ? (left < 0n ? -1n : 0n) : left >> right; break;
        case '+': left = s64(left + right); break;
        case '-': left = s64(left - right); break;
        case '*': left = s64(left * right); break;
        case '/': left = right === 0n ? fail('division by zero in #if') : s64(left / right); break;
        case '%': left = right === 0n ? fail('division by zero in #if') : left % right; break;
      }
    }
    return left;
  };
  const ternary = (): bigint => {
    const c = binary(0);
    if (items[pos] !== '?') return c;
    pos++;
    const a = ternary();
    if (items[pos++] !== ':') return fail("expected ':' in conditional expression");
    const b = ternary();
    return c !== 0n ? a : b;
  };
  const v = ternary();
  if (error !== null) return error;
  if (pos < items.length) return `missing binary operator before token "${items[pos]}"`;
  return v;
}
