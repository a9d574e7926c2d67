// Re-assembly of an edited document. Parsing and the walk that makes items resume at the last
// checkpoint before the first changed line (the state there is kept from the previous version)
// and stop at the first later checkpoint where the state is the previous version's at the same
// text: the rest is taken over. Layout, relaxation and emission then move the previous version's
// where that is exact (relaxation-after-edit.ts), else run in full; symbols are made in full.
// Lines whose text was seen in an earlier version are not lexed or parsed again, and their
// instructions are not encoded again while the parse-time values their encoding asked for are
// unchanged. The Image is always the one assemble() gives for the text.
// Protocol-free: the language server keeps one per open document.

import { cachedStartStateLine } from './cached-line-parsing';
import type { Statement } from './statement-parser';
import { assembleWithCaches, newAssemblyCaches, CHECKPOINT_LINES, type AssembleOptions, type AssemblyCaches } from './assembler';
import type { Image } from './assembled-image';

export class IncrementalAssembler {
  private readonly caches: AssemblyCaches;

  /** `checkpointLines`: lines between resume points (tests make it small to resume often). */
  constructor(private readonly options: AssembleOptions = {}, checkpointLines = CHECKPOINT_LINES) {
    this.caches = newAssemblyCaches(true, checkpointLines);
  }

  /**
   * Assembles this version of the document; equal to `assemble(source, options)`. Options may
   * change between versions (include paths, preprocessor): the caches hold expanded lines only.
   */
  assemble(source: string, options: AssembleOptions = this.options): Image {
    return assembleWithCaches(source, options, this.caches);
  }

  /**
   * The statements of `lineText` parsed alone (from the start-of-file state), when an assembly
   * parsed that text in that state and its cache still holds it; else undefined. Numeric `1:`
   * labels are placeholder names starting with \x01. The objects are shared: never modify them.
   */
  parsedLineAlone(lineText: string): { statements: readonly Statement[]; blockCommentAfter: boolean } | undefined {
    return cachedStartStateLine(this.caches.lines, lineText);
  }

  /**
   * The last assembly's parse when it parsed exactly `source` (no preprocessor expansion): every
   * statement (cached lines' ones say line 0) and its line. Shared: never modify it.
   */
  lastParseOf(source: string): { statements: readonly Statement[]; lineOf: readonly number[] } | undefined {
    const resume = this.caches.resume;
    const previous = resume?.previous;
    if (!resume || !previous || resume.split === null || resume.split.source !== source || previous.lines !== resume.split.lines) return undefined;
    return { statements: previous.parse.parsed.statements, lineOf: previous.parse.lineOf };
  }

  /** How many versions took over the end of the previous version's walk (tests check the reuse happens). */
  get joinedVersions(): number {
    return this.caches.resume?.joins ?? 0;
  }

  /** How many versions moved the previous version's layout and bytes rather than laying out and emitting all. */
  get movedLayouts(): number {
    return this.caches.resume?.moves ?? 0;
  }
}
