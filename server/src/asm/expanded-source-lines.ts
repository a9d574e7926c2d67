// Lines after source-level expansion (C preprocessor, .include, GAS macros, .rept, .irp,
// conditionals), each with where it came from: the (file, line) that holds its text, and the line
// of the file the user edits that produced it, so the line map and diagnostics stay in that file.

import type { AsmDiagnostic } from './statement-parser';

export interface ExpandedLine {
  text: string;
  /** File whose text this line comes from ('' for the edited file when it has no name). */
  file: string;
  /** 0-based line in `file`. */
  line: number;
  /** 0-based line of the edited file that produced this line (an #include, macro call, .rept...). */
  userLine: number;
  /** True when `text` is the edited file's line `userLine` unchanged, so its columns hold. */
  verbatim: boolean;
  /** What produced the line when it is not verbatim, for diagnostics (`macro 'm'`, `inc.h:3`). */
  via?: string;
}

export interface ExpansionOptions {
  includePaths?: string[];
  fileName?: string;
  preprocessor?: 'builtin' | 'system' | 'none';
  readFile?: (path: string) => string | null;
  /**
   * Told each file the system preprocessor read (its line markers; system headers left out), since
   * it reads them itself. The built-in preprocessor and `.include` read through `readFile`.
   */
  includedFile?: (path: string) => void;
}

export interface ExpandedSource {
  lines: ExpandedLine[];
  /** Problems found while expanding, already in the edited file's lines and columns. */
  diagnostics: AsmDiagnostic[];
  /** The same problems where they were found (the built-in preprocessor's and GNU as directives'). */
  problems?: ExpansionProblem[];
}

/** A problem found while expanding, at the expanded line it was found on (columns of its text). */
export interface ExpansionProblem {
  at: ExpandedLine;
  severity: 'error' | 'warning';
  message: string;
  start?: number;
  end?: number;
}

/**
 * Reports a problem found at an expanded line: as a diagnostic on the edited file's line that
 * produced it (its columns only when the line is verbatim), and where it was found.
 */
export function reportExpansionProblem(
  out: { diagnostics: AsmDiagnostic[]; problems: ExpansionProblem[] }, userLines: readonly string[],
  severity: 'error' | 'warning', at: ExpandedLine, message: string, start?: number, end?: number,
): void {
  const r = at.verbatim && start !== undefined ? { start, end: end ?? start } : wholeLineRange(userLines[at.userLine]);
  const where = at.verbatim ? '' : at.via ? ` (in ${at.via})` : '';
  out.diagnostics.push({ severity, message: message + where, line: at.userLine, ...r });
  out.problems.push({ at, severity, message, ...(start !== undefined ? { start, end: end ?? start } : {}) });
}

/** The lines of one file as unexpanded ExpandedLines; `top` marks the edited file. */
export function linesOfFile(text: string, file: string, top: boolean, userLine = 0): ExpandedLine[] {
  return text.split('\n').map((t, i) => ({ text: t, file, line: i, userLine: top ? i : userLine, verbatim: top }));
}

/** The range of a whole line without its leading and trailing blanks (for errors about it). */
export function wholeLineRange(text: string | undefined): { start: number; end: number } {
  if (text === undefined) return { start: 0, end: 0 };
  const start = text.length - text.trimStart().length;
  return { start, end: Math.max(start, text.trimEnd().length) };
}

/** A produced line with new text, keeping the origin of the line it came from. */
export function derived(from: ExpandedLine, text: string, via?: string): ExpandedLine {
  const verbatim = from.verbatim && text === from.text;
  const out: ExpandedLine = { text, file: from.file, line: from.line, userLine: from.userLine, verbatim };
  const v = via ?? from.via;
  if (v !== undefined) out.via = v;
  return out;
}
