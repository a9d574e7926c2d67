// Argument lists of GNU as macros: the parameter list of `.macro name a, b=1, c:req, d:vararg`,
// the actual arguments of an invocation (separated by commas or by blanks that are not next to
// an operator, "quoted" arguments unquoted, `name=value` keywords), and `\param` substitution.

export interface MacroParameter {
  name: string;
  defaultValue: string;
  required: boolean;
  vararg: boolean;
}

export interface ActualArgument {
  /** Set for `name=value` keyword arguments. */
  keyword?: string;
  value: string;
  /** Offset in the argument text where this argument starts (varargs take the rest from here). */
  start: number;
}

const OPERATOR_CHARS = '+-*/%&|^<>=!~,';

/** Splits argument text into pieces at top-level commas and at blanks between two operands. */
export function splitArguments(text: string): { value: string; start: number }[] {
  const out: { value: string; start: number }[] = [];
  let cur = '';
  let curStart = -1;
  let depth = 0;
  const flush = (): void => {
    if (curStart >= 0) out.push({ value: cur, start: curStart });
    cur = '';
    curStart = -1;
  };
  let sawComma = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' || c === "'") {
      // A quoted piece stays whole; "..." loses its quotes as GNU as does.
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      const inner = text.slice(i + 1, Math.min(j, text.length));
      if (curStart < 0) curStart = i;
      cur += c === '"' ? inner : text.slice(i, j + 1);
      i = j;
      continue;
    }
    if (c === '(') depth++;
    if (c === ')' && depth > 0) depth--;
    if (depth === 0 && c === ',') {
      if (curStart < 0) out.push({ value: '', start: i });
      else flush();
      sawComma = true;
      continue;
    }
    if (depth === 0 && (c === ' ' || c === '\t')) {
      let j = i;
      while (j < text.length && (text[j] === ' ' || text[j] === '\t')) j++;
      const prev = cur.trimEnd().slice(-1);
      const next = text[j] ?? '';
      const joins = (prev !== '' && OPERATOR_CHARS.includes(prev)) || (next !== '' && OPERATOR_CHARS.includes(next));
      if (curStart >= 0 && !joins && next !== '') flush();
      else if (curStart >= 0 && joins && next !== ',' && next !== '') cur += ' ';
      i = j - 1;
      continue;
    }
    if (curStart < 0) curStart = i;
    cur += c;
  }
  if (curStart >= 0) flush();
  else if (sawComma) out.push({ value: '', start: text.length });
  return out;
}

/** Parses the parameter list of `.macro` (after the name). */
export function parseParameters(text: string): MacroParameter[] | string {
  const out: MacroParameter[] = [];
  for (const piece of splitArguments(text)) {
    const m = /^([A-Za-z_.$][A-Za-z0-9_.$]*)\s*(?::\s*(req|vararg))?\s*(?:=\s*(.*))?$/s.exec(piece.value.trim());
    if (!m) return `bad macro parameter '${piece.value.trim()}'`;
    if (out.some((p) => p.name === m[1])) return `macro parameter '${m[1]}' appears twice`;
    out.push({ name: m[1]!, defaultValue: m[3] ?? '', required: m[2] === 'req', vararg: m[2] === 'vararg' });
  }
  return out;
}

/** Binds actual arguments to parameters; returns the values or an error message. */
export function bindArguments(params: MacroParameter[], text: string, macroName: string): Map<string, string> | string {
  const values = new Map<string, string>();
  let position = 0;
  const pieces = splitArguments(text);
  for (let k = 0; k < pieces.length; k++) {
    const piece = pieces[k]!;
    const kw = /^([A-Za-z_.$][A-Za-z0-9_.$]*)\s*=(.*)$/s.exec(piece.value);
    if (kw && params.some((p) => p.name === kw[1])) {
      values.set(kw[1]!, kw[2]!.trim());
      continue;
    }
    const p = params[position++];
    if (p === undefined) return `too many positional arguments for macro '${macroName}'`;
    if (p.vararg) {
      values.set(p.name, text.slice(piece.start).trim());
      break;
    }
    if (piece.value !== '') values.set(p.name, piece.value);
  }
  for (const p of params) {
    if (!values.has(p.name)) {
      if (p.required) return `missing value for required parameter '${p.name}' of macro '${macroName}'`;
      values.set(p.name, p.defaultValue);
    }
  }
  return values;
}

/** Replaces `\name`, `\@` and `\()` in one body line. */
export function substitute(line: string, values: ReadonlyMap<string, string>, counter: number | null): string {
  if (!line.includes('\\')) return line;
  return line.replace(/\\(\(\)|@|[A-Za-z_.$][A-Za-z0-9_.$]*)/g, (all, name: string) => {
    if (name === '()') return '';
    if (name === '@') return counter === null ? all : String(counter);
    const v = values.get(name);
    return v === undefined ? all : v;
  });
}
