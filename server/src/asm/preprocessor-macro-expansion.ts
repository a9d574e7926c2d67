// Expansion of C preprocessor macros over one line's tokens: object-like and function-like
// macros, `#` stringizing, `##` pasting, `__VA_ARGS__`, with hide sets so a macro never expands
// inside its own expansion. Problems (wrong argument counts, unclosed calls) come back as messages.

import { tokenizeLine, tokensText, type PpToken } from './preprocessor-tokens';

export interface PpMacro {
  name: string;
  /** null for an object-like macro. */
  params: string[] | null;
  variadic: boolean;
  body: PpToken[];
}

export interface ExpansionResult {
  tokens: PpToken[];
  expanded: boolean;
  errors: string[];
}

/** Most macro replacements in one line, a guard against exponential definitions. */
const MAX_REPLACEMENTS = 100_000;

function withHide(t: PpToken, hide: ReadonlySet<string>): PpToken {
  if (t.hide === undefined) return { ...t, hide };
  const h = new Set(t.hide);
  for (const x of hide) h.add(x);
  return { ...t, hide: h };
}

function trimSpace(ts: PpToken[]): PpToken[] {
  let a = 0;
  let b = ts.length;
  while (a < b && ts[a]!.kind === 'space') a++;
  while (b > a && ts[b - 1]!.kind === 'space') b--;
  return ts.slice(a, b);
}

