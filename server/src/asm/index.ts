// Public face of the assembler: AT&T i386 source text in, an Image (sections, symbols,
// relocations, line map, diagnostics) out. Nothing here throws on user input.

export { assemble } from './assembler';
export type { AssembleOptions } from './assembler';
export { IncrementalAssembler } from './incremental-assembler';
export { expandSource, preprocessOnly } from './source-expansion';
export type { ExpandedLine, ExpandedSource } from './expanded-source-lines';
export { parseSource } from './statement-parser';
export type { AsmDiagnostic, ParsedSource, SourceRange, Statement } from './statement-parser';
export { lineAtAddress, codeOfLine } from './assembled-image';
export type { Image, ImageSection, ImageSymbol, ImageRelocation, LineCode, ExpandedCode } from './assembled-image';
export { writeElfObject } from './elf-object-writer';
export { formatListing } from './assembly-listing';
