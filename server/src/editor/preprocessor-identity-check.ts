// Decides whether the built-in C preprocessor would give a document back unchanged, so that the
// editor can assemble it without running the preprocessor on every edit. The preprocessor's work
// on a line is line-local when no line joins the next (a trailing backslash), opens or carries a C
// comment, or is a directive; then a line is unchanged unless it names a macro, and with no
// `#define` the only macros are the predefined ones. Rather than keep a copy of the preprocessor's
// rules, each new `#` line and each new identifier is asked of the preprocessor itself (alone, with
// no files readable), and the answers are remembered by text across versions. After an edit only
// the changed lines are looked at when the last version was left unchanged. The first version is
// looked at whole (its text's distinct identifiers and `#` lines), remembering no line: on open
// every line is new, and a map of 50,000 line texts would cost more than the check itself.

import { preprocessOnly } from '../asm';
import { unchangedLineEnds, type UnchangedLineEnds } from './unchanged-line-ends';

const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_]*/g;
const HASH_LINE = /^\s*#/;

/** Lines of `texts` that the built-in preprocessor changes or reports on, each text taken alone. */
function changedByPreprocessor(texts: readonly string[]): boolean[] {
  const out = preprocessOnly(texts.join('\n'), { preprocessor: 'builtin', readFile: () => null });
  const changed = texts.map((t, i) => out.lines[i]?.text !== t);
  for (const d of out.diagnostics) changed[d.line] = true;
  // Lines dropped or added shift the rest: then everything after the first difference is suspect.
  if (out.lines.length !== texts.length) {
    const first = changed.indexOf(true);
    for (let i = first < 0 ? 0 : first; i < changed.length; i++) changed[i] = true;
  }
  return changed;
}

export class PreprocessorIdentityCheck {
  /** Line text -> the preprocessor leaves the line as it is, wherever it stands. */
  private readonly plainLines = new Map<string, boolean>();
  /** Identifier -> it names no macro (neither `X` nor `X()` expands). */
  private readonly plainIdentifiers = new Map<string, boolean>();

  /** The last version checked, and whether the preprocessor leaves it unchanged. */
  private lastLines: readonly string[] = [];
  private lastAnswer = false;

  /**
   * True when running the built-in preprocessor over `lines` gives every line back unchanged.
   * `ends` may carry the lines' comparison with the last version; `text` is the lines joined by
   * newlines.
   */
  leavesUnchanged(lines: readonly string[], ends?: UnchangedLineEnds, text?: string): boolean {
    if (this.lastLines.length === 0 && text !== undefined) {
      this.lastLines = lines;
      this.lastAnswer = this.wholeTextPlain(text);
      return this.lastAnswer;
    }
    // Every line of the last version was plain: only the lines that replace its changed ones count.
    let from = 0;
    let to = lines.length;
    if (this.lastAnswer) {
      const { head, tail } = unchangedLineEnds(this.lastLines, lines, ends);
      from = head;
      to = lines.length - tail;
    }
    this.lastLines = lines;
    this.lastAnswer = this.plain(lines, from, to);
    return this.lastAnswer;
  }

  private plain(lines: readonly string[], from: number, to: number): boolean {
    const unknown: string[] = [];
    for (let i = from; i < to; i++) {
      const line = lines[i]!;
      const plain = this.plainLines.get(line);
      if (plain === false) return false;
      if (plain === undefined) unknown.push(line);
    }
    if (unknown.length > 0) {
      this.learn(unknown);
      for (const line of unknown) if (this.plainLines.get(line) !== true) return false;
    }
    // The maps only grow with new texts; keep them near the document's size.
    if (this.plainLines.size > 4 * lines.length + 10_000) this.plainLines.clear();
    if (this.plainIdentifiers.size > 100_000) this.plainIdentifiers.clear();
    return true;
  }

  /** `plain` over every line of `text`, as line-by-line matches would find it, with no line remembered. */
  private wholeTextPlain(text: string): boolean {
    // A line ending in a backslash, or holding a C comment's start or end (none spans a newline).
    if (text.endsWith('\\') || text.includes('\\\n') || text.includes('/*') || text.includes('*/') || text.includes('//')) return false;
    // A match never spans lines: the identifiers of the text are those of its lines.
    if (!this.identifiersPlain(new Set(text.match(IDENTIFIER)))) return false;
    const hashLines = new Set<string>();
    for (let at = text.indexOf('#'); at >= 0; at = text.indexOf('#', at + 1)) {
      const start = text.lastIndexOf('\n', at) + 1;
      const end = text.indexOf('\n', at);
      const line = text.slice(start, end < 0 ? text.length : end);
      if (HASH_LINE.test(line)) hashLines.add(line);
      if (end < 0) break;
      at = end;
    }
    return hashLines.size === 0 || !changedByPreprocessor([...hashLines]).includes(true);
  }

  /** Asks the preprocessor about the identifiers not yet known; true when none of them names a macro. */
  private identifiersPlain(identifiers: Iterable<string>): boolean {
    const ids: string[] = [];
    for (const id of identifiers) if (!this.plainIdentifiers.has(id)) ids.push(id);
    if (ids.length > 0) {
      const changed = changedByPreprocessor(ids.map((id) => `${id} ${id}()`));
      ids.forEach((id, i) => this.plainIdentifiers.set(id, !changed[i]));
    }
    for (const id of identifiers) if (this.plainIdentifiers.get(id) !== true) return false;
    return true;
  }

  private learn(lines: string[]): void {
    const hashLines = new Set<string>();
    const identifiers = new Set<string>();
    /** Each line's identifiers, matched once (a 50,000-line file on open has thousands of new lines). */
    const identifiersOf = new Map<string, readonly string[]>();
    for (const line of lines) {
      if (identifiersOf.has(line) || this.plainLines.has(line)) continue;
      // Multi-line constructs and comments: not line-local (conservative: `//` in a string too).
      if (line.endsWith('\\') || line.includes('/*') || line.includes('*/') || line.includes('//')) {
        this.plainLines.set(line, false);
        continue;
      }
      if (HASH_LINE.test(line)) hashLines.add(line);
      const found = line.match(IDENTIFIER) ?? [];
      identifiersOf.set(line, found);
      for (const id of found) if (!this.plainIdentifiers.has(id)) identifiers.add(id);
    }
    this.identifiersPlain(identifiers);
    const hashes = [...hashLines];
    // A directive changes or drops its line (or reports): only assembler comments come back whole.
    const hashChanged = hashes.length > 0 ? changedByPreprocessor(hashes) : [];
    const hashPlain = new Map(hashes.map((h, i) => [h, !hashChanged[i]]));
    for (const [line, found] of identifiersOf) {
      let plain = hashPlain.get(line) ?? true;
      if (plain) for (const id of found) if (this.plainIdentifiers.get(id) !== true) plain = false;
      this.plainLines.set(line, plain);
    }
  }
}