function stringize(ts: PpToken[]): PpToken {
  let s = '';
  for (const t of trimSpace(ts)) {
    if (t.kind === 'space') s += ' ';
    else if (t.kind === 'string') s += t.text.replace(/[\\"]/g, (c) => '\\' + c);
    else s += t.text;
  }
  return { kind: 'string', text: `"${s}"` };
}

export class MacroExpander {
  readonly macros = new Map<string, PpMacro>();
  /** Values of __FILE__ and __LINE__ for the line being expanded. */
  file = '';
  line = 1;

  /** Fully expands tokens (with hide sets); `expanded` tells whether anything changed. */
  expand(input: PpToken[]): ExpansionResult {
    const errors: string[] = [];
    let count = 0;
    let expanded = false;
    const stack = input.slice().reverse();
    const out: PpToken[] = [];
    while (stack.length > 0) {
      const t = stack.pop()!;
      if (t.kind !== 'ident' || t.hide?.has(t.text)) {
        out.push(t);
        continue;
      }
      if (t.text === '__LINE__' || t.text === '__FILE__') {
        expanded = true;
        out.push(t.text === '__LINE__' ? { kind: 'number', text: String(this.line) } : { kind: 'string', text: JSON.stringify(this.file) });
        continue;
      }
      const m = this.macros.get(t.text);
      if (m === undefined) {
        out.push(t);
        continue;
      }
      if (++count > MAX_REPLACEMENTS) {
        errors.push('too many macro replacements on one line');
        out.push(t, ...stack.reverse());
        break;
      }
      const hide = new Set(t.hide ?? []);
      hide.add(m.name);
      if (m.params === null) {
        expanded = true;
        for (let k = m.body.length - 1; k >= 0; k--) stack.push(withHide(m.body[k]!, hide));
        continue;
      }
      // A function-like macro needs `(` next (blanks allowed between).
      let k = stack.length - 1;
      while (k >= 0 && stack[k]!.kind === 'space') k--;
      if (k < 0 || stack[k]!.kind !== 'punct' || stack[k]!.text !== '(') {
        out.push(t);
        continue;
      }
      const args: PpToken[][] = [[]];
      let depth = 0;
      let j = k - 1;
      let closed = false;
      for (; j >= 0; j--) {
        const a = stack[j]!;
        if (a.kind === 'punct' && a.text === '(') depth++;
        else if (a.kind === 'punct' && a.text === ')') {
          if (depth === 0) {
            closed = true;
            break;
          }
          depth--;
        } else if (a.kind === 'punct' && a.text === ',' && depth === 0) {
          const variadicTail = m.variadic && args.length >= m.params.length;
          if (!variadicTail) {
            args.push([]);
            continue;
          }
        }
        args[args.length - 1]!.push(a);
      }
      if (!closed) {
        errors.push(`unterminated argument list invoking macro "${m.name}"`);
        out.push(t);
        continue;
      }
      stack.length = j;
      const want = m.params.length;
      if (want === 0 && args.length === 1 && trimSpace(args[0]!).length === 0) args.length = 0;
      if (m.variadic && args.length === want - 1) args.push([]);
      if (args.length !== want) {
        errors.push(`macro "${m.name}" requires ${want} argument${want === 1 ? '' : 's'}, but ${args.length} given`);
        out.push(t);
        continue;
      }
      expanded = true;
      const body = this.substitute(m, args.map(trimSpace));
      for (let q = body.length - 1; q >= 0; q--) stack.push(withHide(body[q]!, hide));
    }
    return { tokens: out, expanded, errors };
  }

  private substitute(m: PpMacro, args: PpToken[][]): PpToken[] {
    const params = m.params!;
    const index = (t: PpToken | undefined): number => (t && t.kind === 'ident' ? params.indexOf(t.text) : -1);
    const body = m.body;
    const nonSpace = (from: number, step: number): PpToken | undefined => {
      for (let q = from; q >= 0 && q < body.length; q += step) if (body[q]!.kind !== 'space') return body[q];
      return undefined;
    };
    const isPaste = (t: PpToken | undefined): boolean => t !== undefined && t.kind === 'punct' && t.text === '##';
    const out: PpToken[] = [];
    for (let q = 0; q < body.length; q++) {
      const t = body[q]!;
      if (t.kind === 'punct' && t.text === '#') {
        let r = q + 1;
        while (r < body.length && body[r]!.kind === 'space') r++;
        const p = index(body[r]);
        if (p >= 0) {
          out.push(stringize(args[p]!));
          q = r;
          continue;
        }
      }
      const p = index(t);
      if (p < 0) {
        out.push(t);
        continue;
      }
      const pasted = isPaste(nonSpace(q - 1, -1)) || isPaste(nonSpace(q + 1, 1));
      out.push(...(pasted ? args[p]! : this.expand(args[p]!).tokens));
    }
    return paste(out);
  }
}

/** Applies `##` operators: the tokens beside each one are joined and read again. */
function paste(ts: PpToken[]): PpToken[] {
  if (!ts.some((t) => t.kind === 'punct' && t.text === '##')) return ts;
  const out: PpToken[] = [];
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i]!;
    if (t.kind === 'punct' && t.text === '##') {
      while (out.length > 0 && out[out.length - 1]!.kind === 'space') out.pop();
      let r = i + 1;
      while (r < ts.length && ts[r]!.kind === 'space') r++;
      const left = out.pop();
      const right = ts[r];
      const joined = (left?.text ?? '') + (right?.text ?? '');
      out.push(...tokenizeLine(joined));
      i = r;
      continue;
    }
    out.push(t);
  }
  return out;
}

/** Parses the text after `#define`: name, optional (params), body. Returns an error message on failure. */
export function parseDefine(text: string): PpMacro | string {
  const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)(\(([^)]*)\))?(.*)$/s.exec(text);
  if (!m) return 'macro names must be identifiers';
  const name = m[1]!;
  if (name === 'defined') return '"defined" cannot be used as a macro name';
  const body = trimSpace(tokenizeLine(m[4]!)).map((t) => (t.kind === 'space' ? { kind: 'space' as const, text: ' ' } : t));
  if (m[2] === undefined) return { name, params: null, variadic: false, body };
  const raw = m[3]!.trim();
  const params = raw === '' ? [] : raw.split(',').map((p) => p.trim());
  let variadic = false;
  for (let i = 0; i < params.length; i++) {
    if (params[i] === '...' && i === params.length - 1) {
      params[i] = '__VA_ARGS__';
      variadic = true;
    } else if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(params[i]!)) return `bad macro parameter '${params[i]}'`;
  }
  return { name, params, variadic, body };
}

/** Text of expanded tokens. */
export function expansionText(ts: PpToken[]): string {
  return tokensText(ts);
}
