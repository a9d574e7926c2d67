// Tokens of the C preprocessor in assembler mode (as `cpp -x assembler-with-cpp` reads them):
// identifiers without `$`, pp-numbers (so `1f` stays whole), "strings", closed 'c' literals,
// blanks and single punctuation characters. Also blanks out C comments, keeping every column.

export interface PpToken {
  kind: 'ident' | 'number' | 'string' | 'space' | 'punct';
  text: string;
  /** Macros that must not expand this token again (the hide set of the expansion algorithm). */
  hide?: ReadonlySet<string>;
}

/** Splits one logical line (comments already blanked) into tokens, blanks included. */
export function tokenizeLine(line: string): PpToken[] {
  const out: PpToken[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    const start = i;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      while (i < line.length && /[ \t\r\f\v]/.test(line[i]!)) i++;
      out.push({ kind: 'space', text: line.slice(start, i) });
    } else if (/[A-Za-z_]/.test(c)) {
      while (i < line.length && /[A-Za-z0-9_]/.test(line[i]!)) i++;
      out.push({ kind: 'ident', text: line.slice(start, i) });
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(line[i + 1] ?? ''))) {
      i++;
      while (i < line.length) {
        const d = line[i]!;
        if ((d === '+' || d === '-') && /[eEpP]/.test(line[i - 1]!)) i++;
        else if (/[A-Za-z0-9_.]/.test(d)) i++;
        else break;
      }
      out.push({ kind: 'number', text: line.slice(start, i) });
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < line.length && line[j] !== c) j += line[j] === '\\' ? 2 : 1;
      if (j < line.length) {
        i = j + 1;
        out.push({ kind: 'string', text: line.slice(start, i) });
      } else {
        // An unclosed quote (`movb $'a, %al`) is one character in assembler mode.
        i++;
        out.push({ kind: 'punct', text: c });
      }
    } else if (c === '#' && line[i + 1] === '#') {
      i += 2;
      out.push({ kind: 'punct', text: '##' });
    } else {
      i++;
      out.push({ kind: 'punct', text: c });
    }
  }
  return out;
}

/** The text of tokens as written. */
export function tokensText(tokens: readonly PpToken[]): string {
  let s = '';
  for (const t of tokens) s += t.text;
  return s;
}

/**
 * Replaces C comments with blanks of the same length (so columns keep their meaning); a block
 * comment may run over lines, so the caller carries `state`. Strings are left alone.
 */
export function blankComments(line: string, state: { inComment: boolean }): string {
  let out = '';
  let i = 0;
  while (i < line.length) {
    if (state.inComment) {
      const end = line.indexOf('*/', i);
      if (end < 0) {
        out += ' '.repeat(line.length - i);
        return out;
      }
      out += ' '.repeat(end + 2 - i);
      i = end + 2;
      state.inComment = false;
      continue;
    }
    const c = line[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < line.length && line[j] !== '"') j += line[j] === '\\' ? 2 : 1;
      out += line.slice(i, j + 1);
      i = j + 1;
    } else if (c === '/' && line[i + 1] === '*') {
      state.inComment = true;
      out += '  ';
      i += 2;
    } else if (c === '/' && line[i + 1] === '/') {
      out += ' '.repeat(line.length - i);
      return out;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}
