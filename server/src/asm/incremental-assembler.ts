// Re-assembly of an edited document. Each version is assembled in full from layout on (symbols,
// relaxation, emission), but lines whose text was seen in an earlier version are not lexed or
// parsed again, and their instructions are not encoded again while the parse-time values their
// encoding asked for are unchanged. The Image is always the one assemble() gives for the text.
// Protocol-free: the language server keeps one per open document.

import { assembleWithCaches, newAssemblyCaches, type AssembleOptions, type AssemblyCaches } from './assembler';
import type { Image } from './assembled-image';

export class IncrementalAssembler {
  private readonly caches: AssemblyCaches = newAssemblyCaches();

  constructor(private readonly options: AssembleOptions = {}) {}

  /**
   * Assembles this version of the document; equal to `assemble(source, options)`. Options may
   * change between versions (include paths, preprocessor): the caches hold expanded lines only.
   */
  assemble(source: string, options: AssembleOptions = this.options): Image {
    return assembleWithCaches(source, options, this.caches);
  }
}
