// Decides GNU as conditionals at the source level (.if, .ifdef, .ifb, .ifc, .ifeqs and their
// negations): absolute expressions over numbers and symbols set earlier to constants, blank tests,
// and string comparisons. Returns a truth value or an error message; never throws.

import { lexLine } from './source-lexer';
import { indexOutsideQuotes } from './index-outside-quotes';
import { TokenCursor, parseExpression, type Expr } from './expression-syntax';

/** What the expander knows at this point: constants set so far and symbols defined so far. */
export interface KnownSymbols {
  constants: Map<string, bigint>;
  defined: Set<string>;
}

const MASK = (1n << 64n) - 1n;
const signed = (v: bigint): bigint => BigInt.asIntN(64, v & MASK);

function value(e: Expr, known: KnownSymbols): bigint | string {
  switch (e.kind) {
    case 'number':
      return e.value;
    case 'dot':
      return 'non-constant expression in ".if" statement';
    case 'symbol': {
      const v = known.constants.get(e.name);
      return v ?? `non-constant expression in ".if" statement ('${e.name}' is not a constant set earlier)`;
    }
    case 'unary': {
      const a = value(e.arg, known);
      if (typeof a === 'string') return a;
      if (e.op === '-') return signed(-a);
      if (e.op === '~') return signed(~a);
      if (e.op === '!') return a === 0n ? 1n : 0n;
      return a;
    }
    case 'binary': {
      const l = value(e.left, known);
      if (typeof l === 'string') return l;
      const r = value(e.right, known);
      if (typeof r === 'string') return r;
      // GNU as gives -1 for a true comparison.
      const t = (b: boolean): bigint => (b ? -1n : 0n);
      switch (e.op) {
        case '+': return signed(l + r);
        case '-': return signed(l - r);
        case '*': return signed(l * r);
        case '/': return r === 0n ? 'division by zero' : signed(l / r);
        case '%': return r === 0n ? 'division by zero' : signed(l % r);
        case '<<': return r < 0n || r > 63n ? 0n : signed(l << r);
        case '>>': return r < 0n || r > 63n ? 0n : signed(l >> r);
        case '&': return l & r;
        case '|': return l | r;
        case '^': return l ^ r;
        case '!': return l | ~r;
        case '==': return t(l === r);
        case '!=': case '<>': return t(l !== r);
        case '<': return t(l < r);
        case '>': return t(l > r);
        case '<=': return t(l <= r);
        case '>=': return t(l >= r);
        case '&&': return l !== 0n && r !== 0n ? 1n : 0n;
        case '||': return l !== 0n || r !== 0n ? 1n : 0n;
        default: return `operator '${e.op}' is not allowed here`;
      }
    }
  }
}

/** Evaluates an absolute expression written in `text`. */
export function evaluateAbsolute(text: string, known: KnownSymbols): bigint | string {
  const tokens = lexLine(text, { inBlockComment: false });
  const bad = tokens.find((t) => t.kind === 'error' || t.kind === 'separator');
  if (bad) return bad.message ?? `unexpected '${bad.text}'`;
  if (tokens.length === 0) return 'missing expression';
  const c = new TokenCursor(tokens, text.length);
  const e = parseExpression(c, (x) => x);
  if ('message' in e) return e.message;
  if (!c.atEnd()) return 'junk at end of expression';
  return value(e, known);
}

/** Splits `a,b` at the first comma outside quotes (for .ifc / .ifeqs). */
function splitPair(text: string): [string, string] | null {
  const i = indexOutsideQuotes(text, '"\'', (k) => text[k] === ',');
  return i < 0 ? null : [text.slice(0, i), text.slice(i + 1)];
}

function unquote(s: string, quote: string): string {
  const t = s.trim();
  return t.length >= 2 && t.startsWith(quote) && t.endsWith(quote) ? t.slice(1, -1) : t;
}

/**
 * The truth of one conditional directive (`name` without the dot, lower case) with its argument
 * text; null when `name` is not a conditional that opens a block.
 */
export function conditionTruth(name: string, args: string, known: KnownSymbols): boolean | string | null {
  const numeric = (test: (v: bigint) => boolean): boolean | string => {
    const v = evaluateAbsolute(args, known);
    return typeof v === 'string' ? v : test(v);
  };
  const symbol = (): string | null => {
    const s = args.trim();
    return /^[A-Za-z_.$][A-Za-z0-9_.$@]*$/.test(s) ? s : null;
  };
  switch (name) {
    case 'if': case 'ifne': case 'elseif': return numeric((v) => v !== 0n);
    case 'ifeq': return numeric((v) => v === 0n);
    case 'ifge': return numeric((v) => v >= 0n);
    case 'ifgt': return numeric((v) => v > 0n);
    case 'ifle': return numeric((v) => v <= 0n);
    case 'iflt': return numeric((v) => v < 0n);
    case 'ifdef': case 'ifndef': case 'ifnotdef': {
      const s = symbol();
      if (s === null) return `.${name}: expected a symbol name`;
      const d = known.defined.has(s) || known.constants.has(s);
      return name === 'ifdef' ? d : !d;
    }
    case 'ifb': return args.trim() === '';
    case 'ifnb': return args.trim() !== '';
    case 'ifc': case 'ifnc': {
      const p = splitPair(args);
      if (p === null) return `bad format for ${name}: expected two strings separated by a comma`;
      const same = unquote(p[0], "'") === unquote(p[1], "'");
      return name === 'ifc' ? same : !same;
    }
    case 'ifeqs': case 'ifnes': {
      const p = splitPair(args);
      if (p === null || !/^\s*".*"\s*$/.test(p[0]) || !/^\s*".*"\s*$/.test(p[1])) return `.${name}: expected two quoted strings separated by a comma`;
      const same = unquote(p[0], '"') === unquote(p[1], '"');
      return name === 'ifeqs' ? same : !same;
    }
    default:
      return null;
  }
}
