// Lexer for GNU as AT&T source: turns one line into tokens with their columns, drops `#` and
// `/* */` comments (a block comment may span lines, so the caller carries its state), and marks
// `;` statement separators. It never throws: a bad character becomes an `error` token.

export type TokenKind =
  | 'ident' // symbol, mnemonic or directive name (`.text`, `movl`, `.L3`)
  | 'number' // integer constant; `value` holds it
  | 'localref' // numeric local label reference `1b` / `1f`; `text` holds it
  | 'string' // "..." with escapes decoded into `value` as bytes
  | 'register' // %name (lower case, without `%`)
  | 'punct' // one of , ( ) : $ * + - / % < > << >> & | ^ ~ ! = == != <> <= >= && ||
  | 'separator' // `;`
  | 'error';

export interface Token {
  kind: TokenKind;
  text: string;
  /** Columns are 0-based offsets in the line; `end` is exclusive. */
  start: number;
  end: number;
  /** Numeric value for `number` tokens (up to 64 bits as a bigint). */
  number?: bigint;
  /** Decoded bytes for `string` tokens. */
  bytes?: number[];
  /** Message for `error` tokens. */
  message?: string;
}

export interface LexState {
  /** True while inside a block comment that started on an earlier line. */
  inBlockComment: boolean;
}

// Character classes by code, not by regular expression: the lexer runs on every line of a file.
function isLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}
function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
/** [A-Za-z_.@] */
function isIdentStart(c: number): boolean {
  return isLetter(c) || c === 0x5f || c === 0x2e || c === 0x40;
}
/** [A-Za-z0-9_.$@] */
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || isDigit(c) || c === 0x24;
}
const PUNCT2 = ['<<', '>>', '==', '!=', '<>', '<=', '>=', '&&', '||'];
/** The first characters of PUNCT2: other punctuation never needs the two-character look. */
function isPunct2Start(c: number): boolean {
  return c === 0x3c || c === 0x3e || c === 0x3d || c === 0x21 || c === 0x26 || c === 0x7c;
}
const PUNCT1 = ',():$*+-/%<>&|^~!=[]';

function decodeEscape(line: string, i: number, out: number[]): number {
  const c = line[i];
  const simple: Record<string, number> = { n: 10, t: 9, r: 13, b: 8, f: 12, v: 11, a: 7, e: 27, '\\': 92, '"': 34, "'": 39 };
  if (c !== undefined && simple[c] !== undefined) {
    out.push(simple[c]!);
    return i + 1;
  }
  if (c !== undefined && /[0-7]/.test(c)) {
    let j = i;
    let v = 0;
    while (j < i + 3 && j < line.length && /[0-7]/.test(line[j]!)) v = v * 8 + Number(line[j++]);
    out.push(v & 0xff);
    return j;
  }
  if (c === 'x') {
    let j = i + 1;
    let v = 0;
    while (j < line.length && /[0-9a-fA-F]/.test(line[j]!)) v = (v * 16 + parseInt(line[j++]!, 16)) & 0xff;
    out.push(v);
    return j;
  }
  if (c !== undefined) out.push(c.charCodeAt(0) & 0xff);
  return i + 1;
}

function utf8(text: string): number[] {
  return [...Buffer.from(text, 'utf8')];
}

function lexNumber(line: string, start: number): Token {
  let i = start;
  let digitsOnly = true;
  while (i < line.length) {
    const c = line.charCodeAt(i);
    if (isDigit(c)) i++;
    else if (isLetter(c) || c === 0x5f) {
      digitsOnly = false;
      i++;
    } else break;
  }
  const text = line.slice(start, i);
  // The common case, a decimal number short enough to be exact as a double, without regular expressions.
  if (digitsOnly && text.length <= 15 && (text.length === 1 || text.charCodeAt(0) !== 0x30)) {
    return { kind: 'number', text, start, end: i, number: BigInt(Number(text)) };
  }
  const lower = text.toLowerCase();
  // `1b` and `1f` refer to numeric local labels, except `0b1...` which is a binary constant.
  if (/^[0-9]+[bf]$/.test(lower) && !/^0b[01]+$/.test(lower)) {
    return { kind: 'localref', text, start, end: i };
  }
  let value: bigint | null = null;
  if (/^0x[0-9a-f]+$/.test(lower)) value = BigInt(lower);
  else if (/^0b[01]+$/.test(lower)) value = BigInt(lower);
  else if (/^0[0-7]+$/.test(lower)) value = BigInt('0o' + lower.slice(1));
  else if (/^[0-9]+$/.test(lower)) value = BigInt(lower);
  if (value === null) return { kind: 'error', text, start, end: i, message: `bad number '${text}'` };
  return { kind: 'number', text, start, end: i, number: value };
}

