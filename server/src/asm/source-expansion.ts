// The source-level pipeline in front of the parser: the C preprocessor (built in, the system's, or
// none), then GNU as macros, repeats, conditionals and .include. Afterwards it maps the Image that
// the expanded text gave back onto the lines of the edited file (line map and diagnostics).

import type { AsmDiagnostic } from './statement-parser';
import type { Image } from './assembled-image';
import { lineCodeRuns } from './line-code-runs';
import { linesOfFile, wholeLineRange, type ExpandedSource, type ExpansionOptions } from './expanded-source-lines';
import { readFileOrNull, type IncludeFiles } from './include-file-search';
import { BuiltinPreprocessor } from './preprocessor-builtin';
import { preprocessWithSystemCpp } from './preprocessor-system-cpp';
import { GasMacroExpander } from './gas-macro-expander';

/** Directives that the GNU as expander handles; a text without any of them needs no expansion. */
const GAS_SOURCE_DIRECTIVE = /\.(?:macro|endm|exitm|purgem|rept|irpc?|endr|if[a-z]*|else|elseif|endif|include|err|error|warning)\b/i;

/** The preprocessor used when none is asked for: the built-in one for `.S` files. */
export function defaultPreprocessor(fileName: string | undefined): 'builtin' | 'none' {
  return fileName !== undefined && fileName.endsWith('.S') ? 'builtin' : 'none';
}

/**
 * Expands source text; null when the text has nothing to expand (the common case, kept cheap so
 * that re-assembly in the editor pays nothing for it).
 */
export function expandSource(source: string, options: ExpansionOptions = {}): ExpandedSource | null {
  const mode = options.preprocessor ?? defaultPreprocessor(options.fileName);
  if (mode === 'none' && !GAS_SOURCE_DIRECTIVE.test(source)) return null;
  const files = includeFiles(options);
  const pre = preprocessOnly(source, { ...options, preprocessor: mode });
  const gas = new GasMacroExpander(source.split('\n'), files);
  gas.run(pre.lines, 0);
  return { lines: gas.out, diagnostics: [...pre.diagnostics, ...gas.diagnostics], problems: [...(pre.problems ?? []), ...gas.problems] };
}

function includeFiles(options: ExpansionOptions): IncludeFiles {
  return { includePaths: options.includePaths ?? [], readFile: options.readFile ?? readFileOrNull };
}

/** Only the C preprocessor step (none, built-in or system), before GNU as directives. */
export function preprocessOnly(source: string, options: ExpansionOptions = {}): ExpandedSource {
  const mode = options.preprocessor ?? defaultPreprocessor(options.fileName);
  const fileName = options.fileName ?? '';
  const lines = linesOfFile(source, fileName, true);
  if (mode === 'builtin') {
    const pp = new BuiltinPreprocessor(source.split('\n'), includeFiles(options));
    pp.run(lines, 0);
    return { lines: pp.out, diagnostics: pp.diagnostics, problems: pp.problems };
  }
  if (mode === 'system') return preprocessWithSystemCpp(source, fileName, options.includePaths ?? [], 'gcc', options.includedFile);
  return { lines, diagnostics: [] };
}

/** The expanded text the parser reads. */
export function expandedText(expansion: ExpandedSource): string {
  return expansion.lines.map((l) => l.text).join('\n');
}

/**
 * Moves an Image assembled from expanded text onto the edited file's lines: each line-map entry
 * and diagnostic goes to the line that produced it; columns survive only on verbatim lines. When
 * lines came from other files than the edited one (`fileName`), the Image keeps the expanded line
 * map too (`expanded`), for the editor's view of an included file.
 */
export function imageOnUserLines(image: Image, expansion: ExpandedSource, source: string, fileName = ''): Image {
  const userLines = source.split('\n');
  const lines = lineCodeRuns(image.lines, (l) => expansion.lines[l.line]?.userLine ?? l.line);
  const diagnostics: AsmDiagnostic[] = image.diagnostics.map((d) => {
    const origin = expansion.lines[d.line];
    if (origin === undefined) return d;
    if (origin.verbatim) return { ...d, line: origin.userLine };
    const where = origin.via ? ` (in ${origin.via})` : '';
    return { ...d, ...wholeLineRange(userLines[origin.userLine]), line: origin.userLine, message: d.message + where };
  });
  diagnostics.push(...expansion.diagnostics);
  diagnostics.sort((a, b) => a.line - b.line || a.start - b.start);
  const moved = { ...image, lines, diagnostics };
  // Only then: an unchanged text (a preprocessor the editor skips) gives the Image it gave.
  if (!expansion.lines.some((l) => l.file !== fileName)) return moved;
  return { ...moved, expanded: { lines: image.lines, diagnostics: image.diagnostics, origins: expansion.lines, problems: expansion.problems ?? [] } };
}
