// The part of an assembly that came from one included file, at that file's own lines: the code of
// each of its lines (adjacent code of one line joined, as the edited file's expanded lines are, so
// a line shows what it shows pasted in place of the include) and the errors in its text (the
// assembler's and the expansion's), at their columns where the assembled text is the file's line
// as written, else on the whole line. Read from the Image's record of its expansion
// (`Image.expanded`), so a document that includes nothing pays nothing.

import path from 'node:path';
import type { AsmDiagnostic, Image, LineCode } from '../asm';
import { wholeLineRange, type ExpandedLine } from '../asm/expanded-source-lines';
import { lineCodeRuns } from '../asm/line-code-runs';

export interface IncludedFileCode {
  /** Its line map: `line` is a line of the file. */
  lines: LineCode[];
  diagnostics: AsmDiagnostic[];
}

/**
 * The code and errors of `fileName` in an assembly whose includes read it (`includedFiles`, by path
 * as read); null when they did not. `fileText` is its text as the includes read it.
 */
export function includedFileCode(image: Image, includedFiles: ReadonlyMap<string, string>, fileName: string, fileText: string): IncludedFileCode | null {
  const expanded = image.expanded;
  if (expanded === undefined) return null;
  const target = path.resolve(fileName);
  if (![...includedFiles.keys()].some((f) => path.resolve(f) === target)) return null;
  // Few distinct file names: each resolved once.
  const isTarget = new Map<string, boolean>();
  const fromTarget = (file: string): boolean => {
    let yes = isTarget.get(file);
    if (yes === undefined) isTarget.set(file, (yes = file !== '' && path.resolve(file) === target));
    return yes;
  };
  const lines = lineCodeRuns(expanded.lines, (c) => {
    const origin = expanded.origins[c.line];
    return origin !== undefined && fromTarget(origin.file) ? origin.line : null;
  });
  const fileLines = fileText.split('\n');
  const diagnostics: AsmDiagnostic[] = [];
  const found = (origin: ExpandedLine | undefined, d: { severity: 'error' | 'warning'; message: string; start?: number; end?: number }): void => {
    if (origin === undefined || !fromTarget(origin.file)) return;
    const own = fileLines[origin.line];
    // Columns hold only where the assembled text is the file's line as written.
    if (origin.text === own && d.start !== undefined) diagnostics.push({ severity: d.severity, message: d.message, line: origin.line, start: d.start, end: d.end ?? d.start });
    else diagnostics.push({ severity: d.severity, message: d.message + (origin.via !== undefined ? ` (in ${origin.via})` : ''), line: origin.line, ...wholeLineRange(own) });
  };
  for (const d of expanded.diagnostics) found(expanded.origins[d.line], d);
  // Those of the expansion itself (macro calls, conditionals, includes of its own).
  for (const p of expanded.problems) found(p.at, p);
  diagnostics.sort((a, b) => a.line - b.line || a.start - b.start);
  return { lines, diagnostics };
}