/** Tokenizes one line. `state` carries an open block comment from line to line. */
export function lexLine(line: string, state: LexState): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < line.length) {
    if (state.inBlockComment) {
      const close = line.indexOf('*/', i);
      if (close < 0) return tokens;
      state.inBlockComment = false;
      i = close + 2;
      continue;
    }
    const c = line[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    if (c === '#') break;
    if (c === '/' && line[i + 1] === '*') {
      state.inBlockComment = true;
      i += 2;
      continue;
    }
    const start = i;
    if (c === ';') {
      tokens.push({ kind: 'separator', text: ';', start, end: i + 1 });
      i++;
    } else if (c === '"') {
      const bytes: number[] = [];
      i++;
      let closed = false;
      while (i < line.length) {
        const d = line[i]!;
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        if (d === '\\') i = decodeEscape(line, i + 1, bytes);
        else {
          const cp = line.codePointAt(i)!;
          const ch = String.fromCodePoint(cp);
          bytes.push(...utf8(ch));
          i += ch.length;
        }
      }
      if (!closed) tokens.push({ kind: 'error', text: line.slice(start, i), start, end: i, message: 'unterminated string' });
      else tokens.push({ kind: 'string', text: line.slice(start, i), start, end: i, bytes });
    } else if (c === "'") {
      // Character constant: 'a (GNU as needs no closing quote), or 'a' tolerated.
      const bytes: number[] = [];
      let j = i + 1;
      if (j >= line.length) {
        tokens.push({ kind: 'error', text: "'", start, end: j, message: 'empty character constant' });
        i = j;
        continue;
      }
      if (line[j] === '\\') j = decodeEscape(line, j + 1, bytes);
      else {
        bytes.push(line.charCodeAt(j) & 0xff);
        j++;
      }
      if (line[j] === "'") j++;
      tokens.push({ kind: 'number', text: line.slice(start, j), start, end: j, number: BigInt(bytes[0] ?? 0) });
      i = j;
    } else if (isDigit(c.charCodeAt(0))) {
      const t = lexNumber(line, i);
      tokens.push(t);
      i = t.end;
    } else if (isIdentStart(c.charCodeAt(0))) {
      while (i < line.length && isIdentPart(line.charCodeAt(i))) i++;
      tokens.push({ kind: 'ident', text: line.slice(start, i), start, end: i });
    } else if (c === '{' && /^\{[a-z0-9]+\}/.test(line.slice(i, i + 12))) {
      // Pseudo-prefixes such as {vex} and {vex3} choose an encoding.
      i = line.indexOf('}', i) + 1;
      tokens.push({ kind: 'ident', text: line.slice(start, i), start, end: i });
    } else if (c === '%' && i + 1 < line.length && isLetter(line.charCodeAt(i + 1))) {
      i++;
      while (i < line.length && (isLetter(line.charCodeAt(i)) || isDigit(line.charCodeAt(i)))) i++;
      tokens.push({ kind: 'register', text: line.slice(start + 1, i).toLowerCase(), start, end: i });
    } else {
      const two = i + 1 < line.length && isPunct2Start(line.charCodeAt(i)) ? line.slice(i, i + 2) : '';
      if (two !== '' && PUNCT2.includes(two)) {
        tokens.push({ kind: 'punct', text: two, start, end: i + 2 });
        i += 2;
      } else if (PUNCT1.includes(c)) {
        tokens.push({ kind: 'punct', text: c, start, end: i + 1 });
        i++;
      } else {
        const cp = line.codePointAt(i)!;
        const len = String.fromCodePoint(cp).length;
        tokens.push({ kind: 'error', text: line.slice(i, i + len), start, end: i + len, message: `unexpected character '${line.slice(i, i + len)}'` });
        i += len;
      }
    }
  }
  return tokens;
}
